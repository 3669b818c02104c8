/*
 * Everything the host calls on the audio thread is real-time safe: run(),
 * the Worker's work_response and end_run (the test host calls them as a
 * host does), and with them the hand-overs they make (patch:Set and
 * patch:Get events, a model restored without a Worker, the Worker's loaded
 * model). Thousands of blocks with model swaps, failed loads, resets,
 * parameter changes, patch:Get and state save/restore make none of these
 * calls there: allocation (malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc), locks and waits (pthread_mutex_lock and _trylock,
 * sem_wait, pthread_cond_wait), sleeps (nanosleep, usleep,
 * clock_nanosleep), file and socket I/O (open, fopen, read, write, socket,
 * sendto, recvfrom), stdio (fputs, fprintf, fwrite, printf, puts, vfprintf,
 * and the fortified __*printf_chk), and LV2 log calls. The calls are
 * counted by wrappers defined here (forwarding with dlsym(RTLD_NEXT)); the
 * log calls by the test host's LV2_Log_Log functions. Counting is on only
 * while a thread-local flag is set around the audio thread's calls.
 *
 * With --mutants the test runs against a build of the plugin that makes
 * one forbidden call on purpose (tests/plugin/rt_mutant.c) and checks that
 * every counted function is caught, in run() and in work_response, in both
 * plugins: a wrapper that stopped seeing the plugin's calls would fail.
 *
 * Also: 100 model loads in a row while audio runs lose no block.
 *
 * Meanwhile a thread sends OSC traffic to the plugin's OSC server (resets,
 * bypass, loads, lists, malformed packets): the server thread's socket calls
 * are its own; none may show up inside run().
 */
#define _GNU_SOURCE
#include "client.h"
#include "common.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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
/* The names rt_mutant.c understands, in the order above. */
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

