#include "export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

/* Through a temporary file (fileio/output.h): a reader never sees half a
 * file, and a failure leaves the previous one. */
static bool write_atomic(const char *path, const char *text, recur_error *err)
{
	return output_write_all(path, text, strlen(text), err->msg, sizeof err->msg);
}

/* Keras gate k (LSTM i,f,c,o; GRU z,r,h) is PyTorch gate keras_gate[k]. */
static const int lstm_gate[4] = {0, 1, 2, 3};
static const int gru_gate[3] = {1, 0, 2};

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

static cJSON *keras_bias(const float *b1, const float *b2, int H, int gates, const int *map)
{
	cJSON *v = cJSON_CreateArray();
	for (int c = 0; c < gates * H; c++) {
		const int r = map[c / H] * H + c % H;
		cJSON_AddItemToArray(v, cJSON_CreateNumber(b1[r] + (b2 ? b2[r] : 0.0f)));
	}
	return v;
}

static cJSON *shape_of(int n)
{
	cJSON *s = cJSON_CreateArray();
	cJSON_AddItemToArray(s, cJSON_CreateNull());
	cJSON_AddItemToArray(s, cJSON_CreateNull());
	cJSON_AddItemToArray(s, cJSON_CreateNumber(n));
	return s;
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
	const int H = m->shape.hidden, O = m->shape.n_outputs;
	cJSON *layer = cJSON_CreateObject();
	cJSON_AddStringToObject(layer, "type", "dense");
	cJSON_AddStringToObject(
	    layer, "activation",
	    m->shape.out_act == RECUR_ACT_LINEAR ? "" : recur_activation_name(m->shape.out_act));
	cJSON_AddItemToObject(layer, "shape", shape_of(O));
	cJSON *w = cJSON_AddArrayToObject(layer, "weights");
	cJSON *kernel = cJSON_CreateArray();
	for (int j = 0; j < H; j++) {
		cJSON *row = cJSON_CreateArray();
		for (int o = 0; o < O; o++)
			cJSON_AddItemToArray(
			    row, cJSON_CreateNumber(m->w_out[(size_t)o * m->hidden_p + j]));
		cJSON_AddItemToArray(kernel, row);
	}
	cJSON_AddItemToArray(w, kernel);
	cJSON *bias = cJSON_CreateArray();
	for (int o = 0; o < O; o++)
		cJSON_AddItemToArray(bias, cJSON_CreateNumber(m->b_out[o]));
	cJSON_AddItemToArray(w, bias);
	return layer;
}

bool export_aidax(const recur_model *m, const char *path, recur_error *err)
{
	const recur_shape *s = &m->shape;
	if (s->cell == RECUR_CELL_RNN) {
		snprintf(err->msg, sizeof err->msg,
		         "--export aidax: AIDA-X models are LSTM or GRU, not rnn");
		return false;
	}
	if (s->skip && (s->out_act != RECUR_ACT_LINEAR || s->n_outputs != 1)) {
		snprintf(err->msg, sizeof err->msg,
		         "--export aidax: skip needs one output and a linear output activation "
		         "(AIDA-X adds the input after the activation)");
		return false;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "in_shape", shape_of(s->n_inputs));
	cJSON_AddNumberToObject(root, "in_skip", s->skip ? 1 : 0);
	if (m->sample_rate > 0) {
		cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
		cJSON_AddNumberToObject(meta, "samplerate", m->sample_rate);
	}
	cJSON *layers = cJSON_AddArrayToObject(root, "layers");
	for (int l = 0; l < s->layers; l++)
		cJSON_AddItemToArray(layers, recurrent_layer(&m->layer[l]));
	cJSON_AddItemToArray(layers, dense_layer(m));
	/* cJSON prints doubles with 17 significant digits, so each float comes
	 * back bit-exact. */
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text) {
		snprintf(err->msg, sizeof err->msg, "--export aidax: out of memory");
		return false;
	}
	const bool ok = write_atomic(path, text, err);
	free(text);
	return ok;
}

bool write_preset(const char *preset_path, const char *model_path, recur_error *err)
{
	char abs[PATH_MAX];
	if (!realpath(model_path, abs)) {
		snprintf(err->msg, sizeof err->msg, "--preset: cannot resolve %.200s: %s",
		         model_path, strerror(errno));
		return false;
	}
	char label[256];
	snprintf(label, sizeof label, "%s", basename(abs));
	char *dot = strrchr(label, '.');
	if (dot)
		*dot = 0;
	for (char *p = label; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '_';
	char text[PATH_MAX + 1024];
	snprintf(text, sizeof text,
	         "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
	         "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
	         "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
	         "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
	         "\n"
	         "<>\n"
	         "\ta pset:Preset ;\n"
	         "\tlv2:appliesTo <%s> ;\n"
	         "\trdfs:label \"%s\" ;\n"
	         "\tstate:state [\n"
	         "\t\t<%s> <file://%s>\n"
	         "\t] .\n",
	         RECUR_PLUGIN_URI, label, RECUR_MODEL_PARAM_URI, abs);
	return write_atomic(preset_path, text, err);
}
