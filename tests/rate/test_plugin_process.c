/* The plugin at a host rate other than the model's gives what recur-process
 * gives for audio at that rate (the same engine code, engine/host_rate.h),
 * within 1e-6: a 48 kHz model in hosts at 44.1 and 96 kHz, through lilv as a
 * host loads it, converted (the method recur chooses) and resampled (forced
 * with RECUR_RATE_METHOD / --rate-method). Also the status and latency
 * ports: 2 and 0 converted, 4 and the resampler's latency resampled, 1 and
 * 0 for a model at the host's rate.
 *
 *   test-rate-plugin-process RECUR_PROCESS MODEL_48K MODEL_44K1 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "host.h"

#define PLUGIN_URI "https://recur.dev/plugins/recur"
#define SECONDS    0.5
#define TOL        1e-6

static char dir[] = "/tmp/recur-rate-plugin-XXXXXX";

static const char *scratch(const char *name)
{
	static char buf[4][4200];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

/* Guitar-like enough: two detuned partials with a decaying envelope, some
 * noise, loud enough to drive the model. */
static float *make_input(double rate, size_t n)
{
	float *x = malloc(n * sizeof *x);
	uint32_t seed = 99u;
	for (size_t t = 0; t < n; t++) {
		double time = (double)t / rate;
		seed = seed * 1664525u + 1013904223u;
		double noise = ((double)(seed >> 8) / 16777216.0 - 0.5) * 0.02;
		x[t] = (float)(0.7 * exp(-3.0 * fmod(time, 0.25)) *
		                   (sin(2 * M_PI * 196.0 * time) +
		                    0.5 * sin(2 * M_PI * 1471.0 * time)) +
		               noise);
	}
	return x;
}

static bool write_wav(const char *path, const float *x, size_t n, int rate)
{
	SF_INFO info = {
	    .samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return false;
	bool ok = sf_writef_float(f, x, (sf_count_t)n) == (sf_count_t)n;
	sf_close(f);
	return ok;
}

static float *read_wav(const char *path, size_t *n)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	float *x = malloc((size_t)info.frames * sizeof *x);
	*n = (size_t)sf_readf_float(f, x, info.frames);
	sf_close(f);
	return x;
}

static int run_process(const char *exe, const char *model, const char *in, const char *out,
                       const char *method)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl(exe, exe, "-q", "--rate-method", method, model, in, out, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void compare(const char *exe, const char *model, int rate, const char *method,
                    float want_status, bool want_latency)
{
	size_t n = (size_t)(SECONDS * rate);
	float *x = make_input(rate, n);
	char name[64];
	snprintf(name, sizeof name, "in-%d.wav", rate);
	CHECK(write_wav(scratch(name), x, n, rate), "writing %s", name);
	char out_name[64];
	snprintf(out_name, sizeof out_name, "out-%d-%s.wav", rate, method);
	CHECK(run_process(exe, model, scratch(name), scratch(out_name), method) == 0,
	      "recur-process %s at %d Hz failed", method, rate);
	size_t n_want = 0;
	float *want = read_wav(scratch(out_name), &n_want);
	CHECK(want && n_want == n, "recur-process wrote %zu frames, not %zu", n_want, n);

	if (strcmp(method, "auto"))
		setenv("RECUR_RATE_METHOD", method, 1);
	test_host h;
	float *y = calloc(n, sizeof *y);
	if (host_open(&h, PLUGIN_URI, rate)) {
		host_send_model(&h, model);
		host_run(&h, NULL, NULL, 0);
		host_service_worker(&h);
		/* Odd block sizes: the result must not depend on them. */
		for (size_t done = 0, len = 1; done < n; done += len, len = len * 7 % 1500 + 1)
			host_run(&h, x + done, y + done,
			         (uint32_t)(n - done < len ? n - done : len));
		float status = host_get(&h, "status"), latency = host_get(&h, "latency");
		CHECK(status == want_status, "%s at %d Hz: status %g, wanted %g", method, rate,
		      status, want_status);
		CHECK(want_latency ? latency > 0 : latency == 0, "%s at %d Hz: latency %g", method,
		      rate, latency);
		host_close(&h);
		host_close_world(&h);
	}
	unsetenv("RECUR_RATE_METHOD");
	double worst = 0;
	size_t at = 0;
	for (size_t t = 0; want && t < n && t < n_want; t++) {
		double d = fabs((double)y[t] - want[t]);
		if (!(d <= worst)) {
			worst = d;
			at = t;
		}
	}
	CHECK(want && worst <= TOL, "%s at %d Hz: plugin and recur-process differ by %.3g at %zu",
	      method, rate, worst, at);
	double energy = 0;
	for (size_t t = 0; t < n; t++)
		energy += (double)y[t] * y[t];
	CHECK(energy > 1e-3 * (double)n, "%s at %d Hz: output nearly silent", method, rate);
	printf("%s at %d Hz: largest difference %.3g\n", method, rate, worst);
	free(x);
	free(y);
	free(want);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it fork()s");
	if (argc < 4) {
		fprintf(stderr,
		        "usage: test-rate-plugin-process RECUR_PROCESS MODEL_48K MODEL_44K1\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	const char *exe = argv[1], *m48 = argv[2], *m441 = argv[3];
	compare(exe, m48, 44100, "auto", 2.0f, false);
	compare(exe, m48, 96000, "auto", 2.0f, false);
	compare(exe, m48, 44100, "resampled", 4.0f, true);
	compare(exe, m48, 96000, "resampled", 4.0f, true);
	compare(exe, m441, 44100, "auto", 1.0f, false);
	char rm[200];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_exit();
}
