/*
 * The wrappers behind interpose.h: each counts its call while the calling
 * thread counts, then forwards to the next definition (dlsym(RTLD_NEXT)).
 */
#define _GNU_SOURCE
#include "interpose.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The names rt_mutant.c understands, in the order of interpose.h. */
static const char *const fn_names[F_COUNT] = {"malloc",
                                              "calloc",
                                              "realloc",
                                              "free",
                                              "posix_memalign",
                                              "aligned_alloc",
                                              "pthread_mutex_lock",
                                              "open",
                                              "fopen",
                                              "read",
                                              "write",
                                              "socket",
                                              "sendto",
                                              "recvfrom",
                                              "pthread_mutex_trylock",
                                              "nanosleep",
                                              "usleep",
                                              "clock_nanosleep",
                                              "fputs",
                                              "fprintf",
                                              "fwrite",
                                              "printf",
                                              "puts",
                                              "vfprintf",
                                              "lv2_log",
                                              "sem_wait",
                                              "pthread_cond_wait"};

static _Thread_local int counting;
static atomic_ulong calls[F_COUNT];

static inline void seen(int f)
{
	if (counting)
		atomic_fetch_add(&calls[f], 1);
}

/* dlsym may itself allocate and free while the real functions are still
 * unknown: those early requests are served from a static arena, and early
 * frees are held back until free() is known. Everything is resolved once,
 * before main, in resolve_all. */
static int resolving;
static unsigned char arena[8192] __attribute__((aligned(64)));
static size_t arena_used;
static void *held_frees[64];
static int n_held;

static void *arena_alloc(size_t bytes)
{
	bytes = (bytes + 63) & ~(size_t)63;
	if (arena_used + bytes > sizeof arena)
		return NULL;
	void *p = arena + arena_used;
	arena_used += bytes;
	return p; /* static storage: already zero */
}

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof arena;
}

static void *resolve(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "cannot resolve a wrapped function\n";
		(void)!write(2, msg, sizeof msg - 1);
		abort();
	}
	return f;
}

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

__attribute__((constructor(101))) static void resolve_all(void)
{
	if (resolving || real_free)
		return;
	resolving = 1;
	real_malloc = (void *(*)(size_t))resolve("malloc");
	real_calloc = (void *(*)(size_t, size_t))resolve("calloc");
	real_realloc = (void *(*)(void *, size_t))resolve("realloc");
	real_free = (void (*)(void *))resolve("free");
	resolving = 0;
	for (int i = 0; i < n_held; i++)
		real_free(held_frees[i]);
	n_held = 0;
}

