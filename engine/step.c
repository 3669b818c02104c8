/* The real-time forward pass: input gain, layers in order, then the dense
 * stack, skip, output activation and output gain (equations at struct
 * recur_model in recur.h). Nothing here allocates, locks or branches on data;
 * loops are bounded by the model's shape. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"

void recur_layer_step(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	recur_kernels_for(L->narrow)->layer_step[L->cell](L, x, h, c, work);
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
	case RECUR_ACT_RELU:
		for (size_t o = 0; o < n; o++)
			y[o] = y[o] > 0.0f ? y[o] : 0.0f;
		break;
	case RECUR_ACT_ELU:
		for (size_t o = 0; o < n; o++)
			y[o] = y[o] > 0.0f ? y[o] : expm1f(y[o]);
		break;
	}
}

static void scale(float *y, size_t n, float gain)
{
	if (gain != 1.0f)
		for (size_t o = 0; o < n; o++)
			y[o] *= gain;
}

/* Skip, output activation and output gain: what follows the output layer's
 * products. u is the network's input 0 (after the input gain). */
static void finish(const recur_model *m, float u, float *y)
{
	const recur_shape *s = &m->shape;
	if (s->skip)
		y[0] += u;
	activate(s->out_act, y, (size_t)s->n_outputs);
	scale(y, (size_t)s->n_outputs, m->out_gain);
}

void recur_head_step(const recur_model *m, const float *x, const float *h, float *y)
{
	recur_kernels_for(m->layer[0].narrow)->stack(m, h, y);
	finish(m, m->in_gain * x[0], y);
}

void recur_reset(recur_model *m)
{
	memcpy(m->state, m->init, m->n_state * sizeof *m->state);
	memset(m->work, 0, m->n_work * sizeof *m->work);
}

void recur_step(recur_model *m, const float *x, float *y)
{
	if (m->in_gain == 1.0f) {
		recur_kernels_for(m->layer[0].narrow)->forward(m, x, y);
		finish(m, x[0], y);
		return;
	}
	float xg[RECUR_MAX_IO];
	memcpy(xg, x, (size_t)m->shape.n_inputs * sizeof *x);
	xg[0] *= m->in_gain;
	recur_kernels_for(m->layer[0].narrow)->forward(m, xg, y);
	finish(m, xg[0], y);
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
	recur_kernels_for(m->layer[0].narrow)->mono(m, x, in, out, frames);
	activate(m->shape.out_act, out, frames);
	scale(out, frames, m->out_gain);
}

double recur_model_run_check(recur_model *m, const float *input, const float *expected,
                             size_t frames, size_t *worst_frame)
{
	const size_t ni = (size_t)m->shape.n_inputs, no = (size_t)m->shape.n_outputs;
	double worst = 0.0;
	size_t at = 0;
	float y[RECUR_MAX_IO];
	recur_reset(m);
	for (size_t t = 0; t < frames; t++) {
		recur_step(m, input + t * ni, y);
		for (size_t o = 0; o < no; o++) {
			double d = fabs((double)y[o] - (double)expected[t * no + o]);
			if (!(d <= worst)) {
				worst = isnan(d) ? INFINITY : d;
				at = t;
			}
		}
	}
	recur_reset(m);
	if (worst_frame)
		*worst_frame = at;
	return worst;
}

bool recur_model_check(recur_model *m, double *max_diff, size_t *worst_frame, recur_error *err)
{
	if (!m->check) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "check: the model has no check block");
		return false;
	}
	*max_diff = recur_model_run_check(m, m->check->input, m->check->output, m->check->frames,
	                                  worst_frame);
	return true;
}
