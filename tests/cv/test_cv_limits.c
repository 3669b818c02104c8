/*
 * A model file cannot make one host sample cost more than a bounded amount:
 * a model faster than CV_MAX_STEPS_PER_SAMPLE (4) steps per host sample is
 * refused on the Worker with a message naming the rates (status 3, the
 * previous model keeps running); one at exactly that bound runs at its own
 * rate. The largest rate the model format allows, 1e9 frames per second,
 * would otherwise take some 20 000 network steps per sample.
 */
#include "cv_test.h"

#include "recur.h"

#include <unistd.h>

static char dir[] = "/tmp/recur-cv-limits-XXXXXX";

/* A small model at `rate` frames per second; returns its path. */
static const char *model_at(double rate, const char *name)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ & 3];
	snprintf(p, sizeof path[0], "%s/%s.json", dir, name);
	recur_shape shape = {RECUR_CELL_GRU, 2, 1, 4, 1, false, RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	if (!m)
		return p;
	m->sample_rate = rate;
	CHECK(recur_model_save(m, p, &err), "cannot write %s: %s", p, err.msg);
	recur_model_free(m);
	return p;
}

static bool all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

static void run_a_little(test_host *h)
{
	static float x[64 * CV_CHANNELS], y[64 * CV_TRACKS];
	cv_run(h, x, y, 64, 64);
	CHECK(all_finite(y, 64 * CV_TRACKS), "non-finite output");
}

/* The model is refused: error logged naming the file and the bound, status
 * 3, and the model before it still steps at its own rate. */
static void check_refused(test_host *h, const char *path, const char *what)
{
	int errors = h->log_errors;
	cv_load(h, path);
	run_a_little(h);
	CHECK(h->log_errors == errors + 1, "%s: %d errors logged", what, h->log_errors - errors);
	CHECK(strstr(h->last_log, path) && strstr(h->last_log, "steps per sample"),
	      "%s: the message \"%s\" does not name the file and the bound", what, h->last_log);
	CHECK(host_get(h, "status") == CV_STATUS_LOAD_FAILED, "%s: status %g", what,
	      host_get(h, "status"));
	CHECK(host_get(h, "step_rate") == 100.0f, "%s: the previous model stopped (step rate %g)",
	      what, host_get(h, "step_rate"));
}

int main(void)
{
	if (!mkdtemp(dir)) {
		fprintf(stderr, "no temporary folder\n");
		return 1;
	}
	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;
	const char *slow = model_at(100.0, "slow");
	const char *fastest = model_at(4 * CV_RATE, "fastest");
	const char *over = model_at(4 * CV_RATE + 1.0, "over");
	const char *extreme = model_at(1e9, "extreme");

	cv_load(&h, slow);
	run_a_little(&h);
	CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE && host_get(&h, "step_rate") == 100.0f,
	      "100 Hz model: status %g, step rate %g", host_get(&h, "status"),
	      host_get(&h, "step_rate"));
	check_refused(&h, extreme, "1e9 frames per second");
	check_refused(&h, over, "4 x 48 kHz + 1 Hz");

	cv_load(&h, fastest);
	run_a_little(&h);
	CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE &&
	          host_get(&h, "step_rate") == (float)(4 * CV_RATE),
	      "a model at 4 x the host's rate: status %g, step rate %g", host_get(&h, "status"),
	      host_get(&h, "step_rate"));

	const char *files[] = {slow, fastest, over, extreme};
	for (int i = 0; i < 4; i++)
		unlink(files[i]);
	rmdir(dir);
	host_close(&h);
	host_close_world(&h);
	return check_exit();
}
