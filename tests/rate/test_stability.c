/* The stability analysis (recur_host_rate_pole: the delayed recurrence
 * linearised at the fixed point for silent input) against brute force: the
 * real, nonlinear delayed model brought to rest by silence, kicked slightly
 * and left in silence again, "unstable" when its output then blows up or
 * keeps moving. Random
 * RNN, GRU and LSTM models, host rates from half to four times the model's,
 * every filter order recur chooses from, Lagrange and minimax. The
 * prediction must agree in at least 90% of the cases of each kind (the
 * ICASSP 2025 paper reports about 98%), and both outcomes must occur often
 * enough for that to mean something. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "host_rate.h"
#include "recur.h"

#define MODEL_RATE 48000.0
#define REST       20000 /* host samples of silence before the kick */
#define RUN        44000 /* in all */
#define TAIL       4000  /* the last samples, where a stable model is at rest */

static uint32_t seed = 7u;

static float uniform(float lo, float hi)
{
	seed = seed * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(seed >> 8) / 16777216.0f;
}

static recur_model *random_model(recur_cell cell, int hidden, float recurrent_scale)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = hidden,
	                 .layers = 1,
	                 .skip = false,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	if (!m)
		return NULL;
	m->sample_rate = MODEL_RATE;
	float k = 1.0f / sqrtf((float)hidden);
	recur_layer *L = &m->layer[0];
	for (int j = 0; j < L->in; j++)
		for (int r = 0; r < L->rows; r++)
			L->w_x[j * L->rows_p + r] = uniform(-k, k);
	for (int j = 0; j < hidden; j++)
		for (int r = 0; r < L->rows; r++)
			L->w_h[j * L->rows_p + r] = recurrent_scale * uniform(-k, k);
	for (int r = 0; r < L->rows; r++) {
		L->b_x[r] = uniform(-k, k);
		L->b_h[r] = uniform(-k, k);
	}
	for (int u = 0; u < hidden; u++)
		m->w_out[u] = uniform(-k, k);
	return m;
}

/* Does the delayed model, left in silence, kicked slightly and left in
 * silence again, come back to rest? */
static bool settles(recur_model *m, double M, recur_filter_kind kind, int order)
{
	recur_error err;
	recur_host_options opt = {true, RECUR_HOST_CONVERTED, order, kind};
	recur_host_rate *r = recur_host_rate_new(m, M * MODEL_RATE, &opt, &err);
	if (!r)
		return false;
	static float x[RUN], y[RUN];
	for (int t = 0; t < RUN; t++)
		x[t] = t >= REST && t < REST + 8 ? uniform(-1e-3f, 1e-3f) : 0.0f;
	recur_host_rate_process(r, x, y, RUN);
	recur_host_rate_free(r);
	float lo = INFINITY, hi = -INFINITY;
	for (int t = RUN - TAIL; t < RUN; t++) {
		if (!isfinite(y[t]))
			return false;
		lo = fminf(lo, y[t]);
		hi = fmaxf(hi, y[t]);
	}
	return hi - lo < 1e-5f;
}

typedef struct {
	int cases, agree, unstable, predicted_unstable;
} tally;

static const struct {
	double M;
	int order;
} filters[] = {{0.459375, 1}, {0.459375, 2}, {0.459375, 3}, {0.91875, 2}, {0.91875, 3}, {1.8375, 3},
               {1.8375, 2},   {2.0, 0},      {4.0, 0},      {2.1769, 3},  {4.3537, 1}};

/* One model, one filter: prediction against brute force. */
static void judge(recur_model *m, const char *what, double M, recur_filter_kind kind, int order,
                  tally *t)
{
	double own = recur_host_rate_pole(m, 1.0, RECUR_FILTER_LAGRANGE, 0, NULL);
	double pole = recur_host_rate_pole(m, M, kind, order, NULL);
	bool predicted = pole <= 1.0 + 1e-3;
	bool actual = settles(m, M, kind, order);
	t->cases++;
	t->agree += predicted == actual;
	t->unstable += !actual;
	t->predicted_unstable += !predicted;
	if (predicted != actual)
		printf("disagree: %s M %.4f order-%d %s: pole %.5f (own %.5f), brute force %s\n",
		       what, M, order, recur_filter_name(kind), pole, own,
		       actual ? "settles" : "does not settle");
}

static void report(const char *kind, const tally *t)
{
	printf("%s: %d cases: %d agree (%.1f%%), %d unstable by brute force, %d predicted\n", kind,
	       t->cases, t->agree, 100.0 * t->agree / t->cases, t->unstable, t->predicted_unstable);
	CHECK(t->agree >= 0.9 * t->cases, "%s: prediction agrees in only %d of %d cases", kind,
	      t->agree, t->cases);
	CHECK(t->unstable >= t->cases / 10, "%s: only %d unstable cases: the test says little",
	      kind, t->unstable);
	CHECK(t->cases - t->unstable >= t->cases / 10, "%s: only %d stable cases", kind,
	      t->cases - t->unstable);
}

int main(void)
{
	static const recur_cell cells[] = {RECUR_CELL_RNN, RECUR_CELL_GRU, RECUR_CELL_LSTM};
	const int n_filters = sizeof filters / sizeof filters[0];
	tally lagrange = {0}, minimax = {0};
	for (int i = 0; i < 30; i++) {
		recur_cell cell = cells[i % 3];
		int hidden = 2 + (i * 5) % 14;
		float scale = 0.6f + 0.25f * (float)(i % 11);
		recur_model *m = random_model(cell, hidden, scale);
		CHECK(m != NULL, "model");
		if (!m)
			continue;
		char what[64];
		snprintf(what, sizeof what, "%s hidden %d scale %.2f", recur_cell_name(cell),
		         hidden, scale);
		for (int f = 0; f < n_filters; f++) {
			judge(m, what, filters[f].M, RECUR_FILTER_LAGRANGE, filters[f].order,
			      &lagrange);
			/* The exact delay is the same for both kinds. */
			if (filters[f].order > 0)
				judge(m, what, filters[f].M, RECUR_FILTER_MINIMAX, filters[f].order,
				      &minimax);
		}
		recur_model_free(m);
	}
	report("Lagrange", &lagrange);
	report("minimax", &minimax);
	return check_exit();
}
