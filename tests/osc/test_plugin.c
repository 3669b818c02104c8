/*
 * OSC control of the real plugin, hosted through lilv from the built bundle:
 *
 *   - after /recur/reset, the next block of every instance equals, bit for
 *     bit, what a freshly instantiated instance with the same model makes of
 *     the same input;
 *   - /recur/<id>/reset resets that instance only (the others equal mirrors
 *     that were never reset);
 *   - /recur/list answers with ids and model paths; osc_id and osc_port show
 *     the same;
 *   - /recur/<id>/bypass passes the input through untouched, and back;
 *   - /recur/<id>/load loads through the Worker like a patch:Set: the result
 *     equals an instance given the model by patch:Set; a missing file shows
 *     as status 3;
 *   - the id comes back from saved state when it is free;
 *   - thousands of bad packets while audio runs change nothing audible;
 *   - closing the last instance frees the port.
 */
#include "check.h"
#include "client.h"
#include "host.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PLUGIN_URI "https://recur.dev/plugins/recur"
#define RATE       48000.0
#define BLOCK      256
#define N_BLOCKS   64

static float input[BLOCK * N_BLOCKS];
static osc_test_client cl;

static const char *data_path(const char *name)
{
	static char buf[4][2048];
	static int k;
	const char *dir = getenv("RECUR_PLUGIN_DATA");
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir ? dir : "tests/plugin/data", name);
	return p;
}

/* A guitar-ish test signal: two partials and a little deterministic noise. */
static void make_input(void)
{
	uint32_t r = 1;
	for (int i = 0; i < BLOCK * N_BLOCKS; i++) {
		r = r * 1664525u + 1013904223u;
		double t = i / RATE;
		input[i] = (float)(0.5 * sin(2 * M_PI * 110 * t) + 0.2 * sin(2 * M_PI * 331 * t) +
		                   0.05 * ((double)(r >> 8) / (1 << 24) - 0.5));
	}
}

static const float *block(int k)
{
	return input + (size_t)(k % N_BLOCKS) * BLOCK;
}

/* Sends the model by patch:Set, lets the Worker load it: in place for the
 * next block. */
static void load_model(test_host *h, const char *path)
{
	host_send_model(h, path);
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
	host_run(h, NULL, NULL, 0);
}

static bool open_with_model(test_host *h, test_host *world, const char *model)
{
	bool ok = world ? host_open_shared(h, world, RATE) : host_open(h, PLUGIN_URI, RATE);
	if (ok)
		load_model(h, data_path(model));
	return ok;
}

static bool same_bits(const float *a, const float *b, size_t n)
{
	return memcmp(a, b, n * sizeof(float)) == 0;
}

static double max_diff(const float *a, const float *b, size_t n)
{
	double worst = 0;
	for (size_t i = 0; i < n; i++)
		worst = check_larger(worst, fabs((double)a[i] - b[i]));
	return worst;
}

/* Runs one block on each host, all on the same input. */
static void run_all(test_host **hs, int n, const float *in, float out[][BLOCK])
{
	for (int i = 0; i < n; i++) {
		host_run(hs[i], in, out[i], BLOCK);
		host_service_worker(hs[i]);
	}
}

/* What a new instance of `model` makes of `in` in its first block. */
static void fresh_output(test_host *world, const char *model, const float *in, float *out)
{
	test_host f;
	if (!open_with_model(&f, world, model)) {
		CHECK(false, "fresh instance");
		return;
	}
	host_run(&f, in, out, BLOCK);
	host_close(&f);
}

static bool synced(void)
{
	bool ok = client_sync(&cl);
	CHECK(ok, "no reply from the plugin's OSC server");
	return ok;
}

static void check_ports(test_host *a, test_host *b, test_host *c)
{
	CHECK(
	    host_get(a, "osc_id") == 1 && host_get(b, "osc_id") == 2 && host_get(c, "osc_id") == 3,
	    "osc_id %g %g %g", host_get(a, "osc_id"), host_get(b, "osc_id"), host_get(c, "osc_id"));
	CHECK(host_get(a, "osc_port") == (float)cl.port, "osc_port %g, server on %d",
	      host_get(a, "osc_port"), cl.port);
}

