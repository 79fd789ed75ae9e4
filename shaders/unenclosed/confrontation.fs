/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · confrontation: two worlds split by a burning seam, the biodome's calm against the dust outside. The seam bends toward the crowd; around each visitor the other world breaks through.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed"],
  "INPUTS": [
    {"NAME": "divide", "LABEL": "Seam position", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "energy", "LABEL": "Energy", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "lush", "LABEL": "Biodome colour", "TYPE": "color", "DEFAULT": [0.1, 0.85, 0.6, 1.0]},
    {"NAME": "dust", "LABEL": "Unenclosed colour", "TYPE": "color", "DEFAULT": [0.95, 0.45, 0.15, 1.0]},
    {"NAME": "breach", "LABEL": "Breach radius", "TYPE": "float", "MIN": 0.0, "MAX": 0.4, "DEFAULT": 0.14}
  ]
}*/

// Cost notes. A CPU renderer runs both sides of every `if` and `?:` for every pixel, and a loop over
// the visitors reads their data slowly (the index changes from turn to turn), so:
// - the visitors are written out one by one (array indices stay constants), each read once and costing
//   a few operations: no exp per visitor, the breach follows the nearest circle;
// - each pixel shows one world, so the biodome and the storm share one noise and one hash;
// - sines as parabolas (psin), pow as multiplies, three octaves for the storm instead of four.

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

// sin(x) without sin(): two parabolas, refined (within 0.1 %); about half the cost of sin on a CPU
float psin(float x) {
    float g = fract(x * 0.15915494) * 2.0 - 1.0;
    float y = -4.0 * g * (1.0 - abs(g));
    return y + 0.225 * (y * abs(y) - y);
}

float fbm(vec2 p) {
    float v = 0.0, a = 0.5;
    for (int i = 0; i < 3; i++) { v += a * noise(p); p = p * 2.02 + 9.7; a *= 0.5; }
    // three octaves, plus the fourth's average (0.0625 * 0.5): its fine detail is the grain's job anyway
    return v + 0.03125;
}

vec2 bubbleCell(vec2 p, float t) { return floor(p * 7.0 - vec2(0.0, t * 0.35)); }
vec2 grainCell(vec2 p, float t) { return floor(p * 400.0) + floor(t * 24.0); }

// inside: soft gradients, rising bubbles of light, slow caustics
vec3 biodome(vec2 p, float t, float n, float h) {
    vec3 col = mix(vec3(0.01, 0.06, 0.07), lush.rgb * 0.35, smoothstep(-0.6, 0.6, p.y));
    float caustic = psin(p.x * 9.0 + n * 6.0) * psin(p.y * 7.0 - t * 0.3);
    caustic *= caustic;
    caustic *= caustic * caustic;   // ^6, as multiplies (pow is costly)
    col += lush.rgb * caustic * 0.25;
    vec2 cell = bubbleCell(p, t);
    vec2 f = fract(p * 7.0 - vec2(0.0, t * 0.35)) - 0.5;
    float size = 0.05 + 0.12 * hash12(cell + 4.1);
    float d = length(f - (vec2(h, hash12(cell + 1.3)) - 0.5) * 0.5);
    float bubble = (smoothstep(size, size - 0.02, d) * 0.25 + exp(-d * 30.0) * 0.4) * step(0.55, h);
    col += mix(lush.rgb, vec3(1.0), 0.5) * bubble;
    return col;
}

