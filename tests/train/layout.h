/* Which floats of a model's parameter block are real parameters and which
 * are padding, worked out from the layout recur.h documents. */
#ifndef RECUR_TEST_TRAIN_LAYOUT_H
#define RECUR_TEST_TRAIN_LAYOUT_H

#include <string.h>

#include "recur.h"

static inline void real_params(const recur_model *m, unsigned char *real)
{
	memset(real, 0, m->n_params);
	for (int l = 0; l < m->shape.layers; l++) {
		const recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				real[L->w_x - m->params + (size_t)j * L->rows_p + r] = 1;
			for (int j = 0; j < L->hidden; j++)
				real[L->w_h - m->params + (size_t)j * L->rows_p + r] = 1;
			real[L->b_x - m->params + r] = 1;
			real[L->b_h - m->params + r] = 1;
		}
	}
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int j = 0; j < m->shape.hidden; j++)
			real[m->w_out - m->params + (size_t)o * m->hidden_p + j] = 1;
		real[m->b_out - m->params + o] = 1;
	}
}

/* How many padding floats are not zero. */
static inline int padding_nonzero(const recur_model *m)
{
	unsigned char real[65536 * 4];
	if (m->n_params > sizeof real)
		return -1;
	real_params(m, real);
	int n = 0;
	for (size_t i = 0; i < m->n_params; i++)
		n += !real[i] && m->params[i] != 0.0f;
	return n;
}

#endif
