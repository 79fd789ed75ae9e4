/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Transition: a plain crossfade (the same as giving no transition shader), as a starting point for your own.",
  "CREDIT": "installation bundled transitions",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0}
  ]
}*/

void main() {
    gl_FragColor = mix(IMG_THIS_PIXEL(startImage), IMG_THIS_PIXEL(endImage), progress);
}
