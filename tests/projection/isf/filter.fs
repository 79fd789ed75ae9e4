/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: an image filter using IMG_PIXEL with pixel coordinates and _imgSize.",
  "CATEGORIES": ["Filter"],
  "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}, {"NAME": "invert", "TYPE": "bool", "DEFAULT": true}]
}*/

void main() {
    vec2 px = isf_FragNormCoord * _inputImage_imgSize;
    vec4 c = IMG_PIXEL(inputImage, px);
    gl_FragColor = invert ? vec4(1.0 - c.rgb, 1.0) : c;
}
