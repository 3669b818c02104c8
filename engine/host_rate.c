/* A model at a host's rate: the state-delay method, its stability analysis
 * and the choice between the methods. The rules are in host_rate.h. */
#include "host_rate.h"

#include "frac_delay.h"
#include "host_resample.h"
#include "rate.h"
#include "rate_probe.h"

#include <math.h>
#include <samplerate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* States kept: enough for the largest delay, 192 kHz over a 22.05 kHz model
 * (M = 8.7) with an order-5 filter around it, rounded up to a power of two. */
#define HISTORY  RECUR_STATE_HISTORY
#define MIN_RATE 8000.0
#define MAX_M    10.0

/* A pole this far outside the unit circle is still "on" it: the estimate's
 * error over the steps it runs. */
#define POLE_SLACK 1e-3

/* The fallback's converters: libsamplerate's medium sinc passes 90 % of the
 * band (21.6 kHz of a 48 kHz model's 24), where the fastest passes 80 % and
 * cost a 48 kHz model's top octave 20 to 30 dB of SNR on tones; the price is
 * about 2 ms of latency instead of 0.9 (93 samples at 44.1 kHz, 186 at 96). */
#define FALLBACK_CONVERTER SRC_SINC_MEDIUM_QUALITY

/* The minimax filters' band, as a fraction of the Nyquist frequency: the
 * ICASSP 2025 paper's choice. Wider, the error near DC, where most of a
 * model's state moves, grows; narrower, the filter is little better than
 * Lagrange's. */
#define MINIMAX_BAND 0.5

/* Frames built at a time for the mono entry point. */
#define MONO_CHUNK 256

struct recur_host_rate {
	recur_model *m;
	recur_host_plan plan;
	int n_taps;
	int delay[FRAC_DELAY_MAX_TAPS];
	float weight[FRAC_DELAY_MAX_TAPS];
	bool exact;     /* one tap of weight 1: a copy */
	float *history; /* the model's own ring (m->history) when converting */
	unsigned pos;   /* next slot written */
	recur_resampler *rs;
	float *x, *y; /* MONO_CHUNK frames each, for the mono entry point */
};

const char *recur_host_method_name(recur_host_method method)
{
	switch (method) {
	case RECUR_HOST_SAME:
		return "same rate";
	case RECUR_HOST_CONVERTED:
		return "converted";
	case RECUR_HOST_RESAMPLED:
		return "resampled";
	case RECUR_HOST_NAIVE:
		return "naive";
	}
	return "unknown";
}

/* ---- forced methods ------------------------------------------------------- */

/* "N" with N 0..RECUR_HOST_MAX_ORDER, nothing after it. */
static bool parse_order(const char *text, int *order)
{
	if (text[0] < '0' || text[0] > '0' + RECUR_HOST_MAX_ORDER || text[1] != '\0')
		return false;
	*order = text[0] - '0';
	return true;
}

/* What follows "converted:": "N", "lagrange:N" or "minimax:N". */
static bool parse_filter(const char *text, recur_host_options *o)
{
	static const struct {
		const char *prefix;
		recur_filter_kind kind;
	} kinds[] = {{"lagrange:", RECUR_FILTER_LAGRANGE}, {"minimax:", RECUR_FILTER_MINIMAX}};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t len = strlen(kinds[i].prefix);
		if (strncmp(text, kinds[i].prefix, len) == 0) {
			o->filter = kinds[i].kind;
			return parse_order(text + len, &o->order);
		}
	}
	o->filter = RECUR_FILTER_LAGRANGE;
	return parse_order(text, &o->order);
}

bool recur_host_options_parse(const char *text, recur_host_options *opt)
{
	static const struct {
		const char *name;
		recur_host_method method;
	} methods[] = {{"naive", RECUR_HOST_NAIVE},
	               {"resampled", RECUR_HOST_RESAMPLED},
	               {"converted", RECUR_HOST_CONVERTED}};
	recur_host_options o = {0};
	if (strcmp(text, "auto") == 0) {
		*opt = o;
		return true;
	}
	o.force = true;
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		size_t len = strlen(methods[i].name);
		if (strncmp(text, methods[i].name, len) != 0)
			continue;
		o.method = methods[i].method;
		bool ok =
		    text[len] == '\0' || (text[len] == ':' && o.method == RECUR_HOST_CONVERTED &&
		                          parse_filter(text + len + 1, &o));
		if (ok)
			*opt = o;
		return ok;
	}
	return false;
}

