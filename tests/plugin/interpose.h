/*
 * Counts the calls the audio thread must not make. interpose.c defines
 * wrappers for them (forwarding with dlsym(RTLD_NEXT)): allocation (malloc,
 * calloc, realloc, free, posix_memalign, aligned_alloc), locks and waits
 * (pthread_mutex_lock and _trylock, sem_wait, pthread_cond_wait), sleeps
 * (nanosleep, usleep, clock_nanosleep), file and socket I/O (open, fopen,
 * read, write, socket, sendto, recvfrom) and stdio (fputs, fprintf, fwrite,
 * printf, puts, vfprintf, and the fortified __*printf_chk). LV2 log calls
 * are counted when the test host reports them: host_on_log =
 * interpose_seen_log.
 *
 * A call counts only on a thread between interpose_start() and
 * interpose_stop() (a thread-local flag): host_before_run and
 * host_after_run take these two. The counts themselves are shared by all
 * threads.
 *
 * An executable that links interpose.c must export its symbols (meson's
 * export_dynamic: true) so the dlopened plugin calls the wrappers.
 */
#ifndef RECUR_TEST_INTERPOSE_H
#define RECUR_TEST_INTERPOSE_H

/* The counted functions. The names (interpose_name) are the ones
 * rt_mutant.c understands, in this order. */
enum {
	F_MALLOC,
	F_CALLOC,
	F_REALLOC,
	F_FREE,
	F_POSIX_MEMALIGN,
	F_ALIGNED_ALLOC,
	F_MUTEX_LOCK,
	F_OPEN,
	F_FOPEN,
	F_READ,
	F_WRITE,
	F_SOCKET,
	F_SENDTO,
	F_RECVFROM,
	F_MUTEX_TRYLOCK,
	F_NANOSLEEP,
	F_USLEEP,
	F_CLOCK_NANOSLEEP,
	F_FPUTS,
	F_FPRINTF,
	F_FWRITE,
	F_PRINTF,
	F_PUTS,
	F_VFPRINTF,
	F_LV2_LOG,
	F_SEM_WAIT,
	F_COND_WAIT,
	F_COUNT
};

/* Counting on and off for the calling thread. */
void interpose_start(void);
void interpose_stop(void);

/* The calls of function f (one of F_*) counted since the last reset;
 * interpose_take reads and resets that one count at once. */
unsigned long interpose_count(int f);
unsigned long interpose_take(int f);
/* All counted calls since the last reset. */
unsigned long interpose_total(void);
/* Every count back to zero. */
void interpose_reset(void);

/* The name of function f, e.g. "malloc", or "lv2_log" for F_LV2_LOG. */
const char *interpose_name(int f);

/* Counts one LV2 log call: for the test host's host_on_log. */
void interpose_seen_log(void);

#endif
