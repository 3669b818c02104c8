/*
 * AIDA-X / RTNeural's Keras-style JSON: "in_shape", then "layers" (lstm or
 * gru, then dense) with Keras-layout weights. Keras kernels are
 * [in][gates*hidden], the transpose of PyTorch's weights, and Keras' GRU gate
 * order is z,r,h where PyTorch's is r,z,n.
 */
#include "import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keras gate k (LSTM i,f,c,o; GRU z,r,h) is PyTorch gate keras_to_torch[k]. */
static const int lstm_gate_map[4] = {0, 1, 2, 3};
static const int gru_gate_map[3] = {1, 0, 2};

typedef struct {
	int recurrent; /* number of leading lstm/gru layers */
	recur_shape shape;
	const cJSON *dense;
} keras_stack;

/* The last entry of a Keras shape such as [null, null, 16]. */
static bool shape_last(const cJSON *obj, const char *where, const char *key, int hi, int *out,
                       recur_error *err)
{
	char path[FJ_PATH_LEN];
	fj_path(path, where, key);
	const cJSON *a = fj_require(obj, where, key, err);
	if (!a)
		return false;
	int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
	const cJSON *last = n ? cJSON_GetArrayItem(a, n - 1) : NULL;
	if (!last || !cJSON_IsNumber(last)) {
		fj_fail(err, "%s: expected a shape such as [null, null, %d]", path,
		        hi > 16 ? 16 : 1);
		return false;
	}
	double v = last->valuedouble;
	if (!(v >= 1 && v <= hi) || v != (int)v) {
		fj_fail(err, "%s: size %.9g is out of range (1..%d)", path, v, hi);
		return false;
	}
	*out = (int)v;
	return true;
}

static bool keras_activation(const cJSON *layer, const char *where, recur_activation *act,
                             recur_error *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(layer, "activation");
	const char *s = a ? fj_string(layer, where, "activation", err) : "";
	if (!s)
		return false;
	if (!s[0] || strcmp(s, "linear") == 0)
		*act = RECUR_ACT_LINEAR;
	else if (strcmp(s, "tanh") == 0)
		*act = RECUR_ACT_TANH;
	else if (strcmp(s, "sigmoid") == 0)
		*act = RECUR_ACT_SIGMOID;
	else if (strcmp(s, "softmax") == 0)
		*act = RECUR_ACT_SOFTMAX;
	else {
		fj_fail(err,
		        "%s.activation: \"%.40s\" is not supported (linear, tanh, sigmoid, "
		        "softmax)",
		        where, s);
		return false;
	}
	return true;
}

static bool keras_recurrent_layer(const cJSON *layer, const char *where, int index, keras_stack *k,
                                  recur_error *err)
{
	const char *type = fj_string(layer, where, "type", err);
	if (!type)
		return false;
	recur_cell cell = strcmp(type, "lstm") == 0 ? RECUR_CELL_LSTM : RECUR_CELL_GRU;
	int hidden;
	if (!shape_last(layer, where, "shape", RECUR_MAX_HIDDEN, &hidden, err))
		return false;
	if (index == 0) {
		k->shape.cell = cell;
		k->shape.hidden = hidden;
	} else if (cell != k->shape.cell) {
		fj_fail(err,
		        "%s.type: \"%s\" after \"%s\": every recurrent layer must be of one type",
		        where, type, k->shape.cell == RECUR_CELL_LSTM ? "lstm" : "gru");
		return false;
	} else if (hidden != k->shape.hidden) {
		fj_fail(err,
		        "%s.shape: %d units, but layers[0] has %d; every layer must have the same "
		        "size",
		        where, hidden, k->shape.hidden);
		return false;
	}
	return true;
}

/* Checks the stack is what recur can run: 1..RECUR_MAX_LAYERS lstm or gru
 * layers of one type and size, then exactly one dense layer. */
