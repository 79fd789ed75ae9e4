/*{
  "ISFVSN": "2",
  "DESCRIPTION": "Conformance: audio inputs. Top half: the waveform of channel 0 (as grey); bottom half: the FFT, channel 0 in red, channel 1 in green, read at MAX 64 bins.",
  "INPUTS": [
    {"NAME": "wave", "TYPE": "audio"},
    {"NAME": "spectrum", "TYPE": "audioFFT", "MAX": 64}
  ]
}*/

void main() {
    vec2 uv = isf_FragNormCoord;
    if (uv.y > 0.5) {
        // row 0 = channel 0: sample the middle of the first row
        float w = IMG_NORM_PIXEL(wave, vec2(uv.x, 0.5 / IMG_SIZE(wave).y)).r;
        gl_FragColor = vec4(vec3(w), 1.0);
    } else {
        float left = IMG_NORM_PIXEL(spectrum, vec2(uv.x, 0.25)).r;
        float right = IMG_NORM_PIXEL(spectrum, vec2(uv.x, 0.75)).r;
        gl_FragColor = vec4(left, right, IMG_SIZE(spectrum).x / 256.0, 1.0);
    }
}
