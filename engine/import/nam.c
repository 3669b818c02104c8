/*
 * Neural Amp Modeler's .nam files (NeuralAmpModelerCore), architecture LSTM:
 *
 *   {"version": "0.5.4", "architecture": "LSTM",
 *    "config": {"num_layers", "input_size", "hidden_size"
 *               [, "in_channels", "out_channels" (default 1)]},
 *    "weights": [ ... ], "sample_rate": 48000, "metadata": {...}}
 *
 * "weights" is one flat list, read in order as NAM/lstm.cpp reads it: per
 * layer (in = input_size for the first, hidden_size above)
 *   W  [4H][in + H]  row-major; each row is [input part | hidden part]
 *   b  [4H]          one bias (PyTorch's bias_ih + bias_hh)
 *   h0 [H], c0 [H]   the learned initial hidden and cell states
 * then the head: weight [out_channels][H] row-major, bias [out_channels].
 * The gates are PyTorch's i, f, g, o, as recur's are.
 */
#include "import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	int layers, input_size, hidden, in_channels, out_channels;
} nam_config;

#define WHAT_LOADS      "recur reads NAM files of architecture LSTM"
#define NAM_MAX_GAIN_DB 200.0 /* the output gain its loudness may ask for */

static bool nam_architecture(const cJSON *root, recur_error *err)
{
	const char *arch = fj_string(root, "", "architecture", err);
	if (!arch)
		return false;
	if (strcmp(arch, "LSTM") == 0)
		return true;
	fj_fail(err,
	        "architecture: \"%.40s\" is not supported (%s; WaveNet, ConvNet, Linear and "
	        "other architectures are not recurrent networks)",
	        arch, WHAT_LOADS);
	return false;
}

static bool nam_config_read(const cJSON *root, nam_config *c, recur_error *err)
{
	const cJSON *cfg = fj_require(root, "", "config", err);
	if (!cfg)
		return false;
	if (!cJSON_IsObject(cfg)) {
		fj_fail(err, "config: expected an object");
		return false;
	}
	c->in_channels = c->out_channels = 1;
	if (!fj_int(cfg, "config", "num_layers", 1, RECUR_MAX_LAYERS, &c->layers, err) ||
	    !fj_int(cfg, "config", "input_size", 1, RECUR_MAX_IO, &c->input_size, err) ||
	    !fj_int(cfg, "config", "hidden_size", 1, RECUR_MAX_HIDDEN, &c->hidden, err) ||
	    (cJSON_GetObjectItemCaseSensitive(cfg, "in_channels") &&
	     !fj_int(cfg, "config", "in_channels", 1, RECUR_MAX_IO, &c->in_channels, err)) ||
	    (cJSON_GetObjectItemCaseSensitive(cfg, "out_channels") &&
	     !fj_int(cfg, "config", "out_channels", 1, RECUR_MAX_IO, &c->out_channels, err)))
		return false;
	/* NAM feeds in_channels values into an input of input_size; only equal
	 * sizes are a network fully defined by the file. */
	if (c->in_channels != c->input_size) {
		fj_fail(err, "config.input_size: %d, but in_channels is %d; recur reads them equal",
		        c->input_size, c->in_channels);
		return false;
	}
	return true;
}

static size_t nam_weight_count(const nam_config *c)
{
	size_t n = 0, H = (size_t)c->hidden;
	for (int l = 0; l < c->layers; l++) {
		size_t in = l == 0 ? (size_t)c->input_size : H;
		n += 4 * H * (in + H) + 4 * H + 2 * H;
	}
	return n + (size_t)c->out_channels * (H + 1);
}

/* One layer from w (advanced past it): PyTorch-layout copies into L and
 * the initial state into h0, c0. */
static bool nam_layer(const float **w, recur_layer *L, float *h0, float *c0)
{
	int H = L->hidden, in = L->in, rows = 4 * H;
	float *ih = malloc(sizeof(float) * (size_t)rows * (size_t)(in + H));
	if (!ih)
		return false;
	float *hh = ih + (size_t)rows * in;
	for (int r = 0; r < rows; r++) {
		const float *row = *w + (size_t)r * (in + H);
		memcpy(ih + (size_t)r * in, row, sizeof(float) * (size_t)in);
		memcpy(hh + (size_t)r * H, row + in, sizeof(float) * (size_t)H);
	}
	*w += (size_t)rows * (in + H);
	fj_store_layer(L, ih, hh, *w, NULL);
	*w += rows;
	memcpy(h0, *w, sizeof(float) * (size_t)H);
	*w += H;
	memcpy(c0, *w, sizeof(float) * (size_t)H);
	*w += H;
	free(ih);
	return true;
}

