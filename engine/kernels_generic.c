/* The kernels in plain C, one float per "vector": the path on CPUs without
 * a SIMD path of their own, and a second opinion for the tests. */
#include <stdint.h>
#include <string.h>

#include "kernels.h"

typedef float vf;
typedef int vmask;
#define VLEN         1
#define ACC_BUDGET   8
#define MAX_BLOCK    8
#define KFN(name)    generic_##name
#define KERNEL_NAME  "generic"
#define KERNEL_TABLE recur_kernels_generic

static inline vf vf_load(const float *p)
{
	return *p;
}
static inline vf vf_loadu(const float *p)
{
	return *p;
}
static inline void vf_store(float *p, vf v)
{
	*p = v;
}
static inline void vf_storeu(float *p, vf v)
{
	*p = v;
}
static inline vf vf_set1(float f)
{
	return f;
}
static inline vf vf_zero(void)
{
	return 0.0f;
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
static inline vf vf_fma(vf a, vf b, vf c)
{
	return a * b + c;
}
static inline vf vf_min(vf a, vf b)
{
	return a < b ? a : b;
}
static inline vf vf_max(vf a, vf b)
{
	return a > b ? a : b;
}
static inline vf vf_exponent_bits(vf t)
{
	uint32_t bits;
	memcpy(&bits, &t, sizeof bits);
	bits <<= 23;
	memcpy(&t, &bits, sizeof t);
	return t;
}
static inline float vf_hsum(vf v)
{
	return v;
}
static inline vmask vm_units_below(int u, int limit)
{
	return u < limit;
}
static inline vf vf_keep(vf v, vmask m)
{
	return m ? v : 0.0f;
}
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	if (m)
		*p = v;
}

#include "kernel_body.h"
