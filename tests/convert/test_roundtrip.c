/*
 * Round trips through the foreign writers and recur's readers, to 1e-6 on
 * the outputs over 2000 frames of random input:
 *   recur -> AIDA-X -> recur  for every cell, size and input count AIDA-X
 *                             runs, with and without skip;
 *   recur -> NAM -> recur     for LSTM stacks of 1-4 layers and several sizes;
 *   AIDA-X -> recur -> AIDA-X gives back the same weights number for number.
 * Every refusal names what stands in the way and what the target loads.
 */
#include "check.h"
#include "export.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES    2000
#define TOLERANCE 1e-6

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double uniform(void) /* [-1, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/* A model of this shape with every parameter random (scaled so the states
 * move but do not saturate) and the given conditioning ranges. */
static recur_model *random_model(recur_cell cell, int layers, int hidden, int n_in, bool skip)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, n_in, 1, hidden, layers, skip, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m != NULL, "new: %s", err.msg);
	if (!m)
		return NULL;
	const float scale = 1.5f / sqrtf((float)hidden);
	for (int l = 0; l < layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[(size_t)j * L->rows_p + r] = (float)uniform() * scale;
			for (int j = 0; j < L->hidden; j++)
				L->w_h[(size_t)j * L->rows_p + r] = (float)uniform() * scale;
			L->b_x[r] = (float)uniform() * 0.5f;
			L->b_h[r] = (float)uniform() * 0.5f;
		}
	}
	for (int j = 0; j < hidden; j++)
		m->w_out[j] = (float)uniform() * scale;
	m->b_out[0] = (float)uniform() * 0.1f;
	m->sample_rate = 44100;
	return m;
}

/* Largest output difference over FRAMES random frames, both from reset. */
static double max_difference(recur_model *a, recur_model *b)
{
	const int n_in = a->shape.n_inputs;
	if (b->shape.n_inputs != n_in || b->shape.n_outputs != a->shape.n_outputs)
		return INFINITY;
	recur_reset(a);
	recur_reset(b);
	double worst = 0;
	float x[RECUR_MAX_IO], ya[RECUR_MAX_IO], yb[RECUR_MAX_IO];
	for (int t = 0; t < FRAMES; t++) {
		x[0] = (float)(0.8 * uniform());
		for (int j = 1; j < n_in; j++)
			x[j] = (float)(0.5 + 0.5 * uniform()); /* inside the knobs' 0..1 */
		recur_step(a, x, ya);
		recur_step(b, x, yb);
		const double d = fabs((double)ya[0] - yb[0]);
		worst = d > worst || isnan(d) ? d : worst;
	}
	return worst;
}

static recur_model *parse(const char *text, recur_error *err)
{
	return recur_model_parse(text, strlen(text), err);
}

/* Level gains (AIDA-X writes them, NAM folds them into the weights) and,
 * for NAM, a learned initial state. */
static void add_levels(recur_model *m, bool initial_state)
{
	m->in_gain = 1.6f;
	m->out_gain = 0.7f;
	for (size_t i = 0; initial_state && i < m->n_state; i++)
		m->init[i] = (float)(0.3 * uniform());
	/* padding and the unused c of RNN and GRU stay zero */
	for (int l = 0; initial_state && l < m->shape.layers; l++) {
		float *h = m->init + (m->h[l] - m->state), *c = m->init + (m->c[l] - m->state);
		for (int j = m->shape.hidden; j < m->hidden_p; j++)
			h[j] = c[j] = 0;
	}
}

