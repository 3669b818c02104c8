/*
 * Denormal floats flushed to zero on the calling thread (x86 MXCSR's
 * flush-to-zero and denormals-are-zero bits), as the plugins' run() does:
 * a recurrent state decaying towards zero otherwise passes through
 * denormals, which cost tens of cycles per operation. Threads created
 * afterwards inherit the setting. Elsewhere this does nothing.
 */
#ifndef RECUR_DENORMALS_H
#define RECUR_DENORMALS_H

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
static inline void recur_flush_denormals(void)
{
	_mm_setcsr(_mm_getcsr() | 0x8040);
}
#else
static inline void recur_flush_denormals(void)
{
}
#endif

#endif
