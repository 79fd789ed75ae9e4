/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: an ISF transition (hard left-to-right wipe).",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "DEFAULT": 0.0}
  ]
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    gl_FragColor = uv.x < progress ? IMG_THIS_PIXEL(endImage) : IMG_THIS_PIXEL(startImage);
}
