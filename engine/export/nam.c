/*
 * NAM model files: a NeuralAmpModelerCore .nam of architecture "LSTM"
 * (export.h), laid out as its get_dsp.cpp and lstm.cpp read it:
 *
 *   {"version": "0.5.4", "architecture": "LSTM",
 *    "config": {"num_layers": L, "input_size": 1, "hidden_size": H},
 *    "weights": [...], "sample_rate": R, "metadata": {...}}
 *
 * weights, one flat array, per layer (in = 1 for the first, H above):
 *   W [4H][in + H] row by row: row r is PyTorch's weight_ih[r] then
 *                  weight_hh[r], gates i, f, g, o as in PyTorch
 *   b [4H]         bias_ih + bias_hh (NAM keeps one bias)
 *   h0 [H], c0 [H] the state each reset starts from
 * then the head: weight [H], bias [1].
 *
 * NAM's LSTM feeds one channel in and takes one linear output. Its plugins
 * normalise the output by default: they multiply it by 10^((-18 - loudness)
 * / 20), and recur reads "loudness" as that output gain. So a positive output
 * gain is written as the loudness that gives it back; an input gain (NAM has
 * none it applies) and a zero or negative output gain are folded into the
 * weights (first layer's input column, head), exact up to float rounding.
 */
#include "export.h"
#include "format_json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The .nam version NeuralAmpModelerCore has read since 0.5 (its earliest
 * supported file version is 0.5.0). */
#define NAM_FILE_VERSION "0.5.4"
#define NAM_LOADS                                                                                  \
	"NAM loads LSTM layers with one input, one linear output and no skip (its other "          \
	"architectures, WaveNet and ConvNet, recur does not write)"

static bool refuse(recur_error *err, const char *why)
{
	fj_fail(err, "NAM cannot run this model: %s; " NAM_LOADS, why);
	return false;
}

static bool nam_can_run(const recur_model *m, recur_error *err)
{
	const recur_shape *s = &m->shape;
	char why[160];
	if (s->cell != RECUR_CELL_LSTM) {
		snprintf(why, sizeof why, "the cell is %s", recur_cell_name(s->cell));
		return refuse(err, why);
	}
	if (s->n_inputs != 1) {
		snprintf(why, sizeof why, "it has %d inputs (NAM feeds one, no conditioning)",
		         s->n_inputs);
		return refuse(err, why);
	}
	if (s->n_outputs != 1) {
		snprintf(why, sizeof why, "it has %d outputs", s->n_outputs);
		return refuse(err, why);
	}
	if (s->skip)
		return refuse(err, "it adds its input to its output (skip; train with --no-skip)");
	if (m->inner.n > 0) {
		snprintf(why, sizeof why, "it has %d dense layer%s before the output layer",
		         m->inner.n, m->inner.n == 1 ? "" : "s");
		return refuse(err, why);
	}
	if (s->out_act != RECUR_ACT_LINEAR) {
		snprintf(why, sizeof why, "the output activation is %s",
		         recur_activation_name(s->out_act));
		return refuse(err, why);
	}
	return true;
}

static void add_floats(cJSON *a, const float *v, int n)
{
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
}

static void add_layer(cJSON *w, const recur_layer *L, const float *h0, const float *c0,
                      float in_gain)
{
	for (int r = 0; r < L->rows; r++) {
		for (int j = 0; j < L->in; j++)
			cJSON_AddItemToArray(
			    w, cJSON_CreateNumber(L->w_x[(size_t)j * L->rows_p + r] * in_gain));
		for (int j = 0; j < L->hidden; j++)
			cJSON_AddItemToArray(w,
			                     cJSON_CreateNumber(L->w_h[(size_t)j * L->rows_p + r]));
	}
	for (int r = 0; r < L->rows; r++)
		cJSON_AddItemToArray(w, cJSON_CreateNumber(L->b_x[r] + L->b_h[r]));
	add_floats(w, h0, L->hidden);
	add_floats(w, c0, L->hidden);
}

/* The level NAM's plugins normalise the output to, in dB. */
#define NAM_TARGET_LOUDNESS -18.0

/* Members NAM's core reads as numbers (or null); anything else there makes
 * it throw, so only numbers are copied. "loudness" is the writer's own. */
static const char *const nam_numeric_keys[] = {"input_level_dbu", "output_level_dbu", "gain", NULL};
/* Descriptive members its plugins show. */
static const char *const nam_string_keys[] = {"name",       "modeled_by", "gear_type", "gear_make",
                                              "gear_model", "tone_type",  NULL};

static cJSON *metadata_of(const recur_model *m, float written_gain)
{
	cJSON *meta = cJSON_CreateObject();
	cJSON *src = m->metadata_json ? cJSON_Parse(m->metadata_json) : NULL;
	for (const char *const *k = nam_string_keys; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, *k);
		if (cJSON_IsString(v))
			cJSON_AddStringToObject(meta, *k, v->valuestring);
	}
	for (const char *const *k = nam_numeric_keys; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, *k);
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
			cJSON_AddNumberToObject(meta, *k, v->valuedouble);
	}
	cJSON_Delete(src);
	if (written_gain != 1.0f)
		cJSON_AddNumberToObject(meta, "loudness",
		                        NAM_TARGET_LOUDNESS - 20.0 * log10(written_gain));
	return meta;
}

char *recur_export_nam(const recur_model *m, recur_error *err)
{
	if (!nam_can_run(m, err))
		return NULL;
	const recur_shape *s = &m->shape;
	/* a positive output gain goes out as loudness, anything else into the head */
	const float in_gain = m->in_gain;
	const float loudness_gain = m->out_gain > 0 ? m->out_gain : 1.0f;
	const float out_gain = m->out_gain > 0 ? 1.0f : m->out_gain;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "version", NAM_FILE_VERSION);
	cJSON_AddStringToObject(root, "architecture", "LSTM");
	cJSON *config = cJSON_AddObjectToObject(root, "config");
	cJSON_AddNumberToObject(config, "num_layers", s->layers);
	cJSON_AddNumberToObject(config, "input_size", 1);
	cJSON_AddNumberToObject(config, "hidden_size", s->hidden);
	cJSON *w = cJSON_AddArrayToObject(root, "weights");
	for (int l = 0; l < s->layers; l++) {
		/* the initial state has the state's layout */
		const float *h0 = m->init + (m->h[l] - m->state),
		            *c0 = m->init + (m->c[l] - m->state);
		add_layer(w, &m->layer[l], h0, c0, l == 0 ? in_gain : 1.0f);
	}
	for (int j = 0; j < s->hidden; j++)
		cJSON_AddItemToArray(w, cJSON_CreateNumber(m->w_out[j] * out_gain));
	cJSON_AddItemToArray(w, cJSON_CreateNumber(m->b_out[0] * out_gain));
	/* without a rate NAM's plugins assume 48 kHz */
	if (m->sample_rate > 0)
		cJSON_AddNumberToObject(root, "sample_rate", m->sample_rate);
	cJSON_AddItemToObject(root, "metadata", metadata_of(m, loudness_gain));
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		fj_fail(err, "out of memory");
	return text;
}
