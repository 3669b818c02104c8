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

/* The layers recur reads: 1..RECUR_MAX_LAYERS lstm or gru layers of one type
 * and size, then 1..RECUR_MAX_DENSE dense layers, the last one the output. */
typedef struct {
	int recurrent;
	int n_dense;
	const cJSON *dense[RECUR_MAX_DENSE];
	int dense_index[RECUR_MAX_DENSE]; /* position in "layers", for messages */
	recur_shape shape;
	recur_inner inner; /* the dense layers before the last */
} keras_stack;

#define STACK_RULE "recur reads lstm or gru layers, then 1 to 3 dense layers"

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

/* The activation names RTNeural's model loader accepts; "" is none. */
static bool keras_activation(const cJSON *layer, const char *where, bool last,
                             recur_activation *act, recur_error *err)
{
	static const struct {
		const char *name;
		recur_activation act;
	} known[] = {{"", RECUR_ACT_LINEAR},        {"linear", RECUR_ACT_LINEAR},
	             {"tanh", RECUR_ACT_TANH},      {"sigmoid", RECUR_ACT_SIGMOID},
	             {"relu", RECUR_ACT_RELU},      {"elu", RECUR_ACT_ELU},
	             {"softmax", RECUR_ACT_SOFTMAX}};
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(layer, "activation");
	const char *s = a ? fj_string(layer, where, "activation", err) : "";
	if (!s)
		return false;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcmp(s, known[i].name) != 0)
			continue;
		if (known[i].act == RECUR_ACT_SOFTMAX && !last) {
			fj_fail(err, "%s.activation: softmax is supported on the last layer only",
			        where);
			return false;
		}
		*act = known[i].act;
		return true;
	}
	fj_fail(err,
	        "%s.activation: \"%.40s\" is not supported (linear, tanh, sigmoid, relu, elu, "
	        "softmax on the last layer)",
	        where, s);
	return false;
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
	/* A recurrent layer's own "activation" (Keras writes "tanh") is its
	 * cell's, which RTNeural ignores too. */
	return true;
}

/* A stand-alone "activation" layer applies to the dense layer before it. */
static bool keras_activation_layer(const cJSON *layer, const char *where, bool last, keras_stack *k,
                                   recur_error *err)
{
	recur_activation act;
	if (!keras_activation(layer, where, last, &act, err))
		return false;
	/* The latest dense layer is the provisional output layer. */
	recur_activation *prev = &k->shape.out_act;
	if (*prev != RECUR_ACT_LINEAR && act != RECUR_ACT_LINEAR) {
		fj_fail(err, "%s.type: an activation layer must follow a dense layer without one",
		        where);
		return false;
	}
	if (act != RECUR_ACT_LINEAR)
		*prev = act;
	return true;
}

static bool keras_dense_layer(const cJSON *layer, const char *where, int index, bool last,
                              keras_stack *k, recur_error *err)
{
	if (k->n_dense == RECUR_MAX_DENSE) {
		fj_fail(err, "%s: more than %d dense layers (%s)", where, RECUR_MAX_DENSE,
		        STACK_RULE);
		return false;
	}
	/* Until the last dense layer is known, each one is provisionally the
	 * output layer; the one before it moves to the inner stack. */
	if (k->n_dense > 0) {
		recur_dense *inner = &k->inner.layer[k->inner.n++];
		inner->width = k->shape.n_outputs;
		inner->act = k->shape.out_act;
		if (inner->act == RECUR_ACT_SOFTMAX) {
			fj_fail(
			    err,
			    "layers[%d].activation: softmax is supported on the last layer only",
			    k->dense_index[k->n_dense - 1]);
			return false;
		}
	}
	k->dense[k->n_dense] = layer;
	k->dense_index[k->n_dense++] = index;
	return shape_last(layer, where, "shape", last ? RECUR_MAX_IO : RECUR_MAX_HIDDEN,
	                  &k->shape.n_outputs, err) &&
	       keras_activation(layer, where, true, &k->shape.out_act, err);
}

