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

/* The loudest stretch of len frames of x[from, to), stepping by len / 4:
 * where a correlation has the most to work with. */
size_t align_loudest(const float *x, size_t from, size_t to, size_t len);

#endif

/* How much of a measured delay belongs to the device rather than to the
 * interface. The correlation peaks where the device's response is largest,
 * which for a filtering device (a tone control, a speaker) comes a frame or
 * more after its response starts; taking all of it out would ask a causal
 * model to answer before it is asked. So x and y are whitened by x's
 * prediction-error filter (ALIGN_WHITEN_ORDER coefficients: with a white
 * input the best linear fit of a causal device needs no future input), and
 * a causal FIR (ALIGN_FIR_TAPS taps) is fitted by least squares from
 * x[at, at + len) to y read at delay - margin, for margins from 0 to 8
 * frames. The residual falls until the margin covers the device's own
 * delay, then levels off. Unless the residual without a margin is worse
 * than the best by ALIGN_MARGIN_GAIN (of what the best fit leaves
 * explains), the device has no delay of its own
 * and 0 is returned; else the smallest margin within ALIGN_MARGIN_TOLERANCE
 * of the drop from no margin to the best. e_best, e_zero get the relative
 * residuals of the best margin and of none (NULL: not wanted). */
#define ALIGN_FIR_TAPS         32
#define ALIGN_WHITEN_ORDER     16
#define ALIGN_MARGIN_TOLERANCE 0.02
#define ALIGN_MARGIN_GAIN      0.01
double align_causal_margin(const float *x, size_t nx, const float *y, size_t ny, size_t at,
                           size_t len, double delay, float sign, double *e_best, double *e_zero);
