/* recur's own format: save then load gives back every parameter bit for bit
 * (memcmp of the whole block, padding included), with names, ranges, sample
 * rate and metadata; version 2 does the same for dense stacks, initial
 * states, gains and the check block, and a model without them is still
 * written as version 1; files written by hand land at the documented
 * positions of the engine's blocks. */
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

/* Everything version 2 added, filled with values a decimal writer easily
 * gets wrong. */
static recur_model *make_v2(recur_cell cell)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 2,
	                 .n_outputs = 3,
	                 .hidden = 9,
	                 .layers = 2,
	                 .skip = true,
	                 .out_act = RECUR_ACT_ELU};
	recur_inner inner = {2, {{19, RECUR_ACT_RELU}, {4, RECUR_ACT_SIGMOID}}};
	recur_error err = {{0}};
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	CHECK(m != NULL, "recur_model_new_dense: %s", err.msg);
	if (!m)
		return NULL;
	fill(m);
	size_t k = 3;
	for (int d = 0; d < inner.n; d++) {
		recur_dense_layer *D = &m->dense[d];
		for (int o = 0; o < D->width; o++) {
			for (int j = 0; j < D->in; j++)
				D->w[(size_t)o * D->in_p + j] = tricky(k++ % 13);
			D->b[o] = random_float();
		}
	}
	/* fill() wrote the output layer as if over hidden units; it has 4 inputs. */
	memset(m->w_out, 0, (size_t)s.n_outputs * (size_t)m->head_in_p * sizeof(float));
	for (int o = 0; o < s.n_outputs; o++)
		for (int j = 0; j < 4; j++)
			m->w_out[(size_t)o * m->head_in_p + j] = random_float();
	for (int l = 0; l < s.layers; l++)
		for (int u = 0; u < s.hidden; u++) {
			m->init[(size_t)l * 2 * m->hidden_p + u] = tricky(k++ % 11);
			if (cell == RECUR_CELL_LSTM)
				m->init[(size_t)l * 2 * m->hidden_p + m->hidden_p + u] =
				    random_float();
		}
	m->in_gain = 0.1f;
	m->out_gain = 1.0f / 3;
	float x[5 * 2], y[5 * 3];
	for (int i = 0; i < 10; i++)
		x[i] = tricky((size_t)i);
	for (int i = 0; i < 15; i++)
		y[i] = random_float();
	CHECK(recur_model_set_check(m, x, y, 5, &err), "set_check: %s", err.msg);
	return m;
}

static void round_trip_v2(recur_cell cell)
{
	recur_model *m = make_v2(cell);
	if (!m)
		return;
	recur_error err = {{0}};
	char *text = recur_model_print(m, &err);
	CHECK(text != NULL, "print: %s", err.msg);
	if (!text) {
		recur_model_free(m);
		return;
	}
	CHECK(strstr(text, "\"version\": 2,") != NULL, "a model with a dense stack is version 2");
	recur_model *back = recur_model_parse(text, strlen(text), &err);
	CHECK(back != NULL, "parse: %s", err.msg);
	if (back) {
		CHECK(back->inner.n == 2 && back->inner.layer[0].width == 19 &&
		          back->inner.layer[0].act == RECUR_ACT_RELU &&
		          back->inner.layer[1].width == 4 &&
		          back->inner.layer[1].act == RECUR_ACT_SIGMOID &&
		          back->shape.out_act == RECUR_ACT_ELU,
		      "dense stack differs");
		CHECK(back->n_params == m->n_params &&
		          memcmp(back->params, m->params, m->n_params * sizeof(float)) == 0,
		      "%s v2: parameters differ", recur_cell_name(cell));
		CHECK(memcmp(back->init, m->init, m->n_state * sizeof(float)) == 0,
		      "%s v2: initial state differs", recur_cell_name(cell));
		CHECK(memcmp(back->state, m->init, m->n_state * sizeof(float)) == 0,
		      "a loaded model starts from its initial state");
		CHECK(memcmp(&back->in_gain, &m->in_gain, sizeof(float)) == 0 &&
		          memcmp(&back->out_gain, &m->out_gain, sizeof(float)) == 0,
		      "gains %.9g %.9g", back->in_gain, back->out_gain);
		CHECK(back->check && back->check->frames == 5 &&
		          memcmp(back->check->input, m->check->input, 10 * sizeof(float)) == 0 &&
		          memcmp(back->check->output, m->check->output, 15 * sizeof(float)) == 0,
		      "check block differs");
		char *again = recur_model_print(back, &err);
		CHECK(again && strcmp(again, text) == 0, "printed text differs after a round trip");
		free(again);
		recur_model *c = recur_model_clone(back, &err);
		char *cloned = c ? recur_model_print(c, &err) : NULL;
		CHECK(cloned && strcmp(cloned, text) == 0, "a clone prints differently");
		free(cloned);
		recur_model_free(c);
	}
	recur_model_free(back);
	free(text);
	recur_model_free(m);
}