/* ---- the filter ----------------------------------------------------------- */

static bool is_integer(double M)
{
	return fabs(M - round(M)) < 1e-9 && round(M) >= 1.0;
}

const char *recur_filter_name(recur_filter_kind kind)
{
	return kind == RECUR_FILTER_MINIMAX ? "minimax" : "Lagrange";
}

int recur_host_rate_filter(double M, recur_filter_kind kind, int order, int *delays,
                           double *weights)
{
	if (order <= 0) {
		delays[0] = (int)lround(M) < 1 ? 1 : (int)lround(M);
		weights[0] = 1.0;
		return 1;
	}
	frac_delay_taps(M, order, delays);
	if (kind == RECUR_FILTER_MINIMAX)
		frac_delay_minimax(M, order + 1, delays, MINIMAX_BAND, weights);
	else
		frac_delay_lagrange(M, order + 1, delays, weights);
	return order + 1;
}

int recur_host_rate_taps(double M, int order, int *delays, double *weights)
{
	return recur_host_rate_filter(M, RECUR_FILTER_LAGRANGE, order, delays, weights);
}

/* ---- stability -------------------------------------------------------------- */

/* The model's state entries that matter: h of every layer, and c of an LSTM. */
static size_t live_indices(const recur_model *m, size_t *idx)
{
	size_t n = 0;
	for (int l = 0; l < m->shape.layers; l++) {
		size_t h0 = (size_t)(m->h[l] - m->state), c0 = (size_t)(m->c[l] - m->state);
		for (int u = 0; u < m->shape.hidden; u++)
			idx[n++] = h0 + (size_t)u;
		if (m->shape.cell == RECUR_CELL_LSTM)
			for (int u = 0; u < m->shape.hidden; u++)
				idx[n++] = c0 + (size_t)u;
	}
	return n;
}

static void silent_input(const recur_model *m, const float *cond, float *x)
{
	memset(x, 0, RECUR_MAX_IO * sizeof *x);
	for (int j = 1; j < m->shape.n_inputs; j++)
		x[j] = cond ? cond[j - 1] : m->inputs[j].def;
}

/* Runs silence until the state stops moving: the fixed point. False for a
 * model that is still moving after the budget (it oscillates in silence, or
 * blows up): it has no fixed point to linearise around. */
static bool settle(recur_model *m, const float *x, float *prev)
{
	float y[RECUR_MAX_IO];
	recur_reset(m);
	for (int t = 0; t < 50000; t++) {
		memcpy(prev, m->state, m->n_state * sizeof *prev);
		recur_step(m, x, y);
		float moved = 0.0f;
		for (size_t i = 0; i < m->n_state; i++)
			moved = fmaxf(moved, fabsf(m->state[i] - prev[i]));
		if (moved < 1e-7f)
			return true;
		if (!(moved < 1e30f))
			return false;
	}
	return false;
}

/* J[i * n + j] = d new state i / d read state j at the settled state, by
 * central differences through the model's own step. */
static void jacobian(recur_model *m, const float *x, const size_t *idx, size_t n, double *J,
                     float *fixed, float *plus)
{
	const float eps = 1e-3f;
	float y[RECUR_MAX_IO];
	memcpy(fixed, m->state, m->n_state * sizeof *fixed);
	for (size_t j = 0; j < n; j++) {
		memcpy(m->state, fixed, m->n_state * sizeof *fixed);
		m->state[idx[j]] += eps;
		recur_step(m, x, y);
		memcpy(plus, m->state, m->n_state * sizeof *plus);
		memcpy(m->state, fixed, m->n_state * sizeof *fixed);
		m->state[idx[j]] -= eps;
		recur_step(m, x, y);
		for (size_t i = 0; i < n; i++)
			J[i * n + j] = ((double)plus[idx[i]] - m->state[idx[i]]) / (2.0 * eps);
	}
	memcpy(m->state, fixed, m->n_state * sizeof *fixed);
}

