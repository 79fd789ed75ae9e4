/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · streets: glowing avenues of the biodome run to a vanishing point; each visitor's street lights up toward the towers.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.7},
    {"NAME": "flow", "LABEL": "Pulse speed", "TYPE": "float", "MIN": 0.0, "MAX": 2.0, "DEFAULT": 0.6},
    {"NAME": "tint", "LABEL": "Light colour", "TYPE": "color", "DEFAULT": [0.15, 1.0, 0.75, 1.0]},
    {"NAME": "focus", "LABEL": "Vanishing point", "TYPE": "point2D", "MIN": [0.0, 0.3], "MAX": [1.0, 0.9], "DEFAULT": [0.5, 0.58]}
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

float segment(vec2 p, vec2 a, vec2 b) {
    vec2 pa = p - a, ba = b - a;
    float h = clamp(dot(pa, ba) / dot(ba, ba), 0.0, 1.0);
    return length(pa - ba * h);
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    float t = TIME;
    vec3 light = tint.rgb;
    vec3 warm = vec3(1.0, 0.55, 0.25);
    vec3 col = vec3(0.0);
    float horizon = focus.y;

    if (uv.y < horizon) {
        // the street plane: x across, z into the distance
        float dy = horizon - uv.y;
        float z = 0.7 / dy;
        float x = (uv.x - focus.x) * aspect * z;
        float fog = exp(-z * 0.05);
        float pw = fwidth(x) * 2.0;
        float dist = abs(fract(x + 0.5) - 0.5) * 2.0;             // 0 on an avenue, 1 mid-block
        float avenue = smoothstep(pw * 1.5 + 0.004, 0.0, dist) + exp(-dist * 9.0) * 0.25;
        float cdist = abs(fract(z * 0.25 + 0.5) - 0.5) * 4.0;      // cross streets every 4 units
        float crossing = smoothstep(fwidth(z) * 1.5 + 0.01, 0.0, cdist) * 0.5;
        // pulses of light travel along the avenues toward the viewer
        float id = floor(x + 0.5);
        float ph = fract(z * 0.04 + t * flow * 0.25 + hash11(id) * 7.0);
        float pulse = exp(-abs(ph - 0.5) * 60.0);
        // bioluminescent plants along the kerbs: soft blobs in the street plane
        vec2 cell = vec2(floor(x * 2.0), floor(z * 1.0));
        vec2 cpos = cell + vec2(0.5, 0.5) + (vec2(hash12(cell), hash12(cell + 9.1)) - 0.5) * 0.5;
        float blob = exp(-length(vec2((x * 2.0 - cpos.x), (z - cpos.y) * 1.5)) * 4.0)
                   * step(0.45, hash12(cell + 2.3)) * (0.6 + 0.4 * sin(t * 1.5 + hash12(cell) * 30.0));
        vec3 plant = mix(light, vec3(0.55, 0.3, 1.0), step(0.75, hash12(cell + 5.5)));
        col += light * (avenue * (0.5 + 2.5 * pulse) + crossing * (0.35 + 0.7 * pulse)) * fog * glow;
        col += plant * blob * fog * glow * 1.4;
        col += vec3(0.01, 0.02, 0.025) * (1.0 - fog);
        // reflections of the towers on the wet street
        col += light * 0.06 * fog * noise(vec2(x * 0.7, t * 0.2)) * glow;
    } else {
        // skyline: organic towers with lit windows, under the dome's glow
        float sky = uv.y - horizon;
        col = mix(vec3(0.02, 0.05, 0.06), vec3(0.005, 0.008, 0.02), smoothstep(0.0, 0.4, sky));
        float sx = (uv.x - focus.x) * aspect;
        float bx = floor(sx * 14.0);
        float height = 0.04 + 0.22 * pow(hash11(bx + 3.0), 2.0) * smoothstep(1.3, 0.0, abs(sx));
        float fx = fract(sx * 14.0);
        float roundtop = height - 0.02 * (1.0 - sqrt(max(0.0, 1.0 - pow(fx * 2.0 - 1.0, 2.0))));
        float tower = step(sky, roundtop) * step(0.08, fx) * step(fx, 0.92);
        vec2 win = vec2(fract(fx * 5.0), fract(sky * 90.0));
        float lit = step(0.55, hash12(vec2(bx, floor(sky * 90.0)) + floor(fx * 5.0) * 0.37));
        float window = step(0.3, win.x) * step(win.x, 0.7) * step(0.35, win.y) * lit;
        col = mix(col, vec3(0.01, 0.015, 0.02), tower);
        col += tower * window * mix(light, warm, hash11(bx)) * 0.55 * glow;
        // the dome's edge across the sky
        float dome = length(vec2(sx, sky + 0.15));
        col += light * exp(-abs(dome - 0.75) * 40.0) * 0.25 * glow;
        col += light * 0.08 * exp(-sky * 8.0) * glow;
    }

    // each visitor's street: a path of light from their feet to the vanishing point
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        float w = PRESENCE_TRACKS[i].w;
        vec2 foot = vec2(PRESENCE_PEOPLE[i].x, 0.0);
        vec2 a = foot * vec2(aspect, 1.0);
        vec2 b = focus * vec2(aspect, 1.0);
        vec2 q = uv * vec2(aspect, 1.0);
        float d = segment(q, a, b);
        float along = clamp((uv.y) / max(horizon, 0.01), 0.0, 1.0);
        float width = mix(0.012, 0.001, along);
        float beam = (exp(-d * d / (width * width)) + 0.35 * exp(-d / (width * 4.0))) * (1.0 - along);
        float run = exp(-abs(fract(along * 2.0 - t * (0.3 + flow * 0.5)) - 0.5) * 14.0);
        col += mix(warm, vec3(1.0), 0.5) * beam * (0.7 + 2.5 * run) * w * (0.5 + PRESENCE_PEOPLE[i].y);
    }

    col = 1.0 - exp(-col * 1.5);
    gl_FragColor = vec4(col, 1.0);
}
