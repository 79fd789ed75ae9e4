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
    {"NAME": "cut", "LABEL": "Cut to next shot", "TYPE": "event"},
    {"NAME": "relay", "LABEL": "Relayed feed (a video: the clip generated at first use)", "TYPE": "image", "VIDEO": "generated:tideline", "PLAYBACK": "loop"}
  ],
  "PASSES": [
    {"TARGET": "cuts", "PERSISTENT": true, "FLOAT": true, "WIDTH": 1, "HEIGHT": 1},
    {}
  ]
}*/

// Two passes: a 1×1 persistent buffer counts the operator's cuts, then the picture.
// Cost notes: all passes run one program, and a CPU renderer (llvmpipe) executes all of its
// code, both sides of every `if`, on every pixel of every pass. A half-size footage pass would
// therefore cost more than it saves, so the footage is drawn once per pixel in the picture pass,
// and the monitor's colour split (red and blue guns looking a little to the side) is drawn where
// it shows: on the ruins' skyline and on the fires. The noise is cheap: one octave, 1D along the
// skylines, and the three fires are summed before they are laid over the picture.

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

// value noise along a line (skylines): y only picks the line
float noise1(float x, float y) {
    float i = floor(x) + y * 7.13, f = fract(x);
    return mix(hash11(i), hash11(i + 1.0), f * f * (3.0 - 2.0 * f));
}

// sin(6.28318 * x) to within 0.06: one parabola per half period
float turn(float x) { x = fract(x) * 2.0 - 1.0; return 4.0 * x * (abs(x) - 1.0); }

// height of the ruins on the horizon at x: broken blocks (n: their jagged top, 0..1)
float ruinTop(float x, float seed, float horizon, float n) {
    float bx = floor(x * 18.0);
    return horizon + 0.09 * step(0.55, hash11(bx + seed)) * hash11(bx * 1.7 + seed) * (0.6 + 0.4 * n);
}

// glow of a small fire at (dx, dy) from it: a hot core and a wide glow (bell curves of the
// squared distance: no square root, no exp)
float fireGlow(float dx, float dy) {
    float q = dx * dx * 3.24 + dy * dy;
    return 1.6 / (1.0 + q * 8000.0) + 0.3 / (1.0 + q * 1111.0);
}

// one drone shot of the Unenclosed: dunes, ruins, smoke, small fires, seen from a slowly drifting
// camera. split: how far to the side the red gun looks (and the blue gun the other way).
vec3 footage(vec2 p, float seed, float t, float split) {
    p.x += t * (0.02 + 0.03 * hash11(seed)) + seed * 13.0;
    float horizon = 0.62 + 0.12 * (hash11(seed + 1.0) - 0.5);
    // three dune crests, nearer ones lower, darker and moving faster (parallax); they never cross
    vec3 x = p.x * vec3(1.0, 1.8, 2.6) + vec3(0.0, 3.7, 7.4);
    vec3 top = horizon - vec3(0.06, 0.2, 0.34) + 0.07 * vec3(noise1(x.x * 2.5, seed), noise1(x.y * 2.5, seed + 1.0), noise1(x.z * 2.5, seed + 2.0));
    // sky with drifting haze, and the ruins' dark stone
    vec3 sky = mix(vec3(0.85, 0.72, 0.58), vec3(0.32, 0.31, 0.34), smoothstep(horizon, 1.0, p.y));
    sky *= 0.8 + 0.3 * noise(vec2(p.x * 2.0, p.y * 4.0) + t * 0.05);
    vec3 stone = vec3(0.12, 0.11, 0.1) * (0.8 + 0.3 * hash12(floor(p * 80.0)));
    float jag = hash11(floor(p.x * 60.0));   // the broken tops of the blocks
    vec3 col;
    if (p.y <= top.x) {
        // the dune in front: 0 far .. 2 near
        float fk = p.y <= top.z ? 2.0 : p.y <= top.y ? 1.0 : 0.0;
        float crestY = fk == 2.0 ? top.z : fk == 1.0 ? top.y : top.x;
        float xk = fk == 2.0 ? x.z : fk == 1.0 ? x.y : x.x;
        col = mix(vec3(0.7, 0.6, 0.5), vec3(0.22, 0.18, 0.15), fk * 0.5);
        col *= 0.8 + 0.3 * smoothstep(crestY - 0.08, crestY, p.y);                 // lit crests
        col *= 0.85 + 0.25 * hash12(floor(vec2(xk * 90.0, p.y * 140.0)));           // sand grain
    } else {
        // ruins against the sky; the red and blue guns see the skyline a little to the side
        col.r = p.y < ruinTop(p.x + split, seed, horizon, jag) ? stone.r : sky.r;
        col.g = p.y < ruinTop(p.x, seed, horizon, jag) ? stone.g : sky.g;
        col.b = p.y < ruinTop(p.x - split, seed, horizon, jag) ? stone.b : sky.b;
    }
    // small fires, figures gathered at them and the smoke rising from them: the three fires are
    // summed up first (glow seen by the red and blue guns, figures, smoke) and laid on once
    float glowR = 0.0, glowB = 0.0, figures = 0.0, smoke = 0.0;
    for (int k = 0; k < 3; k++) {
        float fk = float(k);
        float hf = hash11(seed * 3.0 + fk);
        vec2 fire = vec2(hf, horizon - 0.1 - 0.25 * fract(hf * 97.13));
        fire.x = fract(fire.x - p.x + 0.5) - 0.5;
        float dy = p.y - fire.y;
        float flicker = 0.7 + 0.3 * turn(t * 3.183 + fk * 0.477);   // sin(t * 20 + 3k)
        // the red gun sees the fire at +split, the blue gun at -split
        glowR += fireGlow(fire.x - split, dy) * flicker;
        glowB += fireGlow(fire.x + split, dy) * flicker;
        // two figures, at -0.012 and +0.015 (0.0135 either side of +0.0015)
        figures = max(figures, step(abs(abs(fire.x + 0.0015) - 0.0135), 0.0025) * step(abs(dy - 0.0125), 0.0175));
        // smoke: a column 0.05 wide above the fire, leaning with the wind
        float column = clamp(1.0 - abs(fire.x + dy * 0.2 * turn(t * 0.0477 + fk * 0.159)) * 20.0, 0.0, 1.0);
        smoke = max(smoke, column * column * (3.0 - 2.0 * column) * step(0.0, dy));
    }
    col += vec3(1.0, 0.6, 0.25) * vec3(glowR, 0.5 * (glowR + glowB), glowB);
    col = mix(col, vec3(0.05), figures * 0.45);
    float smokeField = 0.15 + 0.6 * noise1(p.y * 8.0 - t * 0.4 + p.x * 6.0, 3.0);   // puffs rising
    col = mix(col, vec3(0.2), smoke * 0.5 * smokeField);
    return col;
}