static bool keras_read_layer(const cJSON *layer, const char *where, int i, bool last,
                             keras_stack *k, recur_error *err)
{
	if (!cJSON_IsObject(layer)) {
		fj_fail(err, "%s: expected an object", where);
		return false;
	}
	const char *type = fj_string(layer, where, "type", err);
	if (!type)
		return false;
	bool recurrent = strcmp(type, "lstm") == 0 || strcmp(type, "gru") == 0;
	/* RTNeural reads both names as the same layer. */
	bool dense = strcmp(type, "dense") == 0 || strcmp(type, "time-distributed-dense") == 0;
	if (recurrent && k->n_dense == 0)
		return keras_recurrent_layer(layer, where, i, k, err);
	if (dense && i > 0)
		return keras_dense_layer(layer, where, i, last, k, err);
	if (strcmp(type, "activation") == 0 && k->n_dense > 0)
		return keras_activation_layer(layer, where, last, k, err);
	if (recurrent)
		fj_fail(err, "%s.type: \"%s\" after a dense layer is not supported here (%s)",
		        where, type, STACK_RULE);
	else
		fj_fail(err, "%s.type: \"%.40s\" is not supported here (%s)", where, type,
		        STACK_RULE);
	return false;
}

static bool keras_read_stack(const cJSON *root, keras_stack *k, recur_error *err)
{
	const cJSON *layers = fj_require(root, "", "layers", err);
	if (!layers)
		return false;
	int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : -1;
	if (n < 2) {
		fj_fail(err, "layers: expected an array of lstm or gru layers, then 1 to 3 dense "
		             "layers");
		return false;
	}
	for (int i = 0; i < n; i++) {
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", i);
		if (!keras_read_layer(cJSON_GetArrayItem(layers, i), where, i, i == n - 1, k, err))
			return false;
		if (k->n_dense == 0)
			k->recurrent = i + 1;
	}
	if (k->n_dense == 0) {
		fj_fail(err, "layers: no dense layer after the recurrent ones (%s)", STACK_RULE);
		return false;
	}
	if (k->recurrent > RECUR_MAX_LAYERS) {
		fj_fail(err, "layers: %d recurrent layers, at most %d are supported", k->recurrent,
		        RECUR_MAX_LAYERS);
		return false;
	}
	if (k->shape.n_outputs > RECUR_MAX_IO) {
		fj_fail(err, "layers[%d].shape: %d outputs, at most %d are supported",
		        k->dense_index[k->n_dense - 1], k->shape.n_outputs, RECUR_MAX_IO);
		return false;
	}
	k->shape.layers = k->recurrent;
	return true;
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

/* A dense layer's weights: kernel [in][width] and, when present, bias
 * [width] (RTNeural reads a dense layer without one as bias 0), as
 * row-major w [width][stride] and b [width]. */
static bool keras_dense(const cJSON *layer, const char *where, int in, int width, float *w,
                        int stride, float *b, recur_error *err)
{
	const cJSON *list = fj_require(layer, where, "weights", err);
	if (!list)
		return false;
	int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	if (n != 1 && n != 2) {
		fj_fail(err, "%s.weights: expected [kernel] or [kernel, bias]", where);
		return false;
	}
	char path[2][FJ_PATH_LEN];
	for (int i = 0; i < 2; i++)
		snprintf(path[i], FJ_PATH_LEN, "%.60s.weights[%d]", where, i);
	float *kernel = fj_matrix_new(cJSON_GetArrayItem(list, 0), path[0], in, width, err);
	if (!kernel)
		return false;
	for (int o = 0; o < width; o++)
		for (int j = 0; j < in; j++)
			w[(size_t)o * stride + j] = kernel[(size_t)j * width + o];
	free(kernel);
	if (n == 2)
		return fj_vector(cJSON_GetArrayItem(list, 1), path[1], width, b, err);
	memset(b, 0, sizeof(float) * (size_t)width);
	return true;
}

static bool keras_dense_stack(const keras_stack *k, recur_model *m, recur_error *err)
{
	int in = m->shape.hidden;
	for (int d = 0; d < k->n_dense; d++) {
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", k->dense_index[d]);
		bool out = d == k->n_dense - 1;
		recur_dense_layer *L = out ? NULL : &m->dense[d];
		int width = out ? m->shape.n_outputs : L->width;
		if (!keras_dense(k->dense[d], where, in, width, out ? m->w_out : L->w,
		                 out ? m->head_in_p : L->in_p, out ? m->b_out : L->b, err))
			return false;
		in = width;
	}
	return true;
}

/* ---- levels and the file's own test ----------------------------------------- */

/* AIDA-X's in_gain and out_gain are dB, -90 or below meaning silence. */
static bool aidax_gain(const cJSON *root, const char *key, float *gain, recur_error *err)
{
	double db = 0;
	*gain = 1.0f;
	if (!cJSON_GetObjectItemCaseSensitive(root, key))
		return true;
	if (!fj_number(root, "", key, -1e6, 200, &db, err))
		return false;
	*gain = db > -90 ? powf(10.0f, (float)db * 0.05f) : 0.0f;
	return true;
}

/* AIDA-X's plugin computes, with u = in_gain * x,
 *   in_skip: out_gain * (u + net(u))     otherwise: out_gain * net(u),
 * net including the last layer's activation. recur adds the skipped input
 * before that activation, so the two agree with a linear last layer only. */
static bool aidax_levels(const cJSON *root, recur_model *m, recur_error *err)
{
	bool skip = false;
	if (cJSON_GetObjectItemCaseSensitive(root, "in_skip") &&
	    !fj_flag(root, "", "in_skip", &skip, err))
		return false;
	if (skip && m->shape.out_act != RECUR_ACT_LINEAR) {
		fj_fail(err,
		        "in_skip: only supported with a linear last dense layer (AIDA-X adds the "
		        "input after the activation)");
		return false;
	}
	m->shape.skip = skip;
	return aidax_gain(root, "in_gain", &m->in_gain, err) &&
	       aidax_gain(root, "out_gain", &m->out_gain, err);
}

static const float *batch(const cJSON *root, const char *key, size_t *n, float **owned,
                          recur_error *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
	int len = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
	if (len < 1) {
		fj_fail(err, "%s: expected an array of samples (AIDA-X's test data)", key);
		return NULL;
	}
	*owned = fj_vector_new(a, key, len, err);
	*n = (size_t)len;
	return *owned;
}

/* The model's check block from the test data: the file's own output_batch
 * when both levels are 0 dB, otherwise recur's output with the levels, so
 * the block checks the model as it plays. */
static bool aidax_keep_check(recur_model *m, const float *frames, const float *expected, size_t n,
                             recur_error *err)
{
	if (m->in_gain == 1.0f && m->out_gain == 1.0f)
		return recur_model_set_check(m, frames, expected, n, err);
	float *ours = malloc(n * sizeof(float));
	if (!ours) {
		fj_fail(err, "input_batch: out of memory");
		return false;
	}
	recur_reset(m);
	recur_process(m, frames, ours, n);
	recur_reset(m);
	bool ok = recur_model_set_check(m, frames, ours, n, err);
	free(ours);
	return ok;
}

/* input_batch run as AIDA-X's plugin tests a file on loading: levels at 1
 * (its own words: gain correction would inject errors), conditioning at 0,
 * in_skip as the file says, from the zero state. The largest difference
 * from output_batch goes to the metadata; the batches become the check
 * block. AIDA-X writes 2048 frames; a longer batch is used as far as a check
 * block goes, so a huge one cannot make loading slow. */
static bool aidax_self_test(const cJSON *root, recur_model *m, import_notes *notes,
                            recur_error *err)
{
	if (!cJSON_GetObjectItemCaseSensitive(root, "input_batch") &&
	    !cJSON_GetObjectItemCaseSensitive(root, "output_batch"))
		return true;
	size_t n = 0, n_out = 0;
	float *x = NULL, *y = NULL, *frames = NULL;
	bool ok =
	    batch(root, "input_batch", &n, &x, err) && batch(root, "output_batch", &n_out, &y, err);
	if (ok && (n != n_out || m->shape.n_outputs != 1)) {
		fj_fail(err,
		        "output_batch: %zu samples for %zu inputs of a %d-output model; AIDA-X's "
		        "test data is one output sample per input sample",
		        n_out, n, m->shape.n_outputs);
		ok = false;
	}
	if (n > RECUR_MAX_CHECK_FRAMES)
		n = RECUR_MAX_CHECK_FRAMES;
	size_t ni = (size_t)m->shape.n_inputs;
	if (ok && !(frames = calloc(n * ni, sizeof(float)))) {
		fj_fail(err, "input_batch: out of memory");
		ok = false;
	}
	if (ok) {
		for (size_t t = 0; t < n; t++)
			frames[t * ni] = x[t];
		float in_gain = m->in_gain, out_gain = m->out_gain;
		m->in_gain = m->out_gain = 1.0f;
		notes->checked_data = "input_batch/output_batch";
		notes->checked_frames = n;
		notes->checked_max_diff = recur_model_run_check(m, frames, y, n, NULL);
		m->in_gain = in_gain;
		m->out_gain = out_gain;
		ok = aidax_keep_check(m, frames, y, n, err);
	}
	free(x);
	free(y);
	free(frames);
	return ok;
}

/* ---- the file ----------------------------------------------------------------- */

/* AIDA-X reads metadata.samplerate, then samplerate, and plays a file with
 * neither (or with a string there, as its own files have) at 48 kHz. */
static void aidax_rate(const cJSON *root, import_rate *rate)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	const import_rate_place places[] = {{meta, "metadata", "samplerate"},
	                                    {root, "", "samplerate"},
	                                    {meta, "metadata", "sample_rate"},
	                                    {root, "", "sample_rate"}};
	import_find_rate(places, 4, 48000, "AIDA-X", rate);
}

