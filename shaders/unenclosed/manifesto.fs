/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · manifesto: lines of an unknown script write themselves across a rising dawn. Words near a visitor glow gold, as if read aloud.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed"],
  "INPUTS": [
    {"NAME": "dawn", "LABEL": "Dawn", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.35},
    {"NAME": "density", "LABEL": "Text density", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "speed", "LABEL": "Writing speed", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "ink", "LABEL": "Ink colour", "TYPE": "color", "DEFAULT": [0.85, 0.95, 1.0, 1.0]}
  ]
}*/

float hash12(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

float segment(vec2 p, vec2 a, vec2 b) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / dot(ba, ba), 0.0, 1.0);
    return length(pa - ba * h);
}

// a glyph from up to eight strokes between points of a 3×3 grid, chosen by the glyph's seed
float glyph(vec2 p, float seed) {
    float d = 1.0;
    for (int k = 0; k < 6; k++) {
        float h1 = hash12(vec2(seed, float(k)));
        float h2 = hash12(vec2(seed + 7.3, float(k) * 1.7));
        if (hash12(vec2(seed * 0.7, float(k) + 3.0)) < 0.35) continue;
        vec2 a = vec2(floor(h1 * 3.0), floor(fract(h1 * 7.0) * 3.0)) * 0.5;
        vec2 b = vec2(floor(h2 * 3.0), floor(fract(h2 * 5.0) * 3.0)) * 0.5;
        if (distance(a, b) > 0.8 || distance(a, b) < 0.1) b = a + vec2(0.5, 0.0);
        d = min(d, segment(p, a, b));
    }
    return d;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    float t = TIME;

    // dawn: night blue over a horizon that warms and a sun that rises with `dawn`
    float horizonGlow = exp(-uv.y * (5.0 - 3.0 * dawn));
    vec3 sky = mix(vec3(0.01, 0.015, 0.05), vec3(0.05, 0.09, 0.22), uv.y);
    sky = mix(sky, vec3(0.25, 0.35, 0.55), dawn * 0.5 * (1.0 - uv.y));
    sky += vec3(1.0, 0.45, 0.2) * horizonGlow * (0.2 + 0.9 * dawn);
    vec2 sunPos = vec2(0.5, -0.15 + dawn * 0.45);
    float sd = length((uv - sunPos) * vec2(aspect, 1.0));
    sky += vec3(1.0, 0.7, 0.4) * (smoothstep(0.09, 0.08, sd) + exp(-sd * 6.0) * 0.5) * smoothstep(0.0, 0.2, dawn);
    vec3 col = sky;

    // lines of text that scroll up slowly; each line writes itself left to right
    float lineH = 0.1;
    float scroll = t * 0.01;
    float row = floor((1.0 - uv.y + scroll) / lineH);
    float ly = fract((1.0 - uv.y + scroll) / lineH);
    float charW = lineH * 0.55 / aspect;
    float colIdx = floor((uv.x - 0.06) / charW);
    vec2 cp = vec2(fract((uv.x - 0.06) / charW), ly);
    float lineLen = floor(mix(20.0, 1.0 / charW * 0.85, hash12(vec2(row, 1.0)) * 0.5 + 0.5 * density));
    float inLine = step(0.0, colIdx) * step(colIdx, lineLen);
    float space = step(0.82 - 0.12 * density, hash12(vec2(row, colIdx * 1.31)));
    // writing progress along this line
    float period = 14.0 - 8.0 * speed;
    float written = fract(t / period + hash12(vec2(row, 9.0))) * (lineLen + 12.0);
    float visible = step(colIdx, written);
    float fresh = exp(-(written - colIdx) * 0.6) * visible;

    vec2 gp = (cp - vec2(0.2, 0.22)) / vec2(0.6, 0.45) * vec2(1.0, 1.0);
    float d = glyph(gp, row * 97.0 + colIdx);
    float stroke = smoothstep(0.12, 0.05, d) * inLine * (1.0 - space) * visible;
    stroke *= step(0.0, gp.x + 0.12) * step(gp.x, 1.12) * step(0.0, gp.y + 0.12) * step(gp.y, 1.12);

    // visitors read the text near them: it glows gold
    float read = 0.0;
    float lamp = 0.0;
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = PRESENCE_POS(i);
        float dd = length((uv - c) * vec2(aspect, 1.0));
        read = max(read, smoothstep(0.3, 0.0, dd) * PRESENCE_TRACKS[i].w);
        lamp += exp(-dd * 7.0) * PRESENCE_TRACKS[i].w * (0.5 + PRESENCE_PEOPLE[i].y);
    }
    col += vec3(1.0, 0.65, 0.3) * lamp * 0.12;
    vec3 inkCol = mix(ink.rgb, vec3(1.0, 0.78, 0.35), read);
    float brightness = 0.55 + 0.45 * dawn + fresh * 1.5 + read * 0.8;
    col = mix(col, inkCol * brightness, stroke * 0.9);
    // the pen: a glowing cursor at the end of each line being written
    float cursor = exp(-abs(colIdx - floor(written)) * 2.0) * exp(-abs(ly - 0.45) * 8.0) * step(colIdx, lineLen) * step(written, lineLen);
    col += vec3(1.0, 0.8, 0.5) * cursor * step(0.0, colIdx) * 0.25;

    col = 1.0 - exp(-col * 1.3);
    gl_FragColor = vec4(col, 1.0);
}
