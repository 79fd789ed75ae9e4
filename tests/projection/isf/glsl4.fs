/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: GLSL that VVISF's desktop GL 4 compile accepts and GLSL 3.30 refuses: an int assigned to a uint, a function returning an int as float, a later keyword (sample) used as a name, an int compared with a float.",
  "INPUTS": [{"NAME": "steps", "TYPE": "long", "VALUES": [1, 2, 3], "DEFAULT": 3}]
}*/

float quarter() { return 1; }

void main() {
    uint count = steps;                      // int → uint
    float sample = quarter() / 4.0;           // int returned as float; 'sample' is a keyword in 4.00
    float lit = (steps > 2.5) ? 1.0 : 0.0;    // int compared with a float
    gl_FragColor = vec4(float(count) / 4.0, sample, lit, 1.0);
}
