/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · mosaic of ecosystems: living Voronoi cells of forest, reef, desert, tundra, wetland and meadow, bordered by light. Cells near a visitor grow and brighten.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas"],
  "INPUTS": [
    {"NAME": "cells", "LABEL": "Cell scale", "TYPE": "float", "MIN": 2.0, "MAX": 14.0, "DEFAULT": 5.0},
    {"NAME": "border", "LABEL": "Border light", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.5},
    {"NAME": "saturation", "LABEL": "Saturation", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.85},
    {"NAME": "focus", "LABEL": "Bloom point", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.5]}
  ]
}*/

// Cost notes: a pixel pays for every line of code it may run (a CPU renderer such as llvmpipe
// executes both sides of every `if`; GPU warps that straddle two cells do too), so
// - the six ecosystems share one noise, one ripple and one sparkle call: each kind only picks
//   its own scale and colours, instead of six separate recipes;
// - the cell sites move on a cheap polynomial wave instead of two sines per site, and only the
//   8 neighbour cells that can matter are searched (not 9); distances are compared squared;
// - visitors are handled four at a time in vec4s (the loop still stops at PRESENCE_COUNT);
// - one exp serves both border glows; the final roll-off needs no exp at all.

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

float hash11(float p) { p = fract(p * 0.1031); p *= p + 33.33; p *= p + p; return fract(p); }

// value noise; the lattice corner (x, y) is hashed as the number x + 57 y (a cheap 1D hash)
float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    float n = i.x + i.y * 57.0;
    return mix(mix(hash11(n), hash11(n + 1.0), u.x), mix(hash11(n + 57.0), hash11(n + 58.0), u.x), u.y);
}

// one octave, scaled to the range of the former two-octave fbm (0 .. 0.75)
float fbm(vec2 p) { return noise(p) * 0.75; }

// -sin(6.28318 * x) / 4 to within 0.015: a parabola per half period (a few multiplies instead
// of a sin; callers fold the -4 into their amplitude)
float wave(float x) { x = fract(x) * 2.0 - 1.0; return x * (1.0 - abs(x)); }
vec2 wave(vec2 x) { x = fract(x) * 2.0 - 1.0; return x * (1.0 - abs(x)); }

// exp(-x) for the lens falloffs, as (1 - x/8)^8: three squarings, and exactly 0 from x = 8 on
float bell(float x) { float b = max(1.0 - x * 0.125, 0.0); b *= b; b *= b; return b * b; }

// the inside of one cell: a small landscape of its ecosystem
// kind 0 forest, 1 reef, 2 desert, 3 tundra, 4 wetland, 5 meadow
vec3 ecosystem(float kind, vec2 q, float t) {
    bool forest = kind < 1.0, reef = kind == 1.0, desert = kind == 2.0, tundra = kind == 3.0, wetland = kind == 4.0;
    bool meadow = kind > 4.5;
    // desert dunes and meadow grass sway along a slow wave
    float sway = -4.0 * wave((desert ? q.x * 6.0 : q.x * 10.0 + t) * 0.159155);
    // one noise for all: forest leaves, reef water, tundra frost, wetland murk, meadow grass strokes
    vec2 np = meadow ? vec2(q.x * 120.0, q.y * 12.0 + sway * 0.5) : q * (forest ? 9.0 : reef ? 5.0 : tundra ? 4.0 : 6.0);
    float n = fbm(np);
    // one ripple for all: reef coral rings, desert dune lines, wetland rings on still water
    float phase = reef ? length(q - 0.3) * 40.0 + n * 6.0 - t * 0.8
                : desert ? q.y * 50.0 + sway * 3.0 + t * 0.1
                : length(q) * 60.0 - t * 1.5;
    float ripple = -4.0 * wave(phase * 0.159155);
    // one sparkle for all: tundra ice plates, wetland reeds, meadow flowers
    vec2 cellq = floor(q * (tundra ? vec2(14.0) : wetland ? vec2(80.0, 8.0) : vec2(70.0)));
    vec2 h = hash22(cellq);

    vec3 a, b;
    float m;
    vec3 extra = vec3(0.0);
    if (forest) {            // forest: layered leaves
        a = vec3(0.02, 0.18, 0.06); b = vec3(0.25, 0.6, 0.15); m = n * n * 1.6;
    } else if (reef) {       // reef: coral rings under moving water
        a = vec3(0.0, 0.25, 0.35); b = vec3(1.0, 0.45, 0.5); m = smoothstep(0.6, 1.0, ripple);
    } else if (desert) {     // desert: wind-drawn dune lines
        a = vec3(0.75, 0.5, 0.25); b = vec3(0.95, 0.75, 0.45); m = ripple * 0.5 + 0.5;
    } else if (tundra) {     // tundra: ice crackle
        vec2 g = q * 14.0;
        float crack = smoothstep(0.05, 0.0, min(abs(fract(g.x + h.y * 0.3) - 0.5), abs(fract(g.y + h.x * 0.3) - 0.5)) - 0.44);
        a = vec3(0.75, 0.85, 0.95); b = vec3(0.35, 0.55, 0.8); m = crack * 0.8 + n * 0.3;
    } else if (wetland) {    // wetland: still water with reflections and reeds
        a = vec3(0.02, 0.2, 0.22); b = vec3(0.2, 0.55, 0.5); m = (ripple * 0.5 + 0.5) * 0.4 + n * 0.5;
        extra = vec3(step(0.985, h.x) * 0.3);
    } else {                 // meadow: gold grass strokes with flowers
        a = vec3(0.5, 0.45, 0.1); b = vec3(0.85, 0.75, 0.3); m = n * 1.33;
        extra = vec3(0.8, 0.3, 0.6) * step(0.992, h.x);
    }
    return mix(a, b, m) + extra;
}