/* Each of version 2's additions alone makes the file version 2, and a
 * version-1 model stays version 1. */
static void version_rule(void)
{
	recur_shape s = {
	    .cell = RECUR_CELL_GRU, .n_inputs = 1, .n_outputs = 1, .hidden = 3, .layers = 1};
	recur_error err = {{0}};
	for (int what = 0; what < 6; what++) {
		recur_model *m = recur_model_new(&s, &err);
		if (!m)
			return;
		float x = 0.5f, y = 0.25f;
		switch (what) {
		case 1:
			m->in_gain = 2.0f;
			break;
		case 2:
			m->out_gain = 0.0f;
			break;
		case 3:
			m->init[2] = 0.125f;
			break;
		case 4:
			recur_model_set_check(m, &x, &y, 1, &err);
			break;
		case 5:
			m->shape.out_act = RECUR_ACT_RELU;
			break;
		}
		char *text = recur_model_print(m, &err);
		const char *want = what ? "\"version\": 2," : "\"version\": 1,";
		CHECK(text && strstr(text, want), "case %d: expected %s", what, want);
		recur_model *back = text ? recur_model_parse(text, strlen(text), &err) : NULL;
		CHECK(back != NULL, "case %d: %s", what, err.msg);
		free(text);
		recur_model_free(back);
		recur_model_free(m);
	}
}

/* dense[k].weight[o][j] lands at w[o * in_p + j]; h0 and c0 at init. */
static void v2_layout_from_text(void)
{
	const char *text =
	    "{\"format\": \"recur-model\", \"version\": 2, \"cell\": \"lstm\", \"n_inputs\": 1,"
	    " \"n_outputs\": 1, \"hidden\": 1, \"n_layers\": 1, \"skip\": false,"
	    " \"output_activation\": \"linear\", \"sample_rate\": 48000,"
	    " \"inputs\": [{\"name\": \"a\", \"min\": -1, \"max\": 1, \"default\": 0}],"
	    " \"outputs\": [{\"name\": \"y\"}],"
	    " \"layers\": [{\"weight_ih\": [[1], [2], [3], [4]],"
	    "   \"weight_hh\": [[5], [6], [7], [8]], \"bias_ih\": [0, 0, 0, 0],"
	    "   \"bias_hh\": [0, 0, 0, 0]}],"
	    " \"dense\": [{\"width\": 2, \"activation\": \"tanh\", \"weight\": [[10], [11]],"
	    "   \"bias\": [12, 13]}],"
	    " \"head\": {\"weight\": [[20, 21]], \"bias\": [22]},"
	    " \"initial_state\": [{\"h\": [0.5], \"c\": [-0.25]}],"
	    " \"input_gain\": 2, \"output_gain\": 0.5,"
	    " \"check\": {\"input\": [[0.1], [0.2]], \"output\": [[1], [2]]}}";
	recur_error err = {{0}};
	recur_model *m = recur_model_parse(text, strlen(text), &err);
	CHECK(m != NULL, "parse: %s", err.msg);
	if (!m)
		return;
	CHECK(m->dense[0].w[0] == 10.0f && m->dense[0].w[m->dense[0].in_p] == 11.0f &&
	          m->dense[0].b[0] == 12.0f && m->dense[0].b[1] == 13.0f,
	      "dense weights");
	CHECK(m->head_in_p == RECUR_PAD && m->w_out[0] == 20.0f && m->w_out[1] == 21.0f &&
	          m->b_out[0] == 22.0f,
	      "output layer");
	CHECK(m->init[0] == 0.5f && m->init[m->hidden_p] == -0.25f, "initial state");
	CHECK(m->h[0][0] == 0.5f && m->c[0][0] == -0.25f, "loaded model starts at h0, c0");
	CHECK(m->in_gain == 2.0f && m->out_gain == 0.5f, "gains");
	CHECK(m->check && m->check->frames == 2 && m->check->input[1] == 0.2f &&
	          m->check->output[1] == 2.0f,
	      "check block");
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
	round_trip_v2(RECUR_CELL_RNN);
	round_trip_v2(RECUR_CELL_GRU);
	round_trip_v2(RECUR_CELL_LSTM);
	version_rule();
	v2_layout_from_text();
	rmdir(dir);
	return check_exit();
}
