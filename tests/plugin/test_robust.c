/*
 * Robustness and the documented signal path: pass-through without a model,
 * gains and mix, failed loads keeping the previous model, NaN/Inf resets,
 * the reset trigger, bypass crossfade, smoothing.
 */
#include "common.h"
#include "recur.h"

#include <fcntl.h>
#include <unistd.h>

#define N_MAX 16384
static float out[N_MAX], buf[N_MAX];
static uint32_t n;
static float *in, *golden;

static double db(double x)
{
	return pow(10.0, x / 20.0);
}

/* The smoothers' per-sample step: 10 ms time constant at RATE. */
static double smooth_k(void)
{
	return 1.0 - exp(-1.0 / (0.01 * RATE));
}

static void check_pass_through(void)
{
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		exit(1);
	host_process(&h, in, out, n, 256);
	CHECK(max_diff(out, in, n) == 0.0, "no model, defaults: not an exact copy (%g)",
	      max_diff(out, in, n));
	CHECK(host_get(&h, "status") == 0.0f, "status %g without a model", host_get(&h, "status"));
	host_close(&h);

	/* Controls set before the first block apply at once (no ramp). */
	if (!host_open_shared(&h, &h, RATE))
		exit(1);
	host_set(&h, "in_gain", 6.0f);
	host_set(&h, "out_gain", -3.0f);
	host_set(&h, "mix", 0.25f);
	host_process(&h, in, out, n, 256);
	double worst = 0;
	for (uint32_t i = 0; i < n; i++) {
		double x = in[i];
		double want = db(-3.0) * (0.25 * db(6.0) * x + 0.75 * x);
		worst = check_larger(worst, fabs(want - out[i]));
	}
	CHECK(worst <= 1e-6, "no model, gains and mix: off by %g", worst);
	host_close(&h);
	host_close_world(&h);
}

/* Writes a bad model file; returns its path. */
static const char *bad_file(const char *kind)
{
	static char path[256];
	snprintf(path, sizeof path, "/tmp/recur-bad-%d-%s.json", (int)getpid(), kind);
	FILE *f = fopen(path, "wb");
	if (!f)
		return path;
	if (!strcmp(kind, "garbage")) {
		fputs("\x01\x02 this is not json {{{", f);
	} else if (!strcmp(kind, "truncated")) {
		uint32_t len = 0;
		FILE *src = fopen(data_path("lstm.json"), "rb");
		static char text[65536];
		if (src) {
			len = (uint32_t)fread(text, 1, sizeof text, src);
			fclose(src);
		}
		fwrite(text, 1, len / 2, f);
	} else if (!strcmp(kind, "oversized")) {
		/* Sparse: larger than RECUR_MAX_FILE_BYTES without using the disk. */
		CHECK(ftruncate(fileno(f), (off_t)RECUR_MAX_FILE_BYTES + 4096) == 0, "ftruncate");
	}
	fclose(f);
	return path;
}

/* A failed load: error logged, status 3, the previous model plays on with
 * its state intact (the output continues the golden one exactly). */
static void check_failed_load(test_host *h, const char *path, const char *what)
{
	load_model(h, data_path("lstm.json"));
	int errors = h->log_errors;
	uint32_t half = n / 2;
	host_process(h, in, out, half, 256);
	host_send_model(h, path);
	host_process(h, in + half, out + half, n - half, 256);
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "%s: previous model disturbed (%g)", what,
	      max_diff(out, golden, n));
	CHECK(host_get(h, "status") == 3.0f, "%s: status %g, expected 3", what,
	      host_get(h, "status"));
	CHECK(h->log_errors == errors + 1, "%s: %d errors logged", what, h->log_errors - errors);
	CHECK(strstr(h->last_log, path) != NULL, "%s: log \"%s\" does not name the file", what,
	      h->last_log);
	load_model(h, data_path("lstm.json"));
	host_run(h, in, out, 16);
	CHECK(host_get(h, "status") == 1.0f, "%s: status %g after a good load", what,
	      host_get(h, "status"));
}

