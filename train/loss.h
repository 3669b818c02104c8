/*
 * Training losses over a batch of segments. Each segment's loss and its
 * gradient are computed on their own (so threads can share out a batch);
 * what couples the segments, the normalisation, comes from the targets
 * alone and is computed for the whole batch first (loss_norm).
 */
#ifndef RECUR_TRAIN_LOSS_H
#define RECUR_TRAIN_LOSS_H

#include "recur.h"

typedef enum { LOSS_ESR, LOSS_MSE, LOSS_BCE, LOSS_CE } loss_kind;

typedef struct {
	loss_kind kind;
	float preemph; /* ESR: a in y_pe[n] = y[n] - a y[n-1]; 0 turns it off */
	bool dc;       /* ESR: add Wright et al.'s DC term */
} loss_spec;

/* Sums over the batch's targets (loss frames only). */
typedef struct {
	int n_out;
	double segments;
	double frames;    /* loss frames, all segments */
	double sq;        /* sum of t^2 */
	double sq_pe;     /* sum of pre-emphasised t^2 */
	double frames_pe; /* frames that have a pre-emphasised value (all but each first) */
} loss_norm;

/* Keeps the denominators away from zero on silent batches: a floor on the
 * mean target energy, far below any signal worth fitting. */
#define LOSS_ENERGY_FLOOR 1e-6

bool loss_parse(const char *name, loss_kind *kind);
const char *loss_name(loss_kind kind);
/* Whether the loss fits the output activation (cross-entropies need their
 * own activation); err says why not. */
bool loss_check(const loss_spec *spec, recur_activation act, recur_error *err);
/* True when loss_segment's gradient is already at the pre-activation. */
bool loss_grad_is_preact(loss_kind kind);

void loss_norm_clear(loss_norm *nrm, int n_out);
/* t: frames * n_out targets, interleaved. */
void loss_norm_add(const loss_spec *spec, loss_norm *nrm, const float *t, int frames);

/* One segment's share of the batch loss. y: outputs, y_stride floats per
 * frame; t: targets, n_out per frame; dy (y_stride per frame, may be NULL):
 * receives the gradient of the batch loss with respect to this segment's y
 * (or pre-activations, see loss_grad_is_preact). */
double loss_segment(const loss_spec *spec, const loss_norm *nrm, const float *y, int y_stride,
                    const float *t, int frames, float *dy);

#endif
