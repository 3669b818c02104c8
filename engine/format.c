/*
 * recur's own model format, versions 1 and 2 (docs/model-format.md): reading
 * it from parsed JSON into a model, and printing a model as its text.
 *
 * Weights are stored in PyTorch's layout so that files are readable by any
 * tool that knows PyTorch; the conversion to the engine's padded column-major
 * blocks happens here and nowhere else.
 */
#include "format_json.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_TAG "recur-model"

static const char *const cell_names[] = {"rnn", "gru", "lstm", NULL};
/* In recur_activation order; version 1 knows the first four. */
static const char *const activation_names[] = {"linear", "tanh", "sigmoid", "softmax",
                                               "relu",   "elu",  NULL};
#define V1_ACTIVATIONS 4

static const char *const top_keys[] = {"format",      "version",       "cell",
                                       "n_inputs",    "n_outputs",     "hidden",
                                       "n_layers",    "skip",          "output_activation",
                                       "sample_rate", "inputs",        "outputs",
                                       "layers",      "head",          "metadata",
                                       "dense",       "initial_state", "input_gain",
                                       "output_gain", "check",         NULL};
/* The fields version 2 added: refused in a version-1 file. */
static const char *const v2_keys[] = {"dense",       "initial_state", "input_gain",
                                      "output_gain", "check",         NULL};
static const char *const dense_keys[] = {"width", "activation", "weight", "bias", NULL};
static const char *const state_keys[] = {"h", "c", NULL};
static const char *const check_keys[] = {"input", "output", NULL};
static const char *const input_keys[] = {"name", "min", "max", "default", NULL};
static const char *const output_keys[] = {"name", NULL};
static const char *const layer_keys[] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh", NULL};
static const char *const head_keys[] = {"weight", "bias", NULL};

/* ---- reading -------------------------------------------------------------- */

/* A string member that must be one of names[]; *out is its index. */
static bool read_choice(const cJSON *obj, const char *key, const char *what,
                        const char *const *names, int *out, recur_error *err)
{
	const char *s = fj_string(obj, "", key, err);
	if (!s)
		return false;
	for (int i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	char list[96] = "";
	for (int i = 0; names[i]; i++) {
		strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
		strncat(list, names[i], sizeof list - strlen(list) - 1);
	}
	fj_fail(err, "%s: unknown %s \"%.40s\" (%s)", key, what, s, list);
	return false;
}

static bool read_header(const cJSON *root, int *version, recur_error *err)
{
	const char *tag = fj_string(root, "", "format", err);
	if (!tag)
		return false;
	if (strcmp(tag, FORMAT_TAG) != 0) {
		fj_fail(err, "format: \"%.40s\" is not \"" FORMAT_TAG "\"", tag);
		return false;
	}
	const cJSON *v = fj_require(root, "", "version", err);
	if (!v)
		return false;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble)) {
		fj_fail(err, "version: expected an integer");
		return false;
	}
	if (v->valuedouble < 1 || v->valuedouble > RECUR_FORMAT_VERSION) {
		fj_fail(err, "version: %.0f is not supported (this build reads versions 1 to %d)",
		        v->valuedouble, RECUR_FORMAT_VERSION);
		return false;
	}
	*version = (int)v->valuedouble;
	for (const char *const *k = v2_keys; *version < 2 && *k; k++) {
		if (cJSON_HasObjectItem(root, *k)) {
			fj_fail(err, "%s: not part of format version 1 (version 2 adds it)", *k);
			return false;
		}
	}
	return fj_only_keys(root, "", top_keys, err);
}

