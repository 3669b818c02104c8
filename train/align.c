/* Delay measurement and removal: see align.h. */
#include "align.h"

#include "fft.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Half-width of the interpolation kernels, in frames. */
#define HALF 32

/* Blackman-windowed sinc at t frames from the centre (|t| < HALF). */
static double kernel(double t)
{
	if (fabs(t) >= HALF)
		return 0;
	const double w = 0.42 + 0.5 * cos(M_PI * t / HALF) + 0.08 * cos(2 * M_PI * t / HALF);
	return t == 0 ? 1.0 : w * sin(M_PI * t) / (M_PI * t);
}

/* c(k + f) for |f| <= 1 by interpolating the sampled correlation c. */
static double corr_between(const double *c, size_t nc, size_t k, double f)
{
	double s = 0;
	for (long j = -HALF + 1; j < HALF; j++) {
		const long i = (long)k + j;
		if (i >= 0 && i < (long)nc)
			s += c[i] * kernel(f - (double)j);
	}
	return s;
}

/* The f in [-1, 1] where |c(k + f)| peaks: golden-section search, which
 * the correlation's single smooth peak suits. */
static double refine_peak(const double *c, size_t nc, size_t k)
{
	const double g = (sqrt(5.0) - 1) / 2;
	double a = -1, b = 1;
	double x1 = b - g * (b - a), x2 = a + g * (b - a);
	double f1 = fabs(corr_between(c, nc, k, x1)), f2 = fabs(corr_between(c, nc, k, x2));
	while (b - a > 1e-4) {
		if (f1 < f2) {
			a = x1, x1 = x2, f1 = f2;
			x2 = a + g * (b - a);
			f2 = fabs(corr_between(c, nc, k, x2));
		} else {
			b = x2, x2 = x1, f2 = f1;
			x1 = b - g * (b - a);
			f1 = fabs(corr_between(c, nc, k, x1));
		}
	}
	return (a + b) / 2;
}

static float sample_at(const float *y, size_t ny, long i)
{
	return i >= 0 && i < (long)ny ? y[i] : 0.0f;
}

bool align_measure(const float *x, size_t nx, const float *y, size_t ny, size_t at, size_t len,
                   long centre, size_t max_lag, align_match *m)
{
	if (at >= nx)
		return false;
	if (len > nx - at)
		len = nx - at;
	const size_t span = len + 2 * max_lag;
	size_t n = 1;
	while (n < span)
		n <<= 1;
	double complex *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
	const size_t nc = 2 * max_lag + 1;
	double *c = malloc(nc * sizeof *c);
	double *energy = malloc((span + 1) * sizeof *energy); /* running sum of y^2 */
	bool ok = a && b && c && energy;
	/* Each stretch without its mean: a DC offset correlates with nothing. */
	double mx = 0, my = 0;
	for (size_t i = 0; i < len; i++)
		mx += x[at + i];
	mx /= (double)len;
	for (size_t i = 0; i < span; i++)
		my += sample_at(y, ny, (long)at + centre - (long)max_lag + (long)i);
	my /= (double)span;
	double ex = 0, moment = 0;
	for (size_t i = 0; ok && i < len; i++) {
		const double v = x[at + i] - mx;
		a[i] = v;
		ex += v * v;
		moment += (double)i * v * v;
	}
	for (size_t i = 0; ok && i < span; i++) {
		b[i] = sample_at(y, ny, (long)at + centre - (long)max_lag + (long)i) - my;
		energy[i + 1] = (i ? energy[i] : 0) + creal(b[i]) * creal(b[i]);
	}
	if (ok)
		energy[0] = 0;
	if (ok && ex > 0) {
		dsp_fft(a, n, false);
		dsp_fft(b, n, false);
		for (size_t i = 0; i < n; i++)
			a[i] = conj(a[i]) * b[i];
		dsp_fft(a, n, true);
		size_t best = 0;
		for (size_t k = 0; k < nc; k++) {
			c[k] = creal(a[k]) / (double)n;
			if (fabs(c[k]) > fabs(c[best]))
				best = k;
		}
		const double f = refine_peak(c, nc, best);
		const double peak = corr_between(c, nc, best, f);
		m->delay = (double)best + f - (double)max_lag + (double)centre;
		m->centre = (double)at + moment / ex;
		const double ey = energy[best + len] - energy[best];
		ok = ey > 0;
		m->corr = ok ? peak / sqrt(ex * ey) : 0;
	} else {
		ok = false;
	}
	free(a);
	free(b);
	free(c);
	free(energy);
	return ok;
}