// one Voronoi site: is it the nearest or second nearest so far? (squared distances)
void site(vec2 id, vec2 g, float clock, inout float best, inout float second, inout vec2 bestId, inout vec2 bestPos) {
    vec2 pos = id + 0.5 - 1.52 * wave(clock + hash22(id));
    vec2 dv = g - pos;
    float d = dot(dv, dv);
    second = min(second, max(best, d));
    bool closer = d < best;
    best = min(best, d);
    bestId = closer ? id : bestId;
    bestPos = closer ? pos : bestPos;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;

    // visitors and the bloom point magnify the cells around them, like a lens of attention
    vec2 g = p * cells;
    vec2 fc = focus * vec2(aspect, 1.0) * cells;
    vec2 dfc = g - fc;
    vec2 offset = -dfc * 0.25 * bell(dot(dfc, dfc) * 0.15);
    float near = 0.0;
    vec2 scale = vec2(aspect, 1.0) * cells;
    for (int k = 0; k < PRESENCE_MAX_PEOPLE; k += 4) {
        if (k >= PRESENCE_COUNT) break;
        // four visitors at a time, one in each component
        vec4 px = vec4(PRESENCE_PEOPLE[k].x, PRESENCE_PEOPLE[k + 1].x, PRESENCE_PEOPLE[k + 2].x, PRESENCE_PEOPLE[k + 3].x);
        vec4 py = vec4(PRESENCE_PEOPLE[k].y, PRESENCE_PEOPLE[k + 1].y, PRESENCE_PEOPLE[k + 2].y, PRESENCE_PEOPLE[k + 3].y);
        vec4 pw = vec4(PRESENCE_TRACKS[k].w, PRESENCE_TRACKS[k + 1].w, PRESENCE_TRACKS[k + 2].w, PRESENCE_TRACKS[k + 3].w)
                * step(vec4(0.5, 1.5, 2.5, 3.5) + float(k), vec4(PRESENCE_COUNT));   // only the visitors present
        vec4 dx = g.x - px * scale.x, dy = g.y - (1.0 - py) * scale.y;
        vec4 b = max(1.0 - (dx * dx + dy * dy) * (0.35 / 8.0), 0.0);
        b *= b; b *= b; b *= b;
        vec4 fall = b * pw;
        vec4 push = fall * (0.3 + 0.35 * py);
        offset -= vec2(dot(dx, push), dot(dy, push));
        near = max(near, max(max(fall.x, fall.y), max(fall.z, fall.w)));
    }
    g += offset;
    vec2 cell = floor(g);
    // Voronoi: each site sways about its cell centre (0.38 * sin of a slow clock, phase per site and axis).
    // Sites stay within 0.12..0.88 of their cell, so the neighbour diagonally away from the pixel's
    // quarter of the cell (0.88 or more away) can never own a border here: 8 neighbours, not 9.
    float clock = t * 0.15 * 0.159155;
    vec2 side = step(0.5, g - cell) * 2.0 - 1.0;   // towards the pixel's quarter: +1 or -1 per axis
    float best = 1e9, second = 1e9;
    vec2 bestId = vec2(0.0);
    vec2 bestPos = vec2(0.0);
    site(cell, g, clock, best, second, bestId, bestPos);
    site(cell + vec2(side.x, 0.0), g, clock, best, second, bestId, bestPos);
    site(cell + vec2(0.0, side.y), g, clock, best, second, bestId, bestPos);
    site(cell + side, g, clock, best, second, bestId, bestPos);
    site(cell - vec2(side.x, 0.0), g, clock, best, second, bestId, bestPos);
    site(cell - vec2(0.0, side.y), g, clock, best, second, bestId, bestPos);
    site(cell + vec2(-side.x, side.y), g, clock, best, second, bestId, bestPos);
    site(cell + vec2(side.x, -side.y), g, clock, best, second, bestId, bestPos);
    float edge = sqrt(second) - sqrt(best);
    float kind = floor(hash12(bestId * 1.37) * 6.0);
    float h = hash12(bestId);
    vec2 local = (g - bestPos) / cells;
    // each cell shows its own patch of landscape (the random offset h * 10)
    vec3 col = ecosystem(kind, local * 2.5 + h * 10.0, t);
    float grey = dot(col, vec3(0.3, 0.59, 0.11));
    col = mix(vec3(grey), col, saturation);

    // near a visitor, cells brighten; all cells breathe gently
    col *= 0.4 - 0.48 * wave(t * 0.5 * 0.159155 + h) + 0.7 * near;

    // borders: dark grout with a thread of light running along it
    float grout = smoothstep(0.02, 0.08, edge);
    col *= grout;
    float e12 = exp(-edge * 12.0), e24 = e12 * e12;
    float light = (e24 * e24 * e12 + e12 * 0.25) * (0.3 + 0.9 * border);   // exp(-60 edge) = exp(-12 edge)^5
    float tw = 0.5 - 2.0 * wave((dot(g, vec2(1.3, 0.7)) * 2.0 - t * 1.5) * 0.159155);
    float travel = 0.35 + 0.65 * tw * tw * tw;
    col += vec3(0.75, 1.0, 0.85) * light * travel * (0.6 + near);

    // soft highlight roll-off 1 - exp(-u), with exp(u) replaced by its first four terms (no exp)
    vec3 u = col * 1.6;
    col = 1.0 - 1.0 / (1.0 + u * (1.0 + u * (0.5 + u * 0.16667)));
    gl_FragColor = vec4(col, 1.0);
}
