/* recur's own format: save then load gives back every parameter bit for bit
 * (memcmp of the whole block, padding included), with names, ranges, sample
 * rate and metadata; and a file written by hand in PyTorch layout lands at
 * the documented positions of the engine's column-major blocks. */
#include "check.h"
#include "recur.h"

#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t rng_state = 12345;

static float random_float(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (float)((double)(rng_state >> 8) / (1 << 24) * 2.0 - 1.0);
}

/* Values that a decimal writer easily gets wrong, then random ones. */
static float tricky(size_t i)
{
	static const float special[] = {-0.0f, 1e-45f,   FLT_MIN,     FLT_MAX,    -FLT_MAX,
	                                0.1f,  1.0f / 3, 16777217.0f, 3.4028e38f, 1.17549e-38f};
	size_t n = sizeof special / sizeof special[0];
	return i < n ? special[i] : random_float();
}

/* Writes only the real (unpadded) entries, as a loader would. */
static void fill(recur_model *m)
{
	size_t k = 0;
	for (int l = 0; l < m->shape.layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[j * L->rows_p + r] = tricky(k++);
			for (int j = 0; j < L->hidden; j++)
				L->w_h[j * L->rows_p + r] = random_float();
			L->b_x[r] = random_float();
			L->b_h[r] = tricky(k++);
		}
	}
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int j = 0; j < m->shape.hidden; j++)
			m->w_out[o * m->hidden_p + j] = random_float();
		m->b_out[o] = random_float();
	}
}

static const char *metadata = "{\"author\":\"A \\\"quoted\\\" name\",\"tags\":[\"fuzz\","
                              "\"amp\"],\"gain\":2.5,\"nested\":{\"unicode\":\"\xc3\xa9\"}}";

static void round_trip(recur_cell cell, const char *dir)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 3,
	                 .n_outputs = 2,
	                 .hidden = 17,
	                 .layers = 3,
	                 .skip = true,
	                 .out_act = RECUR_ACT_TANH};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	if (!m)
		return;
	fill(m);
	m->sample_rate = 44100.25;
	snprintf(m->inputs[0].name, RECUR_NAME_LEN, "guitar \"DI\"");
	snprintf(m->inputs[1].name, RECUR_NAME_LEN, "gain");
	m->inputs[1].min = -12.5f;
	m->inputs[1].max = 0.1f;
	m->inputs[1].def = -0.0f;
	snprintf(m->outputs[1].name, RECUR_NAME_LEN, "%s", "0123456789012345678901234567890");
	m->metadata_json = strdup(metadata);

	char path[512];
	snprintf(path, sizeof path, "%s/model-%s.json", dir, recur_cell_name(cell));
	CHECK(recur_model_save(m, path, &err), "save: %s", err.msg);
	recur_model *back = recur_model_load(path, &err);
	CHECK(back != NULL, "load: %s", err.msg);
	if (back) {
		const recur_shape *a = &back->shape, *b = &m->shape;
		CHECK(a->cell == b->cell && a->n_inputs == b->n_inputs &&
		          a->n_outputs == b->n_outputs && a->hidden == b->hidden &&
		          a->layers == b->layers && a->skip == b->skip && a->out_act == b->out_act,
		      "shape differs");
		CHECK(back->n_params == m->n_params, "n_params %zu vs %zu", back->n_params,
		      m->n_params);
		CHECK(back->n_params == m->n_params &&
		          memcmp(back->params, m->params, m->n_params * sizeof(float)) == 0,
		      "%s: parameters differ after the round trip", recur_cell_name(cell));
		CHECK(back->sample_rate == m->sample_rate, "sample rate %.17g", back->sample_rate);
		for (int i = 0; i < s.n_inputs; i++) {
			CHECK(strcmp(back->inputs[i].name, m->inputs[i].name) == 0, "input %d", i);
			CHECK(memcmp(&back->inputs[i].min, &m->inputs[i].min, 3 * sizeof(float)) ==
			          0,
			      "input %d range", i);
		}
		for (int o = 0; o < s.n_outputs; o++)
			CHECK(strcmp(back->outputs[o].name, m->outputs[o].name) == 0, "output %d",
			      o);
		CHECK(back->metadata_json && strcmp(back->metadata_json, metadata) == 0,
		      "metadata \"%s\"", back->metadata_json ? back->metadata_json : "(none)");

		/* Printing is a fixed point: what was loaded prints to the same text. */
		char *ta = recur_model_print(m, &err), *tb = recur_model_print(back, &err);
		CHECK(ta && tb && strcmp(ta, tb) == 0, "printed text differs after a round trip");
		free(ta);
		free(tb);
	}
	recur_model_free(back);
	recur_model_free(m);
	unlink(path);
}

/* weight_ih[r][j] = 100 r + j etc.; the engine's blocks hold it transposed. */
static void layout_from_text(void)
{
	const char *text =
	    "{\"format\": \"recur-model\", \"version\": 1, \"cell\": \"gru\", \"n_inputs\": 2,"
	    " \"n_outputs\": 1, \"hidden\": 1, \"n_layers\": 1, \"skip\": false,"
	    " \"output_activation\": \"linear\", \"sample_rate\": 0,"
	    " \"inputs\": [{\"name\": \"a\", \"min\": 0, \"max\": 1, \"default\": 0},"
	    "              {\"name\": \"b\", \"min\": 0, \"max\": 1, \"default\": 1}],"
	    " \"outputs\": [{\"name\": \"y\"}],"
	    " \"layers\": [{\"weight_ih\": [[0, 1], [100, 101], [200, 201]],"
	    "   \"weight_hh\": [[1000], [1100], [1200]], \"bias_ih\": [7, 8, 9],"
	    "   \"bias_hh\": [-7, -8, -9]}],"
	    " \"head\": {\"weight\": [[42]], \"bias\": [0.5]}}";
	recur_error err = {{0}};
	recur_model *m = recur_model_parse(text, strlen(text), &err);
	CHECK(m != NULL, "parse: %s", err.msg);
	if (!m)
		return;
	const recur_layer *L = &m->layer[0];
	CHECK(L->rows == 3 && L->rows_p == RECUR_PAD, "rows %d rows_p %d", L->rows, L->rows_p);
	for (int r = 0; r < 3; r++) {
		for (int j = 0; j < 2; j++)
			CHECK(L->w_x[j * L->rows_p + r] == 100.0f * r + j, "w_x[%d][%d]", j, r);
		CHECK(L->w_h[r] == 1000.0f + 100.0f * r, "w_h row %d", r);
		CHECK(L->b_x[r] == 7.0f + r && L->b_h[r] == -7.0f - r, "bias row %d", r);
	}
	for (int r = 3; r < L->rows_p; r++)
		CHECK(L->w_x[r] == 0 && L->w_x[L->rows_p + r] == 0 && L->b_x[r] == 0,
		      "padding row %d is not zero", r);
	CHECK(m->w_out[0] == 42.0f && m->b_out[0] == 0.5f, "head");
	CHECK(m->inputs[1].def == 1.0f && strcmp(m->inputs[1].name, "b") == 0, "ports");
	CHECK(m->metadata_json == NULL, "no metadata given, none kept");
	recur_model_free(m);
}

int main(void)
{
	char dir[] = "/tmp/recur-roundtrip-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	round_trip(RECUR_CELL_RNN, dir);
	round_trip(RECUR_CELL_GRU, dir);
	round_trip(RECUR_CELL_LSTM, dir);
	layout_from_text();
	rmdir(dir);
	return check_exit();
}