static void round_trip(recur_export_format f, recur_cell cell, int layers, int hidden, int n_in,
                       bool skip, bool levels)
{
	recur_model *m = random_model(cell, layers, hidden, n_in, skip);
	if (!m)
		return;
	if (levels)
		add_levels(m, f == RECUR_EXPORT_NAM);
	recur_error err = {{0}};
	char *text =
	    f == RECUR_EXPORT_NAM ? recur_export_nam(m, &err) : recur_export_aidax(m, &err);
	CHECK(text != NULL, "%s %s %dx%d in %d: %s", recur_export_format_name(f),
	      recur_cell_name(cell), layers, hidden, n_in, err.msg);
	recur_model *back = text ? parse(text, &err) : NULL;
	CHECK(!text || back, "%s read back: %s", recur_export_format_name(f), err.msg);
	if (back) {
		CHECK(back->shape.cell == cell && back->shape.layers == layers &&
		          back->shape.hidden == hidden && back->shape.skip == skip,
		      "%s: shape changed", recur_export_format_name(f));
		CHECK(back->sample_rate == 44100, "%s: rate %g", recur_export_format_name(f),
		      back->sample_rate);
		const double d = max_difference(m, back);
		CHECK(d <= TOLERANCE, "%s %s %dx%d in %d skip %d: differs by %g",
		      recur_export_format_name(f), recur_cell_name(cell), layers, hidden, n_in,
		      skip, d);
		recur_model_free(back);
	}
	free(text);
	recur_model_free(m);
}

/* Two JSON values with the same structure and numbers within tol. */
static bool same_numbers(const cJSON *a, const cJSON *b, double tol)
{
	if (cJSON_IsNumber(a))
		return cJSON_IsNumber(b) && fabs(a->valuedouble - b->valuedouble) <= tol;
	if (cJSON_IsArray(a)) {
		if (!cJSON_IsArray(b) || cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		for (const cJSON *x = a->child, *y = b->child; x; x = x->next, y = y->next)
			if (!same_numbers(x, y, tol))
				return false;
		return true;
	}
	return true;
}

static void aidax_twice(recur_cell cell, int hidden, int n_in, bool skip)
{
	recur_model *m = random_model(cell, 1, hidden, n_in, skip);
	if (!m)
		return;
	recur_error err = {{0}};
	char *first = recur_export_aidax(m, &err);
	recur_model *back = first ? parse(first, &err) : NULL;
	char *second = back ? recur_export_aidax(back, &err) : NULL;
	CHECK(second != NULL, "AIDA-X -> recur -> AIDA-X: %s", err.msg);
	if (second) {
		cJSON *a = cJSON_Parse(first), *b = cJSON_Parse(second);
		const char *keys[] = {"in_shape", "in_skip", "layers", "input_batch",
		                      "output_batch"};
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			const cJSON *va = cJSON_GetObjectItemCaseSensitive(a, keys[k]);
			const cJSON *vb = cJSON_GetObjectItemCaseSensitive(b, keys[k]);
			/* weights exactly; the self-test output as computed again */
			const double tol = strcmp(keys[k], "output_batch") == 0 ? TOLERANCE : 0.0;
			CHECK(va && vb && same_numbers(va, vb, tol), "%s %d: \"%s\" changed",
			      recur_cell_name(cell), hidden, keys[k]);
		}
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	free(first);
	free(second);
	recur_model_free(back);
	recur_model_free(m);
}

static void refused(recur_export_format f, recur_model *m, const char *why, const char *loads)
{
	if (!m)
		return;
	recur_error err = {{0}};
	char *text =
	    f == RECUR_EXPORT_NAM ? recur_export_nam(m, &err) : recur_export_aidax(m, &err);
	CHECK(text == NULL, "%s accepted a model it cannot run", recur_export_format_name(f));
	free(text);
	CHECK_MSG(err.msg, why);
	CHECK_MSG(err.msg, loads);
	recur_model_free(m);
}

static recur_model *with_output(recur_model *m, recur_activation act)
{
	if (m)
		m->shape.out_act = act;
	return m;
}

static recur_model *with_range(recur_model *m, float min, float max)
{
	if (m) {
		snprintf(m->inputs[1].name, RECUR_NAME_LEN, "drive");
		m->inputs[1].min = min;
		m->inputs[1].max = max;
		m->inputs[1].def = min;
	}
	return m;
}

static recur_model *dense_stack(recur_cell cell, int n)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, 8, 1, false, RECUR_ACT_LINEAR};
	recur_inner inner = {.n = n, .layer = {{6, RECUR_ACT_TANH}, {4, RECUR_ACT_RELU}}};
	recur_model *m = recur_model_new_dense(&shape, &inner, &err);
	CHECK(m != NULL, "dense stack: %s", err.msg);
	return m;
}

