/*
 * A model trained at one sample rate, run at a host's rate: 22.05 to 192 kHz.
 *
 * With M = host rate / model rate, three methods:
 *
 *   same       M = 1 (within RECUR_RATE_TOLERANCE) or the model states no
 *              rate: recur_process as ever, bit for bit.
 *   converted  the state-delay method (Carson, Wright, Chowdhury, Valimaki,
 *              Bilbao, DAFx 2024; Carson, Wright, Bilbao, ICASSP 2025). A
 *              model step at the model rate reads the state of one model
 *              period ago; at the host rate that is M host samples ago. Each
 *              layer's h (and an LSTM's c) is kept in a short history, and
 *              before every host sample the state the step reads is
 *                  s~[n] = sum_k w_k s[n - d_k]
 *              an order-N fractional delay of M samples over the taps d_k:
 *              one tap (exact) for integer M, N + 1 taps around M
 *              (interpolation) for M > 1, the N + 1 most recent states
 *              (extrapolation, d_k = 1..N+1) for M < 1. The weights are
 *              Lagrange's (exact for polynomials, so best at low
 *              frequencies) or minimax (ICASSP 2025: the smallest largest
 *              error up to half the Nyquist frequency, with exact DC gain so
 *              the model's fixed point stays where it was). Layer l's input
 *              is layer l-1's new h, not delayed. No added latency.
 *   resampled  the model at its own rate between two real-time converters
 *              (libsamplerate, sinc) with a fixed latency, reported.
 *
 * Which one runs is decided before run time (recur_host_rate_new): the
 * delayed recurrence linearised around the model's fixed point for silent
 * input, e[n] = J sum_k w_k e[n - d_k] (J the Jacobian of one step with
 * respect to the state it reads), must have no pole outside the unit circle
 * (largest magnitude estimated from the growth of e over a few thousand
 * steps). A stable filter must also be accurate: three tones of the musical
 * range are run through the model at the host's rate with it and at the
 * model's own rate, and their harmonics must agree within
 * RECUR_HOST_TARGET_UP dB (M > 1) or RECUR_HOST_TARGET_DOWN dB (M < 1)
 * (engine/rate_probe.h). The preferred filter is tried first, the others
 * after it (the Lagrange filters, then the minimax ones, which some models
 * tolerate where no Lagrange filter is stable); when none is both stable
 * and accurate the model is resampled. A model that never comes to rest in
 * silence even at its own rate has no fixed point to judge stability by:
 * only the accuracy check decides. A model unstable at its own rate only
 * has to get no worse. An exact delay (integer M) needs no check.
 *
 * Real-time: recur_host_rate_new allocates (the converters; the state
 * history is part of the model's one allocation, m->history) and analyses;
 * recur_host_rate_process*, _reset never allocate, lock or do I/O and take time bounded by the
 * frames given.
 */
#ifndef RECUR_HOST_RATE_H
#define RECUR_HOST_RATE_H

#include "recur.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	RECUR_HOST_SAME,      /* model rate = host rate */
	RECUR_HOST_CONVERTED, /* state-delay method */
	RECUR_HOST_RESAMPLED, /* model at its own rate between converters */
	RECUR_HOST_NAIVE      /* forced only: the model as if at the host rate */
} recur_host_method;

/* The worst harmonic SNR (dB) a state-delay filter may give on the probe
 * tones: above and below the model's rate. Below, every filter extrapolates
 * and no filter is as accurate. */
#define RECUR_HOST_TARGET_UP   30.0
#define RECUR_HOST_TARGET_DOWN 20.0

/* Largest filter order tried; the history holds M + this many states. */
#define RECUR_HOST_MAX_ORDER 5

/* The state-delay filter's design; both use the same taps. */
typedef enum {
	RECUR_FILTER_LAGRANGE, /* maximally flat at DC */
	RECUR_FILTER_MINIMAX   /* smallest largest error over half the band */
} recur_filter_kind;

/* What to do; zero-initialised means "choose automatically". */
typedef struct {
	bool force;               /* use method/order/filter below, no choice */
	recur_host_method method; /* when forced */
	int order;                /* when forced and converted: filter order 0..5 */
	recur_filter_kind filter; /* when forced and converted */
} recur_host_options;

/* What was chosen, and why. The filter fields describe the state delay
 * that runs (converted) or, resampled because no stable filter was accurate
 * enough, the best one rejected. */
typedef struct {
	recur_host_method method;
	double ratio;             /* M */
	int order;                /* filter order; 0 for an exact integer delay */
	recur_filter_kind filter; /* the filter's design */
	double pole;              /* largest pole magnitude of that filter */
	double model_pole;        /* the same at the model's own rate (one-step delay) */
	double probe_snr;         /* the accuracy check's worst tone, dB (HUGE_VAL exact) */
	double probe_hz;          /* that tone, Hz */
	int latency;              /* host samples added (resampled), else 0 */
	char why[320];            /* one line for logs and recur-process */
} recur_host_plan;

typedef struct recur_host_rate recur_host_rate;

/* Plans and sets up model m (not owned; must outlive the result) for a host
 * at host_rate samples per second. Allocates; resets m's state. NULL and err
 * set on failure (out of memory, a rate out of range). */
recur_host_rate *recur_host_rate_new(recur_model *m, double host_rate,
                                     const recur_host_options *opt, recur_error *err);
void recur_host_rate_free(recur_host_rate *r);
const recur_host_plan *recur_host_rate_plan(const recur_host_rate *r);
const char *recur_host_method_name(recur_host_method method);
const char *recur_filter_name(recur_filter_kind kind);

/* Reads a forced method: "auto" (choose), "naive", "resampled", "converted"
 * (order 0: the nearest whole delay), "converted:N" (Lagrange order N),
 * "converted:lagrange:N" or "converted:minimax:N", N 0..5. False, opt
 * untouched, for anything else. */
bool recur_host_options_parse(const char *text, recur_host_options *opt);

/* Real-time. Resets the model and the history or converters. */
void recur_host_rate_reset(recur_host_rate *r);
/* As recur_process / recur_process_mono, at the host rate. */
void recur_host_rate_process(recur_host_rate *r, const float *x, float *y, size_t frames);
void recur_host_rate_process_mono(recur_host_rate *r, const float *in, float *out, size_t frames,
                                  const float *cond);

/* The stability analysis alone, for tests and tools: the largest pole
 * magnitude of the delayed recurrence linearised at m's fixed point, for
 * delay M and a filter of that kind and order (0 with integer M: exact
 * delay); HUGE_VAL when m has no fixed point (in silence at its own rate it
 * never comes to rest). Allocates; -1 when out of memory. Leaves m reset. */
double recur_host_rate_pole(recur_model *m, double M, recur_filter_kind kind, int order,
                            const float *cond);
/* The taps and weights of an order-N delay of M samples of that kind:
 * returns the number of taps (N + 1, or 1 for order 0), writes delays (>= 1)
 * and weights. The minimax design takes up to a few hundred milliseconds. */
int recur_host_rate_filter(double M, recur_filter_kind kind, int order, int *delays,
                           double *weights);
/* The same for a Lagrange filter. */
int recur_host_rate_taps(double M, int order, int *delays, double *weights);

#endif
