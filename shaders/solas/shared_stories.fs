/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · shared stories: bioluminescent hubs linked by living filaments; stories travel between them as beads of light. Every visitor becomes a hub and is linked in.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "connection", "LABEL": "Connection", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "hue", "LABEL": "Hue", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5}
  ],
  "PASSES": [
    {"TARGET": "near", "FLOAT": true, "WIDTH": "floor($WIDTH / 8.0)", "HEIGHT": "floor($HEIGHT / 8.0)"},
    {"TARGET": "soft", "FLOAT": true, "WIDTH": "floor($WIDTH / 8.0)", "HEIGHT": "floor($HEIGHT / 8.0)"},
    {}
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

vec3 bio(float h) {
    vec3 x = abs(fract(h + vec3(0.0, 0.33, 0.67)) * 2.0 - 1.0);
    return x * x * (3.0 - 2.0 * x);
}

float psin(float x) {
    float g = fract(x * 0.15915494) * 2.0 - 1.0;
    float y = -4.0 * g * (1.0 - abs(g));
    return y + 0.225 * (y * abs(y) - y);
}

float arch(float s) { float u = s * (1.0 - s); return 16.0 * u / (5.0 - 4.0 * u); }

const float REACH = 0.06;
const float HALO_END = 0.0907;

// hub k drifts by sin(0.2 t + k), cos(0.17 t + 2 k): written with the angle-sum rule from the sine and
// cosine of 0.2 t and 0.17 t (sc), computed once for all hubs; cos(k), sin(k) are constants
vec2 hubPos(int k, vec4 sc, float aspect) {
    float fk = float(k);
    vec2 base = vec2(0.12 + 0.76 * hash11(fk * 3.1 + 1.0), 0.18 + 0.64 * hash11(fk * 7.7 + 2.0));
    base += 0.03 * vec2(sc.x * cos(fk) + sc.y * sin(fk), sc.w * cos(2.0 * fk) - sc.z * sin(2.0 * fk));
    return base * vec2(aspect, 1.0);
}

vec2 pick(int k, vec2 h0, vec2 h1, vec2 h2, vec2 h3, vec2 h4, vec2 h5) {
    return k == 0 ? h0 : k == 1 ? h1 : k == 2 ? h2 : k == 3 ? h3 : k == 4 ? h4 : h5;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;
    bool planning = PASSINDEX == 0, softPass = PASSINDEX == 1, picture = PASSINDEX == 2;

    vec4 sc = vec4(psin(t * 0.2), psin(t * 0.2 + 1.5707963), psin(t * 0.17), psin(t * 0.17 + 1.5707963));
    vec2 h0 = hubPos(0, sc, aspect), h1 = hubPos(1, sc, aspect), h2 = hubPos(2, sc, aspect);
    vec2 h3 = hubPos(3, sc, aspect), h4 = hubPos(4, sc, aspect), h5 = hubPos(5, sc, aspect);
    vec3 visitorTone = mix(bio(hue + 0.5), vec3(1.0), 0.3);

    // ---- soft light, quarter size: the hubs' and visitors' glows (q < 6: hub q; else visitor q - 6).
    // Pass 0 runs it over the visitors for their two nearest hubs; the picture pass not at all.
    vec3 softLight = vec3(0.0);
    int nearest1 = 0, nearest2 = 0;
    int q = planning ? 6 : 0;
    int qEnd = picture ? 0 : 6 + PRESENCE_COUNT;
    for (int n = 0; n < 14; n++) {
        bool isHub = q < 6;
        int i = max(q - 6, 0);
        vec2 c = isHub ? pick(q, h0, h1, h2, h3, h4, h5) : PRESENCE_POS(i) * vec2(aspect, 1.0);
        float fq = float(q);
        float w = q >= qEnd ? 0.0 : isHub ? (0.7 + 0.3 * psin(t * 1.3 + fq * 2.0)) * (0.4 + glow) : PRESENCE_TRACKS[i].w;
        vec3 tone = isHub ? bio(hue + 0.1 * fq) : visitorTone;
        float d = distance(p, c);
        float e = exp(-d * (isHub ? 8.0 : 12.0)), e2 = e * e, e4 = e2 * e2;
        softLight += tone * (isHub ? e4 * e2 * 1.5 + e * 0.2 : e4 * e * 1.2 + e * 0.15) * w;
        // (pass 0) this visitor's two nearest hubs, 3 bits each
        float d1 = 1e9, d2 = 1e9;
        int k1 = 0, k2 = 0;
        #define NEAREST(k, h) { vec2 v = c - h; float dd = dot(v, v); bool sa = dd < d1, sb = dd < d2; \
            k2 = sa ? k1 : (sb ? k : k2); d2 = sa ? d1 : (sb ? dd : d2); k1 = sa ? k : k1; d1 = sa ? dd : d1; }
        NEAREST(0, h0) NEAREST(1, h1) NEAREST(2, h2) NEAREST(3, h3) NEAREST(4, h4) NEAREST(5, h5)
        bool keep = !isHub && q < qEnd;
        nearest1 |= keep ? k1 << (3 * i) : 0;
        nearest2 |= keep ? k2 << (3 * i) : 0;
        q++;
        if (q >= qEnd) break;
    }

    ivec4 plan = picture ? ivec4(texelFetch(near, ivec2(uv * vec2(textureSize(near, 0))), 0) + 0.5) : ivec4(0);
    nearest1 = picture ? plan.z : nearest1;
    nearest2 = picture ? plan.w : nearest2;

    // ---- sharp light, full size: 0-5 ring of neighbours, 6-8 chords, 9-14 the hubs' rings,
    // 15 + 2i + j visitor i's link to its nearest (j = 0) and second nearest (j = 1) hub
    float ringW = (0.4 + 0.6 * connection) * glow;
    float chordW = smoothstep(0.2, 0.8, connection) * glow;
    int all = (ringW > 0.0 ? 0x3F : 0) | (chordW > 0.0 ? 0x1C0 : 0) | (glow > 0.0 ? 0x7E00 : 0)
            | (((1 << (2 * PRESENCE_COUNT)) - 1) << 15);
    int todo = planning ? all : picture ? plan.x | (plan.y << 15) : 0;
    float blockReach = REACH + 0.75 / RENDERSIZE.y + 0.01;
    int nearBits = 0;
    vec3 sharp = vec3(0.0);
    for (int n = 0; n < 31; n++) {
        int bit = todo & -todo;
        todo -= bit;
        int e = (floatBitsToInt(float(bit)) >> 23) - 127;
        bool link = e >= 15, ring = e >= 9 && e < 15;
        int i = max(e - 15, 0) >> 1, j = (e - 15) & 1;
        int k0 = e < 6 ? e : e < 9 ? e - 6 : e - 9;
        int k1 = link ? (((j == 0 ? nearest1 : nearest2) >> (3 * i)) & 7) : (e < 6 ? (e == 5 ? 0 : e + 1) : k0 + 3);
        vec2 a = link ? PRESENCE_POS(i) * vec2(aspect, 1.0) : pick(k0, h0, h1, h2, h3, h4, h5);
        vec2 b = pick(k1 % 6, h0, h1, h2, h3, h4, h5);
        float seed = link ? float(i) + 0.3 + 0.4 * float(j) : float(e) * 7.0 + (e < 6 ? 1.0 : -39.0);
        float strength = link ? PRESENCE_TRACKS[i].w * (connection + (j == 0 ? 0.6 : 0.0))
                       : e < 6 ? ringW : e < 9 ? chordW : 0.4 / 0.6 * glow;
        vec3 tone = link ? visitorTone : bio(hue + 0.1 * float(k0));

        vec2 ba = b - a, pa = p - a;
        float inv = inversesqrt(dot(ba, ba) + 1e-8);
        float len = 1.0 / inv;
        float along = dot(pa, ba) * inv;
        float across = (ba.x * pa.y - ba.y * pa.x) * inv;
        float amp = (0.06 * psin(t * 0.3 + seed) + 0.04) * len;
        float wig = 0.004 * len;
        float rr = 0.05 + 0.02 * psin(t + float(k0));     // a hub's ring radius
        float dRing = abs(length(pa) - rr);
        bool inBox = ring ? dRing < blockReach - REACH + 0.03
                   : along > -blockReach && along < len + blockReach
                     && across > min(amp, 0.0) - wig - blockReach && across < max(amp, 0.0) + wig + blockReach;
        nearBits |= inBox ? bit : 0;
        float h = along * inv;
        float s = clamp(h, 0.0, 1.0);
        float bow = arch(s) * amp + psin(s * 20.0 + t * 2.0 + seed) * wig;
        float d = ring ? dRing * 0.833 : (h <= 0.0 || h >= 1.0) ? length(pa - ba * s) : abs(across - bow);
        float ex = exp(-40.0 * d), e2 = ex * ex, e4 = e2 * e2;
        float line = e4 * e2 * 0.6 + (ring ? 0.0 : max(ex - HALO_END, 0.0) * 0.08
                     + exp(-abs(fract(s - t * 0.12 - seed) - 0.5) * len * 70.0) * e4 * 1.8);
        sharp += tone * (line * strength * float(bit != 0));
        if (todo == 0) break;
    }

    if (planning) {
        gl_FragColor = vec4(float(nearBits & 0x7FFF), float(nearBits >> 15), float(nearest1), float(nearest2));
        return;
    }
    if (softPass) {
        gl_FragColor = vec4(softLight, 1.0);
        return;
    }

    // the dark under-network: faint mycelium
    float myc = 1.0 - abs(noise(p * 9.0 + noise(p * 3.0) * 2.0) * 2.0 - 1.0);
    float m2 = myc * myc, m4 = m2 * m2;
    vec3 col = vec3(0.005, 0.01, 0.02) + bio(hue + 0.4) * (m4 * m4 * m4) * 0.08;   // myc^12
    col += IMG_NORM_PIXEL(soft, uv).rgb + sharp;
    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
