/*{
  "ISFVSN": "2",
  "DESCRIPTION": "The Unenclosed · attract: a biodome breathing light in the dark, dust outside. Visitors light nodes on its shell.",
  "CREDIT": "installation bundled scenes",
  "CATEGORIES": ["The Unenclosed", "attract"],
  "INPUTS": [
    {"NAME": "glow", "LABEL": "Glow", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.6},
    {"NAME": "hue", "LABEL": "Hue", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.42},
    {"NAME": "breath", "LABEL": "Breathing speed", "TYPE": "float", "MIN": 0.0, "MAX": 1.0, "DEFAULT": 0.3},
    {"NAME": "focus", "LABEL": "Dome centre", "TYPE": "point2D", "MIN": [0.0, 0.0], "MAX": [1.0, 1.0], "DEFAULT": [0.5, 0.3]}
  ]
}*/

// Cost notes: each pixel only pays for the layers it shows.
// - A pixel needs at most two noise fields: dust and roots on the ground, the canopy and the field that
//   warps it inside the dome, only dust in the night beside it. So two fbm calls serve all three places,
//   with as many octaves as the place needs (none where a field is not seen; the faint dust gets two).
// - The visitors' nodes and ripples fade out within 0.15 of the shell: farther away the visitor loop
//   stops after one round.
// - The loops with a varying count are do-while loops: a CPU renderer runs a loop's body at least once
//   anyway (with the pixels masked off), so the test that ends the loop comes after the body.
// - sin and cos are slow on CPU renderers: breathing, ripples and twinkling use wave() below, the
//   visitors' nodes short polynomials.
// - Colour is summed once at the end, as a few colours times their weights.

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

// up to four octaves (octaves = 0 gives 0: the one round the do-while runs is not used)
float fbm(vec2 p, int octaves) {
    float v = 0.0, a = 0.5;
    int i = 0;
    do {
        v += a * noise(p); p = p * 2.03 + 17.1; a *= 0.5;
    } while (++i < octaves);
    return octaves > 0 ? v : 0.0;
}

// 0.5 + 0.5·sin(x), nearly: a smoothed triangle wave (sin is slow on CPU renderers)
float wave(float x) {
    return smoothstep(0.0, 1.0, 1.0 - abs(2.0 * fract(x * 0.15915494 + 0.25) - 1.0));
}

vec3 hsv(float h, float s, float v) {
    vec3 k = clamp(abs(fract(h + vec3(0.0, 4.0, 2.0) / 6.0) * 6.0 - 3.0) - 1.0, 0.0, 1.0);
    return v * mix(vec3(1.0), k, s);
}

// floating spores: one soft dot per cell, drifting upwards
float spores(vec2 p, float t, float scale) {
    p *= scale;
    p.y -= t;
    vec2 cell = floor(p);
    vec2 f = fract(p) - 0.5;
    float h = hash12(cell);
    vec2 off = vec2(hash12(cell + 3.1), hash12(cell + 7.7)) - 0.5;
    float d = length(f - off * 0.7);
    float twinkle = wave(t * 3.0 + h * 40.0);
    return step(0.55, h) * smoothstep(0.09, 0.0, d) * twinkle;
}