/* Largest pole magnitude of e[t] = J sum_k w_k e[t - d_k]: the mean growth
 * per step of a generic start, renormalised every step, over the second half
 * of the run (the first lets the other modes die away). */
static double growth(const double *J, size_t n, const int *delays, const double *weights, int taps,
                     double *hist, double *v)
{
	const int H = HISTORY;
	uint32_t seed = 12345u;
	for (size_t i = 0; i < (size_t)H * n; i++) {
		seed = seed * 1664525u + 1013904223u;
		hist[i] = ((double)(seed >> 8) / 16777216.0) - 0.5;
	}
	/* Fewer steps for big states: the cost is n * n per step. */
	long steps = (long)(2e8 / ((double)n * (double)n + 1.0));
	steps = steps < 400 ? 400 : steps > 6000 ? 6000 : steps;
	double log_sum = 0.0;
	long counted = 0;
	for (long t = H; t < H + steps; t++) {
		memset(v, 0, n * sizeof *v);
		for (int k = 0; k < taps; k++) {
			const double *e = hist + (size_t)((t - delays[k]) % H) * n;
			for (size_t i = 0; i < n; i++)
				v[i] += weights[k] * e[i];
		}
		double *out = hist + (size_t)(t % H) * n;
		double norm = 0.0;
		for (size_t i = 0; i < n; i++) {
			double s = 0.0;
			const double *row = J + i * n;
			for (size_t j = 0; j < n; j++)
				s += row[j] * v[j];
			out[i] = s;
			norm += s * s;
		}
		norm = sqrt(norm);
		if (!(norm > 1e-280) || !isfinite(norm))
			return norm > 0 ? HUGE_VAL : 0.0;
		for (size_t i = 0; i < (size_t)H * n; i++)
			hist[i] /= norm;
		if (t - H >= steps / 2) {
			log_sum += log(norm);
			counted++;
		}
	}
	return exp(log_sum / (double)counted);
}

/* Everything the analysis needs, allocated once per plan. */
typedef struct {
	recur_model *m;
	float x[RECUR_MAX_IO];
	bool settled; /* the model comes to rest in silence at its own rate */
	size_t n;
	size_t *idx;
	double *J, *hist, *v;
	float *fixed, *plus;
} analysis;

static void analysis_free(analysis *a)
{
	free(a->idx);
	free(a->J);
	free(a->hist);
	free(a->v);
	free(a->fixed);
	free(a->plus);
}

static bool analysis_init(analysis *a, recur_model *m, const float *cond)
{
	memset(a, 0, sizeof *a);
	a->m = m;
	silent_input(m, cond, a->x);
	size_t most = m->n_state;
	a->idx = malloc(most * sizeof *a->idx);
	a->fixed = malloc(m->n_state * sizeof *a->fixed);
	a->plus = malloc(m->n_state * sizeof *a->plus);
	if (!a->idx || !a->fixed || !a->plus)
		return false;
	a->n = live_indices(m, a->idx);
	a->J = malloc(a->n * a->n * sizeof *a->J);
	a->hist = malloc((size_t)HISTORY * a->n * sizeof *a->hist);
	a->v = malloc(a->n * sizeof *a->v);
	if (!a->J || !a->hist || !a->v)
		return false;
	a->settled = settle(m, a->x, a->plus);
	jacobian(m, a->x, a->idx, a->n, a->J, a->fixed, a->plus);
	recur_reset(m);
	return true;
}

static double analysis_pole(analysis *a, double M, recur_filter_kind kind, int order)
{
	if (!a->settled)
		return HUGE_VAL;
	int delays[FRAC_DELAY_MAX_TAPS];
	double weights[FRAC_DELAY_MAX_TAPS];
	int taps = recur_host_rate_filter(M, kind, order, delays, weights);
	return growth(a->J, a->n, delays, weights, taps, a->hist, a->v);
}

