/*
 * The delay between a device's input and its recorded output: measured to
 * a fraction of a frame by cross-correlation, and taken out by band-limited
 * interpolation. Plain float arrays, one channel each.
 */
#ifndef RECUR_TRAIN_ALIGN_H
#define RECUR_TRAIN_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

/* How y relates to x around one stretch. */
typedef struct {
	double delay;  /* frames by which y lags x; negative when y leads */
	double corr;   /* normalised correlation at the delay, -1..1; negative: inverted */
	double centre; /* frame of x where the stretch's energy is centred: where the
	                  delay holds when it changes along the stretch (clock drift) */
} align_match;

/* Cross-correlates x[at, at + len) with y shifted by every lag in
 * [centre - max_lag, centre + max_lag] (frames of y outside [0, ny) count
 * as silence), takes
 * the lag of the largest |correlation| and refines it between frames by
 * windowed-sinc interpolation of the correlation. False when x or y is
 * silent there, or memory runs out. */
bool align_measure(const float *x, size_t nx, const float *y, size_t ny, size_t at, size_t len,
                   long centre, size_t max_lag, align_match *m);

/* out[i] = sign * y(i + d0 + slope * i) for i in [0, n): y read between its
 * frames by a Blackman-windowed sinc 64 frames wide, silence outside
 * [0, ny). An integer d0 with no slope copies frames exactly. */
void align_shift(const float *y, size_t ny, double d0, double slope, float sign, float *out,
                 size_t n);

/* What a causal linear filter of `taps` taps on x cannot explain of y read
 * `shift` frames later, over x[at, at + len): the residual's energy over
 * the target's, 0..1, with the filter fitted by least squares
 * (autocorrelation method). Taking out frames of a device's own response
 * makes the target answer before its input, and this residual grows; taking
 * out a pure delay leaves it as it was. Negative when x or y is silent there
 * or memory runs out. */
double align_causal_residual(const float *x, size_t nx, const float *y, size_t ny, size_t at,
                             size_t len, long shift, int taps);

/* The loudest stretch of len frames of x[from, to), stepping by len / 4:
 * where a correlation has the most to work with. */
size_t align_loudest(const float *x, size_t from, size_t to, size_t len);

#endif
