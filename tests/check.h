/* Assertions for recur's test programs: each failed CHECK prints where and
 * why, and check_exit() turns the count into the exit status meson reads. */
#ifndef RECUR_CHECK_H
#define RECUR_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* |a - b| <= tol, NaN never passes. */
#define CHECK_NEAR(a, b, tol, what)                                                                \
	CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s: %.9g vs %.9g (tol %g)", (what),       \
	      (double)(a), (double)(b), (double)(tol))

/* The error text contains the expected fragment. */
#define CHECK_MSG(msg, fragment)                                                                   \
	CHECK(strstr((msg), (fragment)) != NULL, "message \"%s\" lacks \"%s\"", (msg), (fragment))

/* The larger of a and b, for the running maxima of errors, and NaN once
 * either is NaN, so that a NaN error fails the bound it is checked against
 * (fmax would drop it). Not fmax also because a loop of fmax over doubles is
 * one that gcc 12.2 for aarch64 (Debian 12's cross compiler) vectorizes at
 * -O3 into an internal compiler error, "in vect_transform_reduction". */
static inline double check_larger(double a, double b)
{
	return b > a || isnan(b) ? b : a;
}

/* In a cross build meson runs each test through the cross file's exe_wrapper
 * (qemu-user for aarch64) and names it in MESON_EXE_WRAPPER. There, a test
 * that fork()s or starts another of the built programs cannot run: the child
 * of glibc's fork() never gets to its exec under Debian 12's qemu-aarch64
 * 7.2, and without binfmt_misc an aarch64 program cannot be exec'd at all.
 * Such a test calls this first: it says why and exits 77 (skipped). */
static inline void check_skip_under_wrapper(const char *why)
{
	const char *wrapper = getenv("MESON_EXE_WRAPPER");
	if (wrapper && *wrapper) {
		printf("run through %s, and %s: skipped\n", wrapper, why);
		exit(77);
	}
}

static inline int check_exit(void)
{
	if (check_failures)
		fprintf(stderr, "%d of %d checks failed\n", check_failures, check_count);
	else
		printf("%d checks passed\n", check_count);
	return check_failures ? 1 : 0;
}

#endif
