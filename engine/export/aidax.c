/*
 * AIDA-X model files: RTNeural's Keras-style JSON as the AIDA-X plugins load
 * it (export.h).
 *
 * The plugins do not build a network from the file: they compile in a fixed
 * list of RTNeural models and pick the one whose first layer type, first
 * layer size and input count match, then apply
 *     y = out_gain * (in_skip ? g x + net(g x) : net(g x)),  g = in_gain,
 * with the network's conditioning inputs fed from knobs that run 0..1. The
 * compiled-in list: one "lstm" or "gru" layer of 8, 12, 16, 20, 24, 32, 40,
 * 64 or 80 units, 1 to 3 inputs, then one dense layer to one output with no
 * activation. Anything else would load as the wrong network or not at all,
 * so it is refused here.
 */
#include "check_signal.h"
#include "export.h"
#include "format_json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int aidax_sizes[] = {8, 12, 16, 20, 24, 32, 40, 64, 80};
#define AIDAX_SIZES_TEXT "8, 12, 16, 20, 24, 32, 40, 64 or 80"
#define AIDAX_MAX_INPUTS 3
/* -90 dB: AIDA-X turns a gain at or below it into 0. */
#define AIDAX_SILENT 3.1622776e-5f
#define AIDAX_LOADS                                                                                \
	"AIDA-X loads one LSTM or GRU layer of " AIDAX_SIZES_TEXT " units, 1 to 3 inputs "         \
	"(conditioning on 0..1) and one linear output"

/* Keras gate k (LSTM i,f,c,o; GRU z,r,h) is PyTorch gate map[k]. */
static const int lstm_gate[4] = {0, 1, 2, 3};
static const int gru_gate[3] = {1, 0, 2};

static bool refuse(recur_error *err, const char *why)
{
	fj_fail(err, "AIDA-X cannot run this model: %s; " AIDAX_LOADS, why);
	return false;
}

static bool aidax_can_run(const recur_model *m, recur_error *err)
{
	const recur_shape *s = &m->shape;
	char why[160];
	if (s->cell == RECUR_CELL_RNN)
		return refuse(err, "the cell is rnn");
	if (s->layers != 1) {
		snprintf(why, sizeof why, "it has %d recurrent layers", s->layers);
		return refuse(err, why);
	}
	if (m->inner.n > 0) {
		snprintf(why, sizeof why, "it has %d dense layer%s before the output layer",
		         m->inner.n, m->inner.n == 1 ? "" : "s");
		return refuse(err, why);
	}
	bool size_ok = false;
	for (size_t i = 0; i < sizeof aidax_sizes / sizeof aidax_sizes[0]; i++)
		size_ok |= s->hidden == aidax_sizes[i];
	if (!size_ok) {
		snprintf(why, sizeof why, "hidden size %d is not one it compiles in", s->hidden);
		return refuse(err, why);
	}
	if (s->n_inputs > AIDAX_MAX_INPUTS) {
		snprintf(why, sizeof why, "it has %d inputs", s->n_inputs);
		return refuse(err, why);
	}
	if (s->n_outputs != 1) {
		snprintf(why, sizeof why, "it has %d outputs", s->n_outputs);
		return refuse(err, why);
	}
	if (s->out_act != RECUR_ACT_LINEAR) {
		snprintf(why, sizeof why, "the output activation is %s",
		         recur_activation_name(s->out_act));
		return refuse(err, why);
	}
	if (!(m->in_gain >= 0 && m->out_gain >= 0))
		return refuse(err, "a level gain is negative (the file holds gains in dB)");
	if ((m->in_gain > 0 && m->in_gain <= AIDAX_SILENT) ||
	    (m->out_gain > 0 && m->out_gain <= AIDAX_SILENT))
		return refuse(err, "a level gain is at or below -90 dB, which AIDA-X reads as 0");
	for (size_t i = 0; i < m->n_state; i++)
		if (m->init[i] != 0.0f)
			return refuse(
			    err, "it starts from a stored initial state (AIDA-X starts from zero)");
	for (int i = 1; i < s->n_inputs; i++) {
		const recur_port *p = &m->inputs[i];
		if (p->min != 0.0f || p->max != 1.0f) {
			snprintf(why, sizeof why,
			         "input \"%.31s\" was trained on [%g, %g], its knob gives 0..1",
			         p->name, p->min, p->max);
			return refuse(err, why);
		}
	}
	return true;
}

