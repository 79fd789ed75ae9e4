/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · mosaic of ecosystems: living Voronoi cells of forest, reef, desert, tundra, wetland and meadow, bordered by light. Cells near a visitor grow and brighten.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "cells", "LABEL": "Cell scale", "TYPE": "float", "MIN": 2.0, "MAX": 14.0, "DEFAULT": 5.0},
    {"NAME": "border", "LABEL": "Border light", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "saturation", "LABEL": "Saturation", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.85},
    {"NAME": "focus", "LABEL": "Bloom point", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]}
  ]
}*/

float hash12(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

vec2 hash22(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * vec3(0.1031, 0.1030, 0.0973));
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.xx + p3.yz) * p3.zy);
}

float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash12(i), hash12(i + vec2(1, 0)), u.x), mix(hash12(i + vec2(0, 1)), hash12(i + vec2(1, 1)), u.x), u.y);
}

float fbm(vec2 p) {
    float v = 0.0, a = 0.5;
    for (int i = 0; i < 2; i++) { v += a * noise(p); p = p * 2.1 + 3.1; a *= 0.5; }
    return v;
}

// the inside of one cell: a small landscape of its ecosystem
vec3 ecosystem(float kind, vec2 q, float t, float seed) {
    if (kind < 1.0) {          // forest: layered leaves
        float leaves = fbm(q * 9.0 + seed);
        return mix(vec3(0.02, 0.18, 0.06), vec3(0.25, 0.6, 0.15), leaves * leaves * 1.6);
    } else if (kind < 2.0) {   // reef: coral rings under moving water
        float r = sin(length(q - 0.3) * 40.0 + fbm(q * 5.0) * 6.0 - t * 0.8);
        return mix(vec3(0.0, 0.25, 0.35), vec3(1.0, 0.45, 0.5), smoothstep(0.6, 1.0, r));
    } else if (kind < 3.0) {   // desert: wind-drawn dune lines
        float dune = sin(q.y * 50.0 + sin(q.x * 6.0 + seed) * 3.0 + t * 0.1);
        return mix(vec3(0.75, 0.5, 0.25), vec3(0.95, 0.75, 0.45), dune * 0.5 + 0.5);
    } else if (kind < 4.0) {   // tundra: ice crackle
        vec2 g = q * 14.0;
        vec2 n = hash22(floor(g));
        float crack = smoothstep(0.05, 0.0, min(abs(fract(g.x + n.y * 0.3) - 0.5), abs(fract(g.y + n.x * 0.3) - 0.5)) - 0.44);
        return mix(vec3(0.75, 0.85, 0.95), vec3(0.35, 0.55, 0.8), crack * 0.8 + fbm(q * 4.0) * 0.3);
    } else if (kind < 5.0) {   // wetland: still water with reflections and reeds
        float ripple = sin(length(q) * 60.0 - t * 1.5) * 0.5 + 0.5;
        float reeds = step(0.985, hash12(floor(q * vec2(80.0, 8.0))));
        return mix(vec3(0.02, 0.2, 0.22), vec3(0.2, 0.55, 0.5), ripple * 0.4 + fbm(q * 6.0) * 0.5) + reeds * 0.3;
    }
    // meadow: gold grass strokes with flowers
    float grass = noise(vec2(q.x * 120.0, q.y * 12.0 + sin(q.x * 10.0 + t) * 0.5));
    float flower = step(0.992, hash12(floor(q * 70.0)));
    return mix(vec3(0.5, 0.45, 0.1), vec3(0.85, 0.75, 0.3), grass) + vec3(0.8, 0.3, 0.6) * flower;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;

    // visitors and the bloom point magnify the cells around them, like a lens of attention
    vec2 g = p * cells;
    vec2 fc = focus * vec2(aspect, 1.0) * cells;
    vec2 dfc = g - fc;
    vec2 offset = -dfc * 0.25 * exp(-dot(dfc, dfc) * 0.15);
    float near = 0.0;
    for (int k = 0; k < PRESENCE_MAX_PEOPLE; k++) {
        if (k >= PRESENCE_COUNT) break;
        vec2 d = g - PRESENCE_POS(k) * vec2(aspect, 1.0) * cells;
        float fall = exp(-dot(d, d) * 0.35) * PRESENCE_TRACKS[k].w;
        offset -= d * fall * (0.3 + 0.35 * PRESENCE_PEOPLE[k].y);
        near = max(near, fall);
    }
    g += offset;
    vec2 cell = floor(g);
    float best = 1e9, second = 1e9;
    vec2 bestId = vec2(0.0);
    vec2 bestPos = vec2(0.0);
    for (int j = -1; j <= 1; j++) {
        for (int i = -1; i <= 1; i++) {
            vec2 id = cell + vec2(i, j);
            vec2 site = id + 0.5 + 0.38 * sin(t * 0.15 + 6.28318 * hash22(id));
            float d = length(g - site);
            if (d < best) { second = best; best = d; bestId = id; bestPos = site; }
            else if (d < second) { second = d; }
        }
    }
    float edge = second - best;
    float kind = floor(hash12(bestId * 1.37) * 6.0);
    vec2 local = (g - bestPos) / cells;
    vec3 col = ecosystem(kind, local * 2.5 + hash12(bestId) * 10.0, t, hash12(bestId + 2.0) * 10.0);
    float grey = dot(col, vec3(0.3, 0.59, 0.11));
    col = mix(vec3(grey), col, saturation);

    // near a visitor, cells brighten; all cells breathe gently
    col *= 0.4 + 0.12 * sin(t * 0.5 + hash12(bestId) * 6.28) + 0.7 * near;

    // borders: dark grout with a thread of light running along it
    float grout = smoothstep(0.02, 0.08, edge);
    col *= grout;
    float light = (exp(-edge * 60.0) + exp(-edge * 12.0) * 0.25) * (0.3 + 0.9 * border);
    float travel = 0.35 + 0.65 * pow(0.5 + 0.5 * sin(dot(g, vec2(1.3, 0.7)) * 2.0 - t * 1.5), 3.0);
    col += vec3(0.75, 1.0, 0.85) * light * travel * (0.6 + near);

    col = 1.0 - exp(-col * 1.6);
    gl_FragColor = vec4(col, 1.0);
}
