/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: an imported image drawn full frame (checker.ppm: red / green / blue / white quadrants).",
  "IMPORTED": {"checker": {"PATH": "checker.ppm"}}
}*/

void main() {
    gl_FragColor = IMG_NORM_PIXEL(checker, isf_FragNormCoord);
}
