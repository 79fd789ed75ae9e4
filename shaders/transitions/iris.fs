/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Transition: the new scene opens as a circle of light from a point (e.g. where the visitors stand).",
  "CREDIT": "installation bundled transitions",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0},
    {"NAME": "center", "LABEL": "Centre", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]},
    {"NAME": "rim", "LABEL": "Rim colour", "TYPE": "color", "DEFAULT": [1.0, 0.85, 0.6, 1.0]}
  ]
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 c = center;
    // follow the crowd when there is one
    if (PRESENCE_COUNT > 0) c = mix(center, vec2(PRESENCE_CENTER.x, 1.0 - PRESENCE_CENTER.y), 0.7);
    float d = length((uv - c) * vec2(aspect, 1.0));
    float far = length(vec2(max(c.x, 1.0 - c.x) * aspect, max(c.y, 1.0 - c.y))) + 0.05;
    float radius = progress * far;
    float m = smoothstep(radius - 0.02, radius + 0.02, d);
    float ring = exp(-abs(d - radius) * 60.0) * step(0.001, progress) * step(progress, 0.999);
    gl_FragColor = mix(IMG_THIS_PIXEL(endImage), IMG_THIS_PIXEL(startImage), m) + rim * ring * 0.8;
}
