/*
 * Everything the host calls on the audio thread is real-time safe: run(),
 * the Worker's work_response and end_run (the test host calls them as a
 * host does), and with them the hand-overs they make (patch:Set and
 * patch:Get events, a model restored without a Worker, the Worker's loaded
 * model). Thousands of blocks with model swaps, failed loads, resets,
 * parameter changes, patch:Get and state save/restore make none of these
 * calls there: allocation (malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc), locks and waits (pthread_mutex_lock and _trylock,
 * sem_wait, pthread_cond_wait), sleeps (nanosleep, usleep,
 * clock_nanosleep), file and socket I/O (open, fopen, read, write, socket,
 * sendto, recvfrom), stdio (fputs, fprintf, fwrite, printf, puts, vfprintf,
 * and the fortified __*printf_chk), and LV2 log calls. The calls are
 * counted by the wrappers of interpose.c; the log calls by the test host's
 * LV2_Log_Log functions. Counting is on only while a thread-local flag is
 * set around the audio thread's calls.
 *
 * With --mutants the test runs against a build of the plugin that makes
 * one forbidden call on purpose (tests/plugin/rt_mutant.c) and checks that
 * every counted function is caught, in run() and in work_response, in both
 * plugins: a wrapper that stopped seeing the plugin's calls would fail.
 *
 * Also: 100 model loads in a row while audio runs lose no block.
 *
 * Meanwhile a thread sends OSC traffic to the plugin's OSC server (resets,
 * bypass, loads, lists, malformed packets): the server thread's socket calls
 * are its own; none may show up inside run().
 */
#define _GNU_SOURCE
#include "client.h"
#include "common.h"
#include "interpose.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

/* ---- the test ---- */

static void report_calls(const char *where)
{
	for (int f = 0; f < F_COUNT; f++)
		CHECK(interpose_count(f) == 0, "%s: %lu calls to %s", where,
		      (unsigned long)interpose_count(f), interpose_name(f));
}

static const char *const models[] = {"lstm.json", "gru.json", "cond.json", "rnn.json"};

/* Thousands of blocks of random length with everything a session does. */
static void soak(test_host *h, const float *in, uint32_t n_in, const char *bad_path)
{
	static float out[HOST_MAX_BLOCK];
	static float buf[HOST_MAX_BLOCK];
	uint32_t pos = 0;
	int notified = h->notifications, failed = h->log_errors;
	srand(99);
	for (int block = 0; block < 3000; block++) {
		uint32_t frames = block % 500 == 0 ? HOST_MAX_BLOCK : 1 + (uint32_t)rand() % 512;
		for (uint32_t i = 0; i < frames; i++, pos = (pos + 1) % n_in)
			buf[i] = in[pos];
		if (block % 40 == 0)
			host_send_model(
			    h, block % 400 == 120 ? bad_path : data_path(models[(block / 40) % 4]));
		if (block % 23 == 0)
			host_send_get(h);
		host_set(h, "reset", block % 37 == 0 ? 1.0f : 0.0f);
		host_set(h, "in_gain", (float)(rand() % 13) - 6.0f);
		host_set(h, "out_gain", (float)(rand() % 13) - 6.0f);
		host_set(h, "mix", (float)(rand() % 11) / 10.0f);
		host_set(h, "enabled", block % 300 < 250 ? 1.0f : 0.0f);
		host_set(h, "cond1", (float)(rand() % 11) / 10.0f);
		host_run(h, buf, out, frames);
		host_service_worker(h);
		if (block % 250 == 100) {
			LilvState *st = host_save_state(h, NULL);
			CHECK(st != NULL, "state save failed at block %d", block);
			if (st) {
				host_restore_state(h, st, block % 500 == 100);
				lilv_state_free(st);
			}
		}
		if (!all_finite_f(out, frames))
			CHECK(false, "non-finite output at block %d", block);
	}
	/* The soak did what it claims: 75 patch:Set (8 of a missing file), 131
	 * patch:Get, 12 restores, each answered on notify. The missing file
	 * fails more often than it is sent: a state saved after it names it, and
	 * a reset while it is the failed choice tries it again. */
	CHECK(h->log_errors - failed >= 8, "%d failed loads logged, expected at least 8",
	      h->log_errors - failed);
	CHECK(h->notifications - notified >= 67 + 131, "only %d notifications during the soak",
	      h->notifications - notified);
}