float tileShot(vec2 tile, float t) {
    float tileId = tile.x + tile.y * 7.0;
    return tileId + floor(t / 9.0 + hash11(tileId) * 3.0) * 11.0;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float t = TIME;
    float n = float(feeds);
    // how many times the operator has cut to a new shot (kept in the 1×1 persistent buffer)
    float cutCount = texelFetch(cuts, ivec2(0), 0).r;
    if (PASSINDEX == 0) {
        gl_FragColor = vec4(cutCount + (cut ? 1.0 : 0.0));
        return;
    }
    vec2 grid = uv * n;
    vec2 tile = floor(grid);
    vec2 f = fract(grid);
    float tileId = tile.x + tile.y * 7.0;
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
    float h = hash12(vec2(band, floor(t * 12.0) + tileId));
    float tear = step(1.0 - glitchAmt * 0.35, h);
    vec2 q = f;
    q.x += tear * (fract(h * 71.3 + fract(t * 7.1)) - 0.5) * 0.2;   // a new offset every frame
    // rolling bar
    float roll = min(abs(fract(f.y - t * 0.15) - 0.5) * 12.5, 1.0) * 0.25 + 0.75;

    vec3 rgb = footage(clamp(q, 0.0, 1.0), tileShot(tile, t) + cutCount * 17.0, t, 0.004 + glitchAmt * 0.012);
    // the first feed relays a video (the relay input) once one is playing
    float relayed = (tileId == 0.0 && IMG_SIZE(relay).x > 1.0) ? 1.0 : 0.0;
    rgb = mix(rgb, IMG_NORM_PIXEL(relay, clamp(q, 0.0, 1.0)).rgb, relayed);
    // monitor look: desaturated, tinted, scanlines, static, vignette
    float luma = dot(rgb, vec3(0.3, 0.59, 0.11));
    vec3 col = mix(vec3(luma), rgb, 0.6) * tint.rgb * 1.15;
    col *= 0.85 + 0.15 * turn(uv.y * RENDERSIZE.y * 0.25465);     // sin(1.6 · pixel row)
    col *= roll;
    float grain = hash12(floor(uv * RENDERSIZE) + fract(t * 13.7) * 100.0);
    col = mix(col, vec3(grain), noiseAmt * 0.55);
    vec2 c = f - 0.5;
    float v = dot(c, c) * 1.8225;             // (1.35 · distance)², so pow(1.35 · distance, 2.5) = v^1.25
    col *= 1.0 - 0.6 * v * sqrt(sqrt(v));
    // on-screen display: frame, crosshair, blinking REC dot, signal bars
    float px = n / RENDERSIZE.y;
    float frame = step(f.x, 0.03) + step(0.97, f.x) + step(f.y, 0.03) + step(0.97, f.y);
    col *= 1.0 - 0.85 * clamp(frame, 0.0, 1.0);
    float cross = step(abs(c.x), px) * step(abs(c.y), 0.04) + step(abs(c.y), px * 1.5) * step(abs(c.x), 0.025);
    col += vec3(0.8) * cross * 0.6;
    float rec = step(length((f - vec2(0.09, 0.9)) * vec2(1.7, 1.0)), 0.022) * step(0.5, fract(t * 0.8 + hash11(tileId)));
    col = mix(col, vec3(1.0, 0.1, 0.05), rec);
    // four bars 0.025 apart, each 0.014 wide and taller than the last; fewer lit with more static
    float fb = floor((f.x - 0.84) / 0.025);
    vec2 bp = f - vec2(0.84 + fb * 0.025, 0.87);
    float bar = step(0.0, fb) * step(fb, min(3.0, 3.0 * (1.0 - noiseAmt))) * step(bp.x, 0.014) * step(0.0, bp.y) * step(bp.y, 0.015 + fb * 0.01);
    col += vec3(0.9) * bar * 0.7;
    // a cleared feed gets a bright outline
    vec2 e = abs(c);
    float outline = step(0.455, max(e.x, e.y)) * step(max(e.x, e.y), 0.465);
    col += vec3(1.0, 0.3, 0.1) * outline * clear;
    gl_FragColor = vec4(col, 1.0);
}
