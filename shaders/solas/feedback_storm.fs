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
    {}
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

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    float t = TIME;
    vec2 center = eye;

    if (PASSINDEX == 0) {
        // feed the last frame back: zoomed toward the eye, swirled, pushed by turbulence
        vec2 d = (uv - center) * vec2(aspect, 1.0);
        float r = length(d);
        float ang = swirl * 0.04 * (0.5 + storm) / (0.3 + r);
        mat2 rot = mat2(cos(ang), -sin(ang), sin(ang), cos(ang));
        vec2 turb = vec2(noise(uv * 6.0 + t * 0.3), noise(uv * 6.0 - t * 0.3 + 5.0)) - 0.5;
        vec2 back = rot * d * (1.0 - 0.008 * (0.5 + storm));
        back = back / vec2(aspect, 1.0) + center + turb * 0.004 * (0.5 + 2.0 * storm);
        vec3 prev = IMG_NORM_PIXEL(loop, back).rgb;
        // colour drifts as it loops: the interface misreads its own signal
        prev = vec3(prev.r * 0.97 + prev.b * 0.03, prev.g * 0.98 + prev.r * 0.02, prev.b * 0.97 + prev.g * 0.03);
        vec3 col = prev * feedback;

        // new lightning: filaments that flicker on and off, brighter with the storm
        float flick = step(0.6 - 0.4 * storm, noise(vec2(t * 3.0, 1.0)));
        float bolt = pow(ridge(uv * vec2(aspect, 1.0) * 3.0 + vec2(t * 0.2, -t * 0.15)), 8.0);
        col += vec3(0.4, 0.6, 1.0) * bolt * flick * (0.2 + 0.8 * storm) * 0.35;
        // a steady heartbeat at the eye
        col += vec3(0.9, 0.4, 1.0) * exp(-r * 30.0) * (0.6 + 0.4 * sin(t * 4.0)) * 0.3;

        // visitors inject sparks where they stand, more when they move
        for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
            if (i >= PRESENCE_COUNT) break;
            vec2 c = PRESENCE_POS(i);
            float dd = length((uv - c) * vec2(aspect, 1.0));
            float speed = length(PRESENCE_TRACKS[i].xy);
            float amt = PRESENCE_TRACKS[i].w * (0.25 + 3.0 * speed + PRESENCE_MOTION);
            vec3 tint = 0.5 + 0.5 * cos(6.28318 * (float(i) * 0.17 + t * 0.05 + vec3(0.0, 0.33, 0.67)));
            col += tint * exp(-dd * 40.0) * amt * 0.6;
            col += tint * pow(ridge((uv - c) * 14.0 + t), 10.0) * exp(-dd * 8.0) * amt * 0.8;
        }
        if (FRAMEINDEX == 0) col = vec3(0.0);
        gl_FragColor = vec4(min(col, vec3(8.0)), 1.0);
        return;
    }

    // final: split colour channels away from the eye and tone-map the loop
    vec2 dir = (uv - center);
    float split = 0.004 + 0.012 * chroma * (0.5 + storm);
    vec3 col;
    col.r = IMG_NORM_PIXEL(loop, uv + dir * split).r;
    col.g = IMG_NORM_PIXEL(loop, uv).g;
    col.b = IMG_NORM_PIXEL(loop, uv - dir * split).b;
    col *= 0.8;
    // the fresh filaments, drawn sharp over their own trails
    float flick = step(0.6 - 0.4 * storm, noise(vec2(t * 3.0, 1.0)));
    float bolt = pow(ridge(uv * vec2(aspect, 1.0) * 3.0 + vec2(t * 0.2, -t * 0.15)), 12.0);
    col += vec3(0.75, 0.85, 1.0) * bolt * flick * (0.2 + 0.8 * storm) * 1.5;
    col += vec3(0.01, 0.005, 0.02);
    col = 1.0 - exp(-col * 1.3);
    gl_FragColor = vec4(col, 1.0);
}
