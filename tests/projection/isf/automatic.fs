/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: automatic uniforms written as colours (TIME, TIMEDELTA, RENDERSIZE, FRAMEINDEX, DATE).",
  "INPUTS": []
}*/

void main() {
    int band = int(floor(isf_FragNormCoord.x * 5.0));
    float v = 0.0;
    if (band == 0) v = TIME / 10.0;
    else if (band == 1) v = TIMEDELTA;
    else if (band == 2) v = RENDERSIZE.x / 1000.0;
    else if (band == 3) v = float(FRAMEINDEX) / 10.0;
    else v = DATE.y / 12.0;
    gl_FragColor = vec4(vec3(v), 1.0);
}
