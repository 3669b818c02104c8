/* Error-to-signal ratio with optional first-order pre-emphasis. */
#include "esr.h"

#include <math.h>

double esr_compute(const float *y, size_t stride, const double *t, size_t n, double preemph)
{
	double err = 0, energy = 0, y_prev = 0, t_prev = 0;
	for (size_t i = 0; i < n; i++) {
		double yi = y[i * stride], ti = t[i];
		double ye = yi - preemph * y_prev, te = ti - preemph * t_prev;
		err += (ye - te) * (ye - te);
		energy += te * te;
		y_prev = yi;
		t_prev = ti;
	}
	return energy > 0 ? err / energy : NAN;
}