// outside: a dust storm tearing sideways, grain, harsh light
vec3 unenclosed(vec2 p, float t, float e, vec2 q, float n, float h) {
    float storm = fbm(q + n * 2.0);
    vec3 col = mix(vec3(0.05, 0.02, 0.01), dust.rgb * 1.1, storm * storm * 1.3);
    float streak = noise(vec2(p.x * 2.0 - t * 3.0 * (0.5 + e), p.y * 120.0));
    streak *= streak;
    streak *= streak;
    streak *= streak;   // ^8
    col += dust.rgb * streak * 1.5;
    col *= 0.8 + 0.4 * h;   // grain
    return col;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - 0.5) * vec2(aspect, 1.0);
    float t = TIME;
    float e = clamp(energy + PRESENCE_MOTION * 0.5, 0.0, 1.0);

    // Each visitor, written out one by one (array indices stay constants, which CPU renderers need to be
    // fast; the data of each is read once): their pull on the seam, and their breach. The breach is
    // decided by the visitor whose circle is nearest (smallest d - rad), its edge by the smallest
    // |d - rad|: so each visitor costs a distance and two mins (no exp per visitor).
    float ragged = PRESENCE_COUNT > 0 ? (noise(p * 8.0 + t * 0.5) - 0.5) * 0.05 : 0.0;
    float pull = 0.0, wsum = 0.0, inside = 1e9, edge = 1e9;
    #define VISITOR(i) { vec4 person = PRESENCE_PEOPLE[i]; \
        float w = i < PRESENCE_COUNT ? PRESENCE_TRACKS[i].w : 0.0; \
        float pw = w * (0.3 + person.y); pull += person.x * pw; wsum += pw; \
        float rad = breach * (0.6 + 0.8 * person.y) * w; \
        rad = rad > 0.001 ? rad : -1.0; \
        float dr = length(p - vec2(person.x - 0.5, 0.5 - person.y) * vec2(aspect, 1.0)) + ragged - rad; \
        inside = min(inside, dr); edge = min(edge, abs(dr)); }
    VISITOR(0) VISITOR(1) VISITOR(2) VISITOR(3) VISITOR(4) VISITOR(5) VISITOR(6) VISITOR(7)

    // the seam: pulled toward where the crowd stands, shaken by energy
    float seamX = wsum > 0.0 ? mix(divide, pull / wsum, 0.45 * min(wsum, 1.0)) : divide;
    // a sum of sines is as good as noise for a seam that only varies along y, and much cheaper
    float wob = (psin(uv.y * 5.1 + t * 0.9) * 0.5 + psin(uv.y * 11.7 - t * 1.3) * 0.3
                 + psin(uv.y * 23.3 + t * 2.1) * 0.2) * 0.5 * (0.06 + 0.2 * e);
    wob += (noise(vec2(uv.y * 30.0, t * 4.0)) - 0.5) * 0.02 * e;
    float sd = (uv.x - seamX - wob) * aspect;   // signed distance-ish to the seam, left is the biodome

    float breachMask = smoothstep(0.0, -0.01, inside);
    float breachEdge = exp(-edge * 90.0);

    bool left = (sd < 0.0) != (breachMask > 0.5);   // inside a breach, the other world
    // A pixel shows one world, never both, and both would be computed anyway (a CPU renderer runs both
    // sides of a ?: or an if), so one noise serves whichever it shows: the biodome's caustics or the
    // storm's warp
    vec2 q = vec2(p.x * 1.5 - t * (0.3 + e), p.y * 6.0);
    float n = noise(left ? p * 3.0 + t * 0.1 : q * 0.5 + t * 0.2);
    float h = hash12(left ? bubbleCell(p, t) : grainCell(p, t));    // and one hash: a bubble's, or grain
    vec3 col = left ? biodome(p, t, n, h) : unenclosed(p, t, e, q, n, h);

    // the seam burns: white core, coloured halo, sparks thrown to both sides
    float core = exp(-abs(sd) * (160.0 - 80.0 * e));
    float halo = exp(-abs(sd) * 14.0);
    col += vec3(1.0, 0.95, 0.85) * core * (1.2 + e);
    col += mix(lush.rgb, dust.rgb, smoothstep(-0.05, 0.05, sd)) * halo * (0.25 + 0.5 * e);
    vec2 sp = vec2(sd * 14.0, uv.y * 26.0 + t * (1.0 + 2.0 * e) * sign(sd));
    vec2 sc = floor(sp);
    float spark = step(0.93 - 0.1 * e, hash12(sc + floor(t * 6.0)))
                * smoothstep(0.25, 0.0, length(fract(sp) - 0.5)) * exp(-abs(sd) * 5.0);
    col += vec3(1.0, 0.8, 0.5) * spark;
    col += mix(dust.rgb, lush.rgb, float(left)) * breachEdge * 1.3;

    col = 1.0 - exp(-col * 1.4);
    gl_FragColor = vec4(col, 1.0);
}
