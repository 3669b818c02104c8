/* Per-sample cost of the forward pass: RNN, GRU and LSTM at several hidden
 * sizes, one input and one output, as the plugin runs them.
 *
 *   bench-step [--kernel NAME] [--model CELL-HIDDEN] [--steps N] [--dense W[,W]]
 *              [--layers L]
 *
 * --layers stacks L recurrent layers of the same cell and size (default 1).
 * --dense puts one or two tanh dense layers of those widths between the
 * recurrent layer and the output layer (the model name gains "+dW").
 *
 * Without --steps it times each model (best of 400 runs of 0.1 s of audio at
 * 48 kHz) and prints ns per sample and the real-time factor. With
 * --steps it runs exactly N samples per model through bench_run() and prints
 * nothing else, so `valgrind --tool=callgrind --toggle-collect=bench_run`
 * counts the instructions of N samples (see bench/callgrind.sh). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recur.h"

#define RATE 48000
/* Best of many short runs: the minimum filters out time stolen by other
 * processes on a shared machine. */
#define REPEATS    400
#define RUN_FRAMES 4800

static const recur_cell cells[] = {RECUR_CELL_RNN, RECUR_CELL_GRU, RECUR_CELL_LSTM};
static const int hiddens[] = {8, 16, 32, 40, 64};

static uint32_t rng_state = 2026u;

static float uniform(float lo, float hi)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(rng_state >> 8) / 16777216.0f;
}

/* PyTorch's default initialisation range, so the activations see realistic
 * values; the padding stays zero. */
static recur_inner inner; /* --dense */
static int n_layers = 1;  /* --layers */

static recur_model *make_model(recur_cell cell, int hidden)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = hidden,
	                 .layers = n_layers,
	                 .skip = true,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	if (!m) {
		fprintf(stderr, "bench-step: %s\n", err.msg);
		exit(1);
	}
	const float k = 1.0f / sqrtf((float)hidden);
	for (int l = 0; l < n_layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[(size_t)j * L->rows_p + r] = uniform(-k, k);
			for (int j = 0; j < hidden; j++)
				L->w_h[(size_t)j * L->rows_p + r] = uniform(-k, k);
			L->b_x[r] = uniform(-k, k);
			L->b_h[r] = uniform(-k, k);
		}
	}
	int in = hidden;
	for (int d = 0; d < inner.n; d++) {
		recur_dense_layer *D = &m->dense[d];
		const float kd = 1.0f / sqrtf((float)in);
		for (int o = 0; o < D->width; o++) {
			for (int j = 0; j < in; j++)
				D->w[(size_t)o * D->in_p + j] = uniform(-kd, kd);
			D->b[o] = uniform(-kd, kd);
		}
		in = D->width;
	}
	for (int j = 0; j < in; j++)
		m->w_out[j] = uniform(-k, k);
	return m;
}

/* "16" or "16,8": tanh layers of those widths. */
static bool parse_dense(const char *text)
{
	char *end;
	inner.n = 0;
	do {
		long w = strtol(text, &end, 10);
		if (end == text || w < 1 || w > RECUR_MAX_HIDDEN || inner.n == RECUR_MAX_DENSE - 1)
			return false;
		inner.layer[inner.n++] = (recur_dense){(int)w, RECUR_ACT_TANH};
		text = end + (*end == ',');
	} while (*end == ',');
	return *end == '\0';
}

/* The measured region; not inlined so callgrind can toggle on it. */
__attribute__((noinline)) void bench_run(recur_model *m, const float *in, float *out, size_t frames)
{
	recur_process_mono(m, in, out, frames, NULL);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-step [--kernel generic|sse2|avx2|avx512] "
	                "[--model rnn|gru|lstm-HIDDEN] [--steps N] [--dense W[,W]] "
	                "[--layers L]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	long steps = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc) {
			if (!recur_kernel_select(argv[++i])) {
				fprintf(stderr,
				        "bench-step: kernel path %s is unknown or not "
				        "supported by this CPU\n",
				        argv[i]);
				return 1;
			}
		} else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else if (strcmp(argv[i], "--dense") == 0 && i + 1 < argc) {
			if (!parse_dense(argv[++i]))
				usage();
		} else if (strcmp(argv[i], "--layers") == 0 && i + 1 < argc) {
			n_layers = (int)strtol(argv[++i], NULL, 10);
			if (n_layers < 1 || n_layers > RECUR_MAX_LAYERS)
				usage();
		} else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
			steps = strtol(argv[++i], NULL, 10);
			if (steps <= 0)
				usage();
		} else {
			usage();
		}
	}

	size_t frames = steps > 0 ? (size_t)steps : RATE;
	float *in = malloc(frames * sizeof *in), *out = malloc(frames * sizeof *out);
	if (!in || !out)
		return 1;
	for (size_t t = 0; t < frames; t++)
		in[t] = 0.5f * sinf(6.2831853f * 110.0f * (float)t / RATE) + uniform(-0.05f, 0.05f);

	if (steps == 0)
		printf("kernel path: %s\n%-10s %12s %14s\n", recur_kernel_name(), "model",
		       "ns/sample", "x real time");
	int ran = 0;
	for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
		for (size_t h = 0; h < sizeof hiddens / sizeof hiddens[0]; h++) {
			char name[32];
			snprintf(name, sizeof name, "%s-%d", recur_cell_name(cells[c]), hiddens[h]);
			if (only && strcmp(only, name) != 0)
				continue;
			ran++;
			recur_model *m = make_model(cells[c], hiddens[h]);
			if (steps > 0) {
				bench_run(m, in, out, frames);
				recur_model_free(m);
				continue;
			}
			bench_run(m, in, out, frames); /* warm caches and clocks */
			double best = 1e300;
			for (int r = 0; r < REPEATS; r++) {
				double t0 = now_ns();
				bench_run(m, in, out, RUN_FRAMES);
				double dt = (now_ns() - t0) / (double)RUN_FRAMES;
				best = dt < best ? dt : best;
			}
			char shown[64];
			int len = snprintf(shown, sizeof shown, "%s", name);
			for (int d = 0; d < inner.n; d++)
				len += snprintf(shown + len, sizeof shown - (size_t)len, "+d%d",
				                inner.layer[d].width);
			printf("%-10s %12.1f %14.0f\n", shown, best, 1e9 / RATE / best);
			recur_model_free(m);
		}
	}
	free(in);
	free(out);
	if (!ran) {
		fprintf(stderr, "bench-step: no model named %s\n", only ? only : "");
		return 1;
	}
	return 0;
}