static bool read_shape(const cJSON *root, int version, recur_shape *s, recur_error *err)
{
	int cell, act;
	if (!read_choice(root, "cell", "cell type", cell_names, &cell, err) ||
	    !fj_int(root, "", "n_inputs", 1, RECUR_MAX_IO, &s->n_inputs, err) ||
	    !fj_int(root, "", "n_outputs", 1, RECUR_MAX_IO, &s->n_outputs, err) ||
	    !fj_int(root, "", "hidden", 1, RECUR_MAX_HIDDEN, &s->hidden, err) ||
	    !fj_int(root, "", "n_layers", 1, RECUR_MAX_LAYERS, &s->layers, err) ||
	    !fj_bool(root, "", "skip", &s->skip, err) ||
	    !read_choice(root, "output_activation", "activation", activation_names, &act, err))
		return false;
	if (version < 2 && act >= V1_ACTIVATIONS) {
		fj_fail(err, "output_activation: \"%s\" needs format version 2",
		        activation_names[act]);
		return false;
	}
	s->cell = (recur_cell)cell;
	s->out_act = (recur_activation)act;
	return true;
}

/* The widths and activations of the inner dense layers: what the model's
 * layout depends on. Their weights are read once the model exists. */
static bool read_inner(const cJSON *root, recur_inner *inner, recur_error *err)
{
	*inner = (recur_inner){0};
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "dense");
	if (!list)
		return true;
	if (!cJSON_IsArray(list)) {
		fj_fail(err, "dense: expected an array");
		return false;
	}
	int n = cJSON_GetArraySize(list);
	if (n < 1 || n > RECUR_MAX_DENSE - 1) {
		fj_fail(err,
		        "dense: %d layers; 1 to %d may come before the output layer (\"head\"), "
		        "or leave \"dense\" out",
		        n, RECUR_MAX_DENSE - 1);
		return false;
	}
	inner->n = n;
	for (int k = 0; k < n; k++) {
		const cJSON *item = cJSON_GetArrayItem(list, k);
		char where[FJ_PATH_LEN];
		fj_index(where, "dense", k);
		if (!cJSON_IsObject(item)) {
			fj_fail(err, "%s: expected an object", where);
			return false;
		}
		int act;
		if (!fj_only_keys(item, where, dense_keys, err) ||
		    !fj_int(item, where, "width", 1, RECUR_MAX_HIDDEN, &inner->layer[k].width, err))
			return false;
		const char *name = fj_string(item, where, "activation", err);
		if (!name)
			return false;
		for (act = 0; activation_names[act]; act++)
			if (strcmp(name, activation_names[act]) == 0)
				break;
		if (!activation_names[act] || act == RECUR_ACT_SOFTMAX) {
			fj_fail(
			    err,
			    "%s.activation: \"%.40s\" is not allowed here (linear, tanh, sigmoid, "
			    "relu, elu; softmax only as output_activation)",
			    where, name);
			return false;
		}
		inner->layer[k].act = (recur_activation)act;
	}
	return true;
}

/* Names end up as labels in hosts and file headers: printable, and short
 * enough for recur_port.name. */
static bool read_name(const cJSON *obj, const char *where, char out[RECUR_NAME_LEN],
                      recur_error *err)
{
	const char *s = fj_string(obj, where, "name", err);
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n >= RECUR_NAME_LEN) {
		fj_fail(err, "%s.name: must be 1 to %d bytes long, found %zu", where,
		        RECUR_NAME_LEN - 1, n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20) {
			fj_fail(err, "%s.name: contains a control character", where);
			return false;
		}
	}
	memcpy(out, s, n + 1);
	return true;
}

static bool read_range(const cJSON *obj, const char *where, recur_port *p, recur_error *err)
{
	const char *keys[] = {"min", "max", "default"};
	float *dst[] = {&p->min, &p->max, &p->def};
	for (int k = 0; k < 3; k++) {
		char path[FJ_PATH_LEN];
		fj_path(path, where, keys[k]);
		const cJSON *item = fj_require(obj, where, keys[k], err);
		if (!item || !fj_float(item, path, dst[k], err))
			return false;
	}
	if (!(p->min <= p->max)) {
		fj_fail(err, "%s: min %g is greater than max %g", where, p->min, p->max);
		return false;
	}
	if (!(p->min <= p->def && p->def <= p->max)) {
		fj_fail(err, "%s: default %g is outside [%g, %g]", where, p->def, p->min, p->max);
		return false;
	}
	return true;
}