/* b is reset by address; a and its mirror c keep their state. */
static void check_addressed_reset(test_host *a, test_host *b, test_host *c)
{
	static float out[3][BLOCK], fresh[BLOCK];
	test_host *all[] = {a, b, c};
	for (int k = 0; k < 8; k++)
		run_all(all, 3, block(k), out);
	client_send(&cl, "/recur/2/reset", "");
	if (!synced())
		return;
	run_all(all, 3, block(8), out);
	fresh_output(a, "lstm.json", block(8), fresh);
	CHECK(same_bits(out[1], fresh, BLOCK),
	      "after /recur/2/reset, instance 2 differs from a "
	      "fresh one by %g",
	      max_diff(out[1], fresh, BLOCK));
	CHECK(same_bits(out[0], out[2], BLOCK),
	      "instance 1 was disturbed (differs from its mirror)");
	CHECK(max_diff(out[0], fresh, BLOCK) > 1e-4,
	      "instance 1 plays like a fresh one: the test cannot tell a reset");
}

static void check_global_reset(test_host *a, test_host *b, test_host *c)
{
	static float out[3][BLOCK], fresh[BLOCK];
	test_host *all[] = {a, b, c};
	for (int k = 9; k < 16; k++)
		run_all(all, 3, block(k), out);
	client_send(&cl, "/recur/reset", "");
	if (!synced())
		return;
	run_all(all, 3, block(16), out);
	fresh_output(a, "lstm.json", block(16), fresh);
	for (int i = 0; i < 3; i++)
		CHECK(same_bits(out[i], fresh, BLOCK),
		      "after /recur/reset, instance %d differs from a fresh one by %g", i + 1,
		      max_diff(out[i], fresh, BLOCK));
}

static void check_list(void)
{
	CHECK(client_list(&cl), "no /recur/list reply");
	CHECK(cl.n_listed == 3 && cl.list_end_count == 3, "listed %d (end says %d)", cl.n_listed,
	      cl.list_end_count);
	for (int i = 0; i < cl.n_listed; i++)
		CHECK(cl.listed[i].id >= 1 && cl.listed[i].id <= 3 &&
		          strstr(cl.listed[i].path, "lstm.json"),
		      "listed id %d path \"%s\"", cl.listed[i].id, cl.listed[i].path);
}

static void check_bypass(test_host *c)
{
	static float out[BLOCK * 20];
	client_send(&cl, "/recur/3/bypass", "i", 1);
	if (!synced())
		return;
	/* The first bypassed block starts the crossfade: not yet the input. */
	host_run(c, block(0), out, BLOCK);
	CHECK(!same_bits(out, block(0), BLOCK), "the bypass was immediate, not crossfaded");
	/* 40 blocks (213 ms): the 10 ms crossfade has landed on its target. */
	for (int k = 0; k < 40; k++)
		host_run(c, block(k), out + (k % 20) * BLOCK, BLOCK);
	CHECK(same_bits(out + 19 * BLOCK, block(39), BLOCK), "bypassed output is not the input");
	client_send(&cl, "/recur/3/bypass", "i", 0);
	if (!synced())
		return;
	for (int k = 0; k < 40; k++)
		host_run(c, block(k), out + (k % 20) * BLOCK, BLOCK);
	CHECK(max_diff(out + 19 * BLOCK, block(39), BLOCK) > 1e-3, "bypass did not end");
}

static void check_load(test_host *a)
{
	static float out[BLOCK], ref[BLOCK];
	const char *gru = data_path("gru.json");
	client_send(&cl, "/recur/1/load", "s", gru);
	if (!synced())
		return;
	host_run(a, NULL, NULL, 0); /* takes the path, schedules the Worker */
	host_service_worker(a);     /* loads; the response swaps it in */
	host_run(a, NULL, NULL, 0); /* notifies */
	CHECK(strstr(a->notified_path, "gru.json") != NULL, "notified \"%s\" after an OSC load",
	      a->notified_path);
	CHECK(host_get(a, "status") == 1.0f, "status %g after an OSC load", host_get(a, "status"));
	host_run(a, block(20), out, BLOCK);
	fresh_output(a, "gru.json", block(20), ref);
	CHECK(same_bits(out, ref, BLOCK), "the OSC-loaded model differs from patch:Set's by %g",
	      max_diff(out, ref, BLOCK));

	client_send(&cl, "/recur/1/load", "s", "/nonexistent/recur/missing.json");
	if (!synced())
		return;
	int errors = a->log_errors;
	host_run(a, NULL, NULL, 0);
	host_service_worker(a);
	host_run(a, NULL, NULL, 0);
	CHECK(host_get(a, "status") == 3.0f, "status %g after a failed OSC load",
	      host_get(a, "status"));
	CHECK(a->log_errors == errors + 1, "failed OSC load logged %d errors",
	      a->log_errors - errors);
}

