/*
 * Cost per sample of the LV2 plugin run through lilv (block 256, gains,
 * mix and bypass at their defaults) against the engine's recur_process_mono
 * alone on the same model: the plugin's overhead in percent.
 *
 *   bench-plugin [seconds-of-audio [passes]]      (defaults 10, 9)
 *
 * Wall-clock figures on a shared machine are noisy; instruction counts are
 * not. Under callgrind, compare the inclusive cost of the plugin's run()
 * (in recur.so) with recur_process_mono (in bench-plugin):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out bench-plugin 1 1
 *   callgrind_annotate --inclusive=yes cg.out | grep -E 'recur_process_mono|:run '
 *
 * LV2_PATH defaults to the lv2 folder of the build this was built in.
 */
#include "host.h"
#include "recur.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 256
#define RATE  48000.0

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* An LSTM with small fixed pseudo-random weights, saved for the plugin. */
static bool make_model(int hidden, const char *path)
{
	recur_shape shape = {RECUR_CELL_LSTM, 1, 1, hidden, 1, true, RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&shape, &err);
	if (!m) {
		fprintf(stderr, "%s\n", err.msg);
		return false;
	}
	m->sample_rate = RATE;
	uint32_t s = 12345;
	for (int l = 0; l < shape.layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int j = 0; j < L->in; j++)
			for (int r = 0; r < L->rows; r++)
				L->w_x[j * L->rows_p + r] =
				    (float)((s = s * 1664525u + 1013904223u) >> 8) /
				        (float)(1u << 24) * 0.4f -
				    0.2f;
		for (int j = 0; j < hidden; j++)
			for (int r = 0; r < L->rows; r++)
				L->w_h[j * L->rows_p + r] =
				    (float)((s = s * 1664525u + 1013904223u) >> 8) /
				        (float)(1u << 24) * 0.4f -
				    0.2f;
	}
	for (int u = 0; u < hidden; u++)
		m->w_out[u] = 0.1f;
	bool ok = recur_model_save(m, path, &err);
	if (!ok)
		fprintf(stderr, "%s: %s\n", path, err.msg);
	recur_model_free(m);
	return ok;
}

/* One pass of the engine alone over the input, CPU seconds. */
static double pass_engine(recur_model *m, const float *in, float *out, uint32_t n)
{
	recur_reset(m);
	double t0 = cpu_now();
	for (uint32_t done = 0; done + BLOCK <= n; done += BLOCK)
		recur_process_mono(m, in + done, out + done, BLOCK, NULL);
	return cpu_now() - t0;
}

/* One pass of the plugin through lilv, CPU seconds. */
static double pass_plugin(test_host *h, const float *in, float *out, uint32_t n)
{
	double t0 = cpu_now();
	for (uint32_t done = 0; done + BLOCK <= n; done += BLOCK)
		host_run(h, in + done, out + done, BLOCK);
	return cpu_now() - t0;
}

/* Engine and plugin passes alternate and the best of each counts. The clock
 * is this thread's CPU time, so time spent descheduled by other processes on
 * the machine does not count. Results in ns per sample. */
static bool measure(test_host *h, const char *path, const float *in, float *out, uint32_t n,
                    int passes, double *engine_ns, double *plugin_ns)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	if (!m) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return false;
	}
	host_send_model(h, path);
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
	double best_e = 1e30, best_p = 1e30;
	for (int r = 0; r < passes; r++) {
		double e = pass_engine(m, in, out, n);
		double p = pass_plugin(h, in, out, n);
		best_e = e < best_e ? e : best_e;
		best_p = p < best_p ? p : best_p;
	}
	recur_model_free(m);
	*engine_ns = best_e * 1e9 / n;
	*plugin_ns = best_p * 1e9 / n;
	return true;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10.0;
	int passes = argc > 2 ? atoi(argv[2]) : 9;
	if (!(seconds > 0.01 && seconds < 3600) || passes < 1 || passes > 1000) {
		fprintf(stderr, "usage: %s [seconds-of-audio [passes]]\n", argv[0]);
		return 2;
	}
	setenv("LV2_PATH", RECUR_LV2_PATH, 0);
	uint32_t n = (uint32_t)(seconds * RATE) / BLOCK * BLOCK;
	float *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
	if (!in || !out)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		in[i] = 0.5f * (float)((i * 2654435761u) >> 8) / (float)(1u << 24) - 0.25f;

	test_host h;
	if (!host_open(&h, "https://recur.dev/plugins/recur", RATE))
		return 1;
	printf("kernel %s, block %d, %.1f s of audio, best of %d\n", recur_kernel_name(), BLOCK,
	       seconds, passes);
	printf("%-8s %12s %12s %10s\n", "model", "engine ns", "plugin ns", "overhead");
	int status = 0;
	const int sizes[] = {16, 32};
	for (int k = 0; k < 2; k++) {
		char path[64];
		snprintf(path, sizeof path, "/tmp/recur-bench-lstm%d-%d.json", sizes[k],
		         (int)getpid());
		if (!make_model(sizes[k], path)) {
			status = 1;
			continue;
		}
		double e = 0, p = 0;
		if (!measure(&h, path, in, out, n, passes, &e, &p)) {
			status = 1;
			continue;
		}
		printf("LSTM-%-3d %12.2f %12.2f %9.1f%%\n", sizes[k], e, p, 100.0 * (p - e) / e);
		unlink(path);
	}
	host_close(&h);
	host_close_world(&h);
	free(in);
	free(out);
	return status;
}
