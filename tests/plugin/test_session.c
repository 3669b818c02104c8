/*
 * The plugin never forgets the model the user chose. A session whose model
 * file is missing (an unmounted drive, a renamed folder) restores with
 * status 3, with or without a Worker offered to restore; saved again, its
 * state still names the file; once the file is back, restoring that state
 * loads it, and so does a reset of the instance that could not load it.
 */
#include "common.h"

#include <unistd.h>

static char dir[] = "/tmp/recur-session-XXXXXX";
static char model[512], away[512];
static float out[16384];
static float *in, *golden;
static uint32_t n;

static bool state_names(test_host *h, const LilvState *st, const char *path)
{
	char *ttl =
	    lilv_state_to_string(h->world, &h->map, &h->unmap, st, "urn:recur:session", NULL);
	bool found = ttl && strstr(ttl, path);
	lilv_free(ttl);
	return found;
}

/* Restores st into h, then the blocks a host runs before audio: the
 * restored model (or its failure) is in place afterwards. */
static void restore(test_host *h, const LilvState *st, bool offer_worker)
{
	host_restore_state(h, st, offer_worker);
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
	host_run(h, NULL, NULL, 0);
}

/* The missing model: status 3 whether the Worker loads it or restore does,
 * also over a model that was running; saved again, the state names it. */
static LilvState *check_missing(test_host *world, const LilvState *session)
{
	LilvState *again = NULL;
	for (int offer = 0; offer < 2; offer++) {
		test_host h;
		if (!host_open_shared(&h, world, RATE)) {
			CHECK(false, "instance");
			return again;
		}
		load_model(&h, data_path("gru.json"));
		host_run(&h, NULL, NULL, 0);
		CHECK(host_get(&h, "status") == 1.0f, "status %g with gru.json",
		      host_get(&h, "status"));
		int errors = h.log_errors;
		restore(&h, session, offer);
		CHECK(host_get(&h, "status") == 3.0f,
		      "restore of a missing model (Worker offered: %d): status %g, expected 3",
		      offer, host_get(&h, "status"));
		CHECK(h.log_errors == errors + 1 && strstr(h.last_log, model),
		      "restore of a missing model (Worker offered: %d): %d errors, last \"%s\"",
		      offer, h.log_errors - errors, h.last_log);
		LilvState *st = host_save_state(&h, NULL);
		CHECK(st && state_names(&h, st, model),
		      "saved while the model is missing (Worker offered: %d), the state forgot %s",
		      offer, model);
		if (st && !again)
			again = st;
		else if (st)
			lilv_state_free(st);
		host_close(&h);
	}
	return again;
}

/* The file is back: restoring the state saved while it was missing plays it. */
static void check_back(test_host *world, const LilvState *saved_while_missing, bool offer_worker)
{
	test_host h;
	if (!host_open_shared(&h, world, RATE)) {
		CHECK(false, "instance");
		return;
	}
	restore(&h, saved_while_missing, offer_worker);
	host_process(&h, in, out, n, 256);
	CHECK(host_get(&h, "status") == 1.0f, "file back, restore (Worker offered: %d): status %g",
	      offer_worker, host_get(&h, "status"));
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL,
	      "file back, restore (Worker offered: %d): output differs by %g", offer_worker,
	      max_diff(out, golden, n));
	host_close(&h);
}

/* An instance still showing status 3 loads the returned file on a reset. */
static void check_reset_retries(test_host *h)
{
	CHECK(rename(away, model) == 0, "moving the model back");
	host_set(h, "reset", 1.0f);
	host_run(h, NULL, NULL, 0);
	host_set(h, "reset", 0.0f);
	/* The trigger is read in one block, the retry sent in the next. */
	for (int block = 0; block < 3; block++) {
		host_run(h, NULL, NULL, 0);
		host_service_worker(h);
	}
	host_run(h, NULL, NULL, 0);
	CHECK(host_get(h, "status") == 1.0f, "file back, reset: status %g, expected 1",
	      host_get(h, "status"));
	CHECK(!strcmp(h->notified_path, model), "file back, reset: notified \"%s\"",
	      h->notified_path);
}

int main(void)
{
	uint32_t gn = 0;
	in = load_f32("input.f32", &n);
	golden = load_f32("lstm.golden.f32", &gn);
	if (n > 16384 || gn != n || !mkdtemp(dir))
		return 1;
	snprintf(model, sizeof model, "%s/model.json", dir);
	snprintf(away, sizeof away, "%s/elsewhere.json", dir);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", data_path("lstm.json"), model);
	CHECK(system(cmd) == 0, "%s", cmd);

	test_host a;
	if (!host_open(&a, PLUGIN_URI, RATE))
		return 1;
	load_model(&a, model);
	LilvState *session = host_save_state(&a, NULL);
	CHECK(session && state_names(&a, session, model), "the session does not name %s", model);
	if (!session)
		return check_exit();

	CHECK(rename(model, away) == 0, "moving the model away");
	LilvState *saved_while_missing = check_missing(&a, session);

	/* The instance that lost its model, restored with the file gone. */
	test_host b;
	if (host_open_shared(&b, &a, RATE)) {
		restore(&b, session, false);
		CHECK(host_get(&b, "status") == 3.0f, "status %g", host_get(&b, "status"));
		check_reset_retries(&b);
		host_close(&b);
	}
	if (saved_while_missing) {
		check_back(&a, saved_while_missing, true);
		check_back(&a, saved_while_missing, false);
		lilv_state_free(saved_while_missing);
	}
	lilv_state_free(session);
	host_close(&a);
	host_close_world(&a);
	unlink(model);
	unlink(away);
	rmdir(dir);
	free(in);
	free(golden);
	return check_exit();
}
