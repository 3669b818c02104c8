/* The kernel source at the AVX-512 path's shape (sixteen lanes a vector,
 * blocks of sixteen row vectors, eight accumulators) in portable C: GCC
 * vector extensions, which the compiler lowers to whatever the build
 * machine has. A machine without AVX-512 cannot run that path, but it can
 * run this, so every build tests the lane and block logic of kernel_body.h
 * at that width. Not part of the engine: only the tests link it (built with
 * -Wno-psabi: its vectors never cross a call the ABI governs). */
#include <stdint.h>
#include <string.h>

#include "kernels.h"

typedef float vf __attribute__((vector_size(64)));
typedef uint32_t vi __attribute__((vector_size(64)));
typedef uint32_t vmask; /* bit l: lane l */
#define VLEN         16
#define ACC_BUDGET   8
#define MAX_BLOCK    16
#define KFN(name)    wide16_##name
#define KERNEL_NAME  "wide16"
#define KERNEL_TABLE recur_kernels_wide16

static inline vf vf_load(const float *p)
{
	vf v;
	memcpy(&v, p, sizeof v);
	return v;
}
static inline vf vf_loadu(const float *p)
{
	return vf_load(p);
}
static inline void vf_store(float *p, vf v)
{
	memcpy(p, &v, sizeof v);
}
static inline void vf_storeu(float *p, vf v)
{
	vf_store(p, v);
}
static inline vf vf_set1(float f)
{
	vf v;
	for (int l = 0; l < VLEN; l++)
		v[l] = f;
	return v;
}
static inline vf vf_zero(void)
{
	return vf_set1(0.0f);
}
static inline vf vf_add(vf a, vf b)
{
	return a + b;
}
static inline vf vf_sub(vf a, vf b)
{
	return a - b;
}
static inline vf vf_mul(vf a, vf b)
{
	return a * b;
}
static inline vf vf_div(vf a, vf b)
{
	return a / b;
}
/* fmaf, as a fused multiply-add instruction rounds: once */
static inline vf vf_fma(vf a, vf b, vf c)
{
	vf r;
	for (int l = 0; l < VLEN; l++)
		r[l] = __builtin_fmaf(a[l], b[l], c[l]);
	return r;
}
/* as x86's minps/maxps: the second operand when either is NaN */
static inline vf vf_min(vf a, vf b)
{
	vf r;
	for (int l = 0; l < VLEN; l++)
		r[l] = a[l] < b[l] ? a[l] : b[l];
	return r;
}
static inline vf vf_max(vf a, vf b)
{
	vf r;
	for (int l = 0; l < VLEN; l++)
		r[l] = a[l] > b[l] ? a[l] : b[l];
	return r;
}
static inline vf vf_exponent_bits(vf t)
{
	vi bits;
	memcpy(&bits, &t, sizeof bits);
	bits <<= 23;
	memcpy(&t, &bits, sizeof t);
	return t;
}
/* in AVX-512's reduction order: halves folded until one lane is left */
static inline float vf_hsum(vf v)
{
	float s[VLEN];
	memcpy(s, &v, sizeof s);
	for (int w = VLEN / 2; w >= 1; w /= 2)
		for (int l = 0; l < w; l++)
			s[l] += s[l + w];
	return s[0];
}
static inline vmask vm_units_below(int u, int limit)
{
	vmask m = 0;
	for (int l = 0; l < VLEN; l++)
		if (u + l < limit)
			m |= 1u << l;
	return m;
}
static inline vf vf_keep(vf v, vmask m)
{
	for (int l = 0; l < VLEN; l++)
		if (!(m >> l & 1))
			v[l] = 0.0f;
	return v;
}
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	for (int l = 0; l < VLEN; l++)
		if (m >> l & 1)
			p[l] = v[l];
}

#include "kernel_body.h"
