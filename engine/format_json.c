/* Typed, shape-checked access to the JSON of model files; every refusal names
 * the field it is about, so a user can find the fault in a large file. */
#include "format_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fj_fail(recur_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

void fj_path(char out[FJ_PATH_LEN], const char *parent, const char *key)
{
	if (parent[0])
		snprintf(out, FJ_PATH_LEN, "%s.%s", parent, key);
	else
		snprintf(out, FJ_PATH_LEN, "%s", key);
}

void fj_index(char out[FJ_PATH_LEN], const char *parent, int i)
{
	snprintf(out, FJ_PATH_LEN, "%s[%d]", parent, i);
}

/* Whole numbers print as such (1000000000, not 1e+09) so messages quote the
 * file's own text. */
static void number_text(double v, char out[40])
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
		snprintf(out, 40, "%.0f", v);
	else
		snprintf(out, 40, "%.9g", v);
}

static const char *type_name(const cJSON *item)
{
	if (cJSON_IsNull(item))
		return "null";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "something else";
}

const cJSON *fj_require(const cJSON *obj, const char *where, const char *key, recur_error *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item) {
		char path[FJ_PATH_LEN];
		fj_path(path, where, key);
		fj_fail(err, "missing field \"%s\"", path);
	}
	return item;
}

bool fj_int(const cJSON *obj, const char *where, const char *key, int lo, int hi, int *out,
            recur_error *err)
{
	const cJSON *item = fj_require(obj, where, key, err);
	if (!item)
		return false;
	char path[FJ_PATH_LEN];
	fj_path(path, where, key);
	if (!cJSON_IsNumber(item)) {
		fj_fail(err, "%s: expected an integer, found %s", path, type_name(item));
		return false;
	}
	double v = item->valuedouble;
	char text[40];
	number_text(v, text);
	if (!isfinite(v) || v != floor(v)) {
		fj_fail(err, "%s: expected an integer, found %s", path, text);
		return false;
	}
	if (v < lo || v > hi) {
		fj_fail(err, "%s: %s is out of range (%d..%d)", path, text, lo, hi);
		return false;
	}
	*out = (int)v;
	return true;
}

bool fj_number(const cJSON *obj, const char *where, const char *key, double lo, double hi,
               double *out, recur_error *err)
{
	const cJSON *item = fj_require(obj, where, key, err);
	if (!item)
		return false;
	char path[FJ_PATH_LEN];
	fj_path(path, where, key);
	if (!cJSON_IsNumber(item)) {
		fj_fail(err, "%s: expected a number, found %s", path, type_name(item));
		return false;
	}
	double v = item->valuedouble;
	if (!isfinite(v)) {
		fj_fail(err, "%s: not a finite number", path);
		return false;
	}
	if (v < lo || v > hi) {
		char text[40], tlo[40], thi[40];
		number_text(v, text);
		number_text(lo, tlo);
		number_text(hi, thi);
		fj_fail(err, "%s: %s is out of range (%s..%s)", path, text, tlo, thi);
		return false;
	}
	*out = v;
	return true;
}

bool fj_bool(const cJSON *obj, const char *where, const char *key, bool *out, recur_error *err)
{
	const cJSON *item = fj_require(obj, where, key, err);
	if (!item)
		return false;
	if (!cJSON_IsBool(item)) {
		char path[FJ_PATH_LEN];
		fj_path(path, where, key);
		fj_fail(err, "%s: expected true or false, found %s", path, type_name(item));
		return false;
	}
	*out = cJSON_IsTrue(item);
	return true;
}

bool fj_flag(const cJSON *obj, const char *where, const char *key, bool *out, recur_error *err)
{
	const cJSON *item = fj_require(obj, where, key, err);
	if (!item)
		return false;
	if (cJSON_IsBool(item)) {
		*out = cJSON_IsTrue(item);
		return true;
	}
	if (cJSON_IsNumber(item) && (item->valuedouble == 0 || item->valuedouble == 1)) {
		*out = item->valuedouble == 1;
		return true;
	}
	char path[FJ_PATH_LEN];
	fj_path(path, where, key);
	fj_fail(err, "%s: expected 0, 1, true or false", path);
	return false;
}

const char *fj_string(const cJSON *obj, const char *where, const char *key, recur_error *err)
{
	const cJSON *item = fj_require(obj, where, key, err);
	if (!item)
		return NULL;
	if (!cJSON_IsString(item) || !item->valuestring) {
		char path[FJ_PATH_LEN];
		fj_path(path, where, key);
		fj_fail(err, "%s: expected a string, found %s", path, type_name(item));
		return NULL;
	}
	return item->valuestring;
}

bool fj_float(const cJSON *item, const char *path, float *out, recur_error *err)
{
	if (!cJSON_IsNumber(item)) {
		fj_fail(err, "%s: expected a number, found %s", path, type_name(item));
		return false;
	}
	/* Finite as a double may still overflow a float (1e300). */
	float f = (float)item->valuedouble;
	if (!isfinite(item->valuedouble) || !isfinite(f)) {
		fj_fail(err, "%s: not a finite number", path);
		return false;
	}
	*out = f;
	return true;
}

