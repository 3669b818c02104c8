/* Per-sample cost of the forward pass: RNN, GRU and LSTM at several hidden
 * sizes, one input and one output, as the plugin runs them.
 *
 *   bench-step [--kernel NAME] [--model CELL-HIDDEN] [--layers N] [--steps N]
 *              [--dense W[,W]]
 *   bench-step --bandwidth
 *
 * --dense puts one or two tanh dense layers of those widths between the
 * recurrent layer and the output layer (the model name gains "+dW");
 * --layers N, or a model named CELL-HIDDENxN, stacks N recurrent layers.
 *
 * Without --steps it times each model (best of 400 runs of 0.1 s of audio at
 * 48 kHz) and prints ns per sample, the real-time factor, the multiply-adds
 * per sample, the floor (multiply-adds over the path's lanes: the fused
 * multiply-add instructions a sample needs at the least) and the rate at
 * which the weights stream (one float each per multiply-add). --bandwidth
 * prints the read bandwidth of this core from L1-, L2- and L3-sized buffers:
 * the bound the large models' weight streams are held to (docs/engine.md).
 * --macs prints only the multiply-adds per sample of the model. With
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

#include "kernels.h"
#include "recur.h"

#define RATE 48000
/* Best of many short runs: the minimum filters out time stolen by other
 * processes on a shared machine. */
#define REPEATS    400
#define RUN_FRAMES 4800
/* ... or as many as fit in 4 s, for the large models */
#define MAX_SPENT_NS 4e9

static const recur_cell cells[] = {RECUR_CELL_RNN, RECUR_CELL_GRU, RECUR_CELL_LSTM};
static const int hiddens[] = {8, 16, 32, 40, 64, 96, 128};
static int layers = 1; /* --layers */

static uint32_t rng_state = 2026u;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static float uniform(float lo, float hi)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(rng_state >> 8) / 16777216.0f;
}

/* PyTorch's default initialisation range, so the activations see realistic
 * values; the padding stays zero. */
static recur_inner inner; /* --dense */

