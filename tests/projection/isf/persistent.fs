/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: a persistent float buffer that accumulates 1/64 per frame.",
  "PASSES": [
    {"TARGET": "acc", "PERSISTENT": true, "FLOAT": true},
    {}
  ]
}*/

void main() {
    if (PASSINDEX == 0) {
        vec4 prev = IMG_THIS_PIXEL(acc);
        gl_FragColor = (FRAMEINDEX == 0) ? vec4(0.0) : prev + vec4(1.0 / 64.0);
    } else {
        gl_FragColor = vec4(IMG_THIS_PIXEL(acc).rgb, 1.0);
    }
}