bool fj_only_keys(const cJSON *obj, const char *where, const char *const *known, recur_error *err)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		bool found = false;
		for (const char *const *k = known; *k && !found; k++)
			found = item->string && strcmp(item->string, *k) == 0;
		if (!found) {
			char path[FJ_PATH_LEN];
			fj_path(path, where, item->string ? item->string : "?");
			fj_fail(err, "%s: unknown field", path);
			return false;
		}
		/* A repeated key would be ambiguous: cJSON keeps the first. */
		for (const cJSON *prev = obj->child; prev != item; prev = prev->next) {
			if (strcmp(prev->string, item->string) == 0) {
				char path[FJ_PATH_LEN];
				fj_path(path, where, item->string);
				fj_fail(err, "%s: given more than once", path);
				return false;
			}
		}
	}
	return true;
}

static bool expect_array(const cJSON *a, const char *path, int n, const char *unit,
                         recur_error *err)
{
	if (!cJSON_IsArray(a)) {
		fj_fail(err, "%s: expected an array of %d %s, found %s", path, n, unit,
		        type_name(a));
		return false;
	}
	int found = cJSON_GetArraySize(a);
	if (found != n) {
		fj_fail(err, "%s: expected %d %s, found %d", path, n, unit, found);
		return false;
	}
	return true;
}

bool fj_vector(const cJSON *a, const char *path, int n, float *dst, recur_error *err)
{
	if (!expect_array(a, path, n, "values", err))
		return false;
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, a)
	{
		char at[FJ_PATH_LEN];
		fj_index(at, path, i);
		if (!fj_float(item, at, &dst[i], err))
			return false;
		i++;
	}
	return true;
}

bool fj_matrix(const cJSON *a, const char *path, int rows, int cols, float *dst, recur_error *err)
{
	if (!expect_array(a, path, rows, "rows", err))
		return false;
	int r = 0;
	const cJSON *row;
	cJSON_ArrayForEach(row, a)
	{
		char at[FJ_PATH_LEN];
		fj_index(at, path, r);
		if (!fj_vector(row, at, cols, dst + (size_t)r * cols, err))
			return false;
		r++;
	}
	return true;
}

float *fj_vector_new(const cJSON *a, const char *path, int n, recur_error *err)
{
	float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
	if (!v) {
		fj_fail(err, "%s: out of memory", path);
		return NULL;
	}
	if (!fj_vector(a, path, n, v, err)) {
		free(v);
		return NULL;
	}
	return v;
}

float *fj_matrix_new(const cJSON *a, const char *path, int rows, int cols, recur_error *err)
{
	size_t n = (size_t)rows * (size_t)cols;
	float *v = malloc(sizeof(float) * (n > 0 ? n : 1));
	if (!v) {
		fj_fail(err, "%s: out of memory", path);
		return NULL;
	}
	if (!fj_matrix(a, path, rows, cols, v, err)) {
		free(v);
		return NULL;
	}
	return v;
}

void fj_store_layer(recur_layer *L, const float *weight_ih, const float *weight_hh,
                    const float *bias_ih, const float *bias_hh)
{
	size_t rp = (size_t)L->rows_p;
	for (int r = 0; r < L->rows; r++) {
		for (int j = 0; j < L->in; j++)
			L->w_x[j * rp + r] = weight_ih[(size_t)r * L->in + j];
		for (int j = 0; j < L->hidden; j++)
			L->w_h[j * rp + r] = weight_hh[(size_t)r * L->hidden + j];
		L->b_x[r] = bias_ih ? bias_ih[r] : 0.0f;
		L->b_h[r] = bias_hh ? bias_hh[r] : 0.0f;
	}
}

int fj_head_inputs(const recur_model *m)
{
	return m->inner.n ? m->dense[m->inner.n - 1].width : m->shape.hidden;
}

void fj_store_head(recur_model *m, const float *weight, const float *bias)
{
	const int in = fj_head_inputs(m);
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int j = 0; j < in; j++)
			m->w_out[(size_t)o * m->head_in_p + j] = weight[(size_t)o * in + j];
		m->b_out[o] = bias ? bias[o] : 0.0f;
	}
}

void fj_store_dense(recur_dense_layer *D, const float *weight, const float *bias)
{
	for (int o = 0; o < D->width; o++) {
		for (int j = 0; j < D->in; j++)
			D->w[(size_t)o * D->in_p + j] = weight[(size_t)o * D->in + j];
		D->b[o] = bias ? bias[o] : 0.0f;
	}
}

int fj_gates(recur_cell cell)
{
	switch (cell) {
	case RECUR_CELL_GRU:
		return 3;
	case RECUR_CELL_LSTM:
		return 4;
	case RECUR_CELL_RNN:
	default:
		return 1;
	}
}

char *fj_print_object(const cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);
	if (!text)
		return NULL;
	/* cJSON may allocate through its own hooks; the model frees with free(). */
	char *copy = strdup(text);
	cJSON_free(text);
	return copy;
}
