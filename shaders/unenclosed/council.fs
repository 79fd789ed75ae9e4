/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · council: circles of the biodomes and of the Unenclosed converge into one pattern. Each visitor brings a ring that is drawn into the circle.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed"],
  "INPUTS": [
    {"NAME": "converge", "LABEL": "Convergence", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.4},
    {"NAME": "warmth", "LABEL": "Warmth", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "voices", "LABEL": "Voices", "TYPE": "long", "VALUES": [4, 6, 8, 12], "LABELS": ["four", "six", "eight", "twelve"], "DEFAULT": 8},
    {"NAME": "focus", "LABEL": "Meeting point", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]}
  ],
  "PASSES": [
    {"TARGET": "nearby", "FLOAT": true, "WIDTH": "floor($WIDTH/8.0)", "HEIGHT": "floor($HEIGHT/8.0)"},
    {}
  ]
}*/

// Cost notes (this scene draws thin lines, so it is drawn at full size; each pixel only does the work of
// the lines that can reach it):
// - the voices sit on a circle, so the ones whose ring, bead or thread can reach a pixel are those whose
//   angle is near the pixel's angle: only those are drawn, stepping from voice to voice by a rotation
//   (no cos/sin per voice);
// - pass 0 ("nearby", one pixel per 8×8 block of the picture) runs the visitor loop for everyone and keeps,
//   as bits, the visitors whose ring or thread come near its block; the picture pass runs the same loop
//   over those visitors only (most blocks have none).

// acos and atan as short polynomials: the built-ins are slow on CPU renderers, and the voices' reach
// (below) does not need their precision
// acos(x), x in [-1, 1] (Abramowitz & Stegun 4.4.45: error below 1e-4)
float acosFast(float x) {
    float a = abs(x);
    float r = sqrt(1.0 - a) * (1.5707288 + a * (-0.2121144 + a * (0.0742610 - 0.0187293 * a)));
    return x < 0.0 ? 3.1415927 - r : r;
}

// atan(y, x) (error below 3e-4)
float atanFast(float y, float x) {
    float ax = abs(x), ay = abs(y);
    float a = min(ax, ay) / max(max(ax, ay), 1e-20);
    float s = a * a;
    float r = ((-0.0464964749 * s + 0.15931422) * s - 0.327622764) * s * a + a;
    if (ay > ax) r = 1.5707963 - r;
    if (x < 0.0) r = 3.1415927 - r;
    return y < 0.0 ? -r : r;
}