static void check_bad_models(void)
{
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		exit(1);
	check_failed_load(&h, "/nonexistent/recur/model.json", "missing file");
	const char *kinds[] = {"garbage", "truncated", "oversized"};
	for (int k = 0; k < 3; k++) {
		const char *path = bad_file(kinds[k]);
		check_failed_load(&h, path, kinds[k]);
		unlink(path);
	}
	/* Without any model, a failed load still says so and passes through. */
	host_close(&h);
	if (!host_open_shared(&h, &h, RATE))
		exit(1);
	host_send_model(&h, "/nonexistent/recur/model.json");
	host_process(&h, in, out, n, 256);
	host_run(&h, in, out, 1);
	CHECK(host_get(&h, "status") == 3.0f, "failed first load: status %g",
	      host_get(&h, "status"));
	CHECK(max_diff(out, in, 1) == 0.0, "failed first load: not passing through");
	host_close(&h);
	host_close_world(&h);
}

/* Non-finite input drives the state to NaN: the block's output stays finite,
 * the state is reset and counted, and the next input plays from reset. */
static void check_nan(test_host *h)
{
	load_model(h, data_path("lstm.json"));
	host_process(h, in, out, n / 2, 256);
	for (int i = 0; i < 64; i++)
		buf[i] = i % 2 ? NAN : INFINITY;
	host_run(h, buf, out, 64);
	CHECK(all_finite_f(out, 64), "non-finite input reached the output");
	CHECK(host_get(h, "nan_resets") == 1.0f, "nan_resets %g, expected 1",
	      host_get(h, "nan_resets"));
	host_process(h, in, out, n, 256);
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "after a NaN reset: differs by %g",
	      max_diff(out, golden, n));
	CHECK(host_get(h, "nan_resets") == 1.0f, "nan_resets grew on finite input");
}

static void check_reset_trigger(test_host *h)
{
	load_model(h, data_path("lstm.json"));
	host_process(h, in, out, n / 2, 256);
	host_set(h, "reset", 1.0f);
	host_run(h, in, out, 256);
	host_set(h, "reset", 0.0f);
	host_process(h, in + 256, out + 256, n - 256, 256);
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "after reset: differs by %g",
	      max_diff(out, golden, n));
}

/* Bypass: the output crossfades to the exact input; enabling again fades the
 * model (restarted from reset) back in along the smoother's curve. */
static void check_bypass(test_host *h)
{
	load_model(h, data_path("lstm.json"));
	host_process(h, in, out, n, 256);
	host_set(h, "enabled", 0.0f);
	for (int pass = 0; pass < 3; pass++)
		host_process(h, in, out, n, 256);
	CHECK(max_diff(out, in, n) == 0.0, "bypassed output is not the input (%g)",
	      max_diff(out, in, n));

	host_set(h, "enabled", 1.0f);
	host_process(h, in, out, n, 256);
	const double k = smooth_k();
	double e = 0, worst = 0;
	for (uint32_t i = 0; i < n; i++) {
		e += k * (1.0 - e);
		double want = e * golden[i] + (1.0 - e) * in[i];
		worst = check_larger(worst, fabs(want - out[i]));
	}
	CHECK(worst <= 1e-5, "enable crossfade off the expected curve by %g", worst);
}

/* A gain jump is ramped: no step between samples, and it gets there. */
static void check_smoothing(void)
{
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		exit(1);
	for (uint32_t i = 0; i < N_MAX; i++)
		buf[i] = 0.5f;
	host_process(&h, buf, out, 256, 256);
	host_set(&h, "out_gain", 12.0f);
	host_process(&h, buf, out, N_MAX, 256);
	double step = 0;
	for (uint32_t i = 1; i < N_MAX; i++)
		step = check_larger(step, fabs((double)out[i] - out[i - 1]));
	CHECK(out[0] > 0.5f && step < 0.01, "gain jump not smoothed: first %g, largest step %g",
	      out[0], step);
	CHECK_NEAR(out[N_MAX - 1], 0.5 * db(12.0), 1e-5, "gain after the ramp");
	host_close(&h);
	host_close_world(&h);
}

int main(void)
{
	uint32_t gn = 0;
	in = load_f32("input.f32", &n);
	golden = load_f32("lstm.golden.f32", &gn);
	if (n > N_MAX || gn != n)
		return 1;
	check_pass_through();
	check_bad_models();

	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	check_nan(&h);
	check_reset_trigger(&h);
	check_bypass(&h);
	host_close(&h);
	host_close_world(&h);

	check_smoothing();
	free(in);
	free(golden);
	return check_exit();
}