/* The next definition of a wrapped function, looked up once. */
#define REAL(name)                                                                                 \
	static __typeof__(name) *real_##name;                                                      \
	if (!real_##name)                                                                          \
		real_##name = (__typeof__(name) *)resolve(#name);

void *malloc(size_t n)
{
	seen(F_MALLOC);
	if (!real_malloc) {
		if (resolving)
			return arena_alloc(n);
		resolve_all();
	}
	return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	seen(F_CALLOC);
	if (!real_calloc) {
		if (resolving)
			return arena_alloc(n * size);
		resolve_all();
	}
	return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	seen(F_REALLOC);
	if (!real_realloc || in_arena(p)) {
		if (resolving || in_arena(p)) {
			void *q = arena_alloc(n); /* arena blocks are never resized in place */
			if (q && p) {
				size_t room = (size_t)(arena + sizeof arena - (unsigned char *)p);
				memcpy(q, p, n < room ? n : room);
			}
			return q;
		}
		resolve_all();
	}
	return real_realloc(p, n);
}

void free(void *p)
{
	seen(F_FREE);
	if (!p || in_arena(p))
		return;
	if (!real_free) {
		if (resolving) {
			if (n_held < 64)
				held_frees[n_held++] = p;
			return;
		}
		resolve_all();
	}
	real_free(p);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	seen(F_POSIX_MEMALIGN);
	REAL(posix_memalign);
	return real_posix_memalign(p, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	seen(F_ALIGNED_ALLOC);
	REAL(aligned_alloc);
	return real_aligned_alloc(align, n);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	seen(F_MUTEX_LOCK);
	REAL(pthread_mutex_lock);
	return real_pthread_mutex_lock(m);
}

int open(const char *path, int flags, ...)
{
	seen(F_OPEN);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	REAL(open);
	return real_open(path, flags, mode);
}

FILE *fopen(const char *path, const char *mode)
{
	seen(F_FOPEN);
	REAL(fopen);
	return real_fopen(path, mode);
}

ssize_t read(int fd, void *buf, size_t n)
{
	seen(F_READ);
	REAL(read);
	return real_read(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	seen(F_WRITE);
	REAL(write);
	return real_write(fd, buf, n);
}

int socket(int domain, int type, int protocol)
{
	seen(F_SOCKET);
	REAL(socket);
	return real_socket(domain, type, protocol);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t len)
{
	seen(F_SENDTO);
	REAL(sendto);
	return real_sendto(fd, buf, n, flags, to, len);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *len)
{
	seen(F_RECVFROM);
	REAL(recvfrom);
	return real_recvfrom(fd, buf, n, flags, from, len);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	seen(F_MUTEX_TRYLOCK);
	REAL(pthread_mutex_trylock);
	return real_pthread_mutex_trylock(m);
}

int sem_wait(sem_t *sem)
{
	seen(F_SEM_WAIT);
	REAL(sem_wait);
	return real_sem_wait(sem);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	seen(F_COND_WAIT);
	REAL(pthread_cond_wait);
	return real_pthread_cond_wait(c, m);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	seen(F_NANOSLEEP);
	REAL(nanosleep);
	return real_nanosleep(req, rem);
}

int usleep(useconds_t us)
{
	seen(F_USLEEP);
	REAL(usleep);
	return real_usleep(us);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	seen(F_CLOCK_NANOSLEEP);
	REAL(clock_nanosleep);
	return real_clock_nanosleep(clock, flags, req, rem);
}

int fputs(const char *text, FILE *f)
{
	seen(F_FPUTS);
	REAL(fputs);
	return real_fputs(text, f);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	seen(F_FWRITE);
	REAL(fwrite);
	return real_fwrite(p, size, n, f);
}

int puts(const char *text)
{
	seen(F_PUTS);
	REAL(puts);
	return real_puts(text);
}

/* The printf family forwards to the C library's vfprintf, so one call
 * counts once. */
static int forward_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	REAL(vfprintf);
	return real_vfprintf(f, fmt, ap);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	seen(F_VFPRINTF);
	return forward_vfprintf(f, fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
	seen(F_FPRINTF);
	va_list ap;
	va_start(ap, fmt);
	int r = forward_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *fmt, ...)
{
	seen(F_PRINTF);
	va_list ap;
	va_start(ap, fmt);
	int r = forward_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

/* What a plugin built with _FORTIFY_SOURCE calls instead. */
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __printf_chk(int flag, const char *fmt, ...);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	seen(F_FPRINTF);
	va_list ap;
	va_start(ap, fmt);
	int r = forward_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int __printf_chk(int flag, const char *fmt, ...)
{
	(void)flag;
	seen(F_PRINTF);
	va_list ap;
	va_start(ap, fmt);
	int r = forward_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	seen(F_VFPRINTF);
	return forward_vfprintf(f, fmt, ap);
}

void interpose_seen_log(void)
{
	seen(F_LV2_LOG);
}

void interpose_start(void)
{
	counting = 1;
}

void interpose_stop(void)
{
	counting = 0;
}

unsigned long interpose_count(int f)
{
	return atomic_load(&calls[f]);
}

unsigned long interpose_take(int f)
{
	return atomic_exchange(&calls[f], 0);
}

unsigned long interpose_total(void)
{
	unsigned long t = 0;
	for (int f = 0; f < F_COUNT; f++)
		t += atomic_load(&calls[f]);
	return t;
}

void interpose_reset(void)
{
	for (int f = 0; f < F_COUNT; f++)
		atomic_store(&calls[f], 0);
}

const char *interpose_name(int f)
{
	return fn_names[f];
}
