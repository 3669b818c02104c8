/*
 * Karplus-Strong plucked strings, shared by every generator of guitar-like
 * audio in recur (the demo clip, the training takes of the presets): a noise
 * burst circulates in a delay line one period long and is averaged with its
 * neighbour on each pass, so high harmonics die first as on a real string.
 *
 * Header-only so a single-file generator can use it without a library.
 * Everything is deterministic: noise comes from a fixed linear congruential
 * generator owned by the caller, so a file made from a seed is the same on
 * every machine.
 */
#ifndef RECUR_PRESETS_PLUCK_H
#define RECUR_PRESETS_PLUCK_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Longest period in samples: 46.9 Hz at 48 kHz, below a guitar's low E. */
#define PLUCK_MAX_PERIOD 1024

/* The noise source: Numerical Recipes' LCG. Its low bits are poor, so only
 * the top 24 are used. */
typedef struct {
	uint32_t state;
} pluck_rng;

/* Uniform in [-1, 1). */
static inline double pluck_noise(pluck_rng *r)
{
	r->state = r->state * 1664525u + 1013904223u;
	return (double)(r->state >> 8) / (double)(1u << 24) * 2.0 - 1.0;
}

/* Uniform in [0, 1). */
static inline double pluck_uniform(pluck_rng *r)
{
	return 0.5 * (pluck_noise(r) + 1.0);
}

/* One string: its delay line (period samples used) and when it was plucked. */
typedef struct {
	double line[PLUCK_MAX_PERIOD];
	size_t period;
	size_t pos;   /* next sample of line to play */
	size_t start; /* frame of the pluck: silent before it */
	double decay; /* loss per pass round the line; closer to 1 rings longer */
} pluck_string;

/* Plucks s at frame `start`, replacing whatever it was playing (as picking a
 * ringing string does). freq is clamped to what the delay line can hold. */
static inline void pluck_start(pluck_string *s, pluck_rng *r, double rate, double freq,
                               size_t start, double amp, double decay)
{
	memset(s, 0, sizeof *s);
	long period = lround(rate / freq);
	s->period = period < 2 ? 2 : period > PLUCK_MAX_PERIOD ? PLUCK_MAX_PERIOD : (size_t)period;
	s->start = start;
	s->decay = decay;
	double prev = 0;
	for (size_t i = 0; i < s->period; i++) {
		/* A softened burst: a pick is not a perfect impulse. */
		prev = 0.5 * prev + 0.5 * pluck_noise(r);
		s->line[i] = amp * prev;
	}
}

/* The string's output at `frame`; frames must be visited in order. */
static inline double pluck_next(pluck_string *s, size_t frame)
{
	if (frame < s->start || s->period == 0)
		return 0;
	size_t next = (s->pos + 1) % s->period;
	double out = s->line[s->pos];
	s->line[s->pos] = s->decay * 0.5 * (s->line[s->pos] + s->line[next]);
	s->pos = next;
	return out;
}

#endif
