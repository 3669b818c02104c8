/* Run-time choice of the kernel path: the fastest the CPU supports (per
 * model size where that differs), or the one named by RECUR_KERNEL /
 * recur_kernel_select. The choice is a pointer to a table, set before main
 * (or at dlopen) and read by every step, so dispatch costs one indirect call
 * per layer. */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* Statically initialised to a path every CPU of the architecture has, so a
 * step is valid even before the constructor below has run. */
#ifdef RECUR_KERNELS_X86
const recur_kernels *recur_kernels_in_use = &recur_kernels_sse2;
const recur_kernels *recur_kernels_narrow = &recur_kernels_sse2;
#elif defined(RECUR_KERNELS_ARM)
const recur_kernels *recur_kernels_in_use = &recur_kernels_neon;
const recur_kernels *recur_kernels_narrow = &recur_kernels_neon;
#else
const recur_kernels *recur_kernels_in_use = &recur_kernels_generic;
const recur_kernels *recur_kernels_narrow = &recur_kernels_generic;
#endif

bool recur_shape_prefers_narrow(const recur_shape *s)
{
	return s->hidden <= 8 || (s->hidden <= 16 && s->layers == 1);
}

static bool cpu_has(const recur_kernels *k)
{
#ifdef RECUR_KERNELS_X86
	__builtin_cpu_init();
	if (k == &recur_kernels_avx512)
		return __builtin_cpu_supports("avx512f");
	if (k == &recur_kernels_avx2)
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	if (k == &recur_kernels_sse2)
		return true;
#endif
#ifdef RECUR_KERNELS_ARM
	if (k == &recur_kernels_neon)
		return true;
#endif
	return k == &recur_kernels_generic;
}

/* Fastest first. */
static const recur_kernels *const all_paths[] = {
#ifdef RECUR_KERNELS_X86
    &recur_kernels_avx512, /* only with the CPU's AVX-512F */
    &recur_kernels_avx2,   /* only with AVX2 and FMA */
    &recur_kernels_sse2,   /* every x86-64 */
#endif
#ifdef RECUR_KERNELS_ARM
    &recur_kernels_neon, /* every aarch64 */
#endif
    &recur_kernels_generic,
};

#define N_PATHS (sizeof all_paths / sizeof all_paths[0])

/* The fastest path the CPU has; for small models AVX2 rather than AVX-512
 * (recur_kernels_narrow). */
static void choose_automatically(void)
{
	for (size_t i = 0; i < N_PATHS; i++) {
		if (cpu_has(all_paths[i])) {
			recur_kernels_in_use = recur_kernels_narrow = all_paths[i];
			break;
		}
	}
#ifdef RECUR_KERNELS_X86
	if (recur_kernels_in_use == &recur_kernels_avx512 && cpu_has(&recur_kernels_avx2))
		recur_kernels_narrow = &recur_kernels_avx2;
#endif
}

__attribute__((constructor)) static void choose_kernels(void)
{
	const char *forced = getenv("RECUR_KERNEL");
	if (forced && *forced && recur_kernel_select(forced))
		return;
	choose_automatically();
}

const char *recur_kernel_name(void)
{
	return recur_kernels_in_use->name;
}

const char *recur_model_kernel_name(const recur_model *m)
{
	return recur_kernels_for(m->layer[0].narrow)->name;
}

bool recur_kernel_select(const char *name)
{
	if (!name)
		return false;
	if (strcmp(name, "auto") == 0) {
		choose_automatically();
		return true;
	}
	for (size_t i = 0; i < N_PATHS; i++) {
		if (strcmp(all_paths[i]->name, name) == 0) {
			if (!cpu_has(all_paths[i]))
				return false;
			recur_kernels_in_use = recur_kernels_narrow = all_paths[i];
			return true;
		}
	}
	return false;
}
