/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · the interface feedback storm: the neuro-ecological interface loops on itself; light is fed back, swirled and split into colour. Visitors' movement injects new lightning into the loop.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "storm", "LABEL": "Storm", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "feedback", "LABEL": "Feedback", "TYPE": "float", "MIN": 0.5, "MAX": 0.99, "DEFAULT": 0.9},
    {"NAME": "chroma", "LABEL": "Colour split", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "swirl", "LABEL": "Swirl", "TYPE": "float", "MIN": -1.0, "MAX": 1.0, "DEFAULT": 0.35},
    {"NAME": "eye", "LABEL": "Eye of the storm", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]}
  ],
  "PASSES": [
    {"TARGET": "loop", "PERSISTENT": true, "FLOAT": true, "WIDTH": "floor($WIDTH / 2.0)", "HEIGHT": "floor($HEIGHT / 2.0)"},
    {"TARGET": "view", "WIDTH": "floor($WIDTH / 2.0)", "HEIGHT": "floor($HEIGHT / 2.0)"}
  ]
}*/

// Cost notes.
// - The picture is composed at half size too (target "view", which the output scales up): everything in
//   it is half-size already (the loop is), and the fresh lightning^12 drawn over it loses nothing visible
//   (measured: at most 13/255 of difference, with storm 1); that alone halves the cost.
// - A CPU renderer runs every line of this file for every pixel of every pass: an `if (PASSINDEX == 0)`
//   does not skip the other pass's code (both sides of an if run). So the two passes share the same
//   steps, fed with different coordinates, instead of each having its own:
//   - three reads of the loop: pass 0 uses the first (its last frame, moved), the picture pass all
//     three (the colour split);
//   - one loop of ridge-noise "jobs": job 0 is the lightning, needed by both passes; jobs 1, 2, ... are
//     the visitors' sparks, which only pass 0 runs. A loop, unlike an if, does skip the turns that no
//     pixel needs, so the picture pass pays for one ridge only.

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

// ridged noise: thin bright filaments like lightning or nerve fibres
float ridge(vec2 p) {
    float v = 0.0, a = 0.6;
    for (int i = 0; i < 3; i++) {
        v += a * (1.0 - abs(noise(p) * 2.0 - 1.0));
        p = mat2(0.8, -0.6, 0.6, 0.8) * p * 2.2 + 1.7;
        a *= 0.45;
    }
    return v;
}

// cos(x) without cos(): two parabolas, refined (within 0.1 %); about half the cost of cos on a CPU
float pcos(float x) {
    float g = fract(x * 0.15915494 + 0.25) * 2.0 - 1.0;
    float y = -4.0 * g * (1.0 - abs(g));
    return y + 0.225 * (y * abs(y) - y);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    float t = TIME;
    vec2 center = eye;
    bool feedPass = PASSINDEX == 0;

    // (pass 0) feed the last frame back: zoomed toward the eye, swirled, pushed by turbulence
    vec2 d = (uv - center) * vec2(aspect, 1.0);
    float r = length(d);
    float ang = swirl * 0.04 * (0.5 + storm) / (0.3 + r);
    // the swirl turns by at most 0.2 rad, where cos and sin are their first terms (no cos/sin call;
    // within 1e-4)
    float ca = 1.0 - 0.5 * ang * ang, sa = ang - ang * ang * ang / 6.0;
    vec2 turb = vec2(noise(uv * 6.0 + t * 0.3), noise(uv * 6.0 - t * 0.3 + 5.0)) - 0.5;
    vec2 back = mat2(ca, -sa, sa, ca) * d * (1.0 - 0.008 * (0.5 + storm));
    back = back / vec2(aspect, 1.0) + center + turb * 0.004 * (0.5 + 2.0 * storm);

    // (picture pass) split colour channels away from the eye
    vec2 dir = uv - center;
    float split = 0.004 + 0.012 * chroma * (0.5 + storm);
    vec3 first = IMG_NORM_PIXEL(loop, feedPass ? back : uv + dir * split).rgb;
    vec3 mid = IMG_NORM_PIXEL(loop, uv).rgb;
    vec3 other = IMG_NORM_PIXEL(loop, uv - dir * split).rgb;

    // the ridge jobs: the lightning (job 0) and, in pass 0, the sparks each visitor injects where they
    // stand, more when they move
    float lightning = 0.0;
    vec3 sparks = vec3(0.0);
    int jobs = feedPass ? 1 + PRESENCE_COUNT : 1;
    for (int k = 0; k < PRESENCE_MAX_PEOPLE + 1; k++) {
        int i = max(k - 1, 0);
        vec2 c = PRESENCE_POS(i);
        float rg = ridge(k == 0 ? uv * vec2(aspect, 1.0) * 3.0 + vec2(t * 0.2, -t * 0.15) : (uv - c) * 14.0 + t);
        lightning = k == 0 ? rg : lightning;
        float dd = length((uv - c) * vec2(aspect, 1.0));
        float amt = k == 0 ? 0.0 : PRESENCE_TRACKS[i].w * (0.25 + 3.0 * length(PRESENCE_TRACKS[i].xy) + PRESENCE_MOTION);
        float ph = 6.28318 * (float(i) * 0.17 + t * 0.05);
        vec3 tint = 0.5 + 0.5 * vec3(pcos(ph), pcos(ph + 2.0735), pcos(ph + 4.2097));   // + 2pi * (0, 0.33, 0.67)
        float e8 = exp(-dd * 8.0), e16 = e8 * e8, e40 = e16 * e16 * e8;
        float rg2 = rg * rg, rg4 = rg2 * rg2;
        sparks += tint * (e40 * 0.6 + rg4 * rg4 * rg2 * e8 * 0.8) * amt;   // glow + ridge^10
        if (k + 1 >= jobs) break;
    }

    // new lightning: filaments that flicker on and off, brighter with the storm
    float flick = step(0.6 - 0.4 * storm, noise(vec2(t * 3.0, 1.0))) * (0.2 + 0.8 * storm);
    float l2 = lightning * lightning, l4 = l2 * l2, l8 = l4 * l4;

    // pass 0: the loop. Its colour drifts as it loops: the interface misreads its own signal
    vec3 prev = vec3(first.r * 0.97 + first.b * 0.03, first.g * 0.98 + first.r * 0.02, first.b * 0.97 + first.g * 0.03);
    vec3 fed = prev * feedback + vec3(0.4, 0.6, 1.0) * l8 * flick * 0.35       // lightning^8
             + vec3(0.9, 0.4, 1.0) * exp(-r * 30.0) * (0.6 + 0.4 * sin(t * 4.0)) * 0.3   // a steady heartbeat at the eye
             + sparks;
    fed = FRAMEINDEX == 0 ? vec3(0.0) : min(fed, vec3(8.0));

    // picture pass: the split channels, and the fresh filaments drawn over their own trails
    vec3 col = vec3(first.r, mid.g, other.b) * 0.8;
    col += vec3(0.75, 0.85, 1.0) * l8 * l4 * flick * 1.5;                        // lightning^12
    col += vec3(0.01, 0.005, 0.02);
    col = 1.0 - exp(-col * 1.3);
    gl_FragColor = feedPass ? vec4(fed, 1.0) : vec4(col, 1.0);
}
