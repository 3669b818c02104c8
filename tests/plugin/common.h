/* Shared bits of the plugin tests: the fixed data and comparisons. */
#ifndef RECUR_PLUGIN_TEST_COMMON_H
#define RECUR_PLUGIN_TEST_COMMON_H

#include "check.h"
#include "host.h"

#include <stdio.h>
#include <stdlib.h>

#define PLUGIN_URI "https://recur.dev/plugins/recur"
#define RATE       48000.0
#define GOLDEN_TOL 1e-6

static inline const char *data_path(const char *name)
{
	static char buf[4][2048];
	static int k;
	const char *dir = getenv("RECUR_PLUGIN_DATA");
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir ? dir : "tests/plugin/data", name);
	return p;
}

/* Loads a data file or exits: the tests cannot run without it. */
static inline float *load_f32(const char *name, uint32_t *n)
{
	float *v = host_read_f32(data_path(name), n);
	if (!v) {
		fprintf(stderr, "missing test data %s (RECUR_PLUGIN_DATA)\n", data_path(name));
		exit(1);
	}
	return v;
}

/* Sends the model, runs an empty block so the plugin schedules the load, and
 * lets the Worker load it: the model is in place for the next block. */
static inline void load_model(test_host *h, const char *path)
{
	host_send_model(h, path);
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
}

/* Largest |a - b| over n values; NaN gives infinity. */
static inline double max_diff(const float *a, const float *b, uint32_t n)
{
	double worst = 0.0;
	for (uint32_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - (double)b[i]);
		if (!(d <= worst))
			worst = isnan(d) ? INFINITY : d;
	}
	return worst;
}

static inline bool all_finite_f(const float *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

#endif
