/*
 * Training at a louder input level, for devices whose output depends on the
 * signal's level (compressors, envelope followers).
 *
 * A guitar DI has an RMS near 0.05: at the usual initial weights the network
 * sees pre-activations a hundredth of a unit, where every gate is nearly
 * linear, so it has no way to measure the level, and Adam takes thousands of
 * steps to grow the input weights until it does. --input-gain G trains on the
 * audio input (input 0) and every target multiplied by G, which the ESR loss
 * does not see (it is a ratio of energies), then folds G back into the saved
 * model: layer 0's input-0 weights times G, the head's weights and biases
 * divided by G. With a linear output the folded model on x gives exactly
 * 1/G times the trained one on G x, that is the device's output; the skip
 * connection, which adds input 0 to output 0, scales with both sides.
 * Conditioning inputs are left as they are.
 */
#ifndef RECUR_TRAIN_INPUT_GAIN_H
#define RECUR_TRAIN_INPUT_GAIN_H

#include "data.h"

/* The gain that brings the training stretches' input 0 to an RMS of 0.5;
 * 1 for silence. */
float input_gain_auto(const data_set *d);

/* Multiplies input 0 and every target of every file by g. */
void input_gain_apply(data_set *d, float g);

/* Makes m, trained on data scaled by g, a model of the unscaled data. */
void input_gain_fold(recur_model *m, float g);

#endif