/* ---- OSC traffic from another thread ---- */

static atomic_bool traffic_on;
/* What the traffic thread sent: messages the server must accept, must
 * reject, and loads (accepted unless the mailbox stayed busy). */
static int sent_good, sent_bad, sent_loads;

/* One message of the mix; k picks which. */
static void send_one(osc_test_client *c, int k)
{
	static const uint8_t junk[] = "\x13/recur/1\0,zz\0\xff\xfe";
	switch (k % 8) {
	case 0:
		client_send(c, "/recur/reset", "");
		break;
	case 1:
		client_send(c, "/recur/1/reset", "");
		break;
	case 2:
		client_send(c, "/recur/1/bypass", "i", (k / 8) % 2);
		break;
	case 3:
		client_send(c, "/recur/1/load", "s", data_path(models[(k / 8) % 4]));
		sent_loads++;
		return;
	case 4:
		client_send(c, "/recur/list", "");
		break;
	case 5:
		client_send_raw(c, junk, sizeof junk);
		sent_bad++;
		return;
	case 6:
		client_send(c, "/recur/77/reset", "");
		sent_bad++;
		return;
	default:
		client_send(c, "/recur/1/bypass", "s", "on");
		sent_bad++;
		return;
	}
	sent_good++;
}

static void *osc_traffic(void *arg)
{
	osc_test_client *c = arg;
	/* Bounded: at most 20000 messages, 100 µs apart; a sync every 40 keeps
	 * the server's socket buffer from overflowing on a loaded machine, so
	 * nothing is dropped. Loads only every 5th round: each one makes the
	 * Worker read a file. */
	for (int k = 0; k < 20000 && atomic_load(&traffic_on); k++) {
		if (k % 8 != 3 || k % 40 == 3)
			send_one(c, k);
		if (k % 40 == 39 && !client_sync(c))
			break;
		usleep(100);
	}
	client_send(c, "/recur/1/bypass", "i", 0);
	sent_good++;
	return NULL;
}

/* 100 loads in a row while audio runs: every block still comes out. */
static void reload_100(test_host *h, const float *in, uint32_t n_in)
{
	static float out[256];
	int notified = h->notifications;
	host_set(h, "enabled", 1.0f);
	host_set(h, "mix", 1.0f);
	host_set(h, "in_gain", 0.0f);
	host_set(h, "out_gain", 0.0f);
	int silent = 0;
	for (int i = 0; i < 100; i++) {
		host_send_model(h, data_path(models[i % 2]));
		host_run(h, in + (uint32_t)(i * 256) % (n_in - 256), out, 256);
		host_service_worker(h);
		double energy = 0;
		for (int k = 0; k < 256; k++)
			energy += (double)out[k] * out[k];
		if (!(energy > 0))
			silent++;
	}
	host_run(h, in, out, 256); /* delivers the last notification */
	CHECK(silent == 0, "%d of 100 blocks silent or non-finite during reloads", silent);
	CHECK(h->notifications - notified == 100, "%d loads notified, expected 100",
	      h->notifications - notified);
}

/* ---- every counted function is caught (--mutants) ---- */

static const char *const mutant_places[] = {"run", "work_response"};

/* One load (the Worker's answer arrives through work_response) and one
 * block, counted as in the soak. */
static void load_and_run(test_host *h)
{
	static float buf[256];
	host_send_model(h, data_path("lstm.json"));
	host_run(h, buf, buf, 256);
	host_service_worker(h);
	host_run(h, buf, buf, 256);
}