double recur_host_rate_pole(recur_model *m, double M, recur_filter_kind kind, int order,
                            const float *cond)
{
	analysis a;
	double pole = -1.0;
	if (analysis_init(&a, m, cond))
		pole = analysis_pole(&a, M, kind, order);
	analysis_free(&a);
	return pole;
}

/* ---- the plan ---------------------------------------------------------------- */

typedef struct {
	recur_filter_kind kind;
	int order;
} filter_choice;

/* The filters tried, best first; the first the analysis finds stable runs.
 * Cubic Lagrange interpolation was the best of the DAFx 2024 comparison;
 * extrapolation (M < 1) is least often unstable at order 2. The minimax
 * filters come after every Lagrange one: a model where no Lagrange filter is
 * stable gets them before it is resampled. Reorder freely: the first entry
 * is also what a model that cannot be judged gets. */
static const filter_choice interpolators[] = {
    {RECUR_FILTER_LAGRANGE, 3}, {RECUR_FILTER_LAGRANGE, 2}, {RECUR_FILTER_LAGRANGE, 1},
    {RECUR_FILTER_MINIMAX, 3},  {RECUR_FILTER_MINIMAX, 2},  {RECUR_FILTER_MINIMAX, 1},
};
static const filter_choice extrapolators[] = {
    {RECUR_FILTER_LAGRANGE, 2}, {RECUR_FILTER_LAGRANGE, 1}, {RECUR_FILTER_LAGRANGE, 3},
    {RECUR_FILTER_MINIMAX, 2},  {RECUR_FILTER_MINIMAX, 1},  {RECUR_FILTER_MINIMAX, 3},
};
static const filter_choice exact[] = {{RECUR_FILTER_LAGRANGE, 0}};

#define COUNT(a) (int)(sizeof a / sizeof a[0])

/* The candidates for delay M and how many there are. */
static const filter_choice *candidates(double M, int *n)
{
	if (is_integer(M)) {
		*n = COUNT(exact);
		return exact;
	}
	if (M > 1.0) {
		*n = COUNT(interpolators);
		return interpolators;
	}
	*n = COUNT(extrapolators);
	return extrapolators;
}

static bool pole_safe(double pole, double model_pole, double M)
{
	/* A model that is not stable at its own rate cannot be made so; the
	 * delay must only not make it worse than it is per model period. */
	double allowed = fmax(1.0, pow(model_pole, 1.0 / M)) + POLE_SLACK;
	return pole <= allowed;
}

/* "order-3 Lagrange interpolation", "exact" */
static void filter_words(const recur_host_plan *p, char *buf, size_t len)
{
	if (p->order == 0)
		snprintf(buf, len, "exact");
	else
		snprintf(buf, len, "order-%d %s %s", p->order, recur_filter_name(p->filter),
		         p->ratio > 1.0 ? "interpolation" : "extrapolation");
}

static void plan_forced(recur_host_plan *p, analysis *a, const recur_host_options *opt)
{
	p->method = opt->method;
	if (p->method == RECUR_HOST_CONVERTED) {
		p->order = is_integer(p->ratio) && opt->order <= 0 ? 0 : opt->order;
		p->filter = opt->filter;
		p->pole = analysis_pole(a, p->ratio, p->filter, p->order);
		char words[64];
		filter_words(p, words, sizeof words);
		snprintf(p->why, sizeof p->why,
		         "converted as asked: state delay of %.4f samples, %s", p->ratio, words);
		return;
	}
	snprintf(p->why, sizeof p->why, "%s as asked", recur_host_method_name(p->method));
}

static void plan_filter(recur_host_plan *p, filter_choice f, double pole)
{
	p->method = RECUR_HOST_CONVERTED;
	p->filter = f.kind;
	p->order = f.order;
	p->pole = pole;
}

