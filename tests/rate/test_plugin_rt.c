/* A model trained at another rate than the host's keeps run() real-time
 * safe: no allocation, lock or file I/O inside run() at host rates 44.1 and
 * 96 kHz, with the resampling fallback (forced by RECUR_RATE_METHOD) and
 * with the method recur chooses, across model swaps between 48 kHz and
 * 44.1 kHz models, resets and block sizes from 1 to 4096. The calls are
 * counted by wrappers defined here (forwarding with dlsym(RTLD_NEXT)),
 * active only while a thread-local flag is set around run().
 *
 *   test-rate-plugin-rt MODEL_48K MODEL_44K1 MODEL_48K */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host.h"

#define PLUGIN_URI "https://recur.dev/plugins/recur"

enum { W_MALLOC, W_CALLOC, W_REALLOC, W_FREE, W_MEMALIGN, W_ALIGNED, W_LOCK, W_OPEN, W_COUNT };
static const char *const fn_names[W_COUNT] = {
    "malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "pthread_mutex_lock",
    "open"};

static _Thread_local int counting;
static atomic_ulong calls[W_COUNT];

static inline void seen(int f)
{
	if (counting)
		atomic_fetch_add(&calls[f], 1);
}

/* dlsym may allocate before the real allocator is known: those requests are
 * served from a static arena that is never freed. */
static int resolving;
static unsigned char arena[8192] __attribute__((aligned(64)));
static size_t arena_used;

static void *arena_alloc(size_t bytes)
{
	bytes = (bytes + 63) & ~(size_t)63;
	if (arena_used + bytes > sizeof arena)
		return NULL;
	void *p = arena + arena_used;
	arena_used += bytes;
	return p;
}

static bool in_arena(const void *p)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof arena;
}

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

static void *resolve(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f)
		abort();
	return f;
}

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
}

#define REAL(name)                                                                                 \
	static __typeof__(name) *real_##name;                                                      \
	if (!real_##name)                                                                          \
		real_##name = (__typeof__(name) *)resolve(#name);

void *malloc(size_t n)
{
	seen(W_MALLOC);
	if (!real_malloc) {
		if (resolving)
			return arena_alloc(n);
		resolve_all();
	}
	return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	seen(W_CALLOC);
	if (!real_calloc) {
		if (resolving)
			return arena_alloc(n * size);
		resolve_all();
	}
	return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	seen(W_REALLOC);
	if (in_arena(p) || (!real_realloc && resolving)) {
		void *q = arena_alloc(n);
		if (q && p) {
			size_t room = (size_t)(arena + sizeof arena - (unsigned char *)p);
			memcpy(q, p, n < room ? n : room);
		}
		return q;
	}
	if (!real_realloc)
		resolve_all();
	return real_realloc(p, n);
}

void free(void *p)
{
	seen(W_FREE);
	if (!p || in_arena(p))
		return;
	if (!real_free) {
		if (resolving)
			return; /* leaked, once, during start-up */
		resolve_all();
	}
	real_free(p);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	seen(W_MEMALIGN);
	REAL(posix_memalign);
	return real_posix_memalign(p, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	seen(W_ALIGNED);
	REAL(aligned_alloc);
	return real_aligned_alloc(align, n);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	seen(W_LOCK);
	REAL(pthread_mutex_lock);
	return real_pthread_mutex_lock(m);
}

int open(const char *path, int flags, ...)
{
	seen(W_OPEN);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	REAL(open);
	return real_open(path, flags, mode);
}

/* ---- the test ---- */

static void start_counting(void)
{
	counting = 1;
}

static void stop_counting(void)
{
	counting = 0;
}

static void check_no_calls(const char *where)
{
	for (int f = 0; f < W_COUNT; f++) {
		unsigned long n = atomic_exchange(&calls[f], 0);
		CHECK(n == 0, "%s: %lu calls to %s inside run()", where, n, fn_names[f]);
	}
}

static const uint32_t blocks[] = {1, 7, 64, 256, 1000, 4096, 333, 2, 4096, 128};

/* Swaps through the models, runs them in blocks of every size and resets,
 * all with the counters on around run(); the Worker runs between blocks. */
static void soak(double rate, const char *method, char **models, int n_models)
{
	if (method)
		setenv("RECUR_RATE_METHOD", method, 1);
	else
		unsetenv("RECUR_RATE_METHOD");
	test_host h;
	if (!host_open(&h, PLUGIN_URI, rate)) {
		CHECK(false, "cannot open the plugin at %g Hz", rate);
		return;
	}
	static float in[4096], out[4096];
	uint32_t seed = 5u;
	host_before_run = start_counting;
	host_after_run = stop_counting;
	char where[160];
	for (int swap = 0; swap < 3 * n_models; swap++) {
		const char *model = models[swap % n_models];
		host_send_model(&h, model);
		for (int b = 0; b < 40; b++) {
			uint32_t n = blocks[(swap + b) % (sizeof blocks / sizeof blocks[0])];
			for (uint32_t t = 0; t < n; t++) {
				seed = seed * 1664525u + 1013904223u;
				in[t] = 0.5f * sinf(0.03f * (float)(b * 4096 + (int)t)) +
				        0.1f * ((float)(seed >> 8) / 16777216.0f - 0.5f);
			}
			if (b == 20)
				host_set(&h, "reset", 1.0f);
			if (b == 21)
				host_set(&h, "reset", 0.0f);
			host_run(&h, in, out, n);
			host_service_worker(&h);
			CHECK(isfinite(out[0]) && isfinite(out[n - 1]), "non-finite output");
		}
		snprintf(where, sizeof where, "%g Hz, %s, model %s", rate, method ? method : "auto",
		         model);
		check_no_calls(where);
		float status = host_get(&h, "status"), latency = host_get(&h, "latency");
		bool same_rate = strstr(model, "rnn") != NULL && rate == 44100.0;
		float want = same_rate ? 1.0f : method ? 4.0f : 2.0f;
		CHECK(status == want, "%s: status %g, wanted %g", where, status, want);
		CHECK(want == 4.0f ? latency > 0 : latency == 0, "%s: latency %g", where, latency);
	}
	host_before_run = NULL;
	host_after_run = NULL;
	host_close(&h);
	host_close_world(&h);
	unsetenv("RECUR_RATE_METHOD");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test-rate-plugin-rt MODEL...\n");
		return 77;
	}
	static const double rates[] = {44100.0, 96000.0};
	for (int r = 0; r < 2; r++) {
		soak(rates[r], "resampled", argv + 1, argc - 1);
		soak(rates[r], NULL, argv + 1, argc - 1);
	}
	return check_exit();
}
