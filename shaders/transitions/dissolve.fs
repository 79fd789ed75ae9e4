/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Transition: the old scene burns away through drifting noise, with a glowing edge.",
  "CREDIT": "installation bundled transitions",
  "CATEGORIES": ["Transition"],
  "INPUTS": [
    {"NAME": "startImage", "TYPE": "image"},
    {"NAME": "endImage", "TYPE": "image"},
    {"NAME": "progress", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0},
    {"NAME": "edge", "LABEL": "Edge colour", "TYPE": "color", "DEFAULT": [0.4, 1.0, 0.8, 1.0]},
    {"NAME": "softness", "LABEL": "Softness", "TYPE": "float", "MIN": 0.01, "MAX": 0.5, "DEFAULT": 0.08}
  ]
}*/

float hash12(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash12(i), hash12(i + vec2(1, 0)), u.x), mix(hash12(i + vec2(0, 1)), hash12(i + vec2(1, 1)), u.x), u.y);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    vec2 q = uv * vec2(RENDERSIZE.x / RENDERSIZE.y, 1.0) * 4.0;
    float n = 0.6 * noise(q) + 0.3 * noise(q * 2.3 + 7.0) + 0.1 * noise(q * 5.1 + 3.0);
    // remap so that progress 0 shows only the start and 1 only the end
    float threshold = progress * (1.0 + 2.0 * softness) - softness;
    float m = smoothstep(threshold - softness, threshold + softness, n);
    vec4 a = IMG_THIS_PIXEL(startImage);
    vec4 b = IMG_THIS_PIXEL(endImage);
    float glowEdge = exp(-abs(n - threshold) / max(softness * 0.5, 0.001)) * step(0.001, progress) * step(progress, 0.999);
    gl_FragColor = mix(b, a, m) + edge * glowEdge * 0.8;
}