static void why_converted(recur_host_plan *p, bool settled)
{
	char words[64];
	filter_words(p, words, sizeof words);
	if (p->order == 0 && !settled)
		snprintf(p->why, sizeof p->why,
		         "converted: state delay of %g samples, exact (the model never comes to "
		         "rest in silence)",
		         p->ratio);
	else if (p->order == 0)
		snprintf(p->why, sizeof p->why,
		         "converted: state delay of %g samples, exact (largest pole %.4f)",
		         p->ratio, p->pole);
	else if (settled)
		snprintf(p->why, sizeof p->why,
		         "converted: state delay of %.4f samples, %s (largest pole %.4f, model's "
		         "own %.4f; worst probe tone %.1f dB at %g Hz)",
		         p->ratio, words, p->pole, p->model_pole, p->probe_snr, p->probe_hz);
	else
		snprintf(
		    p->why, sizeof p->why,
		    "converted: state delay of %.4f samples, %s (the model never comes to rest "
		    "in silence, so only accuracy was checked: worst probe tone %.1f dB at %g Hz)",
		    p->ratio, words, p->probe_snr, p->probe_hz);
}

static void run_converted(void *ctx, const float *x, float *y, size_t frames)
{
	recur_host_rate *r = ctx;
	recur_host_rate_reset(r);
	recur_host_rate_process_mono(r, x, y, frames, NULL);
}

static bool set_up_delay(recur_host_rate *r);

/* The accuracy check of the filter in *p (rate_probe.h): sets p->probe_*. */
static bool probe(recur_host_plan *p, recur_model *m)
{
	recur_host_rate r = {.m = m, .plan = *p};
	r.x = malloc(MONO_CHUNK * RECUR_MAX_IO * sizeof *r.x);
	r.y = malloc(MONO_CHUNK * RECUR_MAX_IO * sizeof *r.y);
	rate_probe_result res;
	bool ok = r.x && r.y && set_up_delay(&r) &&
	          rate_probe(m, p->ratio * m->sample_rate, run_converted, &r, &res);
	free(r.x);
	free(r.y);
	if (ok) {
		p->probe_snr = res.snr;
		p->probe_hz = res.hz;
	}
	return ok;
}

static double target(const recur_host_plan *p)
{
	return p->ratio > 1.0 ? RECUR_HOST_TARGET_UP : RECUR_HOST_TARGET_DOWN;
}

/* Why no state delay runs: none stable, or the stable ones inaccurate. */
static void why_resampled(recur_host_plan *p, const recur_host_plan *best, double worst_pole,
                          bool settled)
{
	p->method = RECUR_HOST_RESAMPLED;
	if (!best) {
		p->pole = worst_pole;
		snprintf(p->why, sizeof p->why,
		         "resampled: every state-delay filter for M = %.4f is unstable for this "
		         "model (largest pole >= %.4f)",
		         p->ratio, worst_pole);
		return;
	}
	char words[64];
	filter_words(best, words, sizeof words);
	p->filter = best->filter;
	p->order = best->order;
	p->pole = best->pole;
	p->probe_snr = best->probe_snr;
	p->probe_hz = best->probe_hz;
	snprintf(p->why, sizeof p->why,
	         "resampled: no state-delay filter for M = %.4f is accurate enough for this "
	         "model%s; the best, %s, gives %.1f dB on a %g Hz tone, under the %g dB asked",
	         p->ratio, settled ? " among the stable ones" : "", words, best->probe_snr,
	         best->probe_hz, target(p));
}

/* The first candidate that is stable (when the model has a fixed point to
 * judge by) and accurate, or resampling. False when out of memory. */
static bool plan_chosen(recur_host_plan *p, analysis *a)
{
	int n;
	const filter_choice *c = candidates(p->ratio, &n);
	double worst = 0.0;
	recur_host_plan best = {.probe_snr = -HUGE_VAL}, *found = NULL;
	for (int i = 0; i < n; i++) {
		double pole =
		    a->settled ? analysis_pole(a, p->ratio, c[i].kind, c[i].order) : HUGE_VAL;
		if (a->settled && !pole_safe(pole, p->model_pole, p->ratio)) {
			worst = fmax(worst, pole);
			continue;
		}
		recur_host_plan trial = *p;
		plan_filter(&trial, c[i], pole);
		if (c[i].order == 0) {
			/* The exact delay: nothing to check. */
			trial.probe_snr = HUGE_VAL;
		} else if (!probe(&trial, a->m)) {
			return false;
		}
		if (trial.probe_snr >= target(p)) {
			*p = trial;
			why_converted(p, a->settled);
			return true;
		}
		if (!found || trial.probe_snr > best.probe_snr)
			best = trial;
		found = &best;
	}
	why_resampled(p, found, worst, a->settled);
	return true;
}

