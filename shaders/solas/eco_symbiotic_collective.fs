/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · the Eco-Symbiotic Collective: a slow mandala woven from every ecosystem's colour, petals and rings turning in harmony. Each visitor sends a ray of their own colour into the weave.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "harmony", "LABEL": "Harmony", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "bloom", "LABEL": "Bloom", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "warmth", "LABEL": "Warmth", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "petals", "LABEL": "Petals", "TYPE": "long", "VALUES": [5, 6, 8, 12], "LABELS": ["five", "six", "eight", "twelve"], "DEFAULT": 8},
    {"NAME": "centre", "LABEL": "Centre", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]}
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

vec3 weave(float x) {
    // forest green, reef teal, sand gold, bloom rose: the collective's palette
    vec3 a = vec3(0.2, 0.75, 0.4), b = vec3(0.1, 0.65, 0.75), c = vec3(0.95, 0.75, 0.3), d = vec3(0.95, 0.4, 0.55);
    x = fract(x) * 4.0;
    if (x < 1.0) return mix(a, b, x);
    if (x < 2.0) return mix(b, c, x - 1.0);
    if (x < 3.0) return mix(c, d, x - 2.0);
    return mix(d, a, x - 3.0);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - centre) * vec2(aspect, 1.0);
    float t = TIME;
    float r = length(p);
    float a = atan(p.y, p.x);
    float k = float(petals);
    // low harmony makes the pattern tremble; high harmony makes it smooth and symmetric
    float jitter = (1.0 - harmony) * (noise(vec2(a * 3.0, r * 10.0 + t)) - 0.5) * 0.08;
    float rr = r + jitter;
    float size = 0.32 + 0.12 * bloom + 0.02 * float(PRESENCE_COUNT);

    vec3 col = mix(vec3(0.01, 0.015, 0.02), vec3(0.03, 0.015, 0.01), warmth);
    col += weave(0.25 + warmth * 0.3) * exp(-r * 3.0) * 0.15;

    // three layers of petals turning in alternate directions
    for (int layer = 0; layer < 3; layer++) {
        float fl = float(layer);
        float dirn = mod(fl, 2.0) * 2.0 - 1.0;
        float n = k * (fl + 1.0) * 0.5 + (fl > 0.5 ? k * 0.5 : 0.0);
        float ang = a * n + dirn * t * 0.08 * (fl + 1.0);
        float petalR = size * (0.45 + 0.3 * fl) * (0.6 + 0.4 * pow(abs(cos(ang * 0.5)), 1.0 + 3.0 * harmony));
        float inside = smoothstep(petalR, petalR - 0.01, rr) * smoothstep(petalR * 0.35 - 0.02, petalR * 0.35, rr);
        float edge = exp(-abs(rr - petalR) * 160.0);
        vec3 tone = weave(fl * 0.27 + a / 6.28318 + warmth * 0.3 + t * 0.01);
        float vein = 0.5 + 0.5 * cos(ang * 2.0);
        col = mix(col, tone * (0.25 + 0.3 * vein) * (0.6 + 0.6 * bloom), inside * (0.55 - 0.12 * fl));
        col += tone * edge * 0.6;
    }
    // woven rings: bands that go over and under each other
    for (int ring = 0; ring < 4; ring++) {
        float fr = float(ring);
        float R = size * (0.3 + 0.28 * fr) + 0.01 * sin(a * k + t * 0.5 + fr);
        float band = exp(-abs(rr - R) * 220.0);
        float over = step(0.0, sin(a * k * 0.5 + fr * 1.57 + t * 0.05));
        col += weave(fr * 0.25 + 0.1) * band * (0.35 + 0.4 * over);
    }
    // the heart of the collective
    col += weave(0.6 + warmth * 0.2) * (exp(-r * 40.0) * 1.2 + exp(-r * 9.0) * 0.25) * (0.6 + 0.4 * sin(t * 1.2));

    // visitors send rays of colour spiralling into the mandala
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = (PRESENCE_POS(i) - centre) * vec2(aspect, 1.0);
        float ca = atan(c.y, c.x);
        float spiral = ca + (length(c) - r) * 2.5;
        float da = abs(mod(a - spiral + 3.14159, 6.28318) - 3.14159);
        float along = smoothstep(length(c) + 0.05, 0.0, r) * smoothstep(0.0, 0.1, r);
        vec3 tone = weave(float(i) * 0.31 + 0.05);
        float ray = exp(-da * r * 90.0) * along;
        float flow = 0.5 + 0.5 * sin(r * 40.0 + t * 3.0);
        col += tone * ray * (0.4 + 0.6 * flow) * PRESENCE_TRACKS[i].w;
        col += tone * exp(-distance(p, c) * 50.0) * PRESENCE_TRACKS[i].w;
    }

    // a slow halo of pollen around it all
    vec2 pg = p * 40.0 + vec2(0.0, t * 0.3);
    vec2 pc = floor(pg);
    float ph = hash12(pc);
    float pd = length(fract(pg) - 0.5 - (vec2(ph, hash12(pc + 3.0)) - 0.5) * 0.6);
    float pollen = step(0.8, ph) * exp(-pd * pd * 120.0) * smoothstep(size * 1.7, size, r);
    col += weave(0.5 + ph) * pollen * (0.5 + 0.5 * sin(t * 2.0 + ph * 30.0)) * 0.6;

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
