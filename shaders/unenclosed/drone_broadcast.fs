/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · drone broadcast: hacked drone feeds of the Unenclosed, scanlines, static and tearing. A visitor's feed clears when they stand before it.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed"],
  "INPUTS": [
    {"NAME": "interference", "LABEL": "Static", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.35},
    {"NAME": "glitch", "LABEL": "Glitch", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.3},
    {"NAME": "feeds", "LABEL": "Feeds", "TYPE": "long", "VALUES": [1, 2, 3], "LABELS": ["one feed", "four feeds", "nine feeds"], "DEFAULT": 2},
    {"NAME": "tint", "LABEL": "Monitor tint", "TYPE": "color", "DEFAULT": [1.0, 0.93, 0.82, 1.0]},
    {"NAME": "cut", "LABEL": "Cut to next shot", "TYPE": "event"}
  ],
  "PASSES": [
    {"TARGET": "cuts", "PERSISTENT": true, "FLOAT": true, "WIDTH": 1, "HEIGHT": 1},
    {"TARGET": "feed", "WIDTH": "floor($WIDTH / 2.0)", "HEIGHT": "floor($HEIGHT / 2.0)"},
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

float fbm(vec2 p) {
    float v = 0.0, a = 0.5;
    for (int i = 0; i < 4; i++) { v += a * noise(p); p = p * 2.1 + 5.3; a *= 0.5; }
    return v;
}

// one drone shot of the Unenclosed: dunes, ruins, smoke, small fires, seen from a slowly drifting camera
vec3 footage(vec2 p, float seed, float t) {
    p.x += t * (0.02 + 0.03 * hash11(seed)) + seed * 13.0;
    float horizon = 0.62 + 0.12 * (hash11(seed + 1.0) - 0.5);
    vec3 sky = mix(vec3(0.85, 0.72, 0.58), vec3(0.32, 0.31, 0.34), smoothstep(horizon, 1.0, p.y));
    float haze = fbm(vec2(p.x * 2.0, p.y * 4.0) + t * 0.05);
    vec3 col = sky * (0.8 + 0.3 * haze);
    // ruins on the horizon: broken blocks
    float bx = floor(p.x * 18.0);
    float ruin = horizon + 0.09 * step(0.55, hash11(bx + seed)) * hash11(bx * 1.7 + seed) * (0.6 + 0.4 * noise(vec2(p.x * 60.0, 0.0)));
    if (p.y < ruin) col = vec3(0.12, 0.11, 0.1) * (0.8 + 0.3 * noise(p * 80.0));
    // three layers of dunes, nearer ones darker and moving faster (parallax)
    for (int k = 0; k < 3; k++) {
        float fk = float(k);
        float x = p.x * (1.0 + fk * 0.8) + fk * 3.7;
        float top = horizon - 0.06 - fk * 0.14 + 0.07 * fbm(vec2(x * 2.5, seed + fk));
        vec3 sand = mix(vec3(0.7, 0.6, 0.5), vec3(0.22, 0.18, 0.15), fk * 0.5);
        sand *= 0.8 + 0.3 * smoothstep(top - 0.08, top, p.y);       // lit crests
        sand *= 0.85 + 0.25 * noise(vec2(x * 90.0, p.y * 140.0));
        col = mix(col, sand, step(p.y, top));
    }
    // small fires and the smoke rising from them
    for (int k = 0; k < 3; k++) {
        float fk = float(k);
        vec2 fire = vec2(hash11(seed * 3.0 + fk), horizon - 0.1 - 0.25 * hash11(seed + fk * 7.0));
        fire.x = fract(fire.x - p.x + 0.5) - 0.5;
        float d = length(vec2(fire.x * 1.8, p.y - fire.y));
        col += vec3(1.0, 0.6, 0.25) * (exp(-d * 120.0) * 2.0 + exp(-d * 25.0) * 0.3) * (0.7 + 0.3 * sin(t * 20.0 + fk * 3.0));
        // figures gathered at the fire
        float fig = step(abs(fire.x + 0.012), 0.0025) + step(abs(fire.x - 0.015), 0.0025);
        col = mix(col, vec3(0.05), fig * step(fire.y - 0.005, p.y) * step(p.y, fire.y + 0.03));
        float smoke = smoothstep(0.05, 0.0, abs(fire.x + (p.y - fire.y) * 0.2 * sin(t * 0.3 + fk))) * step(fire.y, p.y);
        col = mix(col, vec3(0.2), smoke * 0.5 * fbm(vec2(p.x * 20.0, p.y * 8.0 - t * 0.4)));
    }
    return col;
}

float cutCount() { return IMG_NORM_PIXEL(cuts, vec2(0.5)).r * 17.0; }

float tileShot(vec2 tile, float t) {
    float tileId = tile.x + tile.y * 7.0;
    return tileId + floor(t / 9.0 + hash11(tileId) * 3.0) * 11.0;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float t = TIME;
    float n = float(feeds);
    vec2 grid = uv * n;
    vec2 tile = floor(grid);
    vec2 f = fract(grid);
    float tileId = tile.x + tile.y * 7.0;
    if (PASSINDEX == 0) {
        // how many times the operator has cut to a new shot (kept in a 1×1 persistent buffer)
        gl_FragColor = IMG_NORM_PIXEL(cuts, vec2(0.5)) + vec4(cut ? 1.0 : 0.0);
        return;
    }
    if (PASSINDEX == 1) {
        // the raw footage of every feed, at half resolution
        gl_FragColor = vec4(footage(f, tileShot(tile, t) + cutCount(), t), 1.0);
        return;
    }
    // a visitor standing before a feed clears it
    float clear = 0.0;
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 pos = PRESENCE_POS(i);
        if (floor(pos.x * n) == tile.x) clear = max(clear, PRESENCE_TRACKS[i].w * (0.5 + 0.5 * PRESENCE_PEOPLE[i].y));
    }
    float noiseAmt = interference * (1.0 - 0.8 * clear);
    float glitchAmt = clamp(glitch + PRESENCE_MOTION * 0.8, 0.0, 1.0) * (1.0 - 0.7 * clear);

    // tearing: rows of the picture slide sideways for a moment
    float band = floor(f.y * 24.0 + floor(t * 8.0) * 3.1);
    float tear = step(1.0 - glitchAmt * 0.35, hash12(vec2(band, floor(t * 12.0) + tileId)));
    vec2 q = f;
    q.x += tear * (hash12(vec2(band, t)) - 0.5) * 0.2;
    // rolling bar
    float roll = smoothstep(0.0, 0.08, abs(fract(f.y - t * 0.15) - 0.5)) * 0.25 + 0.75;

    vec3 rgb;
    float split = (0.004 + glitchAmt * 0.012) / n;
    vec2 src = (tile + clamp(q, 0.0, 1.0)) / n;
    rgb.r = IMG_NORM_PIXEL(feed, src + vec2(split, 0.0)).r;
    rgb.g = IMG_NORM_PIXEL(feed, src).g;
    rgb.b = IMG_NORM_PIXEL(feed, src - vec2(split, 0.0)).b;
    // monitor look: desaturated, tinted, scanlines, static, vignette
    float luma = dot(rgb, vec3(0.3, 0.59, 0.11));
    vec3 col = mix(vec3(luma), rgb, 0.6) * tint.rgb * 1.15;
    col *= 0.85 + 0.15 * sin(uv.y * RENDERSIZE.y * 1.6);
    col *= roll;
    float grain = hash12(floor(uv * RENDERSIZE) + fract(t * 13.7) * 100.0);
    col = mix(col, vec3(grain), noiseAmt * 0.55);
    col *= 1.0 - 0.6 * pow(length(f - 0.5) * 1.35, 2.5);
    // on-screen display: frame, crosshair, blinking REC dot, signal bars
    float px = n / RENDERSIZE.y;
    float frame = step(f.x, 0.03) + step(0.97, f.x) + step(f.y, 0.03) + step(0.97, f.y);
    float corner = step(abs(f.x - 0.5), 0.42) * step(abs(f.y - 0.5), 0.42);
    col *= 1.0 - 0.85 * clamp(frame, 0.0, 1.0);
    vec2 c = f - 0.5;
    float cross = (step(abs(c.x), px) * step(abs(c.y), 0.04) + step(abs(c.y), px * 1.5) * step(abs(c.x), 0.025)) * corner;
    col += vec3(0.8) * cross * 0.6;
    float rec = step(length((f - vec2(0.09, 0.9)) * vec2(1.7, 1.0)), 0.022) * step(0.5, fract(t * 0.8 + hash11(tileId)));
    col = mix(col, vec3(1.0, 0.1, 0.05), rec);
    for (int b = 0; b < 4; b++) {
        float fb = float(b);
        vec2 bp = f - vec2(0.84 + fb * 0.025, 0.87);
        float on = step(fb, 3.0 * (1.0 - noiseAmt));
        col += vec3(0.9) * step(0.0, bp.x) * step(bp.x, 0.014) * step(0.0, bp.y) * step(bp.y, 0.015 + fb * 0.01) * on * 0.7;
    }
    // a cleared feed gets a bright outline
    vec2 e = abs(f - 0.5);
    float outline = step(0.455, max(e.x, e.y)) * step(max(e.x, e.y), 0.465);
    col += vec3(1.0, 0.3, 0.1) * outline * clear;
    gl_FragColor = vec4(col, 1.0);
}
