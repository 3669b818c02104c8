/* A model trained at another rate than the host's keeps run() real-time
 * safe: no allocation, lock, wait, sleep, I/O or log call inside run() at
 * host rates 44.1 and 96 kHz, with the resampling fallback (forced by RECUR_RATE_METHOD) and
 * with the method recur chooses, across model swaps between 48 kHz and
 * 44.1 kHz models, resets and block sizes from 1 to 4096. The calls are
 * counted by the wrappers of tests/plugin/interpose.c (allocation, locks
 * and waits, sleeps, file and socket I/O, stdio, LV2 log), active only
 * while a thread-local flag is set around run().
 *
 *   test-rate-plugin-rt MODEL_48K MODEL_44K1 MODEL_48K */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "interpose.h"

#define PLUGIN_URI "https://recur.dev/plugins/recur"

static void check_no_calls(const char *where)
{
	for (int f = 0; f < F_COUNT; f++) {
		unsigned long n = interpose_take(f);
		CHECK(n == 0, "%s: %lu calls to %s inside run()", where, n, interpose_name(f));
	}
}

static const uint32_t blocks[] = {1, 7, 64, 256, 1000, 4096, 333, 2, 4096, 128};

/* Swaps through the models, runs them in blocks of every size and resets,
 * all with the counters on around run(); the Worker runs between blocks. */
static void soak(double rate, const char *method, char **models, int n_models)
{
	if (method)
		setenv("RECUR_RATE_METHOD", method, 1);
	else
		unsetenv("RECUR_RATE_METHOD");
	test_host h;
	if (!host_open(&h, PLUGIN_URI, rate)) {
		CHECK(false, "cannot open the plugin at %g Hz", rate);
		return;
	}
	static float in[4096], out[4096];
	uint32_t seed = 5u;
	host_before_run = interpose_start;
	host_after_run = interpose_stop;
	char where[160];
	for (int swap = 0; swap < 3 * n_models; swap++) {
		const char *model = models[swap % n_models];
		host_send_model(&h, model);
		for (int b = 0; b < 40; b++) {
			uint32_t n = blocks[(swap + b) % (sizeof blocks / sizeof blocks[0])];
			for (uint32_t t = 0; t < n; t++) {
				seed = seed * 1664525u + 1013904223u;
				in[t] = 0.5f * sinf(0.03f * (float)(b * 4096 + (int)t)) +
				        0.1f * ((float)(seed >> 8) / 16777216.0f - 0.5f);
			}
			if (b == 20)
				host_set(&h, "reset", 1.0f);
			if (b == 21)
				host_set(&h, "reset", 0.0f);
			host_run(&h, in, out, n);
			host_service_worker(&h);
			CHECK(isfinite(out[0]) && isfinite(out[n - 1]), "non-finite output");
		}
		snprintf(where, sizeof where, "%g Hz, %s, model %s", rate, method ? method : "auto",
		         model);
		check_no_calls(where);
		float status = host_get(&h, "status"), latency = host_get(&h, "latency");
		bool same_rate = strstr(model, "rnn") != NULL && rate == 44100.0;
		float want = same_rate ? 1.0f : method ? 4.0f : 2.0f;
		CHECK(status == want, "%s: status %g, wanted %g", where, status, want);
		CHECK(want == 4.0f ? latency > 0 : latency == 0, "%s: latency %g", where, latency);
	}
	host_before_run = NULL;
	host_after_run = NULL;
	host_close(&h);
	host_close_world(&h);
	unsetenv("RECUR_RATE_METHOD");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test-rate-plugin-rt MODEL...\n");
		return 77;
	}
	host_on_log = interpose_seen_log;
	static const double rates[] = {44100.0, 96000.0};
	for (int r = 0; r < 2; r++) {
		soak(rates[r], "resampled", argv + 1, argc - 1);
		soak(rates[r], NULL, argv + 1, argc - 1);
	}
	return check_exit();
}