static bool choose(recur_host_plan *p, recur_model *m, const recur_host_options *opt)
{
	analysis a;
	bool ok = analysis_init(&a, m, NULL);
	if (ok) {
		p->model_pole = analysis_pole(&a, 1.0, RECUR_FILTER_LAGRANGE, 0);
		if (opt && opt->force)
			plan_forced(p, &a, opt);
		else
			ok = plan_chosen(p, &a);
	}
	analysis_free(&a);
	return ok;
}

/* ---- set-up --------------------------------------------------------------- */

static void set_error(recur_error *err, const char *msg, double v)
{
	if (err)
		snprintf(err->msg, sizeof err->msg, msg, v);
}

static bool set_up_delay(recur_host_rate *r)
{
	double weights[FRAC_DELAY_MAX_TAPS];
	r->n_taps =
	    recur_host_rate_filter(r->plan.ratio, r->plan.filter, r->plan.order, r->delay, weights);
	for (int k = 0; k < r->n_taps; k++)
		r->weight[k] = (float)weights[k];
	r->exact = r->n_taps == 1 && weights[0] == 1.0;
	r->history = r->m->history;
	return r->n_taps > 0;
}

recur_host_rate *recur_host_rate_new(recur_model *m, double host_rate,
                                     const recur_host_options *opt, recur_error *err)
{
	if (!(host_rate >= MIN_RATE) || !(host_rate <= 1e6)) {
		set_error(err, "host rate: %g Hz is out of range", host_rate);
		return NULL;
	}
	recur_host_rate *r = calloc(1, sizeof *r);
	if (!r) {
		set_error(err, "out of memory (%g)", 0);
		return NULL;
	}
	r->m = m;
	recur_host_plan *p = &r->plan;
	double model_rate = m->sample_rate;
	bool same = !(model_rate > 0) || fabs(model_rate - host_rate) <=
	                                     RECUR_RATE_TOLERANCE * fmax(model_rate, host_rate);
	p->ratio = same ? 1.0 : host_rate / model_rate;
	if (same) {
		p->method = RECUR_HOST_SAME;
		snprintf(p->why, sizeof p->why,
		         model_rate > 0 ? "same rate" : "the model states no rate");
	} else if (opt && opt->force && opt->method == RECUR_HOST_CONVERTED &&
	           (opt->order < 0 || opt->order > RECUR_HOST_MAX_ORDER)) {
		set_error(err, "rate method: filter order %g is out of range (0..5)", opt->order);
		free(r);
		return NULL;
	} else if (p->ratio > MAX_M || p->ratio < 1.0 / MAX_M) {
		/* Beyond what the history holds: only resampling can do it. */
		p->method = opt && opt->force && opt->method == RECUR_HOST_NAIVE
		                ? RECUR_HOST_NAIVE
		                : RECUR_HOST_RESAMPLED;
		snprintf(
		    p->why, sizeof p->why,
		    "%s: the host runs at %.4g times the model's rate, beyond the state delay's "
		    "range (0.1..10)",
		    recur_host_method_name(p->method), p->ratio);
	} else if (!choose(p, m, opt)) {
		set_error(err, "out of memory (%g)", 0);
		free(r);
		return NULL;
	}
	bool ok = true;
	r->x = malloc(MONO_CHUNK * RECUR_MAX_IO * sizeof *r->x);
	r->y = malloc(MONO_CHUNK * RECUR_MAX_IO * sizeof *r->y);
	ok = r->x && r->y;
	if (ok && p->method == RECUR_HOST_CONVERTED)
		set_up_delay(r);
	if (ok && p->method == RECUR_HOST_RESAMPLED) {
		r->rs = recur_resampler_new(m, host_rate, FALLBACK_CONVERTER, err);
		if (!r->rs) {
			recur_host_rate_free(r);
			return NULL;
		}
		p->latency = recur_resampler_latency(r->rs);
		size_t len = strlen(p->why);
		snprintf(p->why + len, sizeof p->why - len, "; latency %d samples", p->latency);
	}
	if (!ok) {
		set_error(err, "out of memory (%g)", 0);
		recur_host_rate_free(r);
		return NULL;
	}
	recur_host_rate_reset(r);
	return r;
}

