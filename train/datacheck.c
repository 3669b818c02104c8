/* Data-check measurements: see datacheck.h. */
#include "datacheck.h"

#include <math.h>
#include <stdlib.h>

double datacheck_db(double amplitude)
{
	return amplitude > 1e-10 ? 20 * log10(amplitude) : -200;
}

double datacheck_rms_dbfs(const float *x, size_t n)
{
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += x[i] * (double)x[i];
	return n ? datacheck_db(sqrt(e / (double)n)) : -200;
}

double datacheck_ac_rms_dbfs(const float *x, size_t n)
{
	double sum = 0, e = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	const double mean = n ? sum / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		e += (x[i] - mean) * (x[i] - mean);
	return n ? datacheck_db(sqrt(e / (double)n)) : -200;
}

/* Runs of frames at full scale, or stuck at one value near the file's own
 * peak (a clipped recording normalised afterwards): a waveform that merely
 * passes its peak never holds one value for three frames. */
static void count_clips(const float *x, size_t n, double peak, datacheck_levels *s)
{
	size_t run = 0;
	for (size_t i = 0; i <= n; i++) {
		const double a = i < n ? fabs(x[i]) : 0;
		const bool stuck = peak > 0.1 && a >= 0.999 * peak &&
		                   ((i > 0 && x[i] == x[i - 1]) || (i + 1 < n && x[i] == x[i + 1]));
		if (i < n && (a >= DATACHECK_FULL_SCALE || stuck)) {
			run++;
			continue;
		}
		if (run >= DATACHECK_CLIP_RUN) {
			s->clip_runs++;
			if (run > s->clip_longest)
				s->clip_longest = run;
		}
		run = 0;
	}
}

void datacheck_measure(const float *x, size_t n, double rate, datacheck_levels *s)
{
	double peak = 0, sum = 0, energy = 0;
	for (size_t i = 0; i < n; i++) {
		peak = fmax(peak, fabs(x[i]));
		sum += x[i];
		energy += x[i] * (double)x[i];
	}
	const double rms = n ? sqrt(energy / (double)n) : 0;
	s->peak_dbfs = datacheck_db(peak);
	s->rms_dbfs = datacheck_db(rms);
	s->crest_db = rms > 0 ? s->peak_dbfs - s->rms_dbfs : 0;
	s->dc = n ? sum / (double)n : 0;
	s->clip_runs = s->clip_longest = 0;
	count_clips(x, n, peak, s);
	const size_t block = (size_t)(0.05 * rate) ? (size_t)(0.05 * rate) : 1;
	size_t blocks = 0, silent = 0;
	for (size_t at = 0; at + block <= n; at += block, blocks++)
		silent += datacheck_rms_dbfs(x + at, block) < DATACHECK_SILENT_DBFS;
	s->silent_fraction = blocks ? (double)silent / (double)blocks : 0;
}

double datacheck_esr(const float *a, const float *b, size_t n)
{
	double e = 0, p = 0;
	for (size_t i = 0; i < n; i++) {
		e += (a[i] - b[i]) * (double)(a[i] - b[i]);
		p += a[i] * (double)a[i];
	}
	return p > 0 ? e / p : NAN;
}

static int compare_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double datacheck_noise_floor(const float *x, const float *y, size_t n, double rate)
{
	const size_t block = (size_t)(0.05 * rate) ? (size_t)(0.05 * rate) : 1;
	const size_t max_blocks = n / block;
	double *levels = malloc((max_blocks + 1) * sizeof *levels);
	if (!levels)
		return NAN;
	size_t count = 0;
	bool quiet_before = false;
	for (size_t at = 0; at + block <= n; at += block) {
		const bool quiet = datacheck_rms_dbfs(x + at, block) < -90;
		if (quiet && quiet_before)
			levels[count++] = datacheck_ac_rms_dbfs(y + at, block);
		quiet_before = quiet;
	}
	double floor_db = NAN;
	if (count >= 10) {
		qsort(levels, count, sizeof *levels, compare_double);
		floor_db = levels[count / 2];
	}
	free(levels);
	return floor_db;
}