static bool expect_list(const cJSON *root, const char *key, int n, const char *count_field,
                        const cJSON **out, recur_error *err)
{
	const cJSON *a = fj_require(root, "", key, err);
	if (!a)
		return false;
	if (!cJSON_IsArray(a)) {
		fj_fail(err, "%s: expected an array", key);
		return false;
	}
	int found = cJSON_GetArraySize(a);
	if (found != n) {
		fj_fail(err, "%s: expected %d entries (%s), found %d", key, n, count_field, found);
		return false;
	}
	*out = a;
	return true;
}

static bool expect_object(const cJSON *item, const char *path, recur_error *err)
{
	if (!cJSON_IsObject(item)) {
		fj_fail(err, "%s: expected an object", path);
		return false;
	}
	return true;
}

static bool read_ports(const cJSON *root, bool inputs, recur_model *m, recur_error *err)
{
	const char *key = inputs ? "inputs" : "outputs";
	int n = inputs ? m->shape.n_inputs : m->shape.n_outputs;
	const cJSON *list;
	if (!expect_list(root, key, n, inputs ? "n_inputs" : "n_outputs", &list, err))
		return false;
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char where[FJ_PATH_LEN];
		fj_index(where, key, i);
		recur_port *p = inputs ? &m->inputs[i] : &m->outputs[i];
		if (!expect_object(item, where, err) ||
		    !fj_only_keys(item, where, inputs ? input_keys : output_keys, err) ||
		    !read_name(item, where, p->name, err) ||
		    (inputs && !read_range(item, where, p, err)))
			return false;
		i++;
	}
	return true;
}

/* One layer's four arrays in PyTorch layout, checked, then stored. */
static bool read_layer(const cJSON *obj, const char *where, recur_layer *L, recur_error *err)
{
	if (!expect_object(obj, where, err) || !fj_only_keys(obj, where, layer_keys, err))
		return false;
	const int dims[4][2] = {{L->rows, L->in}, {L->rows, L->hidden}, {L->rows, 0}, {L->rows, 0}};
	float *v[4] = {NULL, NULL, NULL, NULL};
	bool ok = true;
	for (int k = 0; k < 4 && ok; k++) {
		char path[FJ_PATH_LEN];
		fj_path(path, where, layer_keys[k]);
		const cJSON *a = fj_require(obj, where, layer_keys[k], err);
		if (a && dims[k][1])
			v[k] = fj_matrix_new(a, path, dims[k][0], dims[k][1], err);
		else if (a)
			v[k] = fj_vector_new(a, path, dims[k][0], err);
		ok = v[k] != NULL;
	}
	if (ok)
		fj_store_layer(L, v[0], v[1], v[2], v[3]);
	for (int k = 0; k < 4; k++)
		free(v[k]);
	return ok;
}

static bool read_layers(const cJSON *root, recur_model *m, recur_error *err)
{
	const cJSON *list;
	if (!expect_list(root, "layers", m->shape.layers, "n_layers", &list, err))
		return false;
	int l = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char where[FJ_PATH_LEN];
		fj_index(where, "layers", l);
		if (!read_layer(item, where, &m->layer[l], err))
			return false;
		l++;
	}
	return true;
}

static bool read_head(const cJSON *root, recur_model *m, recur_error *err)
{
	const cJSON *head = fj_require(root, "", "head", err);
	if (!head || !expect_object(head, "head", err) ||
	    !fj_only_keys(head, "head", head_keys, err))
		return false;
	const cJSON *w = fj_require(head, "head", "weight", err);
	const cJSON *b = w ? fj_require(head, "head", "bias", err) : NULL;
	if (!b)
		return false;
	float *weight = fj_matrix_new(w, "head.weight", m->shape.n_outputs, fj_head_inputs(m), err);
	float *bias = weight ? fj_vector_new(b, "head.bias", m->shape.n_outputs, err) : NULL;
	if (bias)
		fj_store_head(m, weight, bias);
	free(weight);
	free(bias);
	return bias != NULL;
}

