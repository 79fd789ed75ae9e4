/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: every input type. Eight vertical bands, each showing one input.",
  "CATEGORIES": ["conformance"],
  "INPUTS": [
    {"NAME": "level", "TYPE": "float", "MIN": 0.0, "MAX": 2.0, "DEFAULT": 1.0},
    {"NAME": "mode", "TYPE": "long", "VALUES": [0, 1, 2], "LABELS": ["low", "mid", "high"], "DEFAULT": 1},
    {"NAME": "flag", "TYPE": "bool", "DEFAULT": false},
    {"NAME": "flash", "TYPE": "event"},
    {"NAME": "tint", "TYPE": "color", "DEFAULT": [0.0, 0.5, 1.0, 1.0]},
    {"NAME": "spot", "TYPE": "point2D", "DEFAULT": [0.25, 0.75], "MIN": [0.0, 0.0], "MAX": [1.0, 1.0]},
    {"NAME": "inputImage", "TYPE": "image"}
  ]
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    int band = int(floor(uv.x * 8.0));
    vec3 c = vec3(0.0);
    if (band == 0) c = vec3(level * 0.5);
    else if (band == 1) c = vec3(float(mode) / 2.0);
    else if (band == 2) c = vec3(flag ? 1.0 : 0.0);
    else if (band == 3) c = vec3(flash ? 1.0 : 0.0);
    else if (band == 4) c = tint.rgb;
    else if (band == 5) c = vec3(spot, 0.0);
    else if (band == 6) c = IMG_THIS_PIXEL(inputImage).rgb;
    else c = vec3(IMG_SIZE(inputImage) / 1024.0, 0.0);
    gl_FragColor = vec4(c, 1.0);
}
