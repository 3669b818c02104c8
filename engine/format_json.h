/*
 * What the three model-file readers (recur's own format, AIDA-X / RTNeural,
 * Automated-GuitarAmpModelling) share: typed field access that reports the
 * field's path in every message, numeric arrays checked for shape and
 * finiteness, and the copy of PyTorch-layout weights into a model's padded
 * column-major blocks. Internal to the engine.
 */
#ifndef RECUR_FORMAT_JSON_H
#define RECUR_FORMAT_JSON_H

#include "recur.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Long enough for "layers[3].weight_hh[511][127]" with room to spare. */
#define FJ_PATH_LEN 96

void fj_fail(recur_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "parent.key", or "key" when parent is empty. */
void fj_path(char out[FJ_PATH_LEN], const char *parent, const char *key);
/* "parent[i]". */
void fj_index(char out[FJ_PATH_LEN], const char *parent, int i);

/* The member `key` of obj (at `where`), or NULL with err = missing field. */
const cJSON *fj_require(const cJSON *obj, const char *where, const char *key, recur_error *err);

/* Typed readers. `where` is obj's own path ("" at the top). Each returns false
 * with a message naming "where.key" when the member is missing, of the wrong
 * type, or outside [lo, hi]. */
bool fj_int(const cJSON *obj, const char *where, const char *key, int lo, int hi, int *out,
            recur_error *err);
bool fj_number(const cJSON *obj, const char *where, const char *key, double lo, double hi,
               double *out, recur_error *err);
bool fj_bool(const cJSON *obj, const char *where, const char *key, bool *out, recur_error *err);
/* Accepts true/false or the integers 0 and 1, as foreign formats write both. */
bool fj_flag(const cJSON *obj, const char *where, const char *key, bool *out, recur_error *err);
const char *fj_string(const cJSON *obj, const char *where, const char *key, recur_error *err);
bool fj_float(const cJSON *item, const char *path, float *out, recur_error *err);

/* Refuses members of obj whose names are not in the NULL-terminated list. */
bool fj_only_keys(const cJSON *obj, const char *where, const char *const *known, recur_error *err);

/* A numeric array of exactly n finite float values, copied into dst. */
bool fj_vector(const cJSON *a, const char *path, int n, float *dst, recur_error *err);
/* A [rows][cols] array of arrays of finite floats, row-major into dst. */
bool fj_matrix(const cJSON *a, const char *path, int rows, int cols, float *dst, recur_error *err);
/* Allocating forms (free() the result); NULL with err set on failure. */
float *fj_vector_new(const cJSON *a, const char *path, int n, recur_error *err);
float *fj_matrix_new(const cJSON *a, const char *path, int rows, int cols, recur_error *err);

/* Copies one layer given in PyTorch layout (weight_ih [rows][in], weight_hh
 * [rows][hidden], bias_ih [rows], bias_hh [rows]; NULL bias = zero) into the
 * model's column-major padded blocks. */
void fj_store_layer(recur_layer *L, const float *weight_ih, const float *weight_hh,
                    const float *bias_ih, const float *bias_hh);
/* The output layer: weight [n_outputs][fj_head_inputs(m)] row-major, bias
 * [n_outputs] or NULL. Its inputs are the top layer's hidden units, or the
 * last inner dense layer's width. */
void fj_store_head(recur_model *m, const float *weight, const float *bias);
int fj_head_inputs(const recur_model *m);
/* An inner dense layer: weight [width][in] row-major, bias [width] or NULL. */
void fj_store_dense(recur_dense_layer *D, const float *weight, const float *bias);

/* Gates per cell: RNN 1, GRU 3, LSTM 4. */
int fj_gates(recur_cell cell);

/* The text of a JSON object as a malloc'd string (free()), or NULL. */
char *fj_print_object(const cJSON *obj);

/* Readers of each format: the top-level object in, a model or NULL out. */
recur_model *recur_format_read(const cJSON *root, recur_error *err);
recur_model *recur_import_aidax(const cJSON *root, recur_error *err);
recur_model *recur_import_gaam(const cJSON *root, recur_error *err);

#endif