/* The kernel tabulated at TABLE_STEPS points per frame, read with linear
 * interpolation: a fresh sin and two cos per tap would cost seconds on a
 * three-minute recording. */
#define TABLE_STEPS 1024

void align_shift(const float *y, size_t ny, double d0, double slope, float sign, float *out,
                 size_t n)
{
	if (slope == 0 && d0 == floor(d0)) {
		for (size_t i = 0; i < n; i++)
			out[i] = sign * sample_at(y, ny, (long)i + (long)d0);
		return;
	}
	const size_t nt = 2 * HALF * TABLE_STEPS + 2;
	float *table = malloc(nt * sizeof *table);
	for (size_t i = 0; table && i < nt; i++)
		table[i] = (float)kernel((double)i / TABLE_STEPS - HALF);
	for (size_t i = 0; i < n; i++) {
		const double pos = (double)i + d0 + slope * (double)i;
		const double base = floor(pos);
		const double frac = pos - base;
		double s = 0;
		for (long j = -HALF + 1; j <= HALF; j++) {
			const long k = (long)base + j;
			if (k < 0 || k >= (long)ny)
				continue;
			const double t = (double)j - frac; /* in (-HALF, HALF] */
			if (!table) {
				s += y[k] * kernel(t);
				continue;
			}
			const double u = (t + HALF) * TABLE_STEPS;
			const size_t q = (size_t)u;
			const double r = u - (double)q;
			s += y[k] * (table[q] + r * (table[q + 1] - table[q]));
		}
		out[i] = (float)(sign * s);
	}
	free(table);
}

size_t align_loudest(const float *x, size_t from, size_t to, size_t len)
{
	size_t best = from;
	double best_e = -1;
	const size_t step = len / 4 ? len / 4 : 1;
	for (size_t at = from; at + len <= to; at += step) {
		double e = 0;
		for (size_t i = 0; i < len; i++)
			e += x[at + i] * (double)x[at + i];
		if (e > best_e)
			best_e = e, best = at;
	}
	return best;
}

/* Solves a x = b for a symmetric positive definite n x n matrix (row-major,
 * overwritten by its Cholesky factor); false if it is not. */
static bool cholesky_solve(double *a, double *b, int n)
{
	for (int j = 0; j < n; j++) {
		double d = a[j * n + j];
		for (int k = 0; k < j; k++)
			d -= a[j * n + k] * a[j * n + k];
		if (!(d > 0))
			return false;
		a[j * n + j] = sqrt(d);
		for (int i = j + 1; i < n; i++) {
			double v = a[i * n + j];
			for (int k = 0; k < j; k++)
				v -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = v / a[j * n + j];
		}
	}
	for (int i = 0; i < n; i++) { /* L z = b */
		for (int k = 0; k < i; k++)
			b[i] -= a[i * n + k] * b[k];
		b[i] /= a[i * n + i];
	}
	for (int i = n - 1; i >= 0; i--) { /* L^T x = z */
		for (int k = i + 1; k < n; k++)
			b[i] -= a[k * n + i] * b[k];
		b[i] /= a[i * n + i];
	}
	return true;
}

double align_causal_residual(const float *x, size_t nx, const float *y, size_t ny, size_t at,
                             size_t len, long shift, int taps)
{
	if (at >= nx || taps < 1)
		return -1;
	if (len > nx - at)
		len = nx - at;
	double *r = calloc((size_t)taps, sizeof *r), *p = calloc((size_t)taps, sizeof *p);
	double *a = malloc((size_t)taps * (size_t)taps * sizeof *a);
	double residual = -1;
	if (r && p && a) {
		double yy = 0;
		for (size_t i = 0; i < len; i++) {
			const long n = (long)(at + i);
			const double t = sample_at(y, ny, n + shift);
			yy += t * t;
			for (int k = 0; k < taps; k++) {
				const double v = n - k >= 0 ? x[n - k] : 0.0;
				r[k] += x[n] * v;
				p[k] += t * v;
			}
		}
		for (int i = 0; i < taps; i++)
			for (int j = 0; j < taps; j++)
				a[i * taps + j] = r[abs(i - j)] + (i == j ? 1e-9 * r[0] : 0);
		double *h = malloc((size_t)taps * sizeof *h);
		if (h && yy > 0 && r[0] > 0) {
			memcpy(h, p, (size_t)taps * sizeof *h);
			if (cholesky_solve(a, h, taps)) {
				double explained = 0;
				for (int k = 0; k < taps; k++)
					explained += p[k] * h[k];
				residual = fmax(0.0, 1.0 - explained / yy);
			}
		}
		free(h);
	}
	free(r);
	free(p);
	free(a);
	return residual;
}