static void check_mutants_of(const char *uri)
{
	test_host world;
	if (!host_open(&world, uri, RATE))
		exit(1);
	host_close(&world);
	host_before_run = interpose_start;
	host_after_run = interpose_stop;
	for (size_t at = 0; at < 2; at++) {
		setenv("RECUR_RT_MUTANT_AT", mutant_places[at], 1);
		for (int f = 0; f < F_COUNT; f++) {
			setenv("RECUR_RT_MUTANT", interpose_name(f), 1);
			test_host h;
			if (!host_open_shared(&h, &world, RATE))
				exit(1);
			interpose_reset();
			load_and_run(&h);
			CHECK(interpose_count(f) >= 1, "%s: a %s call in %s went unseen", uri,
			      interpose_name(f), mutant_places[at]);
			host_close(&h);
		}
	}
	/* Without a mistake chosen, the test build is as clean as the real one. */
	unsetenv("RECUR_RT_MUTANT");
	test_host h;
	if (!host_open_shared(&h, &world, RATE))
		exit(1);
	interpose_reset();
	load_and_run(&h);
	report_calls(uri);
	host_close(&h);
	host_before_run = host_after_run = NULL;
	host_close_world(&world);
}

static int check_mutants(void)
{
	check_mutants_of(PLUGIN_URI);
	check_mutants_of("https://recur.dev/plugins/recur-cv");
	printf("%d functions, each caught in run() and work_response of both plugins\n", F_COUNT);
	return check_exit();
}

int main(int argc, char **argv)
{
	host_on_log = interpose_seen_log;
	if (argc == 2 && !strcmp(argv[1], "--mutants"))
		return check_mutants();
	/* Not diagnosed yet: under qemu-aarch64 7.2 it hangs before its first
	 * check, as the osc suite's tests do (they all talk OSC over liblo). */
	check_skip_under_wrapper("it hangs there before its first check, as the osc suite does");
	uint32_t n = 0;
	float *in = load_f32("input.f32", &n);
	char bad_path[1024];
	snprintf(bad_path, sizeof bad_path, "%s", data_path("no-such-model.json"));

	osc_test_client osc;
	if (!client_open(&osc, client_pick_port(3)))
		return 1;
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	CHECK(host_get(&h, "osc_id") == 0.0f, "osc_id before the first run");

	/* The wrappers do see the plugin's calls: loading on the Worker allocates
	 * and reads a file. */
	host_send_model(&h, data_path("lstm.json"));
	host_run(&h, NULL, NULL, 0);
	interpose_reset();
	interpose_start();
	host_service_worker(&h);
	interpose_stop();
	CHECK(interpose_count(F_MALLOC) + interpose_count(F_ALIGNED_ALLOC) +
	              interpose_count(F_POSIX_MEMALIGN) + interpose_count(F_CALLOC) >
	          0,
	      "the allocation wrappers saw nothing while the Worker loaded a model");
	CHECK(interpose_count(F_OPEN) + interpose_count(F_FOPEN) > 0,
	      "the I/O wrappers saw nothing while the Worker loaded a model");

	interpose_reset();
	host_before_run = interpose_start;
	host_after_run = interpose_stop;
	atomic_store(&traffic_on, true);
	pthread_t traffic;
	bool traffic_started = pthread_create(&traffic, NULL, osc_traffic, &osc) == 0;
	CHECK(traffic_started, "OSC traffic thread");
	soak(&h, in, n, bad_path);
	report_calls("run() during the soak with OSC traffic");
	atomic_store(&traffic_on, false);
	if (traffic_started)
		pthread_join(traffic, NULL);
	reload_100(&h, in, n);
	report_calls("run() during 100 reloads");
	printf("%lu calls inside run()\n", interpose_total());
	host_before_run = host_after_run = NULL;

	/* The traffic reached the plugin: the server counted it. */
	CHECK(host_get(&h, "osc_id") == 1.0f && host_get(&h, "osc_port") == (float)osc.port,
	      "osc_id %g, osc_port %g", host_get(&h, "osc_id"), host_get(&h, "osc_port"));
	CHECK(client_sync(&osc), "the OSC server does not answer after the soak");
	CHECK(osc.accepted >= sent_good && osc.rejected >= sent_bad &&
	          osc.accepted + osc.rejected >= sent_good + sent_bad + sent_loads,
	      "OSC counted %lld accepted, %lld rejected; sent %d good, %d bad, %d loads",
	      (long long)osc.accepted, (long long)osc.rejected, sent_good, sent_bad, sent_loads);
	printf("OSC during the soak: %d good, %d bad, %d loads\n", sent_good, sent_bad, sent_loads);

	host_close(&h);
	host_close_world(&h);
	client_close(&osc);
	free(in);
	return check_exit();
}
