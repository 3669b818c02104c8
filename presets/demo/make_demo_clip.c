/*
 * Writes presets/demo/guitar-like.wav: 3.5 s of plucked strings at 48 kHz,
 * mono 16-bit, by Karplus-Strong synthesis (a noise burst circulating in a
 * delay line one period long, averaged with its neighbour each pass, so high
 * harmonics die first as on a real string). The six open strings of a guitar
 * are picked one after another, then strummed together. The strings are
 * presets/synth/pluck.h, whose noise generator has a fixed seed here, so the
 * file is the same on every run.
 *
 * Usage: make-demo-clip OUTPUT.wav
 */
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "../synth/pluck.h"

#define RATE    48000
#define SECONDS 3.5
#define FRAMES  ((size_t)(RATE * SECONDS))

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-demo-clip OUTPUT.wav\n");
		return 2;
	}
	static const double open_strings[6] = {82.41, 110.0, 146.83, 196.0, 246.94, 329.63};
	static pluck_string voices[12];
	pluck_rng rng = {12345u};
	for (int i = 0; i < 6; i++) {
		pluck_start(&voices[i], &rng, RATE, open_strings[i], (size_t)(0.25 * i * RATE), 0.6,
		            0.996);
		pluck_start(&voices[6 + i], &rng, RATE, open_strings[i],
		            (size_t)((1.8 + 0.012 * i) * RATE), 0.45, 0.996);
	}
	float *out = calloc(FRAMES, sizeof(float));
	if (!out)
		return 1;
	double peak = 0;
	for (size_t n = 0; n < FRAMES; n++) {
		double sum = 0;
		for (int v = 0; v < 12; v++)
			sum += pluck_next(&voices[v], n);
		out[n] = (float)sum;
		peak = fmax(peak, fabs(sum));
	}
	for (size_t n = 0; n < FRAMES; n++)
		out[n] = (float)(out[n] * (0.8 / peak));
	SF_INFO info = {
	    .samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	SNDFILE *f = sf_open(argv[1], SFM_WRITE, &info);
	bool ok = f && sf_writef_float(f, out, (sf_count_t)FRAMES) == (sf_count_t)FRAMES;
	if (f)
		ok = sf_close(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "make-demo-clip: cannot write %s: %s\n", argv[1],
		        sf_strerror(NULL));
	free(out);
	return ok ? 0 : 1;
}
