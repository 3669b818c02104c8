/*
 * The one FFT of the offline tools (latency measurement in the trainer,
 * spectra, the host-rate benchmark): radix-2, in place, on double complex.
 * Analysis only, never on the audio thread.
 */
#ifndef RECUR_DSP_FFT_H
#define RECUR_DSP_FFT_H

#include <complex.h>
#include <stdbool.h>
#include <stddef.h>

/* a[0..n) in place, n a power of two; the inverse without the 1/n. */
void dsp_fft(double complex *a, size_t n, bool inverse);

#endif