static bool keras_read_stack(const cJSON *root, keras_stack *k, recur_error *err)
{
	const cJSON *layers = fj_require(root, "", "layers", err);
	if (!layers)
		return false;
	int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : -1;
	if (n < 2) {
		fj_fail(err, "layers: expected an array of recurrent layers followed by one dense "
		             "layer");
		return false;
	}
	for (int i = 0; i < n; i++) {
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", i);
		const cJSON *layer = cJSON_GetArrayItem(layers, i);
		const char *type =
		    cJSON_IsObject(layer) ? fj_string(layer, where, "type", err) : NULL;
		if (!cJSON_IsObject(layer))
			fj_fail(err, "%s: expected an object", where);
		if (!type)
			return false;
		bool recurrent = strcmp(type, "lstm") == 0 || strcmp(type, "gru") == 0;
		bool last = i == n - 1;
		/* RTNeural reads both names as the same layer. */
		bool dense =
		    strcmp(type, "dense") == 0 || strcmp(type, "time-distributed-dense") == 0;
		if (last && dense) {
			k->dense = layer;
		} else if (!last && recurrent) {
			if (!keras_recurrent_layer(layer, where, i, k, err))
				return false;
		} else {
			fj_fail(err,
			        "%s.type: \"%.40s\" is not supported here (recur reads lstm or gru "
			        "layers followed by one dense layer)",
			        where, type);
			return false;
		}
	}
	k->recurrent = n - 1;
	if (k->recurrent > RECUR_MAX_LAYERS) {
		fj_fail(err, "layers: %d recurrent layers, at most %d are supported", k->recurrent,
		        RECUR_MAX_LAYERS);
		return false;
	}
	k->shape.layers = k->recurrent;
	char where[FJ_PATH_LEN];
	fj_index(where, "layers", n - 1);
	return shape_last(k->dense, where, "shape", RECUR_MAX_IO, &k->shape.n_outputs, err) &&
	       keras_activation(k->dense, where, &k->shape.out_act, err);
}

/* weights[i] of a Keras layer, checking the list has `count` entries. */
static const cJSON *keras_weight(const cJSON *layer, const char *where, int i, int count,
                                 recur_error *err)
{
	const cJSON *w = fj_require(layer, where, "weights", err);
	if (!w)
		return NULL;
	if (!cJSON_IsArray(w) || cJSON_GetArraySize(w) != count) {
		fj_fail(err, "%s.weights: expected a list of %d arrays", where, count);
		return NULL;
	}
	return cJSON_GetArrayItem(w, i);
}

/* A Keras kernel [in][gates*hidden] as a PyTorch weight [gates*hidden][in]
 * with the gates put in PyTorch's order. */
static void keras_to_torch(const float *kernel, int in, int hidden, int gates, const int *map,
                           float *torch)
{
	int rows = gates * hidden;
	for (int c = 0; c < rows; c++) {
		int r = map[c / hidden] * hidden + c % hidden;
		for (int j = 0; j < in; j++)
			torch[(size_t)r * in + j] = kernel[(size_t)j * rows + c];
	}
}

static void keras_bias_to_torch(const float *bias, int hidden, int gates, const int *map,
                                float *torch)
{
	for (int c = 0; c < gates * hidden; c++)
		torch[map[c / hidden] * hidden + c % hidden] = bias[c];
}

/* Keras LSTM keeps one bias; GRU (reset_after=True, as RTNeural expects)
 * keeps [2][3H]: input bias, then recurrent bias. */
static bool keras_layer(const cJSON *layer, const char *where, recur_layer *L, recur_error *err)
{
	int gates = fj_gates(L->cell), rows = L->rows, H = L->hidden;
	const int *map = L->cell == RECUR_CELL_LSTM ? lstm_gate_map : gru_gate_map;
	bool gru = L->cell == RECUR_CELL_GRU;
	char path[3][FJ_PATH_LEN];
	for (int i = 0; i < 3; i++)
		snprintf(path[i], FJ_PATH_LEN, "%.60s.weights[%d]", where, i);
	const cJSON *w[3];
	for (int i = 0; i < 3; i++)
		if (!(w[i] = keras_weight(layer, where, i, 3, err)))
			return false;
	float *kernel = fj_matrix_new(w[0], path[0], L->in, rows, err);
	float *rec = kernel ? fj_matrix_new(w[1], path[1], H, rows, err) : NULL;
	float *bias = NULL;
	if (rec && gru)
		bias = fj_matrix_new(w[2], path[2], 2, rows, err);
	else if (rec)
		bias = fj_vector_new(w[2], path[2], rows, err);
	float *t = bias ? malloc(sizeof(float) * ((size_t)rows * (L->in + H + 2))) : NULL;
	if (bias && !t)
		fj_fail(err, "%s: out of memory", where);
	if (t) {
		float *t_ih = t, *t_hh = t_ih + (size_t)rows * L->in;
		float *t_bih = t_hh + (size_t)rows * H, *t_bhh = t_bih + rows;
		keras_to_torch(kernel, L->in, H, gates, map, t_ih);
		keras_to_torch(rec, H, H, gates, map, t_hh);
		keras_bias_to_torch(bias, H, gates, map, t_bih);
		if (gru)
			keras_bias_to_torch(bias + rows, H, gates, map, t_bhh);
		fj_store_layer(L, t_ih, t_hh, t_bih, gru ? t_bhh : NULL);
	}
	bool ok = t != NULL;
	free(kernel);
	free(rec);
	free(bias);
	free(t);
	return ok;
}

