/* The real-time forward pass: layers in order, then the dense head, skip
 * and output activation. Nothing here allocates, locks or branches on data;
 * loops are bounded by the model's shape. */
#include <math.h>
#include <string.h>

#include "kernels.h"

void recur_layer_step(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	recur_kernels_active()->layer_step[L->cell](L, x, h, c, work);
}

static void activate(recur_activation act, float *y, size_t n)
{
	switch (act) {
	case RECUR_ACT_LINEAR:
		break;
	case RECUR_ACT_TANH:
		for (size_t o = 0; o < n; o++)
			y[o] = tanhf(y[o]);
		break;
	case RECUR_ACT_SIGMOID:
		for (size_t o = 0; o < n; o++)
			y[o] = 1.0f / (1.0f + expf(-y[o]));
		break;
	case RECUR_ACT_SOFTMAX: {
		/* Shifted by the maximum so expf never overflows. */
		float top = y[0], sum = 0.0f;
		for (size_t o = 1; o < n; o++)
			top = y[o] > top ? y[o] : top;
		for (size_t o = 0; o < n; o++) {
			y[o] = expf(y[o] - top);
			sum += y[o];
		}
		for (size_t o = 0; o < n; o++)
			y[o] /= sum;
		break;
	}
	}
}

/* Skip and output activation: what follows the head's products. */
static void finish(const recur_model *m, const float *x, float *y)
{
	const recur_shape *s = &m->shape;
	if (s->skip)
		y[0] += x[0];
	activate(s->out_act, y, (size_t)s->n_outputs);
}

void recur_head_step(const recur_model *m, const float *x, const float *h, float *y)
{
	recur_kernels_active()->head(m->w_out, m->b_out, h, m->shape.n_outputs, m->hidden_p, y);
	finish(m, x, y);
}

void recur_reset(recur_model *m)
{
	memset(m->state, 0, m->n_state * sizeof *m->state);
	memset(m->work, 0, m->n_work * sizeof *m->work);
}

void recur_step(recur_model *m, const float *x, float *y)
{
	recur_kernels_active()->forward(m, x, y);
	finish(m, x, y);
}

void recur_process(recur_model *m, const float *x, float *y, size_t frames)
{
	const size_t ni = (size_t)m->shape.n_inputs, no = (size_t)m->shape.n_outputs;
	for (size_t t = 0; t < frames; t++)
		recur_step(m, x + t * ni, y + t * no);
}

void recur_process_mono(recur_model *m, const float *in, float *out, size_t frames,
                        const float *cond)
{
	float x[RECUR_MAX_IO] = {0}, y[RECUR_MAX_IO];
	const int ni = m->shape.n_inputs;
	for (int j = 1; j < ni; j++)
		x[j] = cond ? cond[j - 1] : m->inputs[j].def;
	if (m->shape.out_act == RECUR_ACT_SOFTMAX) {
		/* Output 0 of a softmax depends on every output: frame by frame. */
		for (size_t t = 0; t < frames; t++) {
			x[0] = in[t];
			recur_step(m, x, y);
			out[t] = y[0];
		}
		return;
	}
	recur_kernels_active()->mono(m, x, in, out, frames);
	activate(m->shape.out_act, out, frames);
}
