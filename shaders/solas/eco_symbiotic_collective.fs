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

// Cost notes: every pixel pays for every line (a CPU renderer such as llvmpipe runs both sides
// of every `if`, and all 8 visitor slots of the loop below), so the maths is kept lean:
// - angles are counted in turns: angleTurns() is a short polynomial instead of atan, and the
//   periodic shapes use turn(), a parabola wave, instead of sin/cos;
// - each petal layer needs one wave: its vein is cos(2·ang), got from cos(ang/2) by doubling
//   angles; the petal sharpness blends x, x² and x⁴ instead of pow();
// - only the ring nearest to the pixel is drawn (the others are invisible that far out);
// - one exp gives the background glow and both glows of the heart (powers of exp(-3r)); the thin
//   lines glow with glow(), a polynomial bell, and weave() is four ramps without branches.

const float TAU = 6.28318;

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

// sin(TAU * x) to within 0.06: one parabola per half turn (cos(TAU * x) is turn(x + 0.25))
float turn(float x) { x = fract(x) * 2.0 - 1.0; return 4.0 * x * (abs(x) - 1.0); }

// forest green, reef teal, sand gold, bloom rose: the collective's palette
const vec3 FOREST = vec3(0.2, 0.75, 0.4), REEF = vec3(0.1, 0.65, 0.75), SAND = vec3(0.95, 0.75, 0.3), ROSE = vec3(0.95, 0.4, 0.55);

// walks the palette in a loop, forest → reef → sand → rose → forest, as x goes 0 → 1:
// a sum of four ramps (no branches)
vec3 weave(float x) {
    x = fract(x) * 4.0;
    return FOREST + (REEF - FOREST) * min(x, 1.0) + (SAND - REEF) * clamp(x - 1.0, 0.0, 1.0)
         + (ROSE - SAND) * clamp(x - 2.0, 0.0, 1.0) + (FOREST - ROSE) * max(x - 3.0, 0.0);
}

// atan(y, x) to within 0.004 rad, in turns (-0.5 .. 0.5): a short polynomial, cheaper than atan
float angleTurns(vec2 v) {
    vec2 av = abs(v);
    float q = min(av.x, av.y) / max(max(av.x, av.y), 1e-20);
    float r = q * (0.125 + 0.0434 * (1.0 - q));
    r = av.y > av.x ? 0.25 - r : r;
    r = v.x < 0.0 ? 0.5 - r : r;
    return v.y < 0.0 ? -r : r;
}

