/* The kernels on AVX-512F: sixteen floats a vector (one RECUR_PAD), 32
 * registers, masked stores. Compiled for that
 * instruction set function by function; runs only once the CPU has been
 * asked. */
#include "kernels.h"

#ifdef RECUR_KERNELS_X86
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

typedef __m512 vf;
typedef __mmask16 vmask;
#define VLEN         16
#define ACC_BUDGET   8
#define MAX_BLOCK    16
#define KFN(name)    avx512_##name
#define KERNEL_NAME  "avx512"
#define KERNEL_TABLE recur_kernels_avx512

static inline vf vf_load(const float *p)
{
	return _mm512_load_ps(p);
}
static inline vf vf_loadu(const float *p)
{
	return _mm512_loadu_ps(p);
}
static inline void vf_store(float *p, vf v)
{
	_mm512_store_ps(p, v);
}
static inline void vf_storeu(float *p, vf v)
{
	_mm512_storeu_ps(p, v);
}
static inline vf vf_set1(float f)
{
	return _mm512_set1_ps(f);
}
static inline vf vf_zero(void)
{
	return _mm512_setzero_ps();
}
static inline vf vf_add(vf a, vf b)
{
	return _mm512_add_ps(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
	return _mm512_sub_ps(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
	return _mm512_mul_ps(a, b);
}
static inline vf vf_div(vf a, vf b)
{
	return _mm512_div_ps(a, b);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
	return _mm512_fmadd_ps(a, b, c);
}
static inline vf vf_min(vf a, vf b)
{
	return _mm512_min_ps(a, b);
}
static inline vf vf_max(vf a, vf b)
{
	return _mm512_max_ps(a, b);
}
static inline vf vf_exponent_bits(vf t)
{
	return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t), 23));
}
static inline float vf_hsum(vf v)
{
	return _mm512_reduce_add_ps(v);
}
static inline vmask vm_units_below(int u, int limit)
{
	__m512i lane =
	    _mm512_add_epi32(_mm512_set1_epi32(u), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	                                                             10, 11, 12, 13, 14, 15));
	return _mm512_cmplt_epi32_mask(lane, _mm512_set1_epi32(limit));
}
static inline vf vf_keep(vf v, vmask m)
{
	return _mm512_maskz_mov_ps(m, v);
}
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	_mm512_mask_storeu_ps(p, m, v);
}

#include "kernel_body.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
