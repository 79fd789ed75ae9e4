/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · attract: a biodome breathing light in the dark, dust outside. Visitors light nodes on its shell.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed", "attract"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "hue", "LABEL": "Hue", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.42},
    {"NAME": "breath", "LABEL": "Breathing speed", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.3},
    {"NAME": "focus", "LABEL": "Dome centre", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.3]}
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

float fbm(vec2 p) {
    float v = 0.0, a = 0.5;
    for (int i = 0; i < 4; i++) { v += a * noise(p); p = p * 2.03 + 17.1; a *= 0.5; }
    return v;
}

vec3 hsv(float h, float s, float v) {
    vec3 k = clamp(abs(mod(h * 6.0 + vec3(0, 4, 2), 6.0) - 3.0) - 1.0, 0.0, 1.0);
    return v * mix(vec3(1.0), k, s);
}

// floating spores: one soft dot per cell, drifting upwards
float spores(vec2 p, float t, float scale) {
    p *= scale;
    p.y -= t;
    vec2 cell = floor(p);
    vec2 f = fract(p) - 0.5;
    float h = hash12(cell);
    vec2 off = vec2(hash12(cell + 3.1), hash12(cell + 7.7)) - 0.5;
    float d = length(f - off * 0.7);
    float twinkle = 0.5 + 0.5 * sin(t * 3.0 + h * 40.0);
    return step(0.55, h) * smoothstep(0.09, 0.0, d) * twinkle;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - focus) * vec2(aspect, 1.0);
    float t = TIME;
    float R = 0.46;
    float r = length(p);
    float breathe = 0.75 + 0.25 * sin(t * (0.4 + 2.2 * breath));
    float near = PRESENCE_NEAREST;
    float g = glow * breathe * (0.8 + 0.6 * near);
    vec3 bio = hsv(hue, 0.75, 1.0);
    vec3 bio2 = hsv(hue + 0.12, 0.6, 1.0);

    // outside: a dusty night over the Unenclosed
    vec3 col = mix(vec3(0.012, 0.014, 0.03), vec3(0.06, 0.035, 0.02), smoothstep(0.6, 0.0, uv.y));
    float dust = fbm(vec2(p.x * 2.0 + t * 0.05, p.y * 5.0));
    col += vec3(0.16, 0.09, 0.04) * dust * smoothstep(0.35, -0.1, p.y) * 0.8;
    float star = step(0.9975, hash12(floor(uv * RENDERSIZE / 2.0)));
    col += vec3(0.5, 0.55, 0.7) * star * (0.3 + 0.7 * hash12(floor(uv * RENDERSIZE))) * smoothstep(0.05, 0.5, p.y);

    // ground: dark soil with root glow under the dome
    if (p.y < 0.0) {
        float roots = fbm(vec2(p.x * 6.0, p.y * 14.0 - t * 0.1));
        float under = smoothstep(R, 0.0, abs(p.x)) * smoothstep(-0.25, 0.0, p.y);
        col = mix(col, vec3(0.02, 0.015, 0.01), 0.6);
        col += bio * pow(roots, 3.0) * under * g * 1.4;
    }

    // inside the dome: bioluminescent canopy, spores and a warm haze
    float inside = step(0.0, p.y) * smoothstep(R + 0.003, R - 0.003, r);
    if (inside > 0.0) {
        vec2 q = p * 3.0;
        float canopy = fbm(q + vec2(0.0, -t * 0.08) + fbm(q * 1.7 + t * 0.05));
        float ground_glow = smoothstep(0.35, 0.0, p.y);
        vec3 inner = vec3(0.01, 0.04, 0.05) + bio * pow(canopy, 2.2) * (0.35 + 0.9 * ground_glow);
        inner += bio2 * spores(p, t * 0.12, 14.0) * 0.9 + bio * spores(p + 3.0, t * 0.07, 26.0) * 0.6;
        col = mix(col, inner * (0.3 + g), inside);
    }

    // the shell: a rim of light with a faint hexagonal lattice brighter toward the edge
    float upper = step(0.0, p.y);
    float rim = exp(-abs(r - R) * 70.0) * upper;
    // geodesic triangles, bent as if drawn on a sphere so they crowd toward the rim
    vec2 sph = p / (0.12 + sqrt(max(R * R - r * r, 0.0))) * 2.4;
    float lattice = 0.0;
    for (int k = 0; k < 3; k++) {
        float a = float(k) * 1.0472;
        float f = abs(fract(dot(sph, vec2(cos(a), sin(a)))) - 0.5);
        lattice = max(lattice, smoothstep(0.43, 0.5, f));
    }
    lattice *= inside * smoothstep(R * 0.3, R, r);
    col += bio * (rim * 1.2 + lattice * 0.25) * g;
    col += bio * exp(-abs(r - R) * 12.0) * upper * 0.12 * g;

    // visitors light nodes on the shell; ripples run across the lattice from them
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        float w = PRESENCE_TRACKS[i].w;
        float a = (1.0 - PRESENCE_PEOPLE[i].x) * 3.14159;
        vec2 node = vec2(cos(a), sin(a)) * R;
        float d = length(p - node);
        float closeness = 0.4 + PRESENCE_PEOPLE[i].y;
        col += vec3(1.0, 0.95, 0.85) * exp(-d * 45.0) * w * closeness * 1.5;
        float ripple = 0.5 + 0.5 * sin(d * 70.0 - t * 5.0);
        col += bio2 * ripple * exp(-d * 7.0) * (lattice * 2.0 + rim * 0.6 + inside * 0.08) * w * closeness;
    }

    col = 1.0 - exp(-col * 1.6);
    gl_FragColor = vec4(col, 1.0);
}