static bool read_dense_weights(const cJSON *root, recur_model *m, recur_error *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "dense");
	for (int k = 0; k < m->inner.n; k++) {
		const cJSON *item = cJSON_GetArrayItem(list, k);
		recur_dense_layer *D = &m->dense[k];
		char where[FJ_PATH_LEN], path[FJ_PATH_LEN];
		fj_index(where, "dense", k);
		const cJSON *w = fj_require(item, where, "weight", err);
		const cJSON *b = w ? fj_require(item, where, "bias", err) : NULL;
		if (!b)
			return false;
		fj_path(path, where, "weight");
		float *weight = fj_matrix_new(w, path, D->width, D->in, err);
		fj_path(path, where, "bias");
		float *bias = weight ? fj_vector_new(b, path, D->width, err) : NULL;
		if (bias)
			fj_store_dense(D, weight, bias);
		free(weight);
		free(bias);
		if (!bias)
			return false;
	}
	return true;
}

/* Per layer {"h": [hidden]} and, for LSTM, "c" as well. */
static bool read_initial_state(const cJSON *root, recur_model *m, recur_error *err)
{
	if (!cJSON_HasObjectItem(root, "initial_state"))
		return true;
	const cJSON *list;
	if (!expect_list(root, "initial_state", m->shape.layers, "n_layers", &list, err))
		return false;
	const bool lstm = m->shape.cell == RECUR_CELL_LSTM;
	for (int l = 0; l < m->shape.layers; l++) {
		const cJSON *item = cJSON_GetArrayItem(list, l);
		char where[FJ_PATH_LEN], path[FJ_PATH_LEN];
		fj_index(where, "initial_state", l);
		if (!expect_object(item, where, err) || !fj_only_keys(item, where, state_keys, err))
			return false;
		if (!lstm && cJSON_HasObjectItem(item, "c")) {
			fj_fail(err, "%s.c: only LSTM layers have a cell state", where);
			return false;
		}
		float *h0 = m->init + (size_t)l * 2 * (size_t)m->hidden_p;
		for (int k = 0; k < (lstm ? 2 : 1); k++) {
			const char *key = k ? "c" : "h";
			const cJSON *a = fj_require(item, where, key, err);
			fj_path(path, where, key);
			if (!a || !fj_vector(a, path, m->shape.hidden, h0 + k * m->hidden_p, err))
				return false;
		}
	}
	return true;
}

static bool read_gain(const cJSON *root, const char *key, float *gain, recur_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
	return !item || fj_float(item, key, gain, err);
}

/* {"input": [frames][n_inputs], "output": [frames][n_outputs]}. */
static bool read_check(const cJSON *root, recur_model *m, recur_error *err)
{
	const cJSON *check = cJSON_GetObjectItemCaseSensitive(root, "check");
	if (!check)
		return true;
	if (!expect_object(check, "check", err) || !fj_only_keys(check, "check", check_keys, err))
		return false;
	const cJSON *in = fj_require(check, "check", "input", err);
	const cJSON *out = in ? fj_require(check, "check", "output", err) : NULL;
	if (!out)
		return false;
	if (!cJSON_IsArray(in) || !cJSON_IsArray(out)) {
		fj_fail(err, "check.%s: expected an array of frames",
		        cJSON_IsArray(in) ? "output" : "input");
		return false;
	}
	int frames = cJSON_GetArraySize(in);
	if (frames < 1 || frames > RECUR_MAX_CHECK_FRAMES) {
		fj_fail(err, "check.input: %d frames (1..%d)", frames, RECUR_MAX_CHECK_FRAMES);
		return false;
	}
	if (cJSON_GetArraySize(out) != frames) {
		fj_fail(err, "check.output: %d frames, check.input has %d", cJSON_GetArraySize(out),
		        frames);
		return false;
	}
	float *x = fj_matrix_new(in, "check.input", frames, m->shape.n_inputs, err);
	float *y = x ? fj_matrix_new(out, "check.output", frames, m->shape.n_outputs, err) : NULL;
	bool ok = y && recur_model_set_check(m, x, y, (size_t)frames, err);
	free(x);
	free(y);
	return ok;
}

