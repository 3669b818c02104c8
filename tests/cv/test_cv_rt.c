/*
 * The CV plugin's run() is real-time safe, counted with the audio plugin's
 * wrappers (tests/plugin/interpose.c, linked). tests/plugin/test_rt.c is
 * included whole (its main renamed), so the OSC traffic, the report and the
 * windows are the very same code: run(), work_response and end_run.
 * Thousands of blocks of random length with model swaps (per
 * sample and at their own rate, a refused model, a missing file), resets,
 * bypass, hold/interpolate and gate changes, non-finite CV, patch:Get, state
 * save/restore, and OSC traffic from another thread make no such call inside
 * run().
 */
#define main plugin_rt_main
#include "test_rt.c"
#undef main

#include "cv_test.h"

#include "recur.h"

static char dir[] = "/tmp/recur-cv-rt-XXXXXX";

static void fill_block(float *x, uint32_t frames, int block)
{
	for (uint32_t t = 0; t < frames; t++)
		for (int c = 0; c < CV_CHANNELS; c++)
			x[t * CV_CHANNELS + c] = (float)(rand() % 2001 - 1000) / 1000.0f;
	if (block % 97 == 0)
		x[CV_CHANNELS * (frames / 2) + 1] = NAN;
}

static void cv_soak(test_host *h, const char *const *paths, int n_paths)
{
	static float x[HOST_MAX_BLOCK * CV_CHANNELS], y[HOST_MAX_BLOCK * CV_TRACKS];
	int failed = h->log_errors;
	srand(7);
	for (int block = 0; block < 3000; block++) {
		uint32_t frames = block % 500 == 0 ? HOST_MAX_BLOCK : 1 + (uint32_t)rand() % 512;
		fill_block(x, frames, block);
		if (block % 40 == 0)
			host_send_model(h, paths[(block / 40) % n_paths]);
		if (block % 23 == 0)
			host_send_get(h);
		host_set(h, "reset", block % 37 == 0 ? 1.0f : 0.0f);
		host_set(h, "enabled", block % 300 < 250 ? 1.0f : 0.0f);
		host_set(h, "interpolate", (float)(block / 60 % 2));
		host_set(h, "gate_threshold", (float)(rand() % 11) / 10.0f);
		host_set(h, "gate_hysteresis", (float)(rand() % 6) / 10.0f);
		cv_run(h, x, y, frames, frames);
		if (block % 250 == 100) {
			LilvState *st = host_save_state(h, NULL);
			CHECK(st != NULL, "state save failed at block %d", block);
			if (st) {
				host_restore_state(h, st, block % 500 == 100);
				lilv_state_free(st);
			}
		}
		if (!all_finite_f(y, frames * CV_TRACKS))
			CHECK(false, "non-finite output at block %d", block);
	}
	/* 75 loads over 6 paths: the refused and the missing one 12 or 13 times each. */
	CHECK(h->log_errors - failed >= 24, "only %d failed loads logged", h->log_errors - failed);
}

int main(void)
{
	host_on_log = interpose_seen_log;
	const char *presets = getenv("RECUR_PRESETS");
	if (!presets || !mkdtemp(dir)) {
		fprintf(stderr, "RECUR_PRESETS not set or no temporary folder\n");
		return 1;
	}
	char wide[1200], missing[1200], detector[2048], temperature[2048];
	snprintf(wide, sizeof wide, "%s/wide.json", dir);
	snprintf(missing, sizeof missing, "%s/no-such-model.json", dir);
	snprintf(detector, sizeof detector, "%s/arbor-detector.json", presets);
	snprintf(temperature, sizeof temperature, "%s/temperature-next.json", presets);
	recur_shape shape = {RECUR_CELL_LSTM, CV_CHANNELS + 1, 2, 4, 1, false, RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m && recur_model_save(m, wide, &err), "cannot write %s", wide);
	recur_model_free(m);
	const char *const paths[] = {detector, data_path("gru.json"), wide, temperature,
	                             missing,  data_path("lstm.json")};

	osc_test_client osc;
	if (!client_open(&osc, client_pick_port(11)))
		return 1;
	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;

	/* The wrappers do see the plugin's calls: loading on the Worker allocates
	 * and reads a file. */
	host_send_model(&h, detector);
	host_run(&h, NULL, NULL, 0);
	interpose_reset();
	interpose_start();
	host_service_worker(&h);
	interpose_stop();
	CHECK(interpose_count(F_MALLOC) + interpose_count(F_ALIGNED_ALLOC) +
	                  interpose_count(F_CALLOC) >
	              0 &&
	          interpose_count(F_OPEN) + interpose_count(F_FOPEN) > 0,
	      "the wrappers saw nothing while the Worker loaded a model");

	interpose_reset();
	host_before_run = interpose_start;
	host_after_run = interpose_stop;
	atomic_store(&traffic_on, true);
	pthread_t traffic;
	bool traffic_started = pthread_create(&traffic, NULL, osc_traffic, &osc) == 0;
	CHECK(traffic_started, "OSC traffic thread");
	cv_soak(&h, paths, (int)(sizeof paths / sizeof paths[0]));
	report_calls("CV run() during the soak with OSC traffic");
	atomic_store(&traffic_on, false);
	if (traffic_started)
		pthread_join(traffic, NULL);
	printf("%lu calls inside CV run()\n", interpose_total());
	host_before_run = host_after_run = NULL;
	CHECK(host_get(&h, "osc_id") == 1.0f, "the CV instance has OSC id %g",
	      host_get(&h, "osc_id"));
	CHECK(client_sync(&osc), "the OSC server does not answer after the soak");
	CHECK(osc.accepted >= sent_good, "OSC accepted %lld of %d good messages",
	      (long long)osc.accepted, sent_good);

	host_close(&h);
	host_close_world(&h);
	client_close(&osc);
	remove(wide);
	rmdir(dir);
	return check_exit();
}
