/* A model stepping at its own rate inside a stream; the rule is in rate.h. */
#include "rate.h"

#include <math.h>
#include <string.h>

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Milli-hertz, at least 1: rates are exact fractions from here on. */
static uint64_t milli_hz(double rate)
{
	double v = round(rate * 1000.0);
	return v < 1.0 ? 1u : (uint64_t)v;
}

void recur_rate_init(recur_rate *r, const recur_model *m, double stream_rate)
{
	memset(r, 0, sizeof *r);
	r->n_inputs = m->shape.n_inputs;
	r->n_outputs = m->shape.n_outputs;
	double model_rate = m->sample_rate;
	r->per_sample =
	    !(model_rate > 0) || !(stream_rate > 0) ||
	    fabs(model_rate - stream_rate) <= RECUR_RATE_TOLERANCE * fmax(model_rate, stream_rate);
	uint64_t h = milli_hz(stream_rate), mm = milli_hz(model_rate > 0 ? model_rate : 1.0);
	uint64_t g = gcd_u64(h, mm);
	r->host_units = r->per_sample ? 1 : h / g;
	r->model_units = r->per_sample ? 1 : mm / g;
}

void recur_rate_reset(recur_rate *r)
{
	r->phase = 0;
	r->count = 0;
	r->steps = 0;
	memset(r->sum, 0, sizeof r->sum);
	memset(r->step_in, 0, sizeof r->step_in);
	memset(r->prev_out, 0, sizeof r->prev_out);
	memset(r->last_out, 0, sizeof r->last_out);
}

double recur_rate_samples_per_step(const recur_rate *r)
{
	return (double)r->host_units / (double)r->model_units;
}

/* Ends the current step: averages what was summed (a second step on the same
 * sample reuses that sample's average) and advances the network. */
static void end_step(recur_rate *r, recur_model *m)
{
	if (r->count) {
		for (int i = 0; i < r->n_inputs; i++) {
			r->step_in[i] = (float)(r->sum[i] / r->count);
			r->sum[i] = 0.0;
		}
		r->count = 0;
	}
	memcpy(r->prev_out, r->last_out, sizeof r->last_out);
	recur_step(m, r->step_in, r->last_out);
	r->steps++;
}

static void write_output(const recur_rate *r, float *y, bool interpolate)
{
	if (!interpolate) {
		memcpy(y, r->last_out, (size_t)r->n_outputs * sizeof *y);
		return;
	}
	/* phase < H, so the fraction stays below 1 and the line never overshoots. */
	double frac = (double)r->phase / (double)r->host_units;
	for (int o = 0; o < r->n_outputs; o++)
		y[o] = (float)(r->prev_out[o] + frac * ((double)r->last_out[o] - r->prev_out[o]));
}

void recur_rate_process(recur_rate *r, recur_model *m, const float *x, float *y, size_t frames,
                        bool interpolate)
{
	if (r->per_sample) {
		recur_process(m, x, y, frames);
		r->steps += frames;
		return;
	}
	const size_t n_in = (size_t)r->n_inputs, n_out = (size_t)r->n_outputs;
	for (size_t t = 0; t < frames; t++) {
		for (size_t i = 0; i < n_in; i++)
			r->sum[i] += x[t * n_in + i];
		r->count++;
		r->phase += r->model_units;
		while (r->phase >= r->host_units) {
			r->phase -= r->host_units;
			end_step(r, m);
		}
		write_output(r, y + t * n_out, interpolate);
	}
}