static bool read_metadata(const cJSON *root, recur_model *m, recur_error *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	if (!meta)
		return true;
	if (!expect_object(meta, "metadata", err))
		return false;
	m->metadata_json = fj_print_object(meta);
	if (!m->metadata_json) {
		fj_fail(err, "metadata: out of memory");
		return false;
	}
	return true;
}

recur_model *recur_format_read(const cJSON *root, recur_error *err)
{
	recur_shape shape;
	recur_inner inner;
	int version;
	if (!read_header(root, &version, err) || !read_shape(root, version, &shape, err) ||
	    !read_inner(root, &inner, err))
		return NULL;
	double rate;
	if (!fj_number(root, "", "sample_rate", 0, 1e9, &rate, err))
		return NULL;
	recur_model *m = recur_model_new_dense(&shape, &inner, err);
	if (!m)
		return NULL;
	m->sample_rate = rate;
	if (!read_ports(root, true, m, err) || !read_ports(root, false, m, err) ||
	    !read_layers(root, m, err) || !read_dense_weights(root, m, err) ||
	    !read_head(root, m, err) || !read_initial_state(root, m, err) ||
	    !read_gain(root, "input_gain", &m->in_gain, err) ||
	    !read_gain(root, "output_gain", &m->out_gain, err) || !read_check(root, m, err) ||
	    !read_metadata(root, m, err)) {
		recur_model_free(m);
		return NULL;
	}
	recur_reset(m);
	return m;
}

/* ---- printing ------------------------------------------------------------- */

/* A growing text buffer; `failed` records an allocation failure once so the
 * writer can check at the end instead of after every append. */
typedef struct {
	char *text;
	size_t len;
	size_t cap;
	bool failed;
} text_buf;

static void put(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 1;
		char *grown = realloc(b->text, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->text = grown;
		b->cap = cap;
	}
}