/* AIDA-X reads gains in dB and turns them into factors with
 * g > -90 ? 10^(g/20) : 0, so a factor of 0 is written as -90. */
static void add_gain(cJSON *root, const char *key, float factor)
{
	if (factor != 1.0f)
		cJSON_AddNumberToObject(root, key, factor > 0 ? 20.0 * log10(factor) : -90.0);
}

static cJSON *shape_of(int n)
{
	cJSON *s = cJSON_CreateArray();
	cJSON_AddItemToArray(s, cJSON_CreateNull());
	cJSON_AddItemToArray(s, cJSON_CreateNull());
	cJSON_AddItemToArray(s, cJSON_CreateNumber(n));
	return s;
}

/* kernel [in][gates*H] from the column-major w[j*rows_p + r]. */
static cJSON *keras_kernel(const float *w, int in, int H, int gates, int rows_p, const int *map)
{
	cJSON *rows = cJSON_CreateArray();
	for (int j = 0; j < in; j++) {
		cJSON *row = cJSON_CreateArray();
		for (int c = 0; c < gates * H; c++) {
			const int r = map[c / H] * H + c % H;
			cJSON_AddItemToArray(row, cJSON_CreateNumber(w[(size_t)j * rows_p + r]));
		}
		cJSON_AddItemToArray(rows, row);
	}
	return rows;
}

/* b1 + b2 in float, as recur adds them: the LSTM's two biases are one in Keras. */
static cJSON *keras_bias(const float *b1, const float *b2, int H, int gates, const int *map)
{
	cJSON *v = cJSON_CreateArray();
	for (int c = 0; c < gates * H; c++) {
		const int r = map[c / H] * H + c % H;
		cJSON_AddItemToArray(v, cJSON_CreateNumber(b1[r] + (b2 ? b2[r] : 0.0f)));
	}
	return v;
}

static cJSON *recurrent_layer(const recur_layer *L)
{
	const bool gru = L->cell == RECUR_CELL_GRU;
	const int gates = gru ? 3 : 4, H = L->hidden;
	const int *map = gru ? gru_gate : lstm_gate;
	cJSON *layer = cJSON_CreateObject();
	cJSON_AddStringToObject(layer, "type", gru ? "gru" : "lstm");
	cJSON_AddStringToObject(layer, "activation", "");
	cJSON_AddItemToObject(layer, "shape", shape_of(H));
	cJSON *w = cJSON_AddArrayToObject(layer, "weights");
	cJSON_AddItemToArray(w, keras_kernel(L->w_x, L->in, H, gates, L->rows_p, map));
	cJSON_AddItemToArray(w, keras_kernel(L->w_h, H, H, gates, L->rows_p, map));
	if (gru) {
		/* reset_after GRU keeps the two biases apart: [input, recurrent] */
		cJSON *b = cJSON_CreateArray();
		cJSON_AddItemToArray(b, keras_bias(L->b_x, NULL, H, gates, map));
		cJSON_AddItemToArray(b, keras_bias(L->b_h, NULL, H, gates, map));
		cJSON_AddItemToArray(w, b);
	} else {
		cJSON_AddItemToArray(w, keras_bias(L->b_x, L->b_h, H, gates, map));
	}
	return layer;
}