/* Saves b (id 2), closes a and b, then a new instance (lowest free id: 1)
 * restores b's state and takes id 2 back. */
static test_host *check_state_id(test_host *a, test_host *b, test_host *e)
{
	LilvState *st = host_save_state(b, NULL);
	CHECK(st != NULL, "state save");
	host_close(b);
	host_close(a);
	if (!host_open_shared(e, a, RATE)) {
		CHECK(false, "reopen");
		lilv_state_free(st);
		return NULL;
	}
	host_run(e, NULL, NULL, 0);
	CHECK(host_get(e, "osc_id") == 1, "new instance id %g", host_get(e, "osc_id"));
	if (st)
		host_restore_state(e, st, true);
	host_run(e, NULL, NULL, 0);
	host_service_worker(e);
	host_run(e, NULL, NULL, 0);
	CHECK(host_get(e, "osc_id") == 2, "restored instance id %g", host_get(e, "osc_id"));
	CHECK(strstr(e->notified_path, "lstm.json") != NULL, "restored model \"%s\"",
	      e->notified_path);
	if (st)
		lilv_state_free(st);
	return e;
}

/* Bad packets while audio runs: c (just reset) and a fresh instance m play
 * the same blocks; any reset, bypass or load a bad packet caused would make
 * them differ. */
static void check_barrage(test_host *world, test_host *c)
{
	static float out_c[BLOCK], out_m[BLOCK];
	static uint8_t junk[1024];
	client_send(&cl, "/recur/3/reset", "");
	if (!synced())
		return;
	test_host m;
	if (!open_with_model(&m, world, "lstm.json")) {
		CHECK(false, "mirror instance");
		return;
	}
	int64_t rejected0 = cl.rejected;
	uint32_t r = 7;
	int sent = 0, differing = 0;
	for (int round = 0; round < 40; round++) {
		for (int k = 0; k < 50; k++, sent++) {
			size_t n = 1 + (size_t)(r % sizeof junk);
			for (size_t i = 0; i < n; i++) {
				r = r * 1664525u + 1013904223u;
				junk[i] = (uint8_t)(r >> 24);
			}
			junk[0] = '/'; /* never a bundle */
			switch (k % 5) {
			case 0:
				client_send_raw(&cl, junk, n);
				break;
			case 1:
				client_send(&cl, "/recur/3/reset", "i", k);
				break;
			case 2:
				client_send(&cl, "/recur/3/bypass", "f", 1.0f);
				break;
			case 3:
				client_send(&cl, "/recur/3/load", "s", "relative/model.json");
				break;
			default:
				client_send(&cl, "/recur/99/bypass", "i", 1);
				break;
			}
		}
		host_run(c, block(round), out_c, BLOCK);
		host_run(&m, block(round), out_m, BLOCK);
		host_service_worker(c);
		host_service_worker(&m);
		differing += !same_bits(out_c, out_m, BLOCK);
		if (!synced())
			break;
	}
	CHECK(differing == 0, "%d of 40 blocks differ from the undisturbed instance", differing);
	CHECK(cl.rejected - rejected0 == sent, "rejected +%lld of %d bad packets",
	      (long long)(cl.rejected - rejected0), sent);
	printf("%d bad packets during 40 blocks, all rejected: %lld\n", sent,
	       (long long)(cl.rejected - rejected0));
	host_close(&m);
}

int main(void)
{
	make_input();
	if (!client_open(&cl, client_pick_port(4)))
		return 1;
	unsetenv("RECUR_OSC_BIND");
	static test_host a, b, c, e;
	if (!open_with_model(&a, NULL, "lstm.json") || !open_with_model(&b, &a, "lstm.json") ||
	    !open_with_model(&c, &a, "lstm.json"))
		return 1;
	if (synced()) {
		check_ports(&a, &b, &c);
		check_addressed_reset(&a, &b, &c);
		check_global_reset(&a, &b, &c);
		check_list();
		check_bypass(&c);
		check_load(&a);
		if (check_state_id(&a, &b, &e)) {
			check_barrage(&e, &c);
			host_close(&e);
		}
	} else {
		host_close(&b);
		host_close(&a);
	}
	CHECK(!client_port_free(cl.port), "the port is free while an instance lives");
	host_close(&c);
	CHECK(client_port_free(cl.port), "port %d still bound after the last instance closed",
	      cl.port);
	host_close_world(&a);
	client_close(&cl);
	return check_exit();
}