/* Appends n bytes; the fast path for the many short pieces of weight text. */
static void put_bytes(text_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->cap - b->len <= n) {
		size_t cap = b->cap * 2 + n + 1;
		char *grown = realloc(b->text, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->text = grown;
		b->cap = cap;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

static void put_string(text_buf *b, const char *s)
{
	put(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(b, "\\%c", *p);
		else if (*p < 0x20)
			put(b, "\\u%04x", *p);
		else
			put(b, "%c", *p);
	}
	put(b, "\"");
}

/* The first of "%.6g", "%.8g", "%.9g" that reads back (as the reader does:
 * strtod, then rounding to float) to the identical bits; nine digits always
 * do. Shorter text keeps 0.1f as "0.1" rather than "0.100000001"; trained
 * weights mostly need eight or nine digits, so seven is not tried. */
static void put_float(text_buf *b, float v)
{
	static const int digits[] = {6, 8, 9};
	char text[32];
	int n = 0;
	for (int k = 0; k < 3; k++) {
		n = snprintf(text, sizeof text, "%.*g", digits[k], (double)v);
		float back = (float)strtod(text, NULL);
		if (memcmp(&back, &v, sizeof v) == 0)
			break;
	}
	put_bytes(b, text, (size_t)n);
}

/* rows x cols values at base[r * rstride + c * cstride], one row per line. */
static void put_matrix(text_buf *b, const float *base, int rows, int cols, size_t rstride,
                       size_t cstride, const char *indent)
{
	put(b, "[\n");
	for (int r = 0; r < rows; r++) {
		put(b, "%s  [", indent);
		for (int c = 0; c < cols; c++) {
			if (c)
				put_bytes(b, ", ", 2);
			put_float(b, base[r * rstride + c * cstride]);
		}
		put(b, "]%s\n", r + 1 < rows ? "," : "");
	}
	put(b, "%s]", indent);
}

static void put_vector(text_buf *b, const float *v, int n)
{
	put(b, "[");
	for (int i = 0; i < n; i++) {
		if (i)
			put_bytes(b, ", ", 2);
		put_float(b, v[i]);
	}
	put(b, "]");
}

static void put_ports(text_buf *b, const recur_model *m, bool inputs)
{
	int n = inputs ? m->shape.n_inputs : m->shape.n_outputs;
	put(b, "  \"%s\": [\n", inputs ? "inputs" : "outputs");
	for (int i = 0; i < n; i++) {
		const recur_port *p = inputs ? &m->inputs[i] : &m->outputs[i];
		put(b, "    {\"name\": ");
		put_string(b, p->name);
		if (inputs) {
			put(b, ", \"min\": ");
			put_float(b, p->min);
			put(b, ", \"max\": ");
			put_float(b, p->max);
			put(b, ", \"default\": ");
			put_float(b, p->def);
		}
		put(b, "}%s\n", i + 1 < n ? "," : "");
	}
	put(b, "  ],\n");
}

static void put_layer(text_buf *b, const recur_layer *L, bool last)
{
	const char *ind = "      ";
	size_t rp = (size_t)L->rows_p;
	put(b, "    {\n%s\"weight_ih\": ", ind);
	put_matrix(b, L->w_x, L->rows, L->in, 1, rp, ind);
	put(b, ",\n%s\"weight_hh\": ", ind);
	put_matrix(b, L->w_h, L->rows, L->hidden, 1, rp, ind);
	put(b, ",\n%s\"bias_ih\": ", ind);
	put_vector(b, L->b_x, L->rows);
	put(b, ",\n%s\"bias_hh\": ", ind);
	put_vector(b, L->b_h, L->rows);
	put(b, "\n    }%s\n", last ? "" : ",");
}

static int head_inputs(const recur_model *m)
{
	return m->inner.n ? m->dense[m->inner.n - 1].width : m->shape.hidden;
}

static void put_dense(text_buf *b, const recur_model *m)
{
	if (m->inner.n == 0)
		return;
	put(b, "  \"dense\": [\n");
	for (int k = 0; k < m->inner.n; k++) {
		const recur_dense_layer *D = &m->dense[k];
		const char *ind = "      ";
		put(b, "    {\n%s\"width\": %d,\n%s\"activation\": \"%s\",\n%s\"weight\": ", ind,
		    D->width, ind, activation_names[D->act], ind);
		put_matrix(b, D->w, D->width, D->in, (size_t)D->in_p, 1, ind);
		put(b, ",\n%s\"bias\": ", ind);
		put_vector(b, D->b, D->width);
		put(b, "\n    }%s\n", k + 1 < m->inner.n ? "," : "");
	}
	put(b, "  ],\n");
}

static bool has_initial_state(const recur_model *m)
{
	for (size_t i = 0; i < m->n_state; i++)
		if (m->init[i] != 0.0f)
			return true;
	return false;
}

static void put_initial_state(text_buf *b, const recur_model *m)
{
	if (!has_initial_state(m))
		return;
	const bool lstm = m->shape.cell == RECUR_CELL_LSTM;
	put(b, ",\n  \"initial_state\": [\n");
	for (int l = 0; l < m->shape.layers; l++) {
		const float *h0 = m->init + (size_t)l * 2 * (size_t)m->hidden_p;
		put(b, "    {\"h\": ");
		put_vector(b, h0, m->shape.hidden);
		if (lstm) {
			put(b, ",\n     \"c\": ");
			put_vector(b, h0 + m->hidden_p, m->shape.hidden);
		}
		put(b, "}%s\n", l + 1 < m->shape.layers ? "," : "");
	}
	put(b, "  ]");
}

static void put_check(text_buf *b, const recur_model *m)
{
	if (!m->check)
		return;
	const size_t ni = (size_t)m->shape.n_inputs, no = (size_t)m->shape.n_outputs;
	const int frames = (int)m->check->frames;
	put(b, ",\n  \"check\": {\n    \"input\": ");
	put_matrix(b, m->check->input, frames, (int)ni, ni, 1, "    ");
	put(b, ",\n    \"output\": ");
	put_matrix(b, m->check->output, frames, (int)no, no, 1, "    ");
	put(b, "\n  }");
}

/* The oldest version that holds the model: 1 unless it uses what version 2
 * added, so files of version-1 models stay readable by older builds. */
static int version_needed(const recur_model *m)
{
	bool v2 = m->inner.n > 0 || m->shape.out_act >= V1_ACTIVATIONS || m->in_gain != 1.0f ||
	          m->out_gain != 1.0f || m->check != NULL || has_initial_state(m);
	return v2 ? 2 : 1;
}

static void put_model(text_buf *b, const recur_model *m)
{
	const recur_shape *s = &m->shape;
	put(b, "{\n  \"format\": \"" FORMAT_TAG "\",\n  \"version\": %d,\n", version_needed(m));
	put(b, "  \"cell\": \"%s\",\n", cell_names[s->cell]);
	put(b, "  \"n_inputs\": %d,\n  \"n_outputs\": %d,\n", s->n_inputs, s->n_outputs);
	put(b, "  \"hidden\": %d,\n  \"n_layers\": %d,\n", s->hidden, s->layers);
	put(b, "  \"skip\": %s,\n", s->skip ? "true" : "false");
	put(b, "  \"output_activation\": \"%s\",\n", activation_names[s->out_act]);
	put(b, "  \"sample_rate\": %.17g,\n", m->sample_rate);
	put_ports(b, m, true);
	put_ports(b, m, false);
	put(b, "  \"layers\": [\n");
	for (int l = 0; l < s->layers; l++)
		put_layer(b, &m->layer[l], l + 1 == s->layers);
	put(b, "  ],\n");
	put_dense(b, m);
	put(b, "  \"head\": {\n    \"weight\": ");
	put_matrix(b, m->w_out, s->n_outputs, head_inputs(m), (size_t)m->head_in_p, 1, "    ");
	put(b, ",\n    \"bias\": ");
	put_vector(b, m->b_out, s->n_outputs);
	put(b, "\n  }");
	put_initial_state(b, m);
	if (m->in_gain != 1.0f) {
		put(b, ",\n  \"input_gain\": ");
		put_float(b, m->in_gain);
	}
	if (m->out_gain != 1.0f) {
		put(b, ",\n  \"output_gain\": ");
		put_float(b, m->out_gain);
	}
	put_check(b, m);
	if (m->metadata_json)
		put(b, ",\n  \"metadata\": %s", m->metadata_json);
	put(b, "\n}\n");
}

/* ---- what may be printed -------------------------------------------------- */

static bool check_floats(const float *v, size_t n, const char *what, recur_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			fj_fail(err, "%s: value %zu is not a finite number", what, i);
			return false;
		}
	}
	return true;
}