void main() {
    vec2 uv = isf_FragNormCoord;
    float aspect = RENDERSIZE.x / RENDERSIZE.y;
    vec2 p = (uv - focus) * vec2(aspect, 1.0);
    float t = TIME;
    float R = 0.46;
    float r = length(p);
    float breathe = 0.5 + 0.5 * wave(t * (0.4 + 2.2 * breath));   // = 0.75 + 0.25·sin(...)
    float near = PRESENCE_NEAREST;
    float g = glow * breathe * (0.8 + 0.6 * near);
    vec3 bio = hsv(hue, 0.75, 1.0);
    vec3 bio2 = hsv(hue + 0.12, 0.6, 1.0);
    float upper = step(0.0, p.y);
    float inside = upper * smoothstep(R + 0.003, R - 0.003, r);

    // the noise fields this pixel shows (see the cost notes)
    bool dome = inside > 0.0;
    bool ground = p.y < 0.0;
    bool dusty = p.y < 0.35;                                     // dust fades out above 0.35
    bool rooted = ground && p.y > -0.25 && abs(p.x) < R;         // root glow only under the dome
    vec2 q = p * 3.0;
    // field A: the canopy's warp in the dome, else dust
    float fieldA = fbm(dome ? q * 1.7 + t * 0.05 : vec2(p.x * 2.0 + t * 0.05, p.y * 5.0), dome ? 4 : (dusty ? 2 : 0));
    // field B: the canopy in the dome, else the roots
    float fieldB = fbm(dome ? q + vec2(0.0, -t * 0.08) + fieldA : vec2(p.x * 6.0, p.y * 14.0 - t * 0.1),
                       (dome || rooted) ? 4 : 0);

    // outside: a dusty night over the Unenclosed (dust behind the dome is hidden: its mean stands in)
    float dust = dome ? 0.47 : fieldA * 1.25;      // (two octaves, scaled to the range of four)
    float star = step(0.9975, hash12(floor(uv * RENDERSIZE / 2.0)));
    vec3 night = mix(vec3(0.012, 0.014, 0.03), vec3(0.06, 0.035, 0.02), smoothstep(0.6, 0.0, uv.y))
               + vec3(0.16, 0.09, 0.04) * dust * smoothstep(0.35, -0.1, p.y) * 0.8
               + vec3(0.5, 0.55, 0.7) * star * (0.3 + 0.7 * hash12(floor(uv * RENDERSIZE))) * smoothstep(0.05, 0.5, p.y);
    float wBio = 0.0, wBio2 = 0.0;    // how much of the dome's two colours this pixel gets

    // ground: dark soil with root glow under the dome
    float soil = 1.0 - upper;
    if (ground) {
        float roots = fieldB;
        float under = smoothstep(R, 0.0, abs(p.x)) * smoothstep(-0.25, 0.0, p.y);
        wBio += (roots * roots * roots) * under * g * 1.4;
    }

    // inside the dome: bioluminescent canopy, spores and a warm haze (all times 0.3 + g)
    float lit = inside * (0.3 + g);
    if (dome) {
        float canopy = fieldB;
        float ground_glow = smoothstep(0.35, 0.0, p.y);
        // canopy^2.25 (was pow(canopy, 2.2): two square roots cost less than a pow)
        wBio += lit * ((canopy * canopy * sqrt(sqrt(canopy))) * (0.35 + 0.9 * ground_glow) + spores(p + 3.0, t * 0.07, 26.0) * 0.6);
        wBio2 += lit * spores(p, t * 0.12, 14.0) * 0.9;
    }
    // the night shows outside the dome, darkened on the ground; the dome's haze inside
    vec3 col = night * ((1.0 - 0.6 * soil) * (1.0 - inside)) + vec3(0.02, 0.015, 0.01) * (0.6 * soil)
             + vec3(0.01, 0.04, 0.05) * lit;

    // the shell: a rim of light with a faint hexagonal lattice brighter toward the edge
    // (the rim's sharp exp(-70x) is made from the halo's exp(-12x): exp(-72x) = exp(-12x)^6, one exp less)
    float halo = exp(-abs(r - R) * 12.0) * upper;
    float rim = halo * halo;
    rim = rim * rim * rim;
    // geodesic triangles, bent as if drawn on a sphere so they crowd toward the rim
    vec2 sph = p / (0.12 + sqrt(max(R * R - r * r, 0.0))) * 2.4;
    // three families of lines at 60°; the nearest line decides (smoothstep of the max = max of the smoothsteps)
    float f = max(abs(fract(sph.x) - 0.5),
                  max(abs(fract(dot(sph, vec2(0.5, 0.866025))) - 0.5), abs(fract(dot(sph, vec2(-0.5, 0.866025))) - 0.5)));
    float lattice = smoothstep(0.43, 0.5, f);
    lattice *= inside * smoothstep(R * 0.3, R, r);
    wBio += (rim * 1.2 + lattice * 0.25 + halo * 0.12) * g;

    // visitors light nodes on the shell; ripples run across the lattice from them
    float shell = lattice * 2.0 + rim * 0.6 + inside * 0.08;   // where the ripples show
    // nodes and ripples fade out within 0.15 of the shell (and the nodes stay above the ground)
    bool reached = r < R + 0.15 && (p.y > 0.0 || (p.y > -0.15 && abs(p.x) > R - 0.15));
    int visitors = reached ? PRESENCE_COUNT : 0;
    float nodes = 0.0, ripples = 0.0;
    int i = 0;
    do {
        // the node at angle (1 - x)·pi on the shell: (sin th, cos th) * R with th = (x - 0.5)·pi, from
        // their Taylor polynomials (error below 2e-4)
        float th = (PRESENCE_PEOPLE[i].x - 0.5) * 3.14159, t2 = th * th;
        vec2 node = vec2(th * (1.0 + t2 * (-0.16666667 + t2 * (0.0083333 - t2 * 0.00019841))),
                         1.0 + t2 * (-0.5 + t2 * (0.041666667 + t2 * (-0.0013888889 + t2 * 0.0000248016)))) * R;
        float d = length(p - node);
        float strength = (0.4 + PRESENCE_PEOPLE[i].y) * PRESENCE_TRACKS[i].w;   // closeness · weight
        nodes += exp(-d * 45.0) * strength;
        ripples += wave(d * 70.0 - t * 5.0) * exp(-d * 7.0) * strength;
    } while (++i < visitors);
    if (visitors > 0) {
        col += vec3(1.0, 0.95, 0.85) * nodes * 1.5;
        wBio2 += ripples * shell;
    }
    col += bio * wBio + bio2 * wBio2;

    col = 1.0 - exp(-col * 1.6);
    gl_FragColor = vec4(col, 1.0);
}
