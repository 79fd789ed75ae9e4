/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: header leniency as in VVISF (this DESCRIPTION is given twice).",
  "DESCRIPTION": "Conformance: defaults as VVISF makes them. Five bands: float without DEFAULT, bool without DEFAULT, DEFAULT above MAX, DEFAULT below MIN, a key given twice.",
  "INPUTS": [
    {"NAME": "middle", "TYPE": "float", "MIN": 2.0, "MAX": 4.0},
    {"NAME": "onByDefault", "TYPE": "bool"},
    {"NAME": "tooHigh", "TYPE": "float", "MIN": 0.0, "MAX": 0.5, "DEFAULT": 3.0},
    {"NAME": "tooLow", "TYPE": "point2D", "MIN": [0.2, 0.2], "MAX": [1.0, 1.0], "DEFAULT": [0.0, 0.6]},
    {"NAME": "twice", "TYPE": "float", "DEFAULT": 0.1, "DEFAULT": 0.75}
  ]
}*/

void main() {
    int band = int(floor(isf_FragNormCoord.x * 5.0));
    vec3 c = vec3(0.0);
    if (band == 0) c = vec3(middle / 4.0);
    else if (band == 1) c = vec3(onByDefault ? 1.0 : 0.0);
    else if (band == 2) c = vec3(tooHigh);
    else if (band == 3) c = vec3(tooLow, 0.0);
    else c = vec3(twice);
    gl_FragColor = vec4(c, 1.0);
}
