/*{
  "DESCRIPTION": "Conformance: ISF v1 dialect (vv_FragNormCoord, PERSISTENT_BUFFERS, IMPORTED list, texture2D).",
  "IMPORTED": [{"NAME": "pic", "PATH": "checker.ppm"}],
  "PERSISTENT_BUFFERS": ["memory"],
  "PASSES": [{"TARGET": "memory"}, {}],
  "INPUTS": [{"NAME": "amount", "TYPE": "float", "DEFAULT": 0.5}]
}*/
#version 120
#extension GL_ARB_texture_rectangle : enable

varying vec2 unused_varying_free;

void main() {
    if (PASSINDEX == 0) {
        gl_FragColor = mix(texture2D(memory, vv_FragNormCoord), texture2D(pic, vv_FragNormCoord), amount);
    } else {
        gl_FragData[0] = texture2D(memory, vv_FragNormCoord);
    }
}