// rotate v by the angle whose (cos, sin) is cs
vec2 rotate(vec2 v, vec2 cs) {
    return vec2(v.x * cs.x - v.y * cs.y, v.x * cs.y + v.y * cs.x);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - focus) * vec2(aspect, 1.0);
    float t = TIME;
    float cv = clamp(converge + 0.04 * float(PRESENCE_COUNT), 0.0, 1.0);
    vec3 green = vec3(0.2, 0.95, 0.7);
    vec3 amber = vec3(1.0, 0.55, 0.2);
    float r = length(p);
    vec3 col = mix(vec3(0.01, 0.012, 0.025), vec3(0.04, 0.02, 0.015), warmth) * (1.0 - 0.5 * r);

    // the representatives: rings around the meeting point, alternately biodome and Unenclosed
    int n = voices;
    float orbit = mix(0.42, 0.16, cv);
    float radius = mix(0.09, 0.16, cv);
    float invW = 1.0 / mix(0.004, 0.0025, cv);   // 1 / the rings' line width
    vec3 toneEven = mix(green, vec3(1.0, 0.85, 0.6), cv * warmth * 0.5);
    vec3 toneOdd = mix(amber, vec3(1.0, 0.85, 0.6), cv * warmth * 0.5);
    float threadLen = orbit - radius;          // a thread runs from the centre to the inner side of its ring
    float threadGain = 0.15 * (1.0 - cv);
    // voice k sits at angle a0 + k·stepA on the orbit; its bead at angle 0.6t + k·beadStep on its ring
    float a0 = t * 0.05 * (1.0 - cv);
    float stepA = 6.28318 / float(n);
    float beadStep = t * 0.1 + 2.1;
    vec2 stepCS = vec2(cos(stepA), sin(stepA));
    vec2 beadStepCS = vec2(cos(beadStep), sin(beadStep));
    vec2 bead0 = vec2(cos(t * 0.6), sin(t * 0.6)) * radius;

    // The voices that can reach this pixel: a ring (with its bead's glow) stays within `span` of its
    // centre, a thread within 0.015 of its line, so they are the voices whose angle is within `reach` of
    // this pixel's angle.
    float span = radius + 0.1;
    float cosReach = (r * r + orbit * orbit - span * span) / (2.0 * r * orbit + 1e-6);
    float reach = acosFast(clamp(cosReach, -1.0, 1.0)) + 0.001;     // (+ the approximations' error)
    if (r < threadLen + 0.015 && threadGain > 0.0) reach = max(reach, min(3.1416, 1.6 * 0.015 / r));
    float u = (atanFast(p.y, p.x) - a0) / stepA;                 // this pixel's angle, in voice steps
    int kFirst = int(ceil(u - reach / stepA));
    int count = min(int(floor(u + reach / stepA)) - kFirst + 1, n);
    int kv = kFirst - n * int(floor(float(kFirst) / float(n)));   // which voice that is (0..n-1)
    // start at voice kv: its direction and its bead, then step from voice to voice by rotating
    float aFirst = a0 + float(kFirst) * stepA;
    vec2 dir = vec2(cos(aFirst), sin(aFirst));
    float bFirst = t * 0.6 + float(kv) * beadStep;
    vec2 bead = vec2(cos(bFirst), sin(bFirst)) * radius;

    vec3 sum = vec3(0.0);
    float overlap = 0.0;
    for (int j = 0; j < count; j++) {
        vec2 c = dir * orbit;
        vec3 tone = mix(toneEven, toneOdd, float(kv & 1));
        vec2 dp = p - c;
        float d = length(dp);
        float rr = exp(-abs(d - radius) * invW);
        float fill = clamp((radius - d) * 100.0, 0.0, 1.0);
        fill *= fill * (3.0 - 2.0 * fill);
        overlap += fill;
        // a speaking voice: a bright bead running round its ring
        float b = exp(-length(dp - bead) * 60.0);
        // a thread from each voice to the centre (along dir, from 0 to threadLen)
        float s = length(p - dir * clamp(dot(p, dir), 0.0, threadLen));
        sum += tone * (rr * 0.9 + fill * 0.05 + b * 0.8 + exp(-s * 400.0) * threadGain);
        // the next voice: one step round (after the last voice comes voice 0 again)
        dir = rotate(dir, stepCS);
        kv++;
        bead = (kv == n) ? bead0 : rotate(bead, beadStepCS);
        if (kv == n) kv = 0;
    }
    col += sum;
    // where many circles overlap, the shared light of agreement
    col += vec3(1.0, 0.9, 0.7) * smoothstep(1.5, 4.0, overlap) * 0.25 * (0.3 + cv);
    // the common centre glows as they converge
    col += vec3(1.0, 0.85, 0.6) * exp(-r * (12.0 - 8.0 * cv)) * cv * 0.6;
    col += mix(green, amber, 0.5) * exp(-abs(r - (orbit + radius + 0.05)) / 0.01) * 0.2;

    // visitors: each brings a ring from where they stand, drawn in toward the circle the longer they stay.
    // `todo` has bit i set for each visitor i to draw: all PRESENCE_COUNT of them in pass 0, in the picture
    // pass those that pass 0 found near this pixel's 8×8 block.
    int todo = (1 << PRESENCE_COUNT) - 1;
    if (PASSINDEX == 1) todo = int(texelFetch(nearby, ivec2(uv * vec2(textureSize(nearby, 0))), 0).r + 0.5);
    // (pass 0) near = within half a block's diagonal plus the reach of the glow (and a margin, as pass 0's
    // aspect ratio is the picture's only up to rounding)
    float blockReach = 0.75 / RENDERSIZE.y + 0.04;
    int near = 0;
    vec3 visitorTone = vec3(0.9, 0.95, 1.0);
    while (todo != 0) {
        // the lowest visitor still to do: the bit todo & -todo is a power of two, 2^i, and i is the
        // exponent of that number as a float (cheaper than log2); then clear that bit
        int i = (floatBitsToInt(float(todo & -todo)) >> 23) - 127;
        todo &= todo - 1;
        vec2 start = (PRESENCE_POS(i) - focus) * vec2(aspect, 1.0);
        float join = smoothstep(0.0, 25.0, PRESENCE_TRACKS[i].z) * (0.4 + 0.6 * cv);
        vec2 c = mix(start, normalize(start + 1e-4) * orbit * 0.6, join);
        float pulse = 0.5 + 0.5 * sin(t * 2.0 + float(i) * 1.7);
        float ringD = abs(length(p - c) - (0.06 + 0.02 * pulse));
        float threadD = length(p - c * clamp(dot(p, c) / dot(c, c), 0.0, 1.0));   // to the segment c → 0
        if (min(ringD, threadD) < blockReach) near |= 1 << i;     // (used by pass 0 only)
        col += visitorTone * (exp(-ringD * 333.3) + exp(-threadD * 300.0) * 0.25) * PRESENCE_TRACKS[i].w;
    }

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = PASSINDEX == 0 ? vec4(float(near)) : vec4(col, 1.0);   // pass 0 stores its bits
}