static bool aidax_weights(const cJSON *root, const keras_stack *k, recur_model *m, recur_error *err)
{
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
	for (int l = 0; l < k->recurrent; l++) {
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", l);
		if (!keras_layer(cJSON_GetArrayItem(layers, l), where, &m->layer[l], err))
			return false;
	}
	return keras_dense_stack(k, m, err);
}

recur_model *recur_import_aidax(const cJSON *root, recur_error *err)
{
	keras_stack k = {0};
	if (!shape_last(root, "", "in_shape", RECUR_MAX_IO, &k.shape.n_inputs, err) ||
	    !keras_read_stack(root, &k, err))
		return NULL;
	import_rate rate;
	aidax_rate(root, &rate);
	recur_model *m = recur_model_new_dense(&k.shape, &k.inner, err);
	if (!m)
		return NULL;
	m->sample_rate = rate.hz;
	import_condition_defaults(m);
	import_notes notes = {.rate_assumed = rate.assumed};
	/* The levels and the test data are applied, not descriptions to keep. */
	static const char *const consumed[] = {
	    "in_shape",    "in_skip",      "in_gain",    "out_gain",    "layers",
	    "input_batch", "output_batch", "samplerate", "sample_rate", NULL};
	if (!aidax_weights(root, &k, m, err) || !aidax_levels(root, m, err) ||
	    !aidax_self_test(root, m, &notes, err) ||
	    !import_keep_metadata(m, root, "aida-x", consumed, &notes, err)) {
		recur_model_free(m);
		return NULL;
	}
	return m;
}
