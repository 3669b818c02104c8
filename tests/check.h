/* Assertions for recur's test programs: each failed CHECK prints where and
 * why, and check_exit() turns the count into the exit status meson reads. */
#ifndef RECUR_CHECK_H
#define RECUR_CHECK_H

#include <math.h>
#include <stdio.h>
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

static inline int check_exit(void)
{
	if (check_failures)
		fprintf(stderr, "%d of %d checks failed\n", check_failures, check_count);
	else
		printf("%d checks passed\n", check_count);
	return check_failures ? 1 : 0;
}

#endif
