/* Training at a louder input level; input_gain.h says why and how. */
#include "input_gain.h"

#include <math.h>

#define TARGET_RMS 0.5

float input_gain_auto(const data_set *d)
{
	double sum = 0;
	size_t frames = 0;
	for (int s = 0; s < d->split.n_train; s++) {
		const train_seq *q = &d->split.train[s];
		for (size_t n = 0; n < q->frames; n++) {
			const double v = q->x[n * (size_t)d->n_inputs];
			sum += v * v;
		}
		frames += q->frames;
	}
	const double rms = frames ? sqrt(sum / (double)frames) : 0;
	return rms > 1e-9 ? (float)(TARGET_RMS / rms) : 1.0f;
}

void input_gain_apply(data_set *d, float g)
{
	for (int i = 0; i < d->n_files; i++) {
		data_file *f = &d->files[i];
		for (size_t n = 0; n < f->frames; n++)
			f->x[n * (size_t)d->n_inputs] *= g;
		for (size_t n = 0; n < f->frames * (size_t)d->n_outputs; n++)
			f->t[n] *= g;
	}
}

void input_gain_fold(recur_model *m, float g)
{
	const recur_layer *L = &m->layer[0];
	/* w_x is column-major: input 0's column is its first rows_p floats. */
	for (int r = 0; r < L->rows; r++)
		L->w_x[r] *= g;
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int h = 0; h < m->shape.hidden; h++)
			m->w_out[(size_t)o * m->hidden_p + h] /= g;
		m->b_out[o] /= g;
	}
}
