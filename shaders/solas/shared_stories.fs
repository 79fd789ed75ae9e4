/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · shared stories: bioluminescent hubs linked by living filaments; stories travel between them as beads of light. Every visitor becomes a hub and is linked in.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "connection", "LABEL": "Connection", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "hue", "LABEL": "Hue", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5}
  ]
}*/

float hash11(float p) { p = fract(p * 0.1031); p *= p + 33.33; p *= p + p; return fract(p); }

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

// a cosine palette without the cosines (they are costly on CPU renderers)
vec3 bio(float h) {
    vec3 x = abs(fract(h + vec3(0.0, 0.33, 0.67)) * 2.0 - 1.0);
    return x * x * (3.0 - 2.0 * x);
}

const int HUBS = 6;

vec2 hubPos(int k, float t, float aspect) {
    float fk = float(k);
    vec2 base = vec2(0.12 + 0.76 * hash11(fk * 3.1 + 1.0), 0.18 + 0.64 * hash11(fk * 7.7 + 2.0));
    base += 0.03 * vec2(sin(t * 0.2 + fk), cos(t * 0.17 + fk * 2.0));
    return base * vec2(aspect, 1.0);
}

// a filament from a to b: a gently waving line, with story beads running along it
vec3 filament(vec2 p, vec2 a, vec2 b, float t, float seed, vec3 tone, float strength) {
    vec2 ba = b - a;
    vec2 pa = p - a;
    float len2 = dot(ba, ba);
    float h = dot(pa, ba) / len2;
    vec2 perp = pa - ba * clamp(h, 0.0, 1.0);
    if (dot(perp, perp) > 0.012 + 0.02 * len2) return vec3(0.0);   // cheap test before any real work
    float len = sqrt(len2);
    vec2 nrm = vec2(-ba.y, ba.x) / len;
    float s = clamp(h, 0.0, 1.0);
    float bow = sin(s * 3.14159) * (0.06 * sin(t * 0.3 + seed) + 0.04) + sin(s * 20.0 + t * 2.0 + seed) * 0.004;
    float d = (h <= 0.0 || h >= 1.0) ? length(perp) : abs(dot(pa, nrm) - bow * len);
    float line = exp(-d * 260.0) * 0.6 + exp(-d * 40.0) * 0.08;
    float bead = exp(-abs(fract(s - t * 0.12 - seed) - 0.5) * len * 70.0) * exp(-d * 150.0) * 1.8;
    return tone * (line + bead) * strength;
}

vec3 hubGlow(vec2 p, vec2 c, float k, float t) {
    float d = distance(p, c);
    float pulse = 0.7 + 0.3 * sin(t * 1.3 + k * 2.0);
    vec3 tone = bio(hue + 0.1 * k);
    return tone * ((exp(-d * 45.0) * 1.5 + exp(-d * 8.0) * 0.2) * pulse * (0.4 + glow)
                   + exp(-abs(d - 0.05 - 0.02 * sin(t + k)) * 200.0) * 0.4 * glow);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;

    // the dark under-network: faint mycelium
    float myc = 1.0 - abs(noise(p * 9.0 + noise(p * 3.0) * 2.0) * 2.0 - 1.0);
    vec3 col = vec3(0.005, 0.01, 0.02) + bio(hue + 0.4) * pow(myc, 12.0) * 0.08;

    vec2 hubs[HUBS];
    for (int k = 0; k < HUBS; k++) hubs[k] = hubPos(k, t, aspect);

    // hub to hub: a ring of neighbours, and three chords that appear as `connection` rises
    float ringW = (0.4 + 0.6 * connection) * glow;
    float chordW = smoothstep(0.2, 0.8, connection) * glow;
    // written out edge by edge: array indices stay constants, which CPU renderers need to be fast
    vec3 t0 = bio(hue), t1 = bio(hue + 0.1), t2 = bio(hue + 0.2);
    vec3 t3 = bio(hue + 0.3), t4 = bio(hue + 0.4), t5 = bio(hue + 0.5);
    col += filament(p, hubs[0], hubs[1], t, 1.0, t0, ringW);
    col += filament(p, hubs[1], hubs[2], t, 8.0, t1, ringW);
    col += filament(p, hubs[2], hubs[3], t, 15.0, t2, ringW);
    col += filament(p, hubs[3], hubs[4], t, 22.0, t3, ringW);
    col += filament(p, hubs[4], hubs[5], t, 29.0, t4, ringW);
    col += filament(p, hubs[5], hubs[0], t, 36.0, t5, ringW);
    if (chordW > 0.0) {
        col += filament(p, hubs[0], hubs[3], t, 3.0, t0, chordW);
        col += filament(p, hubs[1], hubs[4], t, 10.0, t1, chordW);
        col += filament(p, hubs[2], hubs[5], t, 17.0, t2, chordW);
    }
    // visitors become hubs, linked to the nearest two hubs
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = PRESENCE_POS(i) * vec2(aspect, 1.0);
        float w = PRESENCE_TRACKS[i].w;
        // the two nearest hubs (kept as positions: indexing an array by a variable is slow on CPUs)
        float d1 = 1e9, d2 = 1e9;
        vec2 h1 = hubs[0], h2 = hubs[0];
        #define NEAREST(h) { float d = distance(c, h); if (d < d1) { d2 = d1; h2 = h1; d1 = d; h1 = h; } \
                                   else if (d < d2) { d2 = d; h2 = h; } }
        NEAREST(hubs[0]) NEAREST(hubs[1]) NEAREST(hubs[2]) NEAREST(hubs[3]) NEAREST(hubs[4]) NEAREST(hubs[5])
        vec3 tone = mix(bio(hue + 0.5), vec3(1.0), 0.3);
        col += filament(p, c, h1, t, float(i) + 0.3, tone, w * (0.6 + connection));
        col += filament(p, c, h2, t, float(i) + 0.7, tone, w * connection);
        float dc = distance(p, c);
        col += tone * (exp(-dc * 60.0) * 1.2 + exp(-dc * 12.0) * 0.15) * w;
    }
    // the hubs themselves: pulsing, jellyfish-like glows with rings
    col += hubGlow(p, hubs[0], 0.0, t) + hubGlow(p, hubs[1], 1.0, t) + hubGlow(p, hubs[2], 2.0, t);
    col += hubGlow(p, hubs[3], 3.0, t) + hubGlow(p, hubs[4], 4.0, t) + hubGlow(p, hubs[5], 5.0, t);

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
