/* The accuracy check of a way to run a model at a host's rate: harmonics of
 * a few tones against the model at its own rate. The rules are in
 * rate_probe.h. */
#include "rate_probe.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#define SETTLE    0.1 /* seconds before the analysis window */
#define WINDOW    0.1 /* seconds analysed: bins 10 Hz apart */
#define AMPLITUDE 0.5
#define TOP_HZ    20000.0

static const double tone_hz[] = {330.0, 1210.0, 4130.0};
#define TONES (sizeof tone_hz / sizeof tone_hz[0])

/* Where the window starts and how long it is, in samples at rate: the same
 * stretch of time at either rate, to a sample. */
static size_t window_start(double rate)
{
	return (size_t)ceil(SETTLE * rate);
}

static size_t window_length(double rate)
{
	return (size_t)floor(WINDOW * rate);
}

static size_t tone_length(double rate)
{
	return window_start(rate) + window_length(rate);
}

static void make_tone(float *x, size_t n, double hz, double rate)
{
	for (size_t t = 0; t < n; t++) {
		double cycles = hz * (double)t / rate;
		x[t] = (float)(AMPLITUDE * sin(2.0 * M_PI * (cycles - floor(cycles))));
	}
}

/* The complex amplitude of y at hz over the window, through a 4-term
 * Blackman-Harris window (sidelobes at -92 dB, so what lies off the
 * harmonics barely leaks in), its phase taken from absolute time, so the
 * same sine at two rates gives the same value. */
static double complex amplitude(const float *y, double rate, double hz)
{
	size_t t0 = window_start(rate), n = window_length(rate);
	double step = 2.0 * M_PI * hz / rate;
	double start = hz * (double)t0 / rate;
	double complex z = cexp(-I * 2.0 * M_PI * (start - floor(start)));
	double complex rot = cexp(-I * step);
	double complex sum = 0.0;
	double wsum = 0.0;
	for (size_t t = 0; t < n; t++) {
		double a = 2.0 * M_PI * (double)t / (double)n;
		double w = 0.35875 - 0.48829 * cos(a) + 0.14128 * cos(2 * a) - 0.01168 * cos(3 * a);
		sum += w * (double)y[t0 + t] * z;
		wsum += w;
		z *= rot;
	}
	return sum / wsum;
}

/* 10 log10 of the harmonics' energy in ref over that of their difference
 * (DC included) up to top Hz. */
static double harmonic_snr(const float *y, double y_rate, const float *ref, double ref_rate,
                           double hz, double top)
{
	double signal = 0.0, error = 0.0;
	for (int k = 0; (double)k * hz <= top; k++) {
		double complex a = amplitude(y, y_rate, k * hz);
		double complex b = amplitude(ref, ref_rate, k * hz);
		signal += creal(b * conj(b));
		error += creal((a - b) * conj(a - b));
	}
	if (!isfinite(error) || !isfinite(signal))
		return -HUGE_VAL;
	return 10.0 * log10(signal / fmax(error, 1e-30));
}

bool rate_probe(recur_model *m, double host_rate, rate_probe_run run, void *ctx,
                rate_probe_result *result)
{
	const double model_rate = m->sample_rate;
	const size_t n_host = tone_length(host_rate), n_model = tone_length(model_rate);
	float *x = malloc(n_host * sizeof *x), *y = malloc(n_host * sizeof *y);
	float *xm = malloc(n_model * sizeof *xm), *ym = malloc(n_model * sizeof *ym);
	bool ok = x && y && xm && ym;
	const double top = fmin(TOP_HZ, 0.45 * fmin(host_rate, model_rate));
	result->snr = HUGE_VAL;
	result->hz = 0.0;
	for (size_t i = 0; ok && i < TONES; i++) {
		make_tone(x, n_host, tone_hz[i], host_rate);
		make_tone(xm, n_model, tone_hz[i], model_rate);
		recur_reset(m);
		recur_process_mono(m, xm, ym, n_model, NULL);
		run(ctx, x, y, n_host);
		double snr = harmonic_snr(y, host_rate, ym, model_rate, tone_hz[i], top);
		if (snr < result->snr) {
			result->snr = snr;
			result->hz = tone_hz[i];
		}
	}
	recur_reset(m);
	free(x);
	free(y);
	free(xm);
	free(ym);
	return ok;
}