static bool check_port(const recur_port *p, bool input, const char *what, int i, recur_error *err)
{
	size_t n = strnlen(p->name, RECUR_NAME_LEN);
	if (n == 0 || n == RECUR_NAME_LEN) {
		fj_fail(err, "%s[%d].name: must be 1 to %d bytes long", what, i,
		        RECUR_NAME_LEN - 1);
		return false;
	}
	for (size_t k = 0; k < n; k++) {
		if ((unsigned char)p->name[k] < 0x20) {
			fj_fail(err, "%s[%d].name: contains a control character", what, i);
			return false;
		}
	}
	if (input && !(isfinite(p->min) && isfinite(p->max) && isfinite(p->def) &&
	               p->min <= p->def && p->def <= p->max)) {
		fj_fail(err, "%s[%d]: range must be finite with min <= default <= max", what, i);
		return false;
	}
	return true;
}

static bool check_metadata(const char *text, recur_error *err)
{
	if (!text)
		return true;
	const char *end = NULL;
	cJSON *meta = cJSON_ParseWithOpts(text, &end, true);
	bool ok = cJSON_IsObject(meta);
	cJSON_Delete(meta);
	if (!ok)
		fj_fail(err, "metadata: not the text of a JSON object");
	return ok;
}

static bool has_cell_state(const recur_model *m)
{
	for (int l = 0; l < m->shape.layers; l++) {
		const float *c0 = m->init + (size_t)l * 2 * (size_t)m->hidden_p + m->hidden_p;
		for (int u = 0; u < m->hidden_p; u++)
			if (c0[u] != 0.0f)
				return true;
	}
	return false;
}

