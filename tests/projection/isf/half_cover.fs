/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: a custom vertex shader (half_cover.vs) that covers only the left half of the frame; the rest must be cleared, not left from an earlier picture.",
  "INPUTS": []
}*/

void main() {
    gl_FragColor = vec4(0.0, 0.0, 1.0, 1.0);
}
