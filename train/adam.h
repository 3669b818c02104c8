/*
 * Adam with decoupled weight decay (Loshchilov and Hutter's AdamW) over a
 * model's parameter block, and the gradient-norm clip applied before it.
 */
#ifndef RECUR_TRAIN_ADAM_H
#define RECUR_TRAIN_ADAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	float lr;
	float beta1, beta2;
	float eps;
	float weight_decay;
} adam_config;

/* m, v: first and second moments, n floats each, at the parameters'
 * offsets (so padding stays zero: its gradient is always zero). */
typedef struct {
	size_t n;
	long long t; /* steps taken, for the bias correction */
	float *m;
	float *v;
} adam_state;

bool adam_init(adam_state *s, size_t n);
void adam_free(adam_state *s);
void adam_step(adam_state *s, const adam_config *cfg, float *params, const float *grad);

/* Scales grad so its 2-norm is at most max_norm (0: no clip); returns the
 * norm before scaling. */
double clip_grad_norm(float *grad, size_t n, double max_norm);

#endif