/* Refuses anything the reader would refuse, so a saved file always loads. */
static bool check_printable(const recur_model *m, recur_error *err)
{
	const recur_shape *s = &m->shape;
	if ((unsigned)s->cell > RECUR_CELL_LSTM || (unsigned)s->out_act > RECUR_ACT_ELU ||
	    s->n_inputs < 1 || s->n_inputs > RECUR_MAX_IO || s->n_outputs < 1 ||
	    s->n_outputs > RECUR_MAX_IO || s->hidden < 1 || s->hidden > RECUR_MAX_HIDDEN ||
	    s->layers < 1 || s->layers > RECUR_MAX_LAYERS) {
		fj_fail(err, "model shape is out of limits");
		return false;
	}
	if (!isfinite(m->sample_rate) || m->sample_rate < 0 || m->sample_rate > 1e9) {
		fj_fail(err, "sample_rate: %g is out of range (0..1e9)", m->sample_rate);
		return false;
	}
	for (int i = 0; i < s->n_inputs; i++)
		if (!check_port(&m->inputs[i], true, "inputs", i, err))
			return false;
	for (int i = 0; i < s->n_outputs; i++)
		if (!check_port(&m->outputs[i], false, "outputs", i, err))
			return false;
	for (int k = 0; k < m->inner.n; k++) {
		const recur_dense *d = &m->inner.layer[k];
		if (d->width < 1 || d->width > RECUR_MAX_HIDDEN ||
		    (unsigned)d->act > RECUR_ACT_ELU || d->act == RECUR_ACT_SOFTMAX) {
			fj_fail(err, "dense[%d]: width or activation out of limits", k);
			return false;
		}
	}
	if (!isfinite(m->in_gain) || !isfinite(m->out_gain)) {
		fj_fail(err, "%s: not a finite number",
		        isfinite(m->in_gain) ? "output_gain" : "input_gain");
		return false;
	}
	if (m->shape.cell != RECUR_CELL_LSTM && has_cell_state(m)) {
		fj_fail(err, "initial_state: only LSTM layers have a cell state");
		return false;
	}
	if (m->check && (m->check->frames < 1 || m->check->frames > RECUR_MAX_CHECK_FRAMES)) {
		fj_fail(err, "check: %zu frames (1..%d)", m->check->frames, RECUR_MAX_CHECK_FRAMES);
		return false;
	}
	/* Padding is zero, so checking whole blocks checks every weight. */
	return check_floats(m->params, m->n_params, "parameters", err) &&
	       check_floats(m->init, m->n_state, "initial_state", err) &&
	       (!m->check ||
	        (check_floats(m->check->input, m->check->frames * (size_t)s->n_inputs,
	                      "check.input", err) &&
	         check_floats(m->check->output, m->check->frames * (size_t)s->n_outputs,
	                      "check.output", err))) &&
	       check_metadata(m->metadata_json, err);
}

char *recur_model_print(const recur_model *m, recur_error *err)
{
	if (!m) {
		fj_fail(err, "no model");
		return NULL;
	}
	if (!check_printable(m, err))
		return NULL;
	/* JSON needs '.' as the decimal point whatever locale the host set. */
	locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!c_locale) {
		fj_fail(err, "cannot create the C locale for printing numbers");
		return NULL;
	}
	locale_t previous = uselocale(c_locale);
	text_buf b = {.text = malloc(4096), .cap = 4096};
	b.failed = b.text == NULL;
	put_model(&b, m);
	uselocale(previous);
	freelocale(c_locale);
	if (b.failed) {
		free(b.text);
		fj_fail(err, "out of memory while printing the model");
		return NULL;
	}
	return b.text;
}
