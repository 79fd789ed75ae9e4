/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: a quarter-size first pass (sized by expression) read by the final pass.",
  "INPUTS": [{"NAME": "divisor", "TYPE": "float", "MIN": 1.0, "MAX": 8.0, "DEFAULT": 4.0}],
  "PASSES": [
    {"TARGET": "small", "WIDTH": "floor($WIDTH / $divisor)", "HEIGHT": "floor($HEIGHT / $divisor)"},
    {}
  ]
}*/

void main() {
    if (PASSINDEX == 0) {
        // pass 0: write this pass's RENDERSIZE so pass 1 can check it
        gl_FragColor = vec4(RENDERSIZE / 256.0, 0.25, 1.0);
    } else {
        vec4 s = IMG_NORM_PIXEL(small, isf_FragNormCoord);
        gl_FragColor = vec4(s.rg, IMG_SIZE(small).x / 256.0, 1.0);
    }
}
