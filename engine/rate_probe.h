/*
 * The accuracy check of engine/host_rate.h: before a state-delay filter is
 * used, a few tones of the musical range are run through the model at the
 * host's rate with that filter and, as the reference, through the model at
 * its own rate, and the two outputs' harmonics are compared: the measure of
 * DAFx 2024's evaluation (Carson et al.), which leaves out what either
 * output has between the harmonics (aliases), since a model run at another
 * rate cannot alias where the reference does.
 *
 * The tones (330, 1210 and 4130 Hz, amplitude 0.5, 0.1 s to settle, then
 * 0.1 s analysed) are chosen so that the aliases of a 44.1 or 48 kHz
 * model's harmonics land at least 120 Hz from any harmonic, outside the
 * analysis window's main lobe (+-40 Hz). Harmonics are compared up to
 * 20 kHz or 0.45 of the lower rate.
 *
 * Set-up time only: allocates, and runs the model for 0.6 s of audio at the
 * host's rate and 0.6 s at its own.
 */
#ifndef RECUR_RATE_PROBE_H
#define RECUR_RATE_PROBE_H

#include "recur.h"

#include <stddef.h>

/* Runs the method under test from a reset state: frames mono samples at
 * the host's rate in x, out in y. */
typedef void (*rate_probe_run)(void *ctx, const float *x, float *y, size_t frames);

typedef struct {
	double snr; /* dB, the worst tone's; -HUGE_VAL when an output is not finite */
	double hz;  /* that tone */
} rate_probe_result;

/* The method's worst harmonic SNR over the tones against model m at its own
 * rate (m->sample_rate). Leaves m reset. False when out of memory. */
bool rate_probe(recur_model *m, double host_rate, rate_probe_run run, void *ctx,
                rate_probe_result *result);

#endif