/* Dense weights are [kernel [hidden][outputs], bias [outputs]]. */
static bool keras_dense(const cJSON *dense, const char *where, recur_model *m, recur_error *err)
{
	int H = m->shape.hidden, O = m->shape.n_outputs;
	char path[2][FJ_PATH_LEN];
	for (int i = 0; i < 2; i++)
		snprintf(path[i], FJ_PATH_LEN, "%.60s.weights[%d]", where, i);
	const cJSON *wk = keras_weight(dense, where, 0, 2, err);
	const cJSON *wb = wk ? keras_weight(dense, where, 1, 2, err) : NULL;
	float *kernel = wb ? fj_matrix_new(wk, path[0], H, O, err) : NULL;
	float *bias = kernel ? fj_vector_new(wb, path[1], O, err) : NULL;
	float *weight = bias ? malloc(sizeof(float) * (size_t)O * H) : NULL;
	if (bias && !weight)
		fj_fail(err, "%s: out of memory", where);
	if (weight) {
		for (int o = 0; o < O; o++)
			for (int j = 0; j < H; j++)
				weight[(size_t)o * H + j] = kernel[(size_t)j * O + o];
		fj_store_head(m, weight, bias);
	}
	bool ok = weight != NULL;
	free(kernel);
	free(bias);
	free(weight);
	return ok;
}

static bool aidax_rate(const cJSON *root, double *rate, recur_error *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	return import_optional_rate(root, "", "samplerate", rate, err) &&
	       import_optional_rate(root, "", "sample_rate", rate, err) &&
	       import_optional_rate(meta, "metadata", "samplerate", rate, err) &&
	       import_optional_rate(meta, "metadata", "sample_rate", rate, err);
}

/* AIDA-X multiplies the network's output by out_gain (in dB, -90 or below
 * meaning silence) before adding the skipped input; with a linear dense
 * layer that is the same as scaling the head, which is what recur does. */
static bool aidax_out_gain(const cJSON *root, const recur_shape *s, float *gain, recur_error *err)
{
	double db = 0;
	*gain = 1.0f;
	if (!cJSON_HasObjectItem(root, "out_gain"))
		return true;
	if (!fj_number(root, "", "out_gain", -1e6, 200, &db, err))
		return false;
	if (db != 0 && s->out_act != RECUR_ACT_LINEAR) {
		fj_fail(err, "out_gain: only supported with a linear dense layer");
		return false;
	}
	*gain = db > -90 ? powf(10.0f, (float)db * 0.05f) : 0.0f;
	return true;
}

static void scale_head(recur_model *m, float gain)
{
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int j = 0; j < m->shape.hidden; j++)
			m->w_out[(size_t)o * m->hidden_p + j] *= gain;
		m->b_out[o] *= gain;
	}
}

recur_model *recur_import_aidax(const cJSON *root, recur_error *err)
{
	keras_stack k = {0};
	bool skip = false;
	double rate = 0;
	if (!shape_last(root, "", "in_shape", RECUR_MAX_IO, &k.shape.n_inputs, err) ||
	    (cJSON_HasObjectItem(root, "in_skip") && !fj_flag(root, "", "in_skip", &skip, err)) ||
	    !keras_read_stack(root, &k, err) || !aidax_rate(root, &rate, err))
		return NULL;
	float gain;
	if (!aidax_out_gain(root, &k.shape, &gain, err))
		return NULL;
	/* AIDA-X adds the input after the dense activation, recur before it: the
	 * two agree only when there is no activation, on a single output. */
	if (skip && (k.shape.out_act != RECUR_ACT_LINEAR || k.shape.n_outputs != 1)) {
		fj_fail(err, "in_skip: only supported with one output and a linear dense layer");
		return NULL;
	}
	k.shape.skip = skip;
	recur_model *m = recur_model_new(&k.shape, err);
	if (!m)
		return NULL;
	m->sample_rate = rate;
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
	bool ok = true;
	for (int l = 0; l < k.recurrent && ok; l++) {
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", l);
		ok = keras_layer(cJSON_GetArrayItem(layers, l), where, &m->layer[l], err);
	}
	char where[FJ_PATH_LEN];
	fj_index(where, "layers", k.recurrent);
	/* out_gain is applied to the weights, so it must not be kept to be
	 * applied a second time. */
	static const char *const consumed[] = {"in_shape", "in_skip", "layers", "out_gain", NULL};
	if (!ok || !keras_dense(k.dense, where, m, err) ||
	    !import_keep_metadata(m, root, "aida-x", consumed, err)) {
		recur_model_free(m);
		return NULL;
	}
	scale_head(m, gain);
	return m;
}
