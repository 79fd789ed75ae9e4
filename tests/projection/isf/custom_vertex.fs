/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: a custom vertex shader (custom_vertex.vs) passing a varying.",
  "INPUTS": [{"NAME": "shift", "TYPE": "float", "DEFAULT": 0.0}]
}*/

varying vec2 ramp;

void main() {
    gl_FragColor = vec4(ramp, 0.0, 1.0);
}
