/* The kernels on aarch64 Advanced SIMD (NEON): four floats a vector, fused
 * multiply-add and 32 vector registers. NEON is part of the aarch64 base
 * architecture, so no per-function target and no CPU check. */
#include "kernels.h"

#ifdef RECUR_KERNELS_ARM
#include <arm_neon.h>

typedef float32x4_t vf;
typedef uint32x4_t vmask;
#define VLEN 4
/* 32 registers: up to 16 accumulators still leave room for the broadcast
 * columns, the weights in flight and the activation constants. */
#define ACC_BUDGET   16
#define MAX_BLOCK    16
#define KFN(name)    neon_##name
#define KERNEL_NAME  "neon"
#define KERNEL_TABLE recur_kernels_neon

static inline vf vf_load(const float *p)
{
	return vld1q_f32(p);
}
static inline vf vf_loadu(const float *p)
{
	return vld1q_f32(p);
}
static inline void vf_store(float *p, vf v)
{
	vst1q_f32(p, v);
}
static inline void vf_storeu(float *p, vf v)
{
	vst1q_f32(p, v);
}
static inline vf vf_set1(float f)
{
	return vdupq_n_f32(f);
}
static inline vf vf_zero(void)
{
	return vdupq_n_f32(0.0f);
}
static inline vf vf_add(vf a, vf b)
{
	return vaddq_f32(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
	return vsubq_f32(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
	return vmulq_f32(a, b);
}
static inline vf vf_div(vf a, vf b)
{
	return vdivq_f32(a, b);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
	return vfmaq_f32(c, a, b);
}
/* The minNum/maxNum forms: a NaN operand yields the other one, as the x86
 * and generic paths do for a NaN first operand, so a NaN input is clamped
 * the same way on every path instead of passing through. */
static inline vf vf_min(vf a, vf b)
{
	return vminnmq_f32(a, b);
}
static inline vf vf_max(vf a, vf b)
{
	return vmaxnmq_f32(a, b);
}
static inline vf vf_exponent_bits(vf t)
{
	return vreinterpretq_f32_u32(vshlq_n_u32(vreinterpretq_u32_f32(t), 23));
}
static inline float vf_hsum(vf v)
{
	return vaddvq_f32(v);
}
static inline vmask vm_units_below(int u, int limit)
{
	static const int32_t lanes[4] = {0, 1, 2, 3};
	int32x4_t lane = vaddq_s32(vdupq_n_s32(u), vld1q_s32(lanes));
	return vcltq_s32(lane, vdupq_n_s32(limit));
}
static inline vf vf_keep(vf v, vmask m)
{
	return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), m));
}
/* Read-merge-write: lanes outside m get back what is already there. */
static inline void vf_store_lanes(float *p, vf v, vmask m)
{
	vst1q_f32(p, vbslq_f32(m, v, vld1q_f32(p)));
}

#include "kernel_body.h"
#endif
