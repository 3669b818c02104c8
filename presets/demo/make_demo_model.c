/*
 * Writes presets/demo/soft-clip-smoother.json: a one-unit vanilla RNN set by
 * hand, so the project has a model to run before any has been trained.
 *
 *   h[n] = tanh(0.5 in[n] + 0.5 bias + 0.8 h[n-1])
 *   out[n] = 0.4 h[n]
 *
 * For small signals tanh is the identity and this is a one-pole low-pass
 * (pole 0.8: -3 dB near 1.7 kHz at 48 kHz) with DC gain 0.5 / (1 - 0.8) *
 * 0.4 = 1. Loud signals drive tanh into saturation, so peaks are rounded off
 * and the output never exceeds 0.4: a soft clipper that also smooths. The
 * conditioning input "bias" shifts the operating point, making the clipping
 * asymmetric (more even harmonics) at the cost of a DC offset.
 *
 * Usage: make-demo-model OUTPUT.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"

static const char description[] =
    "{\"description\": \"Hand-set demo: one tanh RNN unit, a soft-clipping one-pole "
    "smoother (pole 0.8, unity small-signal gain, output limited to +-0.4). Input "
    "'bias' makes the clipping asymmetric.\", \"made_by\": \"presets/demo/"
    "make_demo_model.c\"}";

static void set_weights(recur_model *m)
{
	recur_layer *L = &m->layer[0];
	L->w_x[0 * L->rows_p] = 0.5f; /* in -> h */
	L->w_x[1 * L->rows_p] = 0.5f; /* bias -> h */
	L->w_h[0] = 0.8f;             /* h -> h: the pole */
	m->w_out[0] = 0.4f;
}

static void set_ports(recur_model *m)
{
	snprintf(m->inputs[0].name, RECUR_NAME_LEN, "in");
	m->inputs[0].min = -1;
	m->inputs[0].max = 1;
	snprintf(m->inputs[1].name, RECUR_NAME_LEN, "bias");
	m->inputs[1].min = -1;
	m->inputs[1].max = 1;
	m->inputs[1].def = 0;
	snprintf(m->outputs[0].name, RECUR_NAME_LEN, "out");
	m->outputs[0].min = -1;
	m->outputs[0].max = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-demo-model OUTPUT.json\n");
		return 2;
	}
	recur_shape shape = {.cell = RECUR_CELL_RNN,
	                     .n_inputs = 2,
	                     .n_outputs = 1,
	                     .hidden = 1,
	                     .layers = 1,
	                     .skip = false,
	                     .out_act = RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&shape, &err);
	if (!m) {
		fprintf(stderr, "make-demo-model: %s\n", err.msg);
		return 1;
	}
	m->sample_rate = 48000;
	set_weights(m);
	set_ports(m);
	m->metadata_json = malloc(sizeof description);
	if (m->metadata_json)
		memcpy(m->metadata_json, description, sizeof description);
	bool ok = recur_model_save(m, argv[1], &err);
	if (!ok)
		fprintf(stderr, "make-demo-model: %s: %s\n", argv[1], err.msg);
	recur_model_free(m);
	return ok ? 0 : 1;
}