/* The test host's LV2_Log_Log functions report every call here. */
static void seen_log(void)
{
	seen(F_LV2_LOG);
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

static unsigned long total_calls(void)
{
	unsigned long t = 0;
	for (int f = 0; f < F_COUNT; f++)
		t += atomic_load(&calls[f]);
	return t;
}

static void clear_calls(void)
{
	for (int f = 0; f < F_COUNT; f++)
		atomic_store(&calls[f], 0);
}

static void report_calls(const char *where)
{
	for (int f = 0; f < F_COUNT; f++)
		CHECK(atomic_load(&calls[f]) == 0, "%s: %lu calls to %s", where,
		      (unsigned long)atomic_load(&calls[f]), fn_names[f]);
}

static const char *const models[] = {"lstm.json", "gru.json", "cond.json", "rnn.json"};

/* Thousands of blocks of random length with everything a session does. */
static void soak(test_host *h, const float *in, uint32_t n_in, const char *bad_path)
{
	static float out[HOST_MAX_BLOCK];
	static float buf[HOST_MAX_BLOCK];
	uint32_t pos = 0;
	int notified = h->notifications, failed = h->log_errors;
	srand(99);
	for (int block = 0; block < 3000; block++) {
		uint32_t frames = block % 500 == 0 ? HOST_MAX_BLOCK : 1 + (uint32_t)rand() % 512;
		for (uint32_t i = 0; i < frames; i++, pos = (pos + 1) % n_in)
			buf[i] = in[pos];
		if (block % 40 == 0)
			host_send_model(
			    h, block % 400 == 120 ? bad_path : data_path(models[(block / 40) % 4]));
		if (block % 23 == 0)
			host_send_get(h);
		host_set(h, "reset", block % 37 == 0 ? 1.0f : 0.0f);
		host_set(h, "in_gain", (float)(rand() % 13) - 6.0f);
		host_set(h, "out_gain", (float)(rand() % 13) - 6.0f);
		host_set(h, "mix", (float)(rand() % 11) / 10.0f);
		host_set(h, "enabled", block % 300 < 250 ? 1.0f : 0.0f);
		host_set(h, "cond1", (float)(rand() % 11) / 10.0f);
		host_run(h, buf, out, frames);
		host_service_worker(h);
		if (block % 250 == 100) {
			LilvState *st = host_save_state(h, NULL);
			CHECK(st != NULL, "state save failed at block %d", block);
			if (st) {
				host_restore_state(h, st, block % 500 == 100);
				lilv_state_free(st);
			}
		}
		if (!all_finite_f(out, frames))
			CHECK(false, "non-finite output at block %d", block);
	}
	/* The soak did what it claims: 75 patch:Set (8 of a missing file), 131
	 * patch:Get, 12 restores, each answered on notify. The missing file
	 * fails more often than it is sent: a state saved after it names it, and
	 * a reset while it is the failed choice tries it again. */
	CHECK(h->log_errors - failed >= 8, "%d failed loads logged, expected at least 8",
	      h->log_errors - failed);
	CHECK(h->notifications - notified >= 67 + 131, "only %d notifications during the soak",
	      h->notifications - notified);
}

/* ---- OSC traffic from another thread ---- */

static atomic_bool traffic_on;
/* What the traffic thread sent: messages the server must accept, must
 * reject, and loads (accepted unless the mailbox stayed busy). */
static int sent_good, sent_bad, sent_loads;

/* One message of the mix; k picks which. */
static void send_one(osc_test_client *c, int k)
{
	static const uint8_t junk[] = "\x13/recur/1\0,zz\0\xff\xfe";
	switch (k % 8) {
	case 0:
		client_send(c, "/recur/reset", "");
		break;
	case 1:
		client_send(c, "/recur/1/reset", "");
		break;
	case 2:
		client_send(c, "/recur/1/bypass", "i", (k / 8) % 2);
		break;
	case 3:
		client_send(c, "/recur/1/load", "s", data_path(models[(k / 8) % 4]));
		sent_loads++;
		return;
	case 4:
		client_send(c, "/recur/list", "");
		break;
	case 5:
		client_send_raw(c, junk, sizeof junk);
		sent_bad++;
		return;
	case 6:
		client_send(c, "/recur/77/reset", "");
		sent_bad++;
		return;
	default:
		client_send(c, "/recur/1/bypass", "s", "on");
		sent_bad++;
		return;
	}
	sent_good++;
}

static void *osc_traffic(void *arg)
{
	osc_test_client *c = arg;
	/* Bounded: at most 20000 messages, 100 µs apart; a sync every 40 keeps
	 * the server's socket buffer from overflowing on a loaded machine, so
	 * nothing is dropped. Loads only every 5th round: each one makes the
	 * Worker read a file. */
	for (int k = 0; k < 20000 && atomic_load(&traffic_on); k++) {
		if (k % 8 != 3 || k % 40 == 3)
			send_one(c, k);
		if (k % 40 == 39 && !client_sync(c))
			break;
		usleep(100);
	}
	client_send(c, "/recur/1/bypass", "i", 0);
	sent_good++;
	return NULL;
}

/* 100 loads in a row while audio runs: every block still comes out. */
static void reload_100(test_host *h, const float *in, uint32_t n_in)
{
	static float out[256];
	int notified = h->notifications;
	host_set(h, "enabled", 1.0f);
	host_set(h, "mix", 1.0f);
	host_set(h, "in_gain", 0.0f);
	host_set(h, "out_gain", 0.0f);
	int silent = 0;
	for (int i = 0; i < 100; i++) {
		host_send_model(h, data_path(models[i % 2]));
		host_run(h, in + (uint32_t)(i * 256) % (n_in - 256), out, 256);
		host_service_worker(h);
		double energy = 0;
		for (int k = 0; k < 256; k++)
			energy += (double)out[k] * out[k];
		if (!(energy > 0))
			silent++;
	}
	host_run(h, in, out, 256); /* delivers the last notification */
	CHECK(silent == 0, "%d of 100 blocks silent or non-finite during reloads", silent);
	CHECK(h->notifications - notified == 100, "%d loads notified, expected 100",
	      h->notifications - notified);
}

/* ---- every counted function is caught (--mutants) ---- */

static const char *const mutant_places[] = {"run", "work_response"};

/* One load (the Worker's answer arrives through work_response) and one
 * block, counted as in the soak. */
static void load_and_run(test_host *h)
{
	static float buf[256];
	host_send_model(h, data_path("lstm.json"));
	host_run(h, buf, buf, 256);
	host_service_worker(h);
	host_run(h, buf, buf, 256);
}

static void check_mutants_of(const char *uri)
{
	test_host world;
	if (!host_open(&world, uri, RATE))
		exit(1);
	host_close(&world);
	host_before_run = start_counting;
	host_after_run = stop_counting;
	for (size_t at = 0; at < 2; at++) {
		setenv("RECUR_RT_MUTANT_AT", mutant_places[at], 1);
		for (int f = 0; f < F_COUNT; f++) {
			setenv("RECUR_RT_MUTANT", fn_names[f], 1);
			test_host h;
			if (!host_open_shared(&h, &world, RATE))
				exit(1);
			clear_calls();
			load_and_run(&h);
			CHECK(atomic_load(&calls[f]) >= 1, "%s: a %s call in %s went unseen", uri,
			      fn_names[f], mutant_places[at]);
			host_close(&h);
		}
	}
	/* Without a mistake chosen, the test build is as clean as the real one. */
	unsetenv("RECUR_RT_MUTANT");
	test_host h;
	if (!host_open_shared(&h, &world, RATE))
		exit(1);
	clear_calls();
	load_and_run(&h);
	report_calls(uri);
	host_close(&h);
	host_before_run = host_after_run = NULL;
	host_close_world(&world);
}

static int check_mutants(void)
{
	check_mutants_of(PLUGIN_URI);
	check_mutants_of("https://recur.dev/plugins/recur-cv");
	printf("%d functions, each caught in run() and work_response of both plugins\n", F_COUNT);
	return check_exit();
}

int main(int argc, char **argv)
{
	host_on_log = seen_log;
	if (argc == 2 && !strcmp(argv[1], "--mutants"))
		return check_mutants();
	uint32_t n = 0;
	float *in = load_f32("input.f32", &n);
	char bad_path[1024];
	snprintf(bad_path, sizeof bad_path, "%s", data_path("no-such-model.json"));

	osc_test_client osc;
	if (!client_open(&osc, client_pick_port(3)))
		return 1;
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	CHECK(host_get(&h, "osc_id") == 0.0f, "osc_id before the first run");

	/* The wrappers do see the plugin's calls: loading on the Worker allocates
	 * and reads a file. */
	host_send_model(&h, data_path("lstm.json"));
	host_run(&h, NULL, NULL, 0);
	clear_calls();
	start_counting();
	host_service_worker(&h);
	stop_counting();
	CHECK(atomic_load(&calls[F_MALLOC]) + atomic_load(&calls[F_ALIGNED_ALLOC]) +
	              atomic_load(&calls[F_POSIX_MEMALIGN]) + atomic_load(&calls[F_CALLOC]) >
	          0,
	      "the allocation wrappers saw nothing while the Worker loaded a model");
	CHECK(atomic_load(&calls[F_OPEN]) + atomic_load(&calls[F_FOPEN]) > 0,
	      "the I/O wrappers saw nothing while the Worker loaded a model");

	clear_calls();
	host_before_run = start_counting;
	host_after_run = stop_counting;
	atomic_store(&traffic_on, true);
	pthread_t traffic;
	bool traffic_started = pthread_create(&traffic, NULL, osc_traffic, &osc) == 0;
	CHECK(traffic_started, "OSC traffic thread");
	soak(&h, in, n, bad_path);
	report_calls("run() during the soak with OSC traffic");
	atomic_store(&traffic_on, false);
	if (traffic_started)
		pthread_join(traffic, NULL);
	reload_100(&h, in, n);
	report_calls("run() during 100 reloads");
	printf("%lu calls inside run()\n", total_calls());
	host_before_run = host_after_run = NULL;

	/* The traffic reached the plugin: the server counted it. */
	CHECK(host_get(&h, "osc_id") == 1.0f && host_get(&h, "osc_port") == (float)osc.port,
	      "osc_id %g, osc_port %g", host_get(&h, "osc_id"), host_get(&h, "osc_port"));
	CHECK(client_sync(&osc), "the OSC server does not answer after the soak");
	CHECK(osc.accepted >= sent_good && osc.rejected >= sent_bad &&
	          osc.accepted + osc.rejected >= sent_good + sent_bad + sent_loads,
	      "OSC counted %lld accepted, %lld rejected; sent %d good, %d bad, %d loads",
	      (long long)osc.accepted, (long long)osc.rejected, sent_good, sent_bad, sent_loads);
	printf("OSC during the soak: %d good, %d bad, %d loads\n", sent_good, sent_bad, sent_loads);

	host_close(&h);
	host_close_world(&h);
	client_close(&osc);
	free(in);
	return check_exit();
}
