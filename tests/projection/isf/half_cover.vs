void main() {
    isf_vertShaderInit();
    // squeeze the quad into the left half: x -1..1 → -1..0
    gl_Position.x = gl_Position.x * 0.5 - 0.5;
}
