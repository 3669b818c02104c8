/* The kernels on AVX2 with FMA: eight floats a vector. Compiled for that
 * instruction set function by function, so the rest of the program stays
 * baseline x86-64 and this code only runs once the CPU has been asked. */
#include "kernels.h"

#ifdef RECUR_KERNELS_X86
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

typedef __m256 vf;
typedef __m256 vmask;
#define VLEN         8
#define ACC_BUDGET   8
#define MAX_BLOCK    8
#define KFN(name)    avx2_##name
#define KERNEL_NAME  "avx2"
#define KERNEL_TABLE recur_kernels_avx2

static inline vf vf_load(const float *p)
{
	return _mm256_load_ps(p);
}
static inline vf vf_loadu(const float *p)
{
	return _mm256_loadu_ps(p);
}
static inline void vf_store(float *p, vf v)
{
	_mm256_store_ps(p, v);
}
static inline void vf_storeu(float *p, vf v)
{
	_mm256_storeu_ps(p, v);
}
static inline vf vf_set1(float f)
{
	return _mm256_set1_ps(f);
}
static inline vf vf_zero(void)
{
	return _mm256_setzero_ps();
}
static inline vf vf_add(vf a, vf b)
{
	return _mm256_add_ps(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
	return _mm256_sub_ps(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
	return _mm256_mul_ps(a, b);
}
static inline vf vf_div(vf a, vf b)
{
	return _mm256_div_ps(a, b);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
	return _mm256_fmadd_ps(a, b, c);
}
static inline vf vf_min(vf a, vf b)
{
	return _mm256_min_ps(a, b);
}
static inline vf vf_max(vf a, vf b)
{
	return _mm256_max_ps(a, b);
}
static inline vf vf_exponent_bits(vf t)
{
	return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
}
static inline float vf_hsum(vf v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	return _mm_cvtss_f32(s);
}
static inline vmask vm_units_below(int u, int limit)
{
	__m256i lane =
	    _mm256_add_epi32(_mm256_set1_epi32(u), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
	return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(limit), lane));
}
static inline vf vf_keep(vf v, vmask m)
{
	return _mm256_and_ps(v, m);
}
/* Read-merge-write: lanes outside m get back what is already there. */
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	_mm256_storeu_ps(p, _mm256_blendv_ps(_mm256_loadu_ps(p), v, m));
}

#include "kernel_body.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
