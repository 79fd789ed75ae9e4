/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: an image input fed by a video (the generated counter clip: grey = 4 x frame index), played once and then held.",
  "INPUTS": [
    {"NAME": "clip", "TYPE": "image", "VIDEO": "generated:counter", "PLAYBACK": "once"}
  ]
}*/

void main() {
    gl_FragColor = vec4(IMG_THIS_PIXEL(clip).rgb, 1.0);
}
