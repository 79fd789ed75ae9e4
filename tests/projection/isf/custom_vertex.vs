varying vec2 ramp;

void main() {
    isf_vertShaderInit();
    ramp = vec2(isf_FragNormCoord.y, shift);
}
