/* The state-delay method against its float64 numpy reference
 * (delay_reference.py, written from the papers' equations): integer M gives
 * the exact delayed recurrence, fractional M the documented Lagrange filters,
 * for RNN, GRU and LSTM, one to three layers. Also: at M = 1 the method is
 * recur_process bit for bit, and a block split changes nothing.
 *
 *   test-rate-delay PYTHON delay_reference.py */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host_rate.h"
#include "recur.h"

/* float32 arithmetic over a few hundred steps of a recurrence */
#define TOL 2e-5

static void run_case(const char *path, double model_rate, double host_rate, int order, int steps,
                     const float *x, const double *want)
{
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	CHECK(m != NULL, "%s: %s", path, err.msg);
	if (!m)
		return;
	CHECK(m->sample_rate == model_rate, "%s: rate %g", path, m->sample_rate);
	recur_host_options opt = {true, RECUR_HOST_CONVERTED, order, RECUR_FILTER_LAGRANGE};
	recur_host_rate *r = recur_host_rate_new(m, host_rate, &opt, &err);
	CHECK(r != NULL, "%s: %s", path, err.msg);
	float *y = calloc((size_t)steps, sizeof *y), *y2 = calloc((size_t)steps, sizeof *y2);
	if (r) {
		CHECK(recur_host_rate_plan(r)->method == RECUR_HOST_CONVERTED, "%s: not converted",
		      path);
		recur_host_rate_process(r, x, y, (size_t)steps);
		double worst = 0;
		int at = 0;
		for (int t = 0; t < steps; t++) {
			double d = fabs(y[t] - want[t]);
			if (!(d <= worst)) {
				worst = d;
				at = t;
			}
		}
		CHECK(worst <= TOL,
		      "%s (%g -> %g Hz, order %d): step %d off by %.3g (%.9g vs %.9g)", path,
		      model_rate, host_rate, order, at, worst, y[at], want[at]);
		/* Blocks of any size give the same samples. */
		recur_host_rate_reset(r);
		for (int done = 0, len = 1; done < steps; done += len, len = len * 3 % 17 + 1)
			recur_host_rate_process(r, x + done, y2 + done,
			                        (size_t)(steps - done < len ? steps - done : len));
		CHECK(memcmp(y, y2, (size_t)steps * sizeof *y) == 0, "%s: blocks differ", path);
		recur_host_rate_free(r);
	}
	free(y);
	free(y2);
	recur_model_free(m);
}

/* M = 1: recur_process itself, bit for bit. */
static void same_rate_is_identity(const char *path)
{
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	if (!m)
		return;
	enum { N = 500 };
	float x[N], a[N], b[N];
	for (int t = 0; t < N; t++)
		x[t] = 0.7f * sinf(0.05f * (float)t);
	recur_reset(m);
	recur_process(m, x, a, N);
	recur_host_rate *r = recur_host_rate_new(m, m->sample_rate, NULL, &err);
	CHECK(r && recur_host_rate_plan(r)->method == RECUR_HOST_SAME, "same rate not detected");
	if (r) {
		recur_host_rate_process(r, x, b, N);
		CHECK(memcmp(a, b, sizeof a) == 0, "same rate is not recur_process bit for bit");
		recur_host_rate_process_mono(r, x, b, N, NULL);
		recur_host_rate_reset(r);
		recur_host_rate_process_mono(r, x, b, N, NULL);
		float c[N];
		recur_reset(m);
		recur_process_mono(m, x, c, N, NULL);
		CHECK(memcmp(c, b, sizeof c) == 0, "same rate mono differs");
	}
	recur_host_rate_free(r);
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc < 3) {
		fprintf(stderr, "usage: test-rate-delay PYTHON delay_reference.py\n");
		return 77;
	}
	char dir[] = "/tmp/recur-rate-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "'%s' '%s' '%s'", argv[1], argv[2], dir);
	FILE *f = popen(cmd, "r");
	CHECK(f != NULL, "popen");
	int cases = 0;
	char path[4096], first[4096] = "";
	double model_rate, host_rate;
	int order, steps;
	while (f && fscanf(f, " case %4095s %lf %lf %d %d", path, &model_rate, &host_rate, &order,
	                   &steps) == 5) {
		float *x = malloc((size_t)steps * sizeof *x);
		double *want = malloc((size_t)steps * sizeof *want);
		for (int t = 0; t < steps; t++)
			CHECK(fscanf(f, "%f", &x[t]) == 1, "short input");
		for (int t = 0; t < steps; t++)
			CHECK(fscanf(f, "%lf", &want[t]) == 1, "short output");
		run_case(path, model_rate, host_rate, order, steps, x, want);
		if (!first[0])
			snprintf(first, sizeof first, "%s", path);
		free(x);
		free(want);
		cases++;
	}
	CHECK(f && pclose(f) == 0, "the reference script failed");
	CHECK(cases >= 50, "only %d cases", cases);
	if (first[0])
		same_rate_is_identity(first);
	char rm[4200];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_exit();
}
