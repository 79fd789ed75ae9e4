/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Transition: a soft-edged wipe at any angle.",
  "CREDIT": "installation bundled transitions",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0},
    {"NAME": "angle", "LABEL": "Angle (degrees)", "TYPE": "float", "MIN": 0.0, "MAX": 360.0, "DEFAULT": 0.0},
    {"NAME": "softness", "LABEL": "Softness", "TYPE": "float", "MIN": 0.0, "MAX": 0.5, "DEFAULT": 0.1}
  ]
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    float a = radians(angle);
    vec2 dir = vec2(cos(a), sin(a));
    // position along the wipe direction, 0..1 across the frame whatever the angle
    float span = abs(dir.x) + abs(dir.y);
    float s = (dot(uv - 0.5, dir) / span) + 0.5;
    float edge = progress * (1.0 + softness);
    float m = smoothstep(edge - softness, edge, s);
    gl_FragColor = mix(IMG_THIS_PIXEL(endImage), IMG_THIS_PIXEL(startImage), m);
}
