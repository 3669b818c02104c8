/* The accuracy check before run time (engine/rate_probe.h) and the choice
 * it drives (engine/host_rate.h).
 *
 * 1. The measure's known answers, on the diode-overdrive preset at 96 kHz
 *    (M = 2): the exact state delay agrees with the model at its own rate
 *    (above 100 dB); the same output 1 % louder gives 40 dB, as a gain
 *    error of 0.01 must; running the model naively at twice its rate is
 *    far off; a non-finite output gives -inf.
 * 2. The choice on the shipped presets: at 22.05 kHz the diode overdrive
 *    and the fuzz have stable state-delay filters that the accuracy check
 *    rejects, so they are resampled (and the analysis alone would have
 *    converted them); the tube drive stays converted; at 44.1 and 88.2 kHz
 *    every preset is converted with a probe SNR at or above the target, at
 *    96 kHz by the exact delay.
 * 3. A model that oscillates in silence at its own rate (no fixed point to
 *    judge stability by) is still checked for accuracy, and the exact delay
 *    says why it was not judged.
 *
 * argv: diode-overdrive.json fuzz.json tube-drive.json */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_rate.h"
#include "rate_probe.h"
#include "recur.h"

/* A method run through recur_host_rate, then changed by `gain`, or made
 * NaN at one sample. */
typedef struct {
	recur_host_rate *r;
	float gain;
	bool poison;
} runner;

static void run(void *ctx, const float *x, float *y, size_t frames)
{
	runner *u = ctx;
	recur_host_rate_reset(u->r);
	recur_host_rate_process_mono(u->r, x, y, frames, NULL);
	for (size_t t = 0; t < frames; t++)
		y[t] *= u->gain;
	if (u->poison)
		y[frames - 1] = NAN;
}

static double probe_with(recur_model *m, double host, recur_host_options opt, float gain,
                         bool poison, double *hz)
{
	recur_error err;
	runner u = {recur_host_rate_new(m, host, &opt, &err), gain, poison};
	if (!u.r) {
		CHECK(false, "set-up: %s", err.msg);
		return NAN;
	}
	rate_probe_result res = {0};
	CHECK(rate_probe(m, host, run, &u, &res), "probe ran");
	recur_host_rate_free(u.r);
	*hz = res.hz;
	return res.snr;
}

static void known_answers(const char *path)
{
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	CHECK(m, "%s: %s", path, m ? "" : err.msg);
	if (!m)
		return;
	recur_host_options exact = {.force = true, .method = RECUR_HOST_CONVERTED, .order = 0};
	recur_host_options naive = {.force = true, .method = RECUR_HOST_NAIVE};
	double hz;
	double snr = probe_with(m, 96000, exact, 1.0f, false, &hz);
	CHECK(snr > 100.0, "exact delay at M = 2: %.1f dB (at %g Hz)", snr, hz);
	CHECK(hz == 330.0 || hz == 1210.0 || hz == 4130.0, "worst tone %g Hz", hz);
	snr = probe_with(m, 96000, exact, 1.01f, false, &hz);
	CHECK_NEAR(snr, 40.0, 0.01, "a 1 % gain error, dB");
	snr = probe_with(m, 96000, naive, 1.0f, false, &hz);
	CHECK(snr < 20.0, "naive at M = 2: %.1f dB", snr);
	snr = probe_with(m, 96000, exact, 1.0f, true, &hz);
	CHECK(snr == -HUGE_VAL, "NaN output: %g dB", snr);
	recur_model_free(m);
}

typedef struct {
	int preset; /* argv index - 1 */
	double host;
	recur_host_method method;
} expect;

