/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Rhea Solas · attract: a loom of living threads in many colours, swaying slowly. The threads lean toward visitors and brighten around them.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["Rhea Solas", "attract"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "hue", "LABEL": "Hue shift", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.0},
    {"NAME": "sway", "LABEL": "Sway", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.4}
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

vec3 palette(float x) {
    // the mosaic's colours: forest, reef, sand, tundra, bloom
    return 0.55 + 0.45 * cos(6.28318 * (x + vec3(0.0, 0.33, 0.67)));
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = uv * vec2(aspect, 1.0);
    float t = TIME;
    vec3 col = vec3(0.012, 0.01, 0.02) + vec3(0.03, 0.02, 0.05) * (1.0 - uv.y);

    // displacement field: slow sway plus a pull toward every visitor
    float bend = 0.0;
    float lift = 0.0;
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        vec2 c = PRESENCE_POS(i) * vec2(aspect, 1.0);
        vec2 d = p - c;
        float w = PRESENCE_TRACKS[i].w * (0.4 + PRESENCE_PEOPLE[i].y);
        float fall = exp(-dot(d, d) * 9.0);
        bend += -d.x * fall * w * 0.6;
        lift += fall * w;
    }

    // colour patches drift slowly: the mosaic of ecosystems woven into one cloth
    float patchHue = noise(p * 1.6 + vec2(t * 0.03, -t * 0.02)) * 0.9 + hue;
    float patchEdge = 0.6 + 0.4 * noise(p * 3.0 - t * 0.05);

    // warp threads (vertical) and weft threads (horizontal), each a thin glowing line
    float spacing = 0.03;
    float x = p.x + sin(p.y * 3.0 + t * 0.4) * 0.02 * sway + sin(t * 0.25 + p.y * 1.3) * 0.03 * sway + bend;
    float idx = floor(x / spacing);
    float fx = abs(fract(x / spacing) - 0.5) * spacing;
    float thick = 500.0 + 900.0 * hash11(idx + 7.0);
    float wv = (exp(-fx * thick) + exp(-fx * 120.0) * 0.15) * (0.35 + 0.65 * hash11(idx + 1.0));
    float shimmer = 0.55 + 0.45 * sin(p.y * 9.0 - t * (0.6 + hash11(idx) * 1.2) + hash11(idx + 3.0) * 20.0);
    vec3 warpCol = palette(patchHue + hash11(idx) * 0.12) * wv * shimmer;

    float y = p.y + sin(p.x * 2.3 - t * 0.3) * 0.015 * sway;
    float jdx = floor(y / spacing);
    float fy = abs(fract(y / spacing) - 0.5) * spacing;
    float hv = (exp(-fy * 1100.0) + exp(-fy * 150.0) * 0.1) * (0.25 + 0.5 * hash11(jdx + 9.0));
    vec3 weftCol = palette(patchHue + 0.5 + hash11(jdx + 50.0) * 0.1) * hv;

    // over-under weave: at crossings one thread hides the other in a checker pattern
    float over = mod(idx + jdx, 2.0);
    vec3 cloth = mix(warpCol + weftCol * (1.0 - wv), weftCol + warpCol * (1.0 - hv), over);
    cloth += palette(patchHue) * 0.05;                       // the dyed ground between threads
    col += cloth * patchEdge * (0.3 + 0.8 * glow) * (1.0 + 1.5 * lift);
    col += vec3(1.0, 0.9, 0.8) * lift * 0.06;

    col = 1.0 - exp(-col * 1.4);
    gl_FragColor = vec4(col, 1.0);
}
