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
  ]
}*/

float ring(vec2 p, vec2 c, float r, float width) {
    return exp(-abs(length(p - c) - r) / width);
}

float segment(vec2 p, vec2 a, vec2 b) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / dot(ba, ba), 0.0, 1.0);
    return length(pa - ba * h);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - focus) * vec2(aspect, 1.0);
    float t = TIME;
    float cv = clamp(converge + 0.04 * float(PRESENCE_COUNT), 0.0, 1.0);
    vec3 green = vec3(0.2, 0.95, 0.7);
    vec3 amber = vec3(1.0, 0.55, 0.2);
    vec3 col = mix(vec3(0.01, 0.012, 0.025), vec3(0.04, 0.02, 0.015), warmth) * (1.0 - 0.5 * length(p));

    // the representatives: rings around the meeting point, alternately biodome and Unenclosed
    int n = voices;
    float orbit = mix(0.42, 0.16, cv);
    float radius = mix(0.09, 0.16, cv);
    vec3 sum = vec3(0.0);
    float overlap = 0.0;
    for (int k = 0; k < 12; k++) {
        if (k >= n) break;
        float a = float(k) / float(n) * 6.28318 + t * 0.05 * (1.0 - cv);
        vec2 c = vec2(cos(a), sin(a)) * orbit;
        float w = mix(0.004, 0.0025, cv);
        vec3 tone = (k % 2 == 0) ? green : amber;
        tone = mix(tone, vec3(1.0, 0.85, 0.6), cv * warmth * 0.5);
        float rr = ring(p, c, radius, w);
        float fill = smoothstep(radius, radius - 0.01, length(p - c));
        overlap += fill;
        // a speaking voice: a bright bead running round its ring
        vec2 dp = p - c;
        float beadA = t * (0.6 + 0.1 * float(k)) + float(k) * 2.1;
        float bead = exp(-length(dp - vec2(cos(beadA), sin(beadA)) * radius) * 60.0);
        sum += tone * (rr * 0.9 + fill * 0.05 + bead * 0.8);
        // a thread from each voice to the centre
        sum += tone * exp(-segment(p, c * (1.0 - radius / orbit), vec2(0.0)) * 400.0) * 0.15 * (1.0 - cv);
    }
    col += sum;
    // where many circles overlap, the shared light of agreement
    col += vec3(1.0, 0.9, 0.7) * smoothstep(1.5, 4.0, overlap) * 0.25 * (0.3 + cv);
    // the common centre glows as they converge
    float r = length(p);
    col += vec3(1.0, 0.85, 0.6) * exp(-r * (12.0 - 8.0 * cv)) * cv * 0.6;
    col += mix(green, amber, 0.5) * ring(p, vec2(0.0), orbit + radius + 0.05, 0.01) * 0.2;

    // visitors: each brings a ring from where they stand, drawn in toward the circle the longer they stay
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 start = (PRESENCE_POS(i) - focus) * vec2(aspect, 1.0);
        float join = smoothstep(0.0, 25.0, PRESENCE_TRACKS[i].z) * (0.4 + 0.6 * cv);
        vec2 c = mix(start, normalize(start + 1e-4) * orbit * 0.6, join);
        float pulse = 0.5 + 0.5 * sin(t * 2.0 + float(i) * 1.7);
        vec3 tone = vec3(0.9, 0.95, 1.0);
        col += tone * ring(p, c, 0.06 + 0.02 * pulse, 0.003) * PRESENCE_TRACKS[i].w;
        col += tone * exp(-segment(p, c, vec2(0.0)) * 300.0) * 0.25 * PRESENCE_TRACKS[i].w;
    }

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
