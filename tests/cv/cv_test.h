/* Shared bits of the CV plugin tests: the plugin through tests/plugin's lilv
 * host, with its CV ports connected to caller buffers block by block. */
#ifndef RECUR_CV_TEST_H
#define RECUR_CV_TEST_H

#include "check.h"
#include "host.h"
#include "recur_cv_ports.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CV_URI  "https://recur.dev/plugins/recur-cv"
#define CV_RATE 48000.0
/* Outputs per frame the tests record: out1..8 and the gate. */
#define CV_TRACKS (CV_CHANNELS + 1)

/* x: frames x CV_CHANNELS inputs, frame-major; y: frames x CV_TRACKS. Runs blocks of
 * `block` frames (0: random lengths 1..700 from a fixed seed), servicing the
 * Worker after each, as the host's audio and worker threads would. */
static inline void cv_run(test_host *h, const float *x, float *y, uint32_t frames, uint32_t block)
{
	static float in[CV_CHANNELS][HOST_MAX_BLOCK], out[CV_TRACKS][HOST_MAX_BLOCK];
	srand(1234);
	for (uint32_t done = 0; done < frames;) {
		uint32_t n = block ? block : 1 + (uint32_t)rand() % 700;
		if (n > frames - done)
			n = frames - done;
		if (n > HOST_MAX_BLOCK)
			n = HOST_MAX_BLOCK;
		for (uint32_t c = 0; c < CV_CHANNELS; c++) {
			for (uint32_t t = 0; t < n; t++)
				in[c][t] = x[(size_t)(done + t) * CV_CHANNELS + c];
			lilv_instance_connect_port(h->instance, CV_PORT_IN1 + c, in[c]);
			lilv_instance_connect_port(h->instance, CV_PORT_OUT1 + c, out[c]);
		}
		lilv_instance_connect_port(h->instance, CV_PORT_GATE, out[CV_CHANNELS]);
		host_run(h, NULL, NULL, n);
		host_service_worker(h);
		for (uint32_t c = 0; c < CV_TRACKS; c++)
			for (uint32_t t = 0; t < n; t++)
				y[(size_t)(done + t) * CV_TRACKS + c] = out[c][t];
		done += n;
	}
}

/* Sends the model and lets the Worker load it; it runs from the next block. */
static inline void cv_load(test_host *h, const char *path)
{
	host_send_model(h, path);
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
}

/* Opens the CV plugin with its CV ports on buffers (the host's default
 * wiring points every port at one float). */
static inline bool cv_open(test_host *h, double rate)
{
	if (!host_open(h, CV_URI, rate))
		return false;
	static float scratch[CV_TRACKS + CV_CHANNELS][HOST_MAX_BLOCK];
	for (uint32_t c = 0; c < CV_CHANNELS; c++) {
		lilv_instance_connect_port(h->instance, CV_PORT_IN1 + c, scratch[c]);
		lilv_instance_connect_port(h->instance, CV_PORT_OUT1 + c, scratch[CV_CHANNELS + c]);
	}
	lilv_instance_connect_port(h->instance, CV_PORT_GATE, scratch[2 * CV_CHANNELS]);
	return true;
}

/* Largest |a - b|; NaN gives infinity. */
static inline double cv_max_diff(const float *a, const float *b, size_t n)
{
	double worst = 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - (double)b[i]);
		if (!(d <= worst))
			worst = isnan(d) ? INFINITY : d;
	}
	return worst;
}

#endif