static void choice(const char *path, double host, recur_host_method want)
{
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	CHECK(m, "%s: %s", path, m ? "" : err.msg);
	if (!m)
		return;
	recur_host_rate *r = recur_host_rate_new(m, host, NULL, &err);
	CHECK(r, "%s at %g: %s", path, host, r ? "" : err.msg);
	if (!r) {
		recur_model_free(m);
		return;
	}
	const recur_host_plan *p = recur_host_rate_plan(r);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	printf("%s at %g Hz: %s\n", name, host, p->why);
	double target = host > m->sample_rate ? RECUR_HOST_TARGET_UP : RECUR_HOST_TARGET_DOWN;
	CHECK(p->method == want, "%s at %g Hz: %s, wanted %s", name, host,
	      recur_host_method_name(p->method), recur_host_method_name(want));
	if (want == RECUR_HOST_CONVERTED)
		CHECK(p->probe_snr >= target, "%s at %g Hz: probe %.1f dB under %g", name, host,
		      p->probe_snr, target);
	if (want == RECUR_HOST_RESAMPLED) {
		CHECK(p->probe_snr < target, "%s at %g Hz: probe %.1f dB", name, host,
		      p->probe_snr);
		CHECK_MSG(p->why, "accurate enough");
		/* What was rejected is stable: the accuracy check decided. */
		double pole = recur_host_rate_pole(m, p->ratio, p->filter, p->order, NULL);
		CHECK(pole <= 1.0 + 1e-3, "%s at %g Hz: rejected filter's pole %.4f", name, host,
		      pole);
	}
	recur_host_rate_free(r);
	recur_model_free(m);
}

/* A two-unit RNN whose recurrence turns the state a quarter turn with gain
 * 1.5 (h1' = tanh(-1.5 h2), h2' = tanh(1.5 h1)): its only fixed point, 0, is
 * unstable, so from its bias it falls into a cycle of 4 samples (12 kHz)
 * and never comes to rest. */
static recur_model *oscillator(void)
{
	recur_shape sh = {.cell = RECUR_CELL_RNN,
	                  .n_inputs = 1,
	                  .n_outputs = 1,
	                  .hidden = 2,
	                  .layers = 1,
	                  .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&sh, &err);
	if (!m)
		return NULL;
	m->sample_rate = 48000;
	recur_layer *L = &m->layer[0];
	const float a = (float)(M_PI / 2), g = 1.5f;
	const float w[2][2] = {{g * cosf(a), -g * sinf(a)}, {g * sinf(a), g * cosf(a)}};
	for (int j = 0; j < 2; j++)
		for (int r = 0; r < 2; r++)
			L->w_h[j * L->rows_p + r] = w[r][j];
	L->w_x[0] = 0.3f;
	L->b_x[0] = 0.01f;
	m->w_out[0] = 0.5f;
	return m;
}

static void never_at_rest(void)
{
	recur_model *m = oscillator();
	CHECK(m, "oscillator made");
	if (!m)
		return;
	recur_error err;
	recur_host_rate *r = recur_host_rate_new(m, 88200, NULL, &err);
	CHECK(r, "88.2 kHz: %s", r ? "" : err.msg);
	if (r) {
		const recur_host_plan *p = recur_host_rate_plan(r);
		printf("oscillator at 88200 Hz: %s\n", p->why);
		if (p->method == RECUR_HOST_CONVERTED) {
			CHECK(p->probe_snr >= RECUR_HOST_TARGET_UP, "probe %.1f dB", p->probe_snr);
			CHECK_MSG(p->why, "only accuracy was checked");
		} else {
			CHECK(p->method == RECUR_HOST_RESAMPLED, "method %d", (int)p->method);
			CHECK_MSG(p->why, "accurate enough for this model;");
		}
		recur_host_rate_free(r);
	}
	r = recur_host_rate_new(m, 96000, NULL, &err);
	CHECK(r, "96 kHz: %s", r ? "" : err.msg);
	if (r) {
		printf("oscillator at 96000 Hz: %s\n", recur_host_rate_plan(r)->why);
		CHECK_MSG(recur_host_rate_plan(r)->why, "exact (the model never comes to rest");
		recur_host_rate_free(r);
	}
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test-rate-accuracy DIODE.json FUZZ.json TUBE.json\n");
		return 2;
	}
	known_answers(argv[1]);
	static const expect cases[] = {
	    {0, 22050, RECUR_HOST_RESAMPLED}, {1, 22050, RECUR_HOST_RESAMPLED},
	    {2, 22050, RECUR_HOST_CONVERTED}, {0, 44100, RECUR_HOST_CONVERTED},
	    {1, 44100, RECUR_HOST_CONVERTED}, {2, 44100, RECUR_HOST_CONVERTED},
	    {0, 88200, RECUR_HOST_CONVERTED}, {1, 88200, RECUR_HOST_CONVERTED},
	    {2, 88200, RECUR_HOST_CONVERTED}, {1, 96000, RECUR_HOST_CONVERTED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		choice(argv[1 + cases[i].preset], cases[i].host, cases[i].method);
	never_at_rest();
	return check_exit();
}