// exp(-x) for x >= 0 as (1 - x/8)^8: three squarings instead of an exp; 0 from x = 8 on
float glow(float x) { float g = max(1.0 - x * 0.125, 0.0); g *= g; g *= g; return g * g; }

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - centre) * vec2(aspect, 1.0);
    float t = TIME;
    float r = length(p);
    float at = angleTurns(p);               // the angle around the centre, in turns
    float a = at * TAU;
    float k = float(petals);
    // low harmony makes the pattern tremble; high harmony makes it smooth and symmetric
    float jitter = (1.0 - harmony) * (noise(vec2(a * 3.0, r * 10.0 + t)) - 0.5) * 0.08;
    float rr = r + jitter;
    float size = 0.32 + 0.12 * bloom + 0.02 * float(PRESENCE_COUNT);

    // background and the glows of the heart: exp(-9r) and exp(-39r) are powers of exp(-3r)
    float e3 = exp(-r * 3.0), e6 = e3 * e3, e9 = e6 * e3, e12 = e6 * e6, e24 = e12 * e12;
    vec3 col = mix(vec3(0.01, 0.015, 0.02), vec3(0.03, 0.015, 0.01), warmth);
    // weave(0.25 + warmth * 0.3): reef to sand (and a touch of rose at full warmth)
    float wb = warmth * 1.2;
    col += (REEF + (SAND - REEF) * min(wb, 1.0) + (ROSE - SAND) * max(wb - 1.0, 0.0)) * e3 * 0.15;

    // three layers of petals turning in alternate directions: 4, 12 and 16 half-petals a turn
    // (for 8 petals), ang / 2 in turns is at * k * (1/4, 3/4, 1) plus the turning
    // petal sharpness |cos|^e, e = 1 + 3 harmony, without pow: blend x, x^2 and x^4
    float e = 1.0 + 3.0 * harmony, toX2 = clamp(e - 1.0, 0.0, 1.0), toX4 = clamp((e - 2.0) * 0.5, 0.0, 1.0);
    float breath = 0.6 + 0.6 * bloom;
    for (int layer = 0; layer < 3; layer++) {
        float fl = float(layer);
        float dirn = fl == 1.0 ? 1.0 : -1.0;
        float n = fl == 0.0 ? 0.25 : fl == 1.0 ? 0.75 : 1.0;
        float half_ = at * k * n + dirn * t * 0.04 * (fl + 1.0) / TAU;
        float c = turn(half_ + 0.25);          // cos(ang / 2)
        float x1 = abs(c), x2 = x1 * x1;
        float petalR = size * (0.45 + 0.3 * fl) * (0.6 + 0.4 * mix(mix(x1, x2, toX2), x2 * x2, toX4));
        // inside the petal, outside its hollow heart: smoothsteps over 0.01 and 0.02
        float outer = clamp((petalR - rr) * 100.0, 0.0, 1.0);
        float inner = clamp((rr - petalR * 0.35 + 0.02) * 50.0, 0.0, 1.0);
        float inside = outer * outer * (3.0 - 2.0 * outer) * inner * inner * (3.0 - 2.0 * inner);
        float edge = glow(abs(rr - petalR) * 160.0);
        vec3 tone = weave(fl * 0.27 + at + warmth * 0.3 + t * 0.01);
        float c1 = 2.0 * c * c - 1.0;          // cos(ang)
        float vein = c1 * c1;                  // 0.5 + 0.5 cos(2 ang)
        col = mix(col, tone * (0.25 + 0.3 * vein) * breath, inside * (0.55 - 0.12 * fl));
        col += tone * edge * 0.6;
    }
    // woven rings: bands that go over and under each other; the nearest ring is the only one
    // close enough to show (they are 0.09 or more apart and fade within 0.03)
    float fr = clamp(floor((rr / size - 0.3) / 0.28 + 0.5), 0.0, 3.0);
    float R = size * (0.3 + 0.28 * fr) + 0.01 * turn(at * k + (t * 0.5 + fr) / TAU);
    float band = glow(abs(rr - R) * 220.0);
    float over = step(fract(at * k * 0.5 + fr * 0.25 + t * 0.05 / TAU), 0.5);   // sin(...) >= 0
    vec3 ringTone = fr < 0.5 ? weave(0.1) : fr < 1.5 ? weave(0.35) : fr < 2.5 ? weave(0.6) : weave(0.85);
    col += ringTone * band * (0.35 + 0.4 * over);
    // the heart of the collective
    // weave(0.6 + warmth * 0.2): sand to rose (and a touch of forest at full warmth)
    float wh = 0.4 + warmth * 0.8;
    vec3 heart = SAND + (ROSE - SAND) * min(wh, 1.0) + (FOREST - ROSE) * max(wh - 1.0, 0.0);
    col += heart * (e24 * e12 * e3 * 1.2 + e9 * 0.25) * (0.6 + 0.4 * turn(t * 1.2 / TAU));

    // visitors send rays of colour spiralling into the mandala
    float flow = 0.4 + 0.6 * (0.5 + 0.5 * turn((r * 40.0 + t * 3.0) / TAU));
    float fromHeart = smoothstep(0.0, 0.1, r);
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = (PRESENCE_POS(i) - centre) * vec2(aspect, 1.0);
        float w = PRESENCE_TRACKS[i].w;
        float lc = length(c);
        float spiral = angleTurns(c) + (lc - r) * 2.5 / TAU;   // in turns
        float da = abs(fract(at - spiral + 0.5) - 0.5) * TAU;
        float along = clamp(1.0 - r / (lc + 0.05), 0.0, 1.0) * fromHeart;
        vec3 tone = weave(float(i) * 0.31 + 0.05);
        float ray = glow(da * r * 90.0) * along * flow;
        col += tone * w * (ray + glow(distance(p, c) * 50.0));
    }

    // a slow halo of pollen around it all
    vec2 pg = p * 40.0 + vec2(0.0, t * 0.3);
    vec2 pc = floor(pg);
    float ph = hash12(pc);
    vec2 pd = fract(pg) - 0.5 - (vec2(ph, fract(ph * 37.7)) - 0.5) * 0.6;
    float pollen = step(0.8, ph) * glow(dot(pd, pd) * 120.0) * smoothstep(size * 1.7, size, r);
    // weave(0.5 + ph) for the grains that show (ph >= 0.8) lies between reef and sand
    vec3 grain = mix(REEF, SAND, ph * 4.0 - 3.0);
    col += grain * pollen * (0.5 + 0.5 * turn(t * 2.0 / TAU + ph * 30.0 / TAU)) * 0.6;

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
