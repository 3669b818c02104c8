/*
 * Writes the plugin tests' models and input into a folder
 * (tests/plugin/data): models with fixed-seed random weights in recur's
 * format and a fixed input signal. tests/plugin/make_data.sh runs this and
 * then computes the golden outputs with recur-process.
 *
 *   gen_plugin_data tests/plugin/data
 *
 * Files: input.f32 (float32, little-endian, 48 kHz), rnn.json (trained at
 * 44.1 kHz, to show the sample-rate status), gru.json, lstm.json, cond.json
 * (an LSTM with two conditioning inputs, drive [0, 10] default 3 and tone
 * [-1, 1] default 0).
 */
#include "recur.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FRAMES 4800

static uint64_t rng_state;

static float uniform(float a)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	double u = (double)(rng_state >> 11) / (double)(1ull << 53);
	return (float)((2.0 * u - 1.0) * a);
}

/* Fills only the meaningful entries; padding stays zero as the layout wants. */
static void fill_weights(recur_model *m, uint64_t seed)
{
	rng_state = seed;
	const int hidden = m->shape.hidden;
	const float a = 1.0f / sqrtf((float)hidden);
	for (int l = 0; l < m->shape.layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int j = 0; j < L->in; j++)
			for (int r = 0; r < L->rows; r++)
				L->w_x[j * L->rows_p + r] = uniform(a);
		for (int j = 0; j < hidden; j++)
			for (int r = 0; r < L->rows; r++)
				L->w_h[j * L->rows_p + r] = uniform(a);
		for (int r = 0; r < L->rows; r++) {
			L->b_x[r] = uniform(a);
			L->b_h[r] = uniform(a);
		}
	}
	for (int o = 0; o < m->shape.n_outputs; o++) {
		for (int u = 0; u < hidden; u++)
			m->w_out[o * m->hidden_p + u] = uniform(a);
		m->b_out[o] = uniform(0.1f);
	}
}

static bool write_f32(const char *dir, const char *name, const float *v, size_t n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(v, sizeof *v, n, f) == n;
	if (f && fclose(f))
		ok = false;
	if (!ok)
		fprintf(stderr, "cannot write %s\n", path);
	return ok;
}

typedef struct {
	const char *name;
	recur_shape shape;
	double rate;
	uint64_t seed;
} model_spec;

static const model_spec specs[] = {
    {"rnn", {RECUR_CELL_RNN, 1, 1, 8, 1, false, RECUR_ACT_LINEAR}, 44100.0, 11},
    {"gru", {RECUR_CELL_GRU, 1, 1, 12, 2, false, RECUR_ACT_LINEAR}, 48000.0, 22},
    {"lstm", {RECUR_CELL_LSTM, 1, 1, 16, 1, true, RECUR_ACT_LINEAR}, 48000.0, 33},
    {"cond", {RECUR_CELL_LSTM, 3, 1, 8, 1, true, RECUR_ACT_TANH}, 48000.0, 44},
};

static recur_model *make_model(const model_spec *spec)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&spec->shape, &err);
	if (!m) {
		fprintf(stderr, "%s: %s\n", spec->name, err.msg);
		return NULL;
	}
	m->sample_rate = spec->rate;
	fill_weights(m, spec->seed);
	if (m->shape.n_inputs == 3) {
		snprintf(m->inputs[1].name, RECUR_NAME_LEN, "drive");
		m->inputs[1].min = 0.0f, m->inputs[1].max = 10.0f, m->inputs[1].def = 3.0f;
		snprintf(m->inputs[2].name, RECUR_NAME_LEN, "tone");
		m->inputs[2].min = -1.0f, m->inputs[2].max = 1.0f, m->inputs[2].def = 0.0f;
	}
	return m;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT_FOLDER\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	static float in[FRAMES];
	rng_state = 7;
	for (int i = 0; i < FRAMES; i++) {
		double t = i / 48000.0;
		double env = 0.2 + 0.8 * fabs(sin(2 * M_PI * 3.0 * t));
		in[i] = (float)(0.6 * env * sin(2 * M_PI * 110.0 * t) + 0.05 * uniform(1.0f));
	}
	if (!write_f32(dir, "input.f32", in, FRAMES))
		return 1;

	for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
		recur_model *m = make_model(&specs[s]);
		if (!m)
			return 1;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.json", dir, specs[s].name);
		recur_error err = {{0}};
		if (!recur_model_save(m, path, &err)) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			return 1;
		}
		recur_model_free(m);
	}
	return 0;
}
