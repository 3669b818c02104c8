/* The input a writer stores in a model's check block and the output it
 * computes (check_signal.h). */
#include "check_signal.h"

#include "format_json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define SWEEP_LEVEL 0.35
#define NOISE_LEVEL 0.15
#define SWEEP_START (1.0 / 128.0) /* cycles per frame */
#define SWEEP_END   (1.0 / 8.0)

/* xorshift32: the same numbers on every machine. */
static uint32_t next_random(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

void recur_check_signal(float *x, int frames, int stride)
{
	const double pi = 3.14159265358979323846;
	uint32_t seed = 0x2545f491u;
	double phase = 0;
	for (int i = 0; i < frames; i++) {
		/* exponential sweep: equal time per octave */
		const double f = SWEEP_START * pow(SWEEP_END / SWEEP_START, (double)i / frames);
		const double noise = next_random(&seed) / 4294967295.0 * 2.0 - 1.0;
		x[(size_t)i * stride] =
		    (float)(SWEEP_LEVEL * sin(2 * pi * phase) + NOISE_LEVEL * noise);
		phase += f;
		phase -= floor(phase);
	}
}

void recur_check_input(const recur_model *m, float *x, int frames)
{
	const int n = m->shape.n_inputs;
	recur_check_signal(x, frames, n);
	for (int j = 1; j < n; j++) {
		const recur_port *p = &m->inputs[j];
		for (int i = 0; i < frames; i++) {
			const double t = frames > 1 ? (double)i / (frames - 1) : 0.0;
			x[(size_t)i * n + j] = (float)(p->min + t * ((double)p->max - p->min));
		}
	}
}

bool recur_check_run(const recur_model *m, const float *x, float *y, int frames, recur_error *err)
{
	recur_model *copy = recur_model_clone(m, err);
	if (!copy)
		return false;
	recur_reset(copy);
	recur_process(copy, x, y, (size_t)frames);
	recur_model_free(copy);
	return true;
}

bool recur_check_attach(recur_model *m, recur_error *err)
{
	const int frames = RECUR_CHECK_FRAMES;
	float *x = malloc(sizeof *x * (size_t)frames * m->shape.n_inputs);
	float *y = malloc(sizeof *y * (size_t)frames * m->shape.n_outputs);
	bool ok = x && y;
	if (!ok)
		fj_fail(err, "out of memory");
	if (ok) {
		recur_check_input(m, x, frames);
		ok = recur_check_run(m, x, y, frames, err) &&
		     recur_model_set_check(m, x, y, (size_t)frames, err);
	}
	free(x);
	free(y);
	return ok;
}