static void refusals(void)
{
	const recur_export_format A = RECUR_EXPORT_AIDAX, N = RECUR_EXPORT_NAM;
	const char *aidax = "AIDA-X loads one LSTM or GRU layer of 8, 12, 16, 20, 24, 32, 40, 64 "
	                    "or 80 units, 1 to 3 inputs";
	const char *nam = "NAM loads LSTM layers with one input, one linear output and no skip";
	refused(A, random_model(RECUR_CELL_RNN, 1, 8, 1, false), "the cell is rnn", aidax);
	refused(A, random_model(RECUR_CELL_LSTM, 2, 8, 1, false), "2 recurrent layers", aidax);
	refused(A, random_model(RECUR_CELL_GRU, 1, 10, 1, false), "hidden size 10", aidax);
	refused(A, random_model(RECUR_CELL_LSTM, 1, 128, 1, false), "hidden size 128", aidax);
	refused(A, random_model(RECUR_CELL_LSTM, 1, 8, 4, false), "4 inputs", aidax);
	refused(A, with_output(random_model(RECUR_CELL_GRU, 1, 8, 1, false), RECUR_ACT_TANH),
	        "output activation is tanh", aidax);
	refused(A, with_range(random_model(RECUR_CELL_LSTM, 1, 8, 2, false), 0, 10),
	        "input \"drive\" was trained on [0, 10]", aidax);
	recur_model *stored_state = random_model(RECUR_CELL_LSTM, 1, 8, 1, false);
	if (stored_state)
		add_levels(stored_state, true);
	refused(A, stored_state, "stored initial state", aidax);
	recur_model *negative = random_model(RECUR_CELL_LSTM, 1, 8, 1, false);
	if (negative)
		negative->out_gain = -1.0f;
	refused(A, negative, "negative", aidax);
	refused(A, dense_stack(RECUR_CELL_GRU, 1), "1 dense layer before the output layer", aidax);
	refused(N, dense_stack(RECUR_CELL_LSTM, 2), "2 dense layers before the output layer", nam);
	refused(N, random_model(RECUR_CELL_GRU, 1, 8, 1, false), "the cell is gru", nam);
	refused(N, random_model(RECUR_CELL_RNN, 1, 8, 1, false), "the cell is rnn", nam);
	refused(N, random_model(RECUR_CELL_LSTM, 1, 8, 2, false), "2 inputs", nam);
	refused(N, random_model(RECUR_CELL_LSTM, 1, 8, 1, true), "skip", nam);
	refused(N, with_output(random_model(RECUR_CELL_LSTM, 1, 8, 1, false), RECUR_ACT_SIGMOID),
	        "output activation is sigmoid", nam);
}

int main(void)
{
	static const int aidax_sizes[] = {8, 12, 16, 20, 24, 32, 40, 64, 80};
	for (int c = 0; c < 2; c++) {
		const recur_cell cell = c ? RECUR_CELL_GRU : RECUR_CELL_LSTM;
		for (size_t s = 0; s < sizeof aidax_sizes / sizeof aidax_sizes[0]; s++)
			for (int n_in = 1; n_in <= 3; n_in++)
				round_trip(RECUR_EXPORT_AIDAX, cell, 1, aidax_sizes[s], n_in,
				           (s + n_in) % 2 == 0, s % 3 == 0);
		aidax_twice(cell, 16, 1, true);
		aidax_twice(cell, 8, 3, false);
	}
	static const int nam_sizes[] = {1, 3, 8, 16, 24, 40, 128};
	for (int layers = 1; layers <= RECUR_MAX_LAYERS; layers++)
		for (size_t s = 0; s < sizeof nam_sizes / sizeof nam_sizes[0]; s++)
			round_trip(RECUR_EXPORT_NAM, RECUR_CELL_LSTM, layers, nam_sizes[s], 1,
			           false, s % 2 == 1);
	refusals();
	return check_exit();
}
