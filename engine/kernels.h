/*
 * The per-instruction-set kernels behind recur_layer_step and
 * recur_head_step, and the choice between them.
 *
 * Every path (generic C, SSE2, AVX2+FMA, AVX-512F, aarch64 NEON) is the same source,
 * kernel_body.h, compiled once per instruction set; the table of the path in
 * use is picked once (at load time, or by recur_kernel_select), so a step
 * costs one indirect call (the table's forward), a block of a mono signal one
 * (its mono), and never a per-element test.
 */
#ifndef RECUR_KERNELS_H
#define RECUR_KERNELS_H

#include "recur.h"

typedef void (*recur_layer_fn)(const recur_layer *L, const float *x, float *h, float *c,
                               float *work);

typedef struct {
	const char *name;
	recur_layer_fn layer_step[3]; /* indexed by recur_cell */
	/* y[o] = b[o] + dot(w[o * hidden_p ...], h) for o < n_out */
	void (*head)(const float *w, const float *b, const float *h, int n_out, int hidden_p,
	             float *y);
	/* The dense stack of m over h, the top layer's state: inner layers
	 * with their activations, then the output layer's products into y
	 * (before skip and output activation). */
	void (*stack)(const recur_model *m, const float *h, float *y);
	/* All layers of m (its own state and work) and the dense stack's
	 * products into y, before skip and output activation. x[0] has the
	 * input gain applied. */
	void (*forward)(recur_model *m, const float *x, float *y);
	/* frames of a mono signal: x[0] = in_gain * in[t], x[1..] held, and
	 * out[t] = output 0's products plus the skip, before the output
	 * activation (which must act element-wise) and the output gain. in and
	 * out may alias. */
	void (*mono)(recur_model *m, float *x, const float *in, float *out, size_t frames);
	/* Element-wise activations as used inside the cells; n a multiple of
	 * RECUR_PAD. Exposed so tests can measure their error. */
	void (*sigmoid)(const float *x, float *y, int n);
	void (*tanh)(const float *x, float *y, int n);
} recur_kernels;

extern const recur_kernels recur_kernels_generic;
/* RECUR_KERNELS_GENERIC_ONLY leaves the plain C path alone: for builds that
 * test something else (the model-file fuzzer) and need not wait for the
 * vector paths to compile under their instrumentation. */
#if (defined(__x86_64__) || defined(__i386__)) && !defined(RECUR_KERNELS_GENERIC_ONLY)
#define RECUR_KERNELS_X86 1
extern const recur_kernels recur_kernels_sse2;
extern const recur_kernels recur_kernels_avx2;
extern const recur_kernels recur_kernels_avx512;
#endif
#if defined(__aarch64__) && !defined(RECUR_KERNELS_GENERIC_ONLY)
#define RECUR_KERNELS_ARM 1
extern const recur_kernels recur_kernels_neon;
#endif

/* The table in use; never NULL. Read on every step, written only by
 * kernels.c (at start-up and by recur_kernel_select). */
extern const recur_kernels *recur_kernels_in_use;
/* The table for small models (recur_layer.narrow): AVX2 where AVX-512 was
 * chosen by itself, whose 16 lanes are mostly padding for 8 units and whose
 * steps took longer on an AVX-512 Xeon for every model of up to 16 units in
 * one layer (docs/engine.md); otherwise, and whenever a path was forced, the
 * table in use. */
extern const recur_kernels *recur_kernels_narrow;

static inline const recur_kernels *recur_kernels_active(void)
{
	return recur_kernels_in_use;
}

static inline const recur_kernels *recur_kernels_for(bool narrow)
{
	return narrow ? recur_kernels_narrow : recur_kernels_in_use;
}

/* A model of this shape takes recur_kernels_narrow. */
bool recur_shape_prefers_narrow(const recur_shape *s);

#endif
