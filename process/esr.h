/* Error-to-signal ratio, the figure recur-train minimises and reports. */
#ifndef RECUR_ESR_H
#define RECUR_ESR_H

#include <stddef.h>

/*
 * sum (y'[n] - t'[n])^2 / sum t'[n]^2 over n frames, where y' and t' are the
 * pre-emphasised signals x'[n] = x[n] - preemph * x[n-1] (x[-1] = 0);
 * preemph 0 is plain ESR. y is read with a stride (frame n is y[n * stride]),
 * so output 0 can be taken straight from interleaved model output. Returns
 * NAN when the target has no energy, where ESR means nothing.
 */
double esr_compute(const float *y, size_t stride, const double *t, size_t n, double preemph);

#endif
