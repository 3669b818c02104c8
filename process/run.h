/* Running a model over a whole input, block by block. */
#ifndef RECUR_PROCESS_RUN_H
#define RECUR_PROCESS_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "host_rate.h"
#include "recur.h"

/*
 * The model's input for every frame. Either mono (input 0's samples, with
 * inputs 1.. held at cond[0..n_inputs-2]) or interleaved x (frames *
 * n_inputs floats, frame-major) for everything else.
 */
typedef struct {
	size_t frames;
	const float *mono;
	const float *cond;
	const float *x;
	/* Samples per second of x when it may differ from the model's rate
	 * (engine/rate.h steps the model at its own); 0 = one step per frame. */
	double stream_rate;
	bool interpolate;
	/* Audio at a host rate other than the model's: the plugin's method
	 * (engine/host_rate.h) runs the model; NULL = the model directly. */
	recur_host_rate *host;
} run_input;

/* Frames handed to the engine per call: the size of a large host buffer, so
 * the offline path exercises the engine as the plugin does. */
#define RUN_BLOCK 4096

/* Writes frames * n_outputs floats to y, starting from a reset state and
 * resetting again at every multiple of reset_every frames (0 = never). Mono
 * input uses recur_process_mono and writes output 0 only (n_outputs must be 1). */
void run_model(recur_model *m, const run_input *in, float *y, size_t reset_every);

#endif