static bool nam_weights(const cJSON *root, const nam_config *c, recur_model *m, recur_error *err)
{
	const cJSON *a = fj_require(root, "", "weights", err);
	if (!a)
		return false;
	size_t want = nam_weight_count(c);
	int have = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
	if (have < 0 || (size_t)have != want) {
		fj_fail(
		    err,
		    "weights: expected %zu numbers for %d LSTM layer(s) of %d units, %d input(s) "
		    "and %d output(s), found %d",
		    want, c->layers, c->hidden, c->input_size, c->out_channels,
		    have < 0 ? 0 : have);
		return false;
	}
	float *all = fj_vector_new(a, "weights", have, err);
	if (!all)
		return false;
	const float *w = all;
	bool ok = true;
	for (int l = 0; l < c->layers && ok; l++) {
		float *h0 = m->init + (m->h[l] - m->state);
		float *c0 = m->init + (m->c[l] - m->state);
		ok = nam_layer(&w, &m->layer[l], h0, c0);
	}
	if (ok) {
		fj_store_head(m, w, w + (size_t)c->out_channels * c->hidden);
	} else {
		fj_fail(err, "weights: out of memory");
	}
	free(all);
	return ok;
}

/* A level in dB from NAM's metadata, if it is there and a number. */
static bool nam_level(const cJSON *meta, const char *key, double *db)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return false;
	*db = v->valuedouble;
	return true;
}

/* NAM's plugin plays a model, by default ("Normalized" output), at
 * -18 - loudness dB so every capture sounds equally loud; recur applies
 * that as the model's output level. input_level_dbu and output_level_dbu
 * only mean something against the user's own interface levels (NAM's
 * "Calibrate input" and "Calibrated" output, both off by default), so they
 * stay in the metadata. */
static bool nam_levels(const cJSON *root, recur_model *m, recur_error *err)
{
	double loudness;
	if (!nam_level(cJSON_GetObjectItemCaseSensitive(root, "metadata"), "loudness", &loudness))
		return true;
	/* Beyond 200 dB either way the gain is no level a capture can have (and
	 * no float can hold it): a damaged file, refused like AIDA-X's levels. */
	const double gain_db = -18.0 - loudness;
	if (!(fabs(gain_db) <= NAM_MAX_GAIN_DB)) {
		fj_fail(err,
		        "metadata.loudness: %g dB would need an output gain of %+g dB (NAM plays "
		        "every model at -18 dB; at most %g dB either way)",
		        loudness, gain_db, NAM_MAX_GAIN_DB);
		return false;
	}
	m->out_gain = (float)pow(10.0, gain_db / 20.0);
	return true;
}

recur_model *recur_import_nam(const cJSON *root, recur_error *err)
{
	nam_config c;
	if (!nam_architecture(root, err) || !fj_string(root, "", "version", err) ||
	    !nam_config_read(root, &c, err))
		return NULL;
	recur_shape shape = {.cell = RECUR_CELL_LSTM,
	                     .n_inputs = c.input_size,
	                     .n_outputs = c.out_channels,
	                     .hidden = c.hidden,
	                     .layers = c.layers,
	                     .out_act = RECUR_ACT_LINEAR};
	/* NAM's plugin takes a model without a rate to be 48 kHz. */
	const import_rate_place place = {root, "", "sample_rate"};
	import_rate rate;
	import_find_rate(&place, 1, 48000, "NAM's plugin", &rate);
	recur_model *m = recur_model_new(&shape, err);
	if (!m)
		return NULL;
	m->sample_rate = rate.hz;
	import_condition_defaults(m);
	if (!nam_levels(root, m, err)) {
		recur_model_free(m);
		return NULL;
	}
	static const char *const consumed[] = {"architecture", "config", "weights", "sample_rate",
	                                       NULL};
	const import_notes notes = {.rate_assumed = rate.assumed};
	if (!nam_weights(root, &c, m, err) ||
	    !import_keep_metadata(m, root, "nam", consumed, &notes, err)) {
		recur_model_free(m);
		return NULL;
	}
	recur_reset(m);
	return m;
}
