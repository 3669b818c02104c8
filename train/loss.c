/*
 * ESR with pre-emphasis and DC term (Wright, Damskägg and Välimäki, "Real-time
 * black-box modelling with recurrent neural networks", DAFx 2019), MSE and
 * the two cross-entropies. Sums run in double: a batch holds ~10^5 terms.
 */
#include "loss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {"esr", "mse", "bce", "ce"};

bool loss_parse(const char *name, loss_kind *kind)
{
	for (int k = 0; k < 4; k++)
		if (strcmp(name, names[k]) == 0) {
			*kind = (loss_kind)k;
			return true;
		}
	return false;
}

const char *loss_name(loss_kind kind)
{
	return names[kind];
}

bool loss_check(const loss_spec *spec, recur_activation act, recur_error *err)
{
	if (spec->kind == LOSS_BCE && act != RECUR_ACT_SIGMOID) {
		snprintf(err->msg, sizeof err->msg,
		         "loss bce needs sigmoid outputs (--out-act sigmoid), not %s",
		         recur_activation_name(act));
		return false;
	}
	if (spec->kind == LOSS_CE && act != RECUR_ACT_SOFTMAX) {
		snprintf(err->msg, sizeof err->msg,
		         "loss ce needs softmax outputs (--out-act softmax), not %s",
		         recur_activation_name(act));
		return false;
	}
	if (!(spec->preemph >= 0.0f && spec->preemph < 1.0f)) {
		snprintf(err->msg, sizeof err->msg, "pre-emphasis %g is outside [0, 1)",
		         (double)spec->preemph);
		return false;
	}
	return true;
}

bool loss_grad_is_preact(loss_kind kind)
{
	return kind == LOSS_BCE || kind == LOSS_CE;
}

void loss_norm_clear(loss_norm *nrm, int n_out)
{
	memset(nrm, 0, sizeof *nrm);
	nrm->n_out = n_out;
}

void loss_norm_add(const loss_spec *spec, loss_norm *nrm, const float *t, int frames)
{
	const int n = nrm->n_out;
	nrm->segments += 1;
	nrm->frames += frames;
	nrm->frames_pe += frames > 0 ? frames - 1 : 0;
	for (int i = 0; i < frames; i++)
		for (int o = 0; o < n; o++) {
			const double v = t[i * n + o];
			nrm->sq += v * v;
			if (i > 0) {
				const double pe = v - spec->preemph * (double)t[(i - 1) * n + o];
				nrm->sq_pe += pe * pe;
			}
		}
}

/* sum over the batch of e_pe^2 / (sum of t_pe^2 + floor): the ratio of means. */
static double esr_part(const loss_spec *spec, const loss_norm *nrm, const float *y, int ys,
                       const float *t, int frames, float *dy)
{
	const int n = nrm->n_out;
	const double a = spec->preemph;
	const double denom = nrm->sq_pe + LOSS_ENERGY_FLOOR * nrm->frames_pe * n;
	double sum = 0.0;
	for (int o = 0; o < n; o++) {
		double e_next = 0.0; /* e_pe at frame i + 1 */
		for (int i = frames - 1; i >= 0; i--) {
			const double e = (double)t[i * n + o] - y[i * ys + o];
			const double e_prev =
			    i > 0 ? (double)t[(i - 1) * n + o] - y[(i - 1) * ys + o] : 0.0;
			const double e_pe = i > 0 ? e - a * e_prev : 0.0;
			sum += e_pe * e_pe;
			/* y[i] enters e_pe[i] with -1 and e_pe[i + 1] with +a. */
			if (dy)
				dy[i * ys + o] = (float)((-2.0 * e_pe + 2.0 * a * e_next) / denom);
			e_next = e_pe;
		}
	}
	return sum / denom;
}

/* mean over segments and outputs of (mean of t - y)^2 / (mean of t^2 + floor). */
static double dc_part(const loss_norm *nrm, const float *y, int ys, const float *t, int frames,
                      float *dy)
{
	const int n = nrm->n_out;
	const double energy = nrm->sq / (nrm->frames * n) + LOSS_ENERGY_FLOOR;
	const double scale = 1.0 / (energy * nrm->segments * n);
	double sum = 0.0;
	for (int o = 0; o < n; o++) {
		double mean = 0.0;
		for (int i = 0; i < frames; i++)
			mean += (double)t[i * n + o] - y[i * ys + o];
		mean /= frames;
		sum += mean * mean * scale;
		if (dy)
			for (int i = 0; i < frames; i++)
				dy[i * ys + o] += (float)(-2.0 * mean / frames * scale);
	}
	return sum;
}

static double mse_part(const loss_norm *nrm, const float *y, int ys, const float *t, int frames,
                       float *dy)
{
	const int n = nrm->n_out;
	const double count = nrm->frames * n;
	double sum = 0.0;
	for (int i = 0; i < frames; i++)
		for (int o = 0; o < n; o++) {
			const double e = y[i * ys + o] - (double)t[i * n + o];
			sum += e * e;
			if (dy)
				dy[i * ys + o] = (float)(2.0 * e / count);
		}
	return sum / count;
}

/* The probabilities are clamped in the loss value only, so a saturated
 * output costs a large but finite amount; the gradient y - t needs no clamp. */
static double log_clamped(double p)
{
	return log(p < 1e-7 ? 1e-7 : p);
}

static double bce_part(const loss_norm *nrm, const float *y, int ys, const float *t, int frames,
                       float *dy)
{
	const int n = nrm->n_out;
	const double count = nrm->frames * n;
	double sum = 0.0;
	for (int i = 0; i < frames; i++)
		for (int o = 0; o < n; o++) {
			const double p = y[i * ys + o], q = t[i * n + o];
			sum -= q * log_clamped(p) + (1.0 - q) * log_clamped(1.0 - p);
			if (dy)
				dy[i * ys + o] = (float)((p - q) / count);
		}
	return sum / count;
}

static double ce_part(const loss_norm *nrm, const float *y, int ys, const float *t, int frames,
                      float *dy)
{
	const int n = nrm->n_out;
	double sum = 0.0;
	for (int i = 0; i < frames; i++) {
		double mass = 0.0;
		for (int o = 0; o < n; o++) {
			mass += t[i * n + o];
			sum -= t[i * n + o] * log_clamped(y[i * ys + o]);
		}
		/* softmax Jacobian: d/dz_o of -sum q log p = p_o * sum q - q_o */
		if (dy)
			for (int o = 0; o < n; o++)
				dy[i * ys + o] =
				    (float)((y[i * ys + o] * mass - t[i * n + o]) / nrm->frames);
	}
	return sum / nrm->frames;
}

double loss_segment(const loss_spec *spec, const loss_norm *nrm, const float *y, int y_stride,
                    const float *t, int frames, float *dy)
{
	switch (spec->kind) {
	case LOSS_ESR: {
		double l = esr_part(spec, nrm, y, y_stride, t, frames, dy);
		if (spec->dc)
			l += dc_part(nrm, y, y_stride, t, frames, dy);
		return l;
	}
	case LOSS_MSE:
		return mse_part(nrm, y, y_stride, t, frames, dy);
	case LOSS_BCE:
		return bce_part(nrm, y, y_stride, t, frames, dy);
	case LOSS_CE:
		return ce_part(nrm, y, y_stride, t, frames, dy);
	}
	return 0.0;
}
