#include "adam.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

bool adam_init(adam_state *s, size_t n)
{
	memset(s, 0, sizeof *s);
	s->m = aligned_alloc(64, (2 * n * sizeof(float) + 63) / 64 * 64);
	if (!s->m)
		return false;
	memset(s->m, 0, 2 * n * sizeof(float));
	s->v = s->m + n;
	s->n = n;
	return true;
}

void adam_free(adam_state *s)
{
	free(s->m);
	memset(s, 0, sizeof *s);
}

void adam_step(adam_state *s, const adam_config *cfg, float *params, const float *grad)
{
	s->t++;
	const float b1 = cfg->beta1, b2 = cfg->beta2;
	const float c1 = 1.0f / (1.0f - (float)pow(b1, (double)s->t));
	const float c2 = 1.0f / (1.0f - (float)pow(b2, (double)s->t));
	const float lr = cfg->lr, wd = cfg->weight_decay, eps = cfg->eps;
	for (size_t i = 0; i < s->n; i++) {
		const float g = grad[i];
		s->m[i] = b1 * s->m[i] + (1.0f - b1) * g;
		s->v[i] = b2 * s->v[i] + (1.0f - b2) * g * g;
		const float mhat = s->m[i] * c1, vhat = s->v[i] * c2;
		params[i] -= lr * (mhat / (sqrtf(vhat) + eps) + wd * params[i]);
	}
}

double clip_grad_norm(float *grad, size_t n, double max_norm)
{
	double sq = 0.0;
	for (size_t i = 0; i < n; i++)
		sq += (double)grad[i] * grad[i];
	const double norm = sqrt(sq);
	if (max_norm > 0.0 && norm > max_norm) {
		const float scale = (float)(max_norm / norm);
		for (size_t i = 0; i < n; i++)
			grad[i] *= scale;
	}
	return norm;
}
