/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: a white disc under every tracked visitor (PRESENCE_POS), zone 0 occupancy in blue.",
  "INPUTS": []
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    float v = 0.0;
    for (int i = 0; i < PRESENCE_MAX_PEOPLE; i++) {
        if (i >= PRESENCE_COUNT) break;
        v = max(v, step(distance(uv, PRESENCE_POS(i)), 0.1) * PRESENCE_TRACKS[i].w);
    }
    gl_FragColor = vec4(v, v, max(v, PRESENCE_ZONES[0].y * 0.5), 1.0);
}