static recur_model *make_model(recur_cell cell, int hidden)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = hidden,
	                 .layers = layers,
	                 .skip = true,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	if (!m) {
		fprintf(stderr, "bench-step: %s\n", err.msg);
		exit(1);
	}
	const float k = 1.0f / sqrtf((float)hidden);
	for (int l = 0; l < layers; l++) {
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

/* Multiply-adds per sample: each layer's gate rows over its input and its
 * state, the dense layers, the output. */
static long macs(recur_cell cell, int hidden)
{
	const long gates = cell == RECUR_CELL_LSTM ? 4 : cell == RECUR_CELL_GRU ? 3 : 1;
	long n = 0, in = 1;
	for (int l = 0; l < layers; l++, in = hidden)
		n += gates * hidden * (in + hidden);
	for (int d = 0; d < inner.n; d++) {
		n += in * inner.layer[d].width;
		in = inner.layer[d].width;
	}
	return n + in;
}

/* Floats a vector of the path m runs holds. */
static int lanes(const recur_model *m)
{
	const char *k = recur_model_kernel_name(m);
	return strcmp(k, "avx512") == 0    ? 16
	       : strcmp(k, "avx2") == 0    ? 8
	       : strcmp(k, "generic") == 0 ? 1
	                                   : 4;
}

/* Read bandwidth from a buffer of `bytes`, GB/s: the best of many passes
 * summing it into 64 independent accumulators (the compiler vectorises them
 * into 16 chains of 16-byte vectors), so the loads, not the additions' latency,
 * set the pace. */
static double read_bandwidth(size_t bytes)
{
	const size_t n = bytes / sizeof(float);
	float *buf = aligned_alloc(64, n * sizeof *buf);
	if (!buf)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = uniform(-1.0f, 1.0f);
	const size_t passes = 1 + (64u << 20) / bytes;
	double best = 1e300;
	volatile float sink = 0;
	for (int r = 0; r < 200; r++) {
		float acc[64] = {0};
		double t0 = now_ns();
		for (size_t p = 0; p < passes; p++)
			for (size_t i = 0; i < n; i += 64)
				for (int j = 0; j < 64; j++)
					acc[j] += buf[i + j];
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
		for (int j = 0; j < 64; j++)
			sink += acc[j];
	}
	(void)sink;
	free(buf);
	return (double)bytes * (double)passes / best;
}

static void print_bandwidth(void)
{
	const size_t sizes[] = {16u << 10, 256u << 10, 8u << 20};
	const char *where[] = {"L1 (16 KiB)", "L2 (256 KiB)", "L3 (8 MiB)"};
	printf("%-14s %10s\n", "buffer", "GB/s read");
	for (int i = 0; i < 3; i++)
		printf("%-14s %10.1f\n", where[i], read_bandwidth(sizes[i]));
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

static void usage(void)
{
	fprintf(stderr,
	        "usage: bench-step [--kernel generic|sse2|avx2|avx512|neon] "
	        "[--model rnn|gru|lstm-HIDDEN[xLAYERS]] [--layers N] [--steps N] [--dense W[,W]]\n"
	        "       [--macs]\n"
	        "       bench-step --bandwidth\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	char only_name[32];
	bool macs_only = false;
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
			/* "lstm-16x2": two layers */
			only = argv[++i];
			const char *x = strchr(only, 'x');
			if (x) {
				layers = (int)strtol(x + 1, NULL, 10);
				if (layers < 1 || layers > RECUR_MAX_LAYERS)
					usage();
				snprintf(only_name, sizeof only_name, "%.*s", (int)(x - only),
				         only);
				only = only_name;
			}
		} else if (strcmp(argv[i], "--dense") == 0 && i + 1 < argc) {
			if (!parse_dense(argv[++i]))
				usage();
		} else if (strcmp(argv[i], "--layers") == 0 && i + 1 < argc) {
			layers = (int)strtol(argv[++i], NULL, 10);
			if (layers < 1 || layers > RECUR_MAX_LAYERS)
				usage();
		} else if (strcmp(argv[i], "--macs") == 0) {
			macs_only = true;
		} else if (strcmp(argv[i], "--bandwidth") == 0) {
			print_bandwidth();
			return 0;
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

	if (steps == 0 && !macs_only)
		printf("kernel path: %s (small models: %s)\n%-12s %10s %12s %8s %8s %10s\n",
		       recur_kernel_name(), recur_kernels_narrow->name, "model", "ns/sample",
		       "x real time", "MACs", "floor", "GB/s w");
	int ran = 0;
	for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
		for (size_t h = 0; h < sizeof hiddens / sizeof hiddens[0]; h++) {
			char name[32];
			snprintf(name, sizeof name, "%s-%d", recur_cell_name(cells[c]), hiddens[h]);
			if (only && strcmp(only, name) != 0)
				continue;
			ran++;
			if (macs_only) {
				printf("%ld\n", macs(cells[c], hiddens[h]));
				continue;
			}
			recur_model *m = make_model(cells[c], hiddens[h]);
			if (steps > 0) {
				bench_run(m, in, out, frames);
				recur_model_free(m);
				continue;
			}
			bench_run(m, in, out, frames); /* warm caches and clocks */
			double best = 1e300, spent = 0;
			for (int r = 0; r < REPEATS && spent < MAX_SPENT_NS; r++) {
				double t0 = now_ns();
				bench_run(m, in, out, RUN_FRAMES);
				double dt = now_ns() - t0;
				spent += dt;
				best = dt / RUN_FRAMES < best ? dt / RUN_FRAMES : best;
			}
			char shown[64];
			int len = snprintf(shown, sizeof shown, "%s", name);
			if (layers > 1)
				len += snprintf(shown + len, sizeof shown - (size_t)len, "x%d",
				                layers);
			for (int d = 0; d < inner.n; d++)
				len += snprintf(shown + len, sizeof shown - (size_t)len, "+d%d",
				                inner.layer[d].width);
			const long mac = macs(cells[c], hiddens[h]);
			printf("%-12s %10.1f %12.0f %8ld %8ld %10.1f\n", shown, best,
			       1e9 / RATE / best, mac, (mac + lanes(m) - 1) / lanes(m),
			       4.0 * (double)mac / best);
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
