/* The kernels on SSE2, which every x86-64 CPU has: four floats a vector,
 * no FMA. */
#include "kernels.h"

#ifdef RECUR_KERNELS_X86
#include <emmintrin.h>

typedef __m128 vf;
typedef __m128 vmask;
#define VLEN         4
#define ACC_BUDGET   8
#define MAX_BLOCK    8
#define KFN(name)    sse2_##name
#define KERNEL_NAME  "sse2"
#define KERNEL_TABLE recur_kernels_sse2

static inline vf vf_load(const float *p)
{
	return _mm_load_ps(p);
}
static inline vf vf_loadu(const float *p)
{
	return _mm_loadu_ps(p);
}
static inline void vf_store(float *p, vf v)
{
	_mm_store_ps(p, v);
}
static inline void vf_storeu(float *p, vf v)
{
	_mm_storeu_ps(p, v);
}
static inline vf vf_set1(float f)
{
	return _mm_set1_ps(f);
}
static inline vf vf_zero(void)
{
	return _mm_setzero_ps();
}
static inline vf vf_add(vf a, vf b)
{
	return _mm_add_ps(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
	return _mm_sub_ps(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
	return _mm_mul_ps(a, b);
}
static inline vf vf_div(vf a, vf b)
{
	return _mm_div_ps(a, b);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
	return _mm_add_ps(_mm_mul_ps(a, b), c);
}
static inline vf vf_min(vf a, vf b)
{
	return _mm_min_ps(a, b);
}
static inline vf vf_max(vf a, vf b)
{
	return _mm_max_ps(a, b);
}
static inline vf vf_exponent_bits(vf t)
{
	return _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(t), 23));
}
static inline float vf_hsum(vf v)
{
	__m128 s = _mm_add_ps(v, _mm_movehl_ps(v, v));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	return _mm_cvtss_f32(s);
}
static inline vmask vm_units_below(int u, int limit)
{
	__m128i lane = _mm_add_epi32(_mm_set1_epi32(u), _mm_setr_epi32(0, 1, 2, 3));
	return _mm_castsi128_ps(_mm_cmplt_epi32(lane, _mm_set1_epi32(limit)));
}
static inline vf vf_keep(vf v, vmask m)
{
	return _mm_and_ps(v, m);
}
/* Read-merge-write: lanes outside m get back what is already there. */
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	_mm_storeu_ps(p, _mm_or_ps(_mm_and_ps(m, v), _mm_andnot_ps(m, _mm_loadu_ps(p))));
}

#include "kernel_body.h"
#endif
