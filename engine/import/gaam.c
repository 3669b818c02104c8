/*
 * Automated-GuitarAmpModelling's JSON (GuitarML's Proteus, NeuralPi and
 * SmartAmp files): "model_data" describing the network and "state_dict"
 * holding PyTorch's own tensors, which are recur's layout already.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool gaam_cell(const cJSON *data, recur_cell *cell, recur_error *err)
{
	const char *unit = fj_string(data, "model_data", "unit_type", err);
	if (!unit)
		return false;
	if (strcasecmp(unit, "LSTM") == 0)
		*cell = RECUR_CELL_LSTM;
	else if (strcasecmp(unit, "GRU") == 0)
		*cell = RECUR_CELL_GRU;
	else if (strcasecmp(unit, "RNN") == 0)
		*cell = RECUR_CELL_RNN;
	else {
		fj_fail(err, "model_data.unit_type: unknown cell type \"%.40s\" (LSTM, GRU, RNN)",
		        unit);
		return false;
	}
	return true;
}

/* skip is an integer count of input channels added to the output; recur
 * supports 0 and 1 (the signal channel, one output). */
static bool gaam_shape(const cJSON *data, recur_shape *s, bool *lin_bias, recur_error *err)
{
	*lin_bias = true;
	const char *model = cJSON_GetObjectItemCaseSensitive(data, "model")
	                        ? fj_string(data, "model_data", "model", err)
	                        : "SimpleRNN";
	if (!model)
		return false;
	if (strcmp(model, "SimpleRNN") != 0) {
		fj_fail(err, "model_data.model: \"%.40s\" is not supported (SimpleRNN)", model);
		return false;
	}
	s->layers = 1;
	s->skip = false;
	s->out_act = RECUR_ACT_LINEAR;
	if (!gaam_cell(data, &s->cell, err) ||
	    !fj_int(data, "model_data", "input_size", 1, RECUR_MAX_IO, &s->n_inputs, err) ||
	    !fj_int(data, "model_data", "output_size", 1, RECUR_MAX_IO, &s->n_outputs, err) ||
	    !fj_int(data, "model_data", "hidden_size", 1, RECUR_MAX_HIDDEN, &s->hidden, err) ||
	    (cJSON_HasObjectItem(data, "num_layers") &&
	     !fj_int(data, "model_data", "num_layers", 1, RECUR_MAX_LAYERS, &s->layers, err)) ||
	    (cJSON_HasObjectItem(data, "skip") &&
	     !fj_flag(data, "model_data", "skip", &s->skip, err)) ||
	    (cJSON_HasObjectItem(data, "bias_fl") &&
	     !fj_flag(data, "model_data", "bias_fl", lin_bias, err)))
		return false;
	if (s->skip && s->n_outputs != 1) {
		fj_fail(err, "model_data.skip: only supported with output_size 1");
		return false;
	}
	return true;
}

/* state_dict[key] as a freshly allocated matrix (cols > 0) or vector. */
static float *gaam_tensor(const cJSON *dict, const char *key, int rows, int cols, recur_error *err)
{
	char path[FJ_PATH_LEN];
	fj_path(path, "state_dict", key);
	const cJSON *a = fj_require(dict, "state_dict", key, err);
	if (!a)
		return NULL;
	return cols ? fj_matrix_new(a, path, rows, cols, err) : fj_vector_new(a, path, rows, err);
}

static bool gaam_layer(const cJSON *dict, int l, recur_layer *L, recur_error *err)
{
	static const char *const names[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
	const int cols[4] = {L->in, L->hidden, 0, 0};
	float *v[4] = {NULL, NULL, NULL, NULL};
	bool ok = true;
	for (int k = 0; k < 4 && ok; k++) {
		char key[40];
		snprintf(key, sizeof key, "rec.%s_l%d", names[k], l);
		ok = (v[k] = gaam_tensor(dict, key, L->rows, cols[k], err)) != NULL;
	}
	if (ok)
		fj_store_layer(L, v[0], v[1], v[2], v[3]);
	for (int k = 0; k < 4; k++)
		free(v[k]);
	return ok;
}

static bool gaam_head(const cJSON *dict, bool lin_bias, recur_model *m, recur_error *err)
{
	int O = m->shape.n_outputs;
	float *w = gaam_tensor(dict, "lin.weight", O, m->shape.hidden, err);
	if (!w)
		return false;
	float *b = NULL;
	if (lin_bias || cJSON_HasObjectItem(dict, "lin.bias")) {
		b = gaam_tensor(dict, "lin.bias", O, 0, err);
		if (!b) {
			free(w);
			return false;
		}
	}
	fj_store_head(m, w, b);
	free(w);
	free(b);
	return true;
}

recur_model *recur_import_gaam(const cJSON *root, recur_error *err)
{
	const cJSON *data = fj_require(root, "", "model_data", err);
	const cJSON *dict = data ? fj_require(root, "", "state_dict", err) : NULL;
	if (!dict)
		return NULL;
	if (!cJSON_IsObject(data) || !cJSON_IsObject(dict)) {
		fj_fail(err, "%s: expected an object",
		        cJSON_IsObject(data) ? "state_dict" : "model_data");
		return NULL;
	}
	recur_shape shape;
	bool lin_bias;
	if (!gaam_shape(data, &shape, &lin_bias, err))
		return NULL;
	/* The files state no rate; GuitarML's plugins run them at 44.1 kHz
	 * (Proteus resamples to it, NeuralPi's models were captured at it). */
	const import_rate_place places[] = {{data, "model_data", "samplerate"},
	                                    {data, "model_data", "sample_rate"},
	                                    {root, "", "samplerate"},
	                                    {root, "", "sample_rate"}};
	import_rate rate;
	import_find_rate(places, 4, 44100, "GuitarML's plugins", &rate);
	recur_model *m = recur_model_new(&shape, err);
	if (!m)
		return NULL;
	m->sample_rate = rate.hz;
	import_condition_defaults(m);
	bool ok = true;
	for (int l = 0; l < shape.layers && ok; l++)
		ok = gaam_layer(dict, l, &m->layer[l], err);
	static const char *const consumed[] = {"state_dict", "samplerate", "sample_rate", NULL};
	const import_notes notes = {.rate_assumed = rate.assumed};
	if (!ok || !gaam_head(dict, lin_bias, m, err) ||
	    !import_keep_metadata(m, root, "automated-guitaramp-modelling", consumed, &notes,
	                          err)) {
		recur_model_free(m);
		return NULL;
	}
	return m;
}
