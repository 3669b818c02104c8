/*
 * The data a writer stores so that a model file can check itself: a short,
 * fixed input and the output this engine computed for it. recur's format
 * keeps it as the model's check block; AIDA-X files as input_batch and
 * output_batch.
 *
 * The input (docs/model-format.md, "Check block"): RECUR_CHECK_FRAMES frames;
 * input 0 is a sine sweeping from 1/128 to 1/8 of the frame rate (375 Hz to
 * 6 kHz at 48 kHz; the same shape at any rate) at 0.35 plus uniform noise
 * from a fixed generator at 0.15, so peaks stay under 0.5, the level of a
 * guitar at an interface's input; each conditioning input ramps linearly from
 * its min to its max, so the whole trained range is exercised. Nothing in it
 * depends on the machine.
 */
#ifndef RECUR_CHECK_SIGNAL_H
#define RECUR_CHECK_SIGNAL_H

#include "recur.h"

#include <stdbool.h>

#define RECUR_CHECK_FRAMES 512

/* Input 0 only: x[i * stride] for i < frames; the rest of x is untouched. */
void recur_check_signal(float *x, int frames, int stride);
/* The whole input: frames * n_inputs floats, interleaved. */
void recur_check_input(const recur_model *m, float *x, int frames);
/* Runs a copy of m from its reset state over x (frames * n_inputs) into y
 * (frames * n_outputs). m itself is not touched. */
bool recur_check_run(const recur_model *m, const float *x, float *y, int frames, recur_error *err);
/* Computes the check input and the output for it and stores both as m's
 * check block (replacing any), for recur_model_save to write. */
bool recur_check_attach(recur_model *m, recur_error *err);

#endif
