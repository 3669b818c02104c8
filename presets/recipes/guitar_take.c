/* Guitar-like takes: see guitar_take.h. */
#include "guitar_take.h"

#include "../synth/pluck.h"

#include <math.h>
#include <stdlib.h>

#define STRINGS 6

static const double open_hz[STRINGS] = {82.41, 110.0, 146.83, 196.0, 246.94, 329.63};

/* Frets of open chord shapes, low E string first; -1 leaves a string out. */
static const int shapes[][STRINGS] = {
    {0, 2, 2, 1, 0, 0},   /* E */
    {-1, 0, 2, 2, 1, 0},  /* Am */
    {3, 2, 0, 0, 0, 3},   /* G */
    {-1, -1, 0, 2, 3, 2}, /* D */
    {-1, 3, 2, 0, 1, 0},  /* C */
    {0, 2, 2, 0, 0, 0},   /* Em */
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

/* The player: six strings, where the take has got to and how hard they pick. */
typedef struct {
	pluck_string str[STRINGS];
	pluck_rng rng;
	double rate;
	double level; /* picking strength of the current phrase, 0.15..1 */
} player;

static double fret_hz(int string, int fret)
{
	return open_hz[string] * pow(2.0, fret / 12.0);
}

/* Ring time of a plucked note: loss per pass of the delay line. */
static double ring_decay(player *p, bool muted)
{
	return muted ? 0.93 + 0.03 * pluck_uniform(&p->rng)
	             : 0.990 + 0.008 * pluck_uniform(&p->rng);
}

/* A single note; returns the frames until the next event. */
static size_t play_note(player *p, size_t at)
{
	int s = (int)(pluck_uniform(&p->rng) * STRINGS);
	int fret = (int)(pluck_uniform(&p->rng) * 13);
	bool muted = pluck_uniform(&p->rng) < 0.2;
	double amp = 0.35 * p->level * (0.6 + 0.4 * pluck_uniform(&p->rng));
	pluck_start(&p->str[s], &p->rng, p->rate, fret_hz(s, fret), at, amp, ring_decay(p, muted));
	return (size_t)(p->rate * (muted ? 0.1 + 0.2 * pluck_uniform(&p->rng)
	                                 : 0.15 + 0.5 * pluck_uniform(&p->rng)));
}

/* A strummed chord: an open shape, or a power chord up the neck. */
static size_t play_chord(player *p, size_t at)
{
	int frets[STRINGS];
	if (pluck_uniform(&p->rng) < 0.7) {
		const int *shape = shapes[(size_t)(pluck_uniform(&p->rng) * N_SHAPES)];
		for (int s = 0; s < STRINGS; s++)
			frets[s] = shape[s];
	} else {
		int root = 1 + (int)(pluck_uniform(&p->rng) * 10);
		int low = pluck_uniform(&p->rng) < 0.5 ? 0 : 1; /* on the E or the A string */
		for (int s = 0; s < STRINGS; s++)
			frets[s] = s == low ? root : s == low + 1 || s == low + 2 ? root + 2 : -1;
	}
	bool up = pluck_uniform(&p->rng) < 0.3;
	bool muted = pluck_uniform(&p->rng) < 0.15;
	double spread = p->rate * (0.006 + 0.016 * pluck_uniform(&p->rng)); /* between strings */
	double amp = 0.22 * p->level * (0.7 + 0.3 * pluck_uniform(&p->rng));
	double decay = ring_decay(p, muted);
	for (int k = 0; k < STRINGS; k++) {
		int s = up ? STRINGS - 1 - k : k;
		if (frets[s] < 0)
			continue;
		pluck_start(&p->str[s], &p->rng, p->rate, fret_hz(s, frets[s]),
		            at + (size_t)(k * spread), amp, decay);
	}
	return (size_t)(p->rate * (muted ? 0.15 + 0.25 * pluck_uniform(&p->rng)
	                                 : 0.4 + 1.1 * pluck_uniform(&p->rng)));
}

/* A rest: every string damped by the hand within a few periods. */
static size_t play_rest(player *p)
{
	for (int s = 0; s < STRINGS; s++)
		p->str[s].decay = 0.6;
	return (size_t)(p->rate * (0.2 + 0.8 * pluck_uniform(&p->rng)));
}

bool guitar_take(float *x, size_t n, double rate, uint32_t seed)
{
	player *p = calloc(1, sizeof *p);
	if (!p)
		return false;
	p->rng.state = seed;
	p->rate = rate;
	p->level = 0.6;
	size_t next_event = 0;
	double peak = 0;
	for (size_t t = 0; t < n; t++) {
		if (t == next_event) {
			double r = pluck_uniform(&p->rng);
			if (r < 0.15) /* a new phrase: soft to hard picking */
				p->level = 0.15 + 0.85 * pluck_uniform(&p->rng);
			r = pluck_uniform(&p->rng);
			size_t wait = r < 0.45   ? play_note(p, t)
			              : r < 0.85 ? play_chord(p, t)
			                         : play_rest(p);
			next_event = t + (wait > 0 ? wait : 1);
		}
		double sum = 0;
		for (int s = 0; s < STRINGS; s++)
			sum += pluck_next(&p->str[s], t);
		x[t] = (float)sum;
		peak = fmax(peak, fabs(sum));
	}
	double scale = peak > 0 ? GUITAR_TAKE_PEAK / peak : 1.0;
	for (size_t t = 0; t < n; t++)
		x[t] = (float)(x[t] * scale);
	free(p);
	return true;
}
