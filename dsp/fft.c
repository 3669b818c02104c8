/* See fft.h. */
#include "fft.h"

#include <math.h>

void dsp_fft(double complex *a, size_t n, bool inverse)
{
	for (size_t i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			const double complex t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
	}
	for (size_t len = 2; len <= n; len <<= 1) {
		const double ang = (inverse ? 2 : -2) * M_PI / (double)len;
		const double complex wl = cexp(I * ang);
		for (size_t i = 0; i < n; i += len) {
			double complex w = 1;
			for (size_t k = 0; k < len / 2; k++) {
				const double complex u = a[i + k], v = a[i + k + len / 2] * w;
				a[i + k] = u + v;
				a[i + k + len / 2] = u - v;
				w *= wl;
			}
		}
	}
}
