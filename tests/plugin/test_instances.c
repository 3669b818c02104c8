/*
 * Instances are independent, and state round-trips: save -> new instance ->
 * restore (with and without a Worker offered to restore) plays the same.
 */
#include "common.h"

static float out_a[8192], out_b[8192], noise[8192];

/* Two instances running interleaved, one on the input and one on noise: the
 * first still reproduces its golden output exactly. */
static void check_independent(test_host *a, test_host *b, const float *in, uint32_t n,
                              const float *golden)
{
	load_model(a, data_path("lstm.json"));
	load_model(b, data_path("lstm.json"));
	for (uint32_t i = 0; i < n; i++)
		noise[i] = (float)((i * 7919u) % 1000u) / 500.0f - 1.0f;
	for (uint32_t done = 0; done < n; done += 100) {
		uint32_t k = n - done < 100 ? n - done : 100;
		host_run(b, noise + done, out_b + done, k);
		host_run(a, in + done, out_a + done, k);
		host_service_worker(a);
		host_service_worker(b);
	}
	CHECK(max_diff(out_a, golden, n) <= GOLDEN_TOL, "instance a disturbed by b: %g",
	      max_diff(out_a, golden, n));
	CHECK(max_diff(out_b, golden, n) > 1e-3, "instance b on noise matched the golden");
}

/* Saves a's state (cond model, knobs moved), restores it into a new
 * instance, and checks the new one plays cond_knobs.golden. */
static void check_state(test_host *a, const float *in, uint32_t n, bool offer_worker)
{
	load_model(a, data_path("cond.json"));
	host_set(a, "cond1", 0.25f);
	host_set(a, "cond2", 1.0f);
	host_run(a, in, out_a, 64);
	LilvState *state = host_save_state(a, NULL);
	CHECK(state != NULL, "state save failed");
	if (!state)
		return;

	test_host c;
	if (!host_open_shared(&c, a, RATE)) {
		CHECK(false, "second instance");
		lilv_state_free(state);
		return;
	}
	host_restore_state(&c, state, offer_worker);
	CHECK(host_get(&c, "cond1") == 0.25f && host_get(&c, "cond2") == 1.0f,
	      "restored knobs %g %g", host_get(&c, "cond1"), host_get(&c, "cond2"));
	/* The restored model reaches run() through the Worker or the restore
	 * hand-over; either way it is in place after one empty block. */
	host_run(&c, NULL, NULL, 0);
	host_service_worker(&c);
	host_process(&c, in, out_b, n, 256);
	uint32_t gn = 0;
	float *golden = load_f32("cond_knobs.golden.f32", &gn);
	CHECK(max_diff(out_b, golden, n) <= GOLDEN_TOL,
	      "restored instance (worker offered: %d) differs by %g", offer_worker,
	      max_diff(out_b, golden, n));
	CHECK(host_get(&c, "status") == 1.0f, "restored status %g", host_get(&c, "status"));
	CHECK(strstr(c.notified_path, "cond.json") != NULL, "restored instance notified \"%s\"",
	      c.notified_path);
	free(golden);
	lilv_state_free(state);
	host_close(&c);
	host_set(a, "cond1", 0.5f);
	host_set(a, "cond2", 0.5f);
}

/* A state file on disk with the model path made relative by mapPath. */
static void check_state_file(test_host *a, const float *in, uint32_t n)
{
	char dir[] = "/tmp/recur-state-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(false, "mkdtemp");
		return;
	}
	/* A copy of the model: lilv links or copies files while saving, and
	 * must never touch the committed data. */
	char model[512], cmd[600];
	snprintf(model, sizeof model, "%s/model.json", dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", data_path("lstm.json"), model);
	CHECK(system(cmd) == 0, "%s", cmd);
	load_model(a, model);
	LilvState *state = host_save_state(a, dir);
	CHECK(state != NULL, "state save to %s", dir);
	if (!state)
		return;
	CHECK(lilv_state_save(a->world, &a->map, &a->unmap, state, NULL, dir, "state.ttl") == 0,
	      "lilv_state_save");
	lilv_state_free(state);

	char file[512];
	snprintf(file, sizeof file, "%s/state.ttl", dir);
	LilvState *loaded = lilv_state_new_from_file(a->world, &a->map, NULL, file);
	CHECK(loaded != NULL, "reading %s back", file);
	if (loaded) {
		test_host c;
		if (host_open_shared(&c, a, RATE)) {
			host_restore_state(&c, loaded, false);
			host_run(&c, NULL, NULL, 0);
			host_process(&c, in, out_b, n, 512);
			uint32_t gn = 0;
			float *golden = load_f32("lstm.golden.f32", &gn);
			CHECK(max_diff(out_b, golden, n) <= GOLDEN_TOL,
			      "restored from file differs by %g", max_diff(out_b, golden, n));
			free(golden);
			host_close(&c);
		}
		lilv_state_free(loaded);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "removing %s", dir);
}

int main(void)
{
	uint32_t n = 0, gn = 0;
	float *in = load_f32("input.f32", &n);
	float *golden = load_f32("lstm.golden.f32", &gn);
	test_host a, b;
	if (!host_open(&a, PLUGIN_URI, RATE) || !host_open_shared(&b, &a, RATE))
		return 1;
	check_independent(&a, &b, in, n, golden);
	host_close(&b);
	check_state(&a, in, n, false);
	check_state(&a, in, n, true);
	check_state_file(&a, in, n);
	host_close(&a);
	host_close_world(&a);
	free(in);
	free(golden);
	return check_exit();
}
