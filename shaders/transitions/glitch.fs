/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Transition: a broadcast hijack, blocks of the new scene tear in with colour split.",
  "CREDIT": "installation bundled transitions",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0},
    {"NAME": "blocks", "LABEL": "Block rows", "TYPE": "float", "MIN": 4.0, "MAX": 64.0, "DEFAULT": 18.0}
  ]
}*/

float hash12(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    vec2 cell = floor(uv * vec2(blocks * 0.6, blocks));
    float h = hash12(cell);
    // each block switches at its own moment; blocks near their moment jitter and split colour
    float m = step(h * 0.9 + 0.05, progress);
    float unrest = (1.0 - abs(progress - 0.5) * 2.0);
    float shiftX = (hash12(vec2(cell.y, floor(TIME * 20.0))) - 0.5) * 0.06 * unrest;
    vec2 q = uv + vec2(shiftX, 0.0);
    float split = 0.01 * unrest;
    vec4 a = vec4(IMG_NORM_PIXEL(startImage, q + vec2(split, 0.0)).r, IMG_NORM_PIXEL(startImage, q).g,
                  IMG_NORM_PIXEL(startImage, q - vec2(split, 0.0)).b, 1.0);
    vec4 b = vec4(IMG_NORM_PIXEL(endImage, q - vec2(split, 0.0)).r, IMG_NORM_PIXEL(endImage, q).g,
                  IMG_NORM_PIXEL(endImage, q + vec2(split, 0.0)).b, 1.0);
    if (progress <= 0.0) { gl_FragColor = IMG_THIS_PIXEL(startImage); return; }
    if (progress >= 1.0) { gl_FragColor = IMG_THIS_PIXEL(endImage); return; }
    float scan = 0.92 + 0.08 * sin(uv.y * RENDERSIZE.y * 1.5);
    gl_FragColor = mix(a, b, m) * mix(1.0, scan, unrest);
}
