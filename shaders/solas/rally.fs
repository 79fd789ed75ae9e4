/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · the rally: a crowd seen from above, every marcher a point of light pulsing on the beat; waves of the chant spread from the stage and from every visitor.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "energy", "LABEL": "Energy", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "tempo", "LABEL": "Tempo (BPM)", "TYPE": "float", "MIN": 40.0, "MAX": 180.0, "DEFAULT": 96.0},
    {"NAME": "crowd", "LABEL": "Crowd density", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "chant", "LABEL": "Chant colour", "TYPE": "color", "DEFAULT": [1.0, 0.45, 0.25, 1.0]},
    {"NAME": "stage", "LABEL": "Stage", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.85]},
    {"NAME": "crowdSound", "LABEL": "The rally's sound (FFT of the act's soundscape)", "TYPE": "audioFFT", "MAX": 32}
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

// the wave a source sends through the crowd: a ring on every beat
float wave(float d, float beat, float speed) {
    float front = fract(beat) * speed;
    return exp(-abs(d - front) * 14.0) * (1.0 - fract(beat));
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;
    float beat = t * tempo / 60.0;
    // the crowd answers the act's own soundscape: its low end (drums, chant) lifts the energy
    float low = IMG_NORM_PIXEL(crowdSound, vec2(0.03, 0.5)).r + IMG_NORM_PIXEL(crowdSound, vec2(0.09, 0.5)).r;
    float e = clamp(energy + 0.06 * float(PRESENCE_COUNT) + PRESENCE_MOTION * 0.5 + 0.6 * low, 0.0, 1.0);
    vec3 col = vec3(0.015, 0.01, 0.02);

    // the square: asphalt with the stage glowing at one end
    vec2 sp = stage * vec2(aspect, 1.0);
    float ds = length(p - sp);
    col += chant.rgb * exp(-ds * 5.0) * 0.15;

    // waves: from the stage and from every visitor, each on its own offset of the beat
    float waves = wave(ds, beat, 1.6) * (0.4 + e);
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = PRESENCE_POS(i) * vec2(aspect, 1.0);
        waves += wave(length(p - c), beat + 0.25 * float(i + 1), 0.8) * PRESENCE_TRACKS[i].w * (0.5 + PRESENCE_PEOPLE[i].y);
    }

    // marchers: a jittered crowd; each sways, and lights up as a wave passes
    float scale = 42.0;
    vec2 g = p * scale;
    vec2 id = floor(g);
    // only the 2×2 cells nearest this pixel can hold a marcher bright enough to see
    vec2 side = step(0.5, fract(g)) - 1.0;
    vec3 dots = vec3(0.0);
    for (int j = 0; j <= 1; j++) {
        for (int i = 0; i <= 1; i++) {
            vec2 cid = id + side + vec2(i, j);
            vec2 h = hash22(cid);
            float present = step(1.0 - (0.25 + 0.7 * crowd) * smoothstep(1.2, 0.1, length(cid / scale - sp) * 0.9), hash12(cid + 5.0));
            vec2 pos = cid + 0.5 + (h - 0.5) * 0.7 + 0.12 * vec2(sin(t * 1.3 + h.x * 6.0), cos(t * 1.1 + h.y * 6.0));
            float d = length(g - pos);
            float pulse = 0.5 + 0.5 * cos(6.28318 * (beat - length(cid / scale - sp) * 0.6));
            float glow = exp(-d * d * 9.0) * present;
            vec3 tone = mix(vec3(0.45, 0.5, 0.7), chant.rgb, 0.3 + 0.7 * pulse * e);
            dots += tone * glow * (0.25 + 0.6 * pulse * e);
        }
    }
    col += dots;
    col += mix(chant.rgb, vec3(1.0, 0.9, 0.8), 0.4) * waves * 0.5;
    col += dots * waves * 3.0;

    col = 1.0 - exp(-col * 1.7);
    gl_FragColor = vec4(col, 1.0);
}
