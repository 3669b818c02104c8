/*
 * Fractional-delay FIR filters over past samples: the weights w_k of
 *     y = sum_k w_k x[n - d_k]  ~  x[n - M]
 * for given taps d_k, designed two ways:
 *
 *   Lagrange  exact for polynomials of the filter's order (maximally flat
 *             at DC);
 *   minimax   the smallest largest error |sum_k w_k e^{-jw d_k} - e^{-jw M}|
 *             over the band 0 <= w <= bw pi, with sum_k w_k = 1 so DC is
 *             exact (Carson, Wright, Bilbao, ICASSP 2025).
 *
 * Set-up time only: the minimax design iterates (about 5 ms, at most 20).
 */
#ifndef RECUR_FRAC_DELAY_H
#define RECUR_FRAC_DELAY_H

/* Most taps a filter has (order 5). */
#define FRAC_DELAY_MAX_TAPS 6

/* Intervals of the design grid over the band: 513 frequencies, ends
 * included, fine enough that the largest error between them is within a
 * fraction of a percent of the largest on them. */
#define FRAC_DELAY_GRID 512

/* Places the order + 1 taps of an order-N filter of delay M (order >= 1):
 * consecutive, centred on M where they fit, never below 1. */
void frac_delay_taps(double M, int order, int *delays);

/* Lagrange weights for n taps at delays d. */
void frac_delay_lagrange(double M, int n, const int *d, double *w);

/* Minimax weights for n taps at delays d over the band [0, bw pi], unit sum.
 * Returns the largest error on the design grid. Deterministic. Allocates;
 * out of memory, it gives Lagrange's weights and returns HUGE_VAL. */
double frac_delay_minimax(double M, int n, const int *d, double bw, double *w);

#endif
