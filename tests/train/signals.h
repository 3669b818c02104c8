/*
 * Test signals for the trainer, computed from their definitions here so the
 * tests never take the trainer's word for a target:
 *   pluck_notes  guitar-like notes (Karplus-Strong plucked strings)
 *   diode_tone   a diode clipper with a tone filter: a DC-blocking high-pass,
 *                gain, asymmetric diode-pair clipping (the forward drop of the
 *                two directions differs), then a one-pole tone low-pass
 */
#ifndef RECUR_TEST_TRAIN_SIGNALS_H
#define RECUR_TEST_TRAIN_SIGNALS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline double sig_uniform(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* Notes of random pitch (E2..E5), level and length, some overlapping
 * chords' worth of decay, like a guitar DI recording peaking near 0.5. */
static inline void pluck_notes(float *x, size_t n, double rate, uint64_t seed)
{
	enum { MAX_DELAY = 4096 };
	float *line = calloc(MAX_DELAY, sizeof(float));
	memset(x, 0, n * sizeof(float));
	size_t t = 0;
	while (t < n) {
		const double f = 82.4 * pow(2.0, 3.0 * sig_uniform(&seed));
		const double amp = 0.1 + 0.4 * sig_uniform(&seed);
		const size_t len = (size_t)(rate * (0.15 + 0.6 * sig_uniform(&seed)));
		int d = (int)(rate / f);
		d = d < 2 ? 2 : d > MAX_DELAY ? MAX_DELAY : d;
		for (int i = 0; i < d; i++)
			line[i] = (float)(amp * (2.0 * sig_uniform(&seed) - 1.0));
		for (size_t k = 0; k < len * 2 && t + k < n; k++) {
			const int i = (int)(k % (size_t)d), j = (i + 1) % d;
			const float v = 0.498f * (line[i] + line[j]);
			x[t + k] += line[i];
			line[i] = v;
		}
		t += len;
	}
	free(line);
}

static inline void diode_tone(const float *x, float *y, size_t n, double rate)
{
	const double hp_a = exp(-2.0 * M_PI * 20.0 / rate);
	const double lp_a = 1.0 - exp(-2.0 * M_PI * 2500.0 / rate);
	double hp_x = 0, hp_y = 0, lp = 0;
	for (size_t i = 0; i < n; i++) {
		hp_y = hp_a * (hp_y + x[i] - hp_x);
		hp_x = x[i];
		const double v = 8.0 * hp_y;
		const double c = v >= 0 ? tanh(v) : 0.6 * tanh(v / 0.6);
		lp += lp_a * (c - lp);
		y[i] = (float)(0.5 * lp);
	}
}

#endif