void recur_host_rate_free(recur_host_rate *r)
{
	if (!r)
		return;
	recur_resampler_free(r->rs);
	free(r->x);
	free(r->y);
	free(r);
}

const recur_host_plan *recur_host_rate_plan(const recur_host_rate *r)
{
	return &r->plan;
}

/* ---- real time ---------------------------------------------------------------- */

void recur_host_rate_reset(recur_host_rate *r)
{
	recur_model *m = r->m;
	recur_reset(m);
	/* Before the first sample every delayed read is the initial state, as
	 * the first step of the model at its own rate reads it. */
	for (unsigned i = 0; r->history && i < HISTORY; i++)
		memcpy(r->history + (size_t)i * m->n_state, m->state,
		       m->n_state * sizeof *m->state);
	r->pos = 0;
	if (r->rs)
		recur_resampler_reset(r->rs);
}

/* Loads the state the next step reads from the history. */
static void load_delayed(recur_host_rate *r)
{
	recur_model *m = r->m;
	const size_t n = m->n_state;
	const unsigned mask = HISTORY - 1;
	if (r->exact) {
		memcpy(m->state, r->history + ((r->pos - (unsigned)r->delay[0]) & mask) * n,
		       n * sizeof *m->state);
		return;
	}
	float *s = m->state;
	const float *e0 = r->history + ((r->pos - (unsigned)r->delay[0]) & mask) * n;
	const float w0 = r->weight[0];
	for (size_t i = 0; i < n; i++)
		s[i] = w0 * e0[i];
	for (int k = 1; k < r->n_taps; k++) {
		const float *e = r->history + ((r->pos - (unsigned)r->delay[k]) & mask) * n;
		const float w = r->weight[k];
		for (size_t i = 0; i < n; i++)
			s[i] += w * e[i];
	}
}

static void delayed_process(recur_host_rate *r, const float *x, float *y, size_t frames)
{
	recur_model *m = r->m;
	const size_t ni = (size_t)m->shape.n_inputs, no = (size_t)m->shape.n_outputs;
	const size_t n = m->n_state;
	for (size_t t = 0; t < frames; t++) {
		load_delayed(r);
		recur_step(m, x + t * ni, y + t * no);
		memcpy(r->history + (r->pos & (HISTORY - 1)) * n, m->state, n * sizeof *m->state);
		r->pos++;
	}
}

void recur_host_rate_process(recur_host_rate *r, const float *x, float *y, size_t frames)
{
	switch (r->plan.method) {
	case RECUR_HOST_SAME:
	case RECUR_HOST_NAIVE:
		recur_process(r->m, x, y, frames);
		break;
	case RECUR_HOST_CONVERTED:
		delayed_process(r, x, y, frames);
		break;
	case RECUR_HOST_RESAMPLED:
		recur_resampler_process(r->rs, r->m, x, y, frames);
		break;
	}
}

void recur_host_rate_process_mono(recur_host_rate *r, const float *in, float *out, size_t frames,
                                  const float *cond)
{
	if (r->plan.method == RECUR_HOST_SAME || r->plan.method == RECUR_HOST_NAIVE) {
		recur_process_mono(r->m, in, out, frames, cond);
		return;
	}
	const recur_model *m = r->m;
	const size_t ni = (size_t)m->shape.n_inputs, no = (size_t)m->shape.n_outputs;
	for (size_t done = 0; done < frames;) {
		size_t len = frames - done < MONO_CHUNK ? frames - done : MONO_CHUNK;
		for (size_t t = 0; t < len; t++) {
			r->x[t * ni] = in[done + t];
			for (size_t j = 1; j < ni; j++)
				r->x[t * ni + j] = cond ? cond[j - 1] : m->inputs[j].def;
		}
		recur_host_rate_process(r, r->x, r->y, len);
		for (size_t t = 0; t < len; t++)
			out[done + t] = r->y[t * no];
		done += len;
	}
}