static cJSON *dense_layer(const recur_model *m)
{
	const int H = m->shape.hidden;
	cJSON *layer = cJSON_CreateObject();
	cJSON_AddStringToObject(layer, "type", "dense");
	cJSON_AddStringToObject(layer, "activation", "");
	cJSON_AddItemToObject(layer, "shape", shape_of(1));
	cJSON *w = cJSON_AddArrayToObject(layer, "weights");
	cJSON *kernel = cJSON_CreateArray();
	for (int j = 0; j < H; j++) {
		cJSON *row = cJSON_CreateArray();
		cJSON_AddItemToArray(row, cJSON_CreateNumber(m->w_out[j]));
		cJSON_AddItemToArray(kernel, row);
	}
	cJSON_AddItemToArray(w, kernel);
	cJSON *bias = cJSON_CreateArray();
	cJSON_AddItemToArray(bias, cJSON_CreateNumber(m->b_out[0]));
	cJSON_AddItemToArray(w, bias);
	return layer;
}

/* recur's metadata goes into AIDA-X's "metadata" object (which the plugins
 * ignore but for the rate), without the members the writer owns. */
static cJSON *metadata_of(const recur_model *m)
{
	cJSON *meta = NULL;
	if (m->metadata_json)
		meta = cJSON_Parse(m->metadata_json);
	if (!cJSON_IsObject(meta)) {
		cJSON_Delete(meta);
		meta = cJSON_CreateObject();
	}
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "samplerate");
	/* recur's own notes about the file it read, not about the model */
	static const char *const notes[] = {"imported_from", "sample_rate_assumed", "file_check",
	                                    NULL};
	for (const char *const *k = notes; *k; k++)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, *k);
	/* the plugins read the rate as a number only; without one they assume 48 kHz */
	if (m->sample_rate > 0)
		cJSON_AddNumberToObject(meta, "samplerate", m->sample_rate);
	return meta;
}

static cJSON *float_array(const float *v, int n, int stride)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[(size_t)i * stride]));
	return a;
}

/* AIDA-X's own self-test: the signal through the network as its plugins test
 * it, gains at 0 dB and conditioning knobs at 0, skip included. */
static bool add_self_test(cJSON *root, const recur_model *m, recur_error *err)
{
	const int frames = RECUR_CHECK_FRAMES;
	float *x = calloc((size_t)frames * m->shape.n_inputs, sizeof *x);
	float *y = calloc((size_t)frames, sizeof *y);
	bool ok = x && y;
	if (!ok)
		fj_fail(err, "out of memory");
	recur_model *plain = ok ? recur_model_clone(m, err) : NULL;
	ok = plain != NULL;
	if (ok) {
		plain->in_gain = plain->out_gain = 1.0f;
		recur_check_signal(x, frames, m->shape.n_inputs);
		ok = recur_check_run(plain, x, y, frames, err); /* one output */
	}
	recur_model_free(plain);
	if (ok) {
		cJSON_AddItemToObject(root, "input_batch",
		                      float_array(x, frames, m->shape.n_inputs));
		cJSON_AddItemToObject(root, "output_batch", float_array(y, frames, 1));
	}
	free(x);
	free(y);
	return ok;
}

char *recur_export_aidax(const recur_model *m, recur_error *err)
{
	if (!aidax_can_run(m, err))
		return NULL;
	const recur_shape *s = &m->shape;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "in_shape", shape_of(s->n_inputs));
	cJSON_AddNumberToObject(root, "in_skip", s->skip ? 1 : 0);
	add_gain(root, "in_gain", m->in_gain);
	add_gain(root, "out_gain", m->out_gain);
	cJSON_AddItemToObject(root, "metadata", metadata_of(m));
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	cJSON_AddItemToArray(layers, recurrent_layer(&m->layer[0]));
	cJSON_AddItemToArray(layers, dense_layer(m));
	char *text = NULL;
	if (add_self_test(root, m, err)) {
		/* cJSON prints doubles with up to 17 significant digits, so each
		 * float reads back bit for bit. */
		text = cJSON_Print(root);
		if (!text)
			fj_fail(err, "out of memory");
	}
	cJSON_Delete(root);
	return text;
}
