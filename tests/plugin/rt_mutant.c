/*
 * The deliberate mistakes the real-time test must catch, linked only into
 * the test build of the plugin (RECUR_RT_MUTANT, plugin/instance.h).
 * RECUR_RT_MUTANT names one forbidden function and RECUR_RT_MUTANT_AT the
 * place ("run" or "work_response"); there the plugin calls that function
 * once per call, in a way that returns at once and changes nothing.
 */
#define _GNU_SOURCE
#include "instance.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Through volatile pointers, so the compiler keeps calls whose results
 * are unused (an allocation freed at once, an empty print). */
static void *volatile kept;
static const char *volatile empty = "";

static void call_vfprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void forbidden(const char *fn, LV2_Log_Logger *log)
{
	static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	static pthread_mutex_t checked = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
	static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct timespec zero = {0, 0};
	char byte;
	if (!strcmp(fn, "malloc")) {
		kept = malloc(16);
		free(kept);
	} else if (!strcmp(fn, "calloc")) {
		kept = calloc(1, 16);
		free(kept);
	} else if (!strcmp(fn, "realloc")) {
		kept = realloc(NULL, 16);
		free(kept);
	} else if (!strcmp(fn, "free")) {
		free(NULL);
	} else if (!strcmp(fn, "posix_memalign")) {
		void *p = NULL;
		if (!posix_memalign(&p, 64, 64))
			free(p);
	} else if (!strcmp(fn, "aligned_alloc")) {
		kept = aligned_alloc(64, 64);
		free(kept);
	} else if (!strcmp(fn, "pthread_mutex_lock")) {
		pthread_mutex_lock(&mutex);
		pthread_mutex_unlock(&mutex);
	} else if (!strcmp(fn, "pthread_mutex_trylock")) {
		if (!pthread_mutex_trylock(&mutex))
			pthread_mutex_unlock(&mutex);
	} else if (!strcmp(fn, "open")) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(fn, "fopen")) {
		FILE *f = fopen("/dev/null", "r");
		if (f)
			fclose(f);
	} else if (!strcmp(fn, "read")) {
		(void)!read(-1, &byte, 0);
	} else if (!strcmp(fn, "write")) {
		(void)!write(-1, &byte, 0);
	} else if (!strcmp(fn, "socket")) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(fn, "sendto")) {
		(void)!sendto(-1, &byte, 0, 0, NULL, 0);
	} else if (!strcmp(fn, "recvfrom")) {
		(void)!recvfrom(-1, &byte, 0, MSG_DONTWAIT, NULL, NULL);
	} else if (!strcmp(fn, "nanosleep")) {
		nanosleep(&zero, NULL);
	} else if (!strcmp(fn, "usleep")) {
		usleep(0);
	} else if (!strcmp(fn, "clock_nanosleep")) {
		clock_nanosleep(CLOCK_MONOTONIC, 0, &zero, NULL);
	} else if (!strcmp(fn, "fputs")) {
		fputs(empty, stderr);
	} else if (!strcmp(fn, "fprintf")) {
		fprintf(stderr, "%s", empty);
	} else if (!strcmp(fn, "fwrite")) {
		fwrite(empty, 1, 0, stderr);
	} else if (!strcmp(fn, "printf")) {
		printf("%s", empty);
	} else if (!strcmp(fn, "puts")) {
		puts(empty);
	} else if (!strcmp(fn, "vfprintf")) {
		call_vfprintf("%s", empty);
	} else if (!strcmp(fn, "lv2_log")) {
		lv2_log_trace(log, "%s", empty);
	} else if (!strcmp(fn, "sem_wait")) {
		sem_t sem;
		if (!sem_init(&sem, 0, 1)) {
			sem_wait(&sem);
			sem_destroy(&sem);
		}
	} else if (!strcmp(fn, "pthread_cond_wait")) {
		/* An error-checking mutex this thread does not hold: the wait
		 * returns EPERM at once instead of blocking. */
		pthread_cond_wait(&cond, &checked);
	}
}

void rt_mutant_call(const char *where, LV2_Log_Logger *log)
{
	const char *fn = getenv("RECUR_RT_MUTANT");
	const char *at = getenv("RECUR_RT_MUTANT_AT");
	if (fn && at && !strcmp(at, where))
		forbidden(fn, log);
}
