/*
 * A model running at its own rate inside a stream at another rate: a sensor
 * model trained at 100 frames per second fed by a 48 kHz host, or a CSV whose
 * rows come faster or slower than the model's frames. The CV plugin and
 * recur-process run streams through this one unit, so both give the same
 * numbers for the same samples.
 *
 * The rule, per stream sample n = 0, 1, 2, ...:
 *   - when the two rates are equal (within RECUR_RATE_TOLERANCE, or the model
 *     does not say its rate) the network advances once per sample and the
 *     output is the network's output: nothing below applies;
 *   - otherwise each input is averaged over the samples of one model step and
 *     the network advances once per step. The rates are exact fractions
 *     (milli-hertz, reduced): an integer phase gains M per sample and a step
 *     ends on the sample where it reaches H (then loses H), so step k ends on
 *     sample ceil(k H / M) - 1 however the stream is cut into blocks. A model
 *     faster than the stream takes several steps on one sample, each with that
 *     sample's value.
 *   - hold: the output is the last step's output, from the sample its step
 *     ends on; 0 before the first step ends.
 *   - interpolate: the output moves in a straight line from the step before
 *     last's output to the last step's, by phase / H, so it reaches a step's
 *     output one step after the hold would show it: a latency of exactly one
 *     model step (H / M stream samples). 0 stands in for steps before the
 *     first.
 *
 * Real-time safe: no allocation, bounded work per sample.
 */
#ifndef RECUR_RATE_H
#define RECUR_RATE_H

#include "recur.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Relative difference below which two rates count as the same. */
#define RECUR_RATE_TOLERANCE 1e-4

/* The stepping state. Interleaved frames in and out, as recur_process. */
typedef struct {
	bool per_sample;      /* rates equal: one network step per sample */
	uint64_t host_units;  /* H: stream rate in milli-hertz, reduced with M */
	uint64_t model_units; /* M: model rate in milli-hertz, reduced with H */
	uint64_t phase;       /* [0, H): progress into the current step, in 1/M samples */
	int n_inputs, n_outputs;
	uint32_t count;               /* samples summed into the current step */
	double sum[RECUR_MAX_IO];     /* per input, over the current step */
	float step_in[RECUR_MAX_IO];  /* the last step's averaged input */
	float prev_out[RECUR_MAX_IO]; /* output of the step before last */
	float last_out[RECUR_MAX_IO]; /* output of the last step */
	uint64_t steps;               /* network steps since the last reset */
} recur_rate;

/* Sets up r for model m in a stream of stream_rate samples per second (> 0).
 * A model rate of 0 (unknown) runs per sample. Starts reset. */
void recur_rate_init(recur_rate *r, const recur_model *m, double stream_rate);
/* Forgets partial sums and held outputs; the next step starts at the next
 * sample. Does not touch the model (call recur_reset for that). */
void recur_rate_reset(recur_rate *r);
/* x: frames * n_inputs floats, y: frames * n_outputs floats, interleaved;
 * x and y must not alias. interpolate is ignored when running per sample. */
void recur_rate_process(recur_rate *r, recur_model *m, const float *x, float *y, size_t frames,
                        bool interpolate);
/* Stream samples per model step (H / M), 1 when running per sample. */
double recur_rate_samples_per_step(const recur_rate *r);

#endif
