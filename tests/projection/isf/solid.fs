/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: one solid colour (a start/end scene for transition tests).",
  "INPUTS": [{"NAME": "color", "TYPE": "color", "DEFAULT": [1.0, 0.0, 0.0, 1.0]}]
}*/

void main() {
    gl_FragColor = color;
}
