/*
 * Writes presets/demo/guitar-like.wav: 3.5 s of plucked strings at 48 kHz,
 * mono 16-bit, by Karplus-Strong synthesis (a noise burst circulating in a
 * delay line one period long, averaged with its neighbour each pass, so high
 * harmonics die first as on a real string). The six open strings of a guitar
 * are picked one after another, then strummed together. Noise comes from a
 * fixed linear congruential generator, so the file is the same on every run.
 *
 * Usage: make-demo-clip OUTPUT.wav
 */
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE       48000
#define SECONDS    3.5
#define FRAMES     ((size_t)(RATE * SECONDS))
#define MAX_PERIOD 1024

/* One string: its delay line and where it starts sounding. */
typedef struct {
	double line[MAX_PERIOD];
	size_t period;
	size_t pos;
	size_t start; /* frame of the pluck */
	double decay; /* loss per pass; closer to 1 rings longer */
} string_voice;

static uint32_t lcg_state = 12345u;

static double noise(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return (double)(lcg_state >> 8) / (double)(1u << 24) * 2.0 - 1.0;
}

static void pluck(string_voice *s, double freq, double at_seconds, double amp)
{
	memset(s, 0, sizeof *s);
	s->period = (size_t)lround(RATE / freq);
	s->start = (size_t)(at_seconds * RATE);
	s->decay = 0.996;
	double prev = 0;
	for (size_t i = 0; i < s->period; i++) {
		/* A softened burst: a pick is not a perfect impulse. */
		prev = 0.5 * prev + 0.5 * noise();
		s->line[i] = amp * prev;
	}
}

static double string_next(string_voice *s, size_t frame)
{
	if (frame < s->start)
		return 0;
	size_t next = (s->pos + 1) % s->period;
	double out = s->line[s->pos];
	s->line[s->pos] = s->decay * 0.5 * (s->line[s->pos] + s->line[next]);
	s->pos = next;
	return out;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-demo-clip OUTPUT.wav\n");
		return 2;
	}
	static const double open_strings[6] = {82.41, 110.0, 146.83, 196.0, 246.94, 329.63};
	static string_voice voices[12];
	for (int i = 0; i < 6; i++) {
		pluck(&voices[i], open_strings[i], 0.25 * i, 0.6);
		pluck(&voices[6 + i], open_strings[i], 1.8 + 0.012 * i, 0.45);
	}
	float *out = calloc(FRAMES, sizeof(float));
	if (!out)
		return 1;
	double peak = 0;
	for (size_t n = 0; n < FRAMES; n++) {
		double sum = 0;
		for (int v = 0; v < 12; v++)
			sum += string_next(&voices[v], n);
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
