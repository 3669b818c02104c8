/*
 * The OSC server lives exactly while some instance is active, so plugin
 * scanners and validators are not held up by it:
 *
 *   - a process that only instantiates and frees the plugin (a host's
 *     plugin scan) never binds the OSC port, has no thread besides its own
 *     afterwards, and exits promptly once that work is done;
 *   - lv2lint's way: every call (instantiate, activate, run, deactivate,
 *     free) in its own child that shares the memory, each waited for; each
 *     child must exit promptly (a server thread started in one would
 *     keep it alive for ever);
 *   - in a host: activate binds the port and starts one thread, deactivate
 *     frees both, activate again binds again, free leaves nothing.
 */
#define _GNU_SOURCE
#include "check.h"
#include "client.h"
#include "host.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const uris[] = {"https://recur.dev/plugins/recur",
                                   "https://recur.dev/plugins/recur-cv"};
static int port;

/* Sockets this process holds, from /proc/self/fd: the plugin's server is
 * the only one, so this tells "bound here" apart from some other process on
 * the machine holding the port. */
static int sockets(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char link[300], target[64];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t len = readlink(link, target, sizeof target - 1);
		n += len > 7 && memcmp(target, "socket:", 7) == 0;
	}
	closedir(d);
	return n;
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Threads of this process, from /proc/self/task, once it holds `expect`
 * (or after two seconds): a joined thread's task can stay listed for a
 * moment after pthread_join returns, longer on a loaded machine. */
static int threads(int expect)
{
	int n = count_threads();
	for (int ms = 0; n != expect && ms < 2000; ms += 5) {
		struct timespec pause = {0, 5000000};
		nanosleep(&pause, NULL);
		n = count_threads();
	}
	return n;
}

/* Set (in memory the children share, or through a pipe) when a child has
 * done its work: the second it has to exit counts from then, so a machine
 * too loaded to load the plugin quickly does not fail the test. */
static atomic_int *work_done; /* a shared page: forked children see it too */

/* How long a child may take to exit once its work is done: a second on an
 * idle machine, more on a loaded one; a server thread left running would
 * keep it alive for ever. */
enum { EXIT_MS = 5000 };

/* Waits for kid to say its work is done (up to 30 s), then up to EXIT_MS
 * for it to exit; kills it if it is still there. True when it exited in time
 * with status 0. */
static bool exits_promptly(pid_t kid, const char *what)
{
	for (int ms = 0; ms < 30000 && !atomic_load(work_done); ms += 5) {
		if (waitpid(kid, NULL, WNOHANG | __WALL | WNOWAIT) == kid)
			break; /* exited (or died) before saying so */
		struct timespec pause = {0, 5000000};
		nanosleep(&pause, NULL);
	}
	for (int ms = 0; ms < EXIT_MS; ms += 5) {
		int status;
		pid_t r = waitpid(kid, &status, WNOHANG | __WALL);
		if (r == kid) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: exit status %#x",
			      what, status);
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		}
		struct timespec pause = {0, 5000000};
		nanosleep(&pause, NULL);
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, __WALL);
	CHECK(false, "%s: still running %d ms after its work was done", what, EXIT_MS);
	return false;
}

/* ---- a plugin scan: instantiate, free, exit ---- */

static int scan_child(const char *uri)
{
	test_host h;
	if (!host_open_inactive(&h, uri, 48000.0))
		return 2;
	CHECK(sockets() == 0 && client_port_free(port),
	      "%s: instantiating opened %d sockets (port %d free %d)", uri, sockets(), port,
	      client_port_free(port));
	CHECK(host_get(&h, "osc_port") == 0.0f, "%s: osc_port %g before activation", uri,
	      host_get(&h, "osc_port"));
	host_close(&h);
	host_close_world(&h);
	CHECK(sockets() == 0, "%s: %d sockets after free", uri, sockets());
	CHECK(threads(1) == 1, "%s: %d threads after free", uri, threads(1));
	atomic_store(work_done, 1);
	return check_exit();
}

static void check_scan(const char *uri)
{
	fflush(NULL);
	atomic_store(work_done, 0);
	pid_t kid = fork();
	if (kid == 0)
		_exit(scan_child(uri));
	CHECK(kid > 0, "fork");
	if (kid > 0)
		exits_promptly(kid, uri);
}

/* ---- lv2lint's way: one memory-sharing child per call ---- */

static test_host shared_host;
static const char *shared_uri;

static int step_open(void *arg)
{
	(void)arg;
	int r = host_open_inactive(&shared_host, shared_uri, 48000.0) ? 0 : 1;
	atomic_store(work_done, 1);
	return r;
}

static int step_activate(void *arg)
{
	(void)arg;
	host_activate(&shared_host);
	atomic_store(work_done, 1);
	return 0;
}

static int step_run(void *arg)
{
	(void)arg;
	host_run(&shared_host, NULL, NULL, 0);
	atomic_store(work_done, 1);
	return 0;
}

static int step_deactivate(void *arg)
{
	(void)arg;
	host_deactivate(&shared_host);
	atomic_store(work_done, 1);
	return 0;
}

static int step_free(void *arg)
{
	(void)arg;
	host_close(&shared_host);
	atomic_store(work_done, 1);
	return 0;
}

static bool in_sharing_child(int (*step)(void *), const char *what)
{
	enum { STACK = 1 << 20 };
	char *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return false;
	atomic_store(work_done, 0);
	pid_t kid = clone(step, stack + STACK, CLONE_VM | SIGCHLD, NULL);
	bool ok = kid > 0 && exits_promptly(kid, what);
	/* A child still running uses the stack: leave it mapped then. */
	if (ok)
		munmap(stack, STACK);
	return ok;
}

static int validator_child(const char *uri)
{
	shared_uri = uri;
	int (*const steps[])(void *) = {step_open, step_activate, step_run, step_deactivate,
	                                step_free};
	const char *names[] = {"instantiate", "activate", "run", "deactivate", "free"};
	for (int i = 0; i < 5; i++) {
		char what[128];
		snprintf(what, sizeof what, "%s: %s in a memory-sharing child", uri, names[i]);
		if (!in_sharing_child(steps[i], what))
			return check_exit();
	}
	host_close_world(&shared_host);
	CHECK(sockets() == 0, "%s: %d sockets afterwards (port %d)", uri, sockets(), port);
	return check_exit();
}

static void check_validator(const char *uri)
{
	fflush(NULL);
	pid_t kid = fork();
	if (kid == 0)
		_exit(validator_child(uri));
	CHECK(kid > 0, "fork");
	/* Five steps of at most a second each. */
	for (int s = 0; kid > 0 && s < 6; s++) {
		int status;
		pid_t r = waitpid(kid, &status, 0);
		if (r == kid) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "%s: the validator's way failed (status %#x)", uri, status);
			break;
		}
	}
}

/* ---- a host: activate and deactivate switch the server ---- */

static void check_host(const char *uri)
{
	int before = count_threads();
	test_host h;
	if (!host_open_inactive(&h, uri, 48000.0)) {
		CHECK(false, "%s: instantiate", uri);
		return;
	}
	CHECK(sockets() == 0 && threads(before) == before,
	      "%s: instantiated: %d sockets, %d new threads", uri, sockets(),
	      threads(before) - before);
	for (int round = 0; round < 2; round++) {
		host_activate(&h);
		host_run(&h, NULL, NULL, 0);
		CHECK(
		    sockets() == 1 && !client_port_free(port) &&
		        threads(before + 1) == before + 1 &&
		        host_get(&h, "osc_port") == (float)port,
		    "%s: activated (%d): %d sockets, port %d free %d, %d new threads, osc_port %g",
		    uri, round, sockets(), port, client_port_free(port),
		    threads(before + 1) - before, host_get(&h, "osc_port"));
		host_deactivate(&h);
		CHECK(sockets() == 0 && threads(before) == before,
		      "%s: deactivated (%d): %d sockets, %d new threads", uri, round, sockets(),
		      threads(before) - before);
	}
	host_close(&h);
	host_close_world(&h);
	CHECK(sockets() == 0 && threads(before) == before, "%s: freed: %d sockets, %d new threads",
	      uri, sockets(), threads(before) - before);
}

int main(void)
{
	check_skip_under_wrapper("it fork()s");
	work_done = mmap(NULL, sizeof *work_done, PROT_READ | PROT_WRITE,
	                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (work_done == MAP_FAILED)
		return 1;
	port = client_pick_port(17);
	char text[16];
	snprintf(text, sizeof text, "%d", port);
	setenv("RECUR_OSC_PORT", text, 1);
	unsetenv("RECUR_OSC_BIND");
	for (int i = 0; i < 2; i++) {
		check_scan(uris[i]);
		check_validator(uris[i]);
		check_host(uris[i]);
	}
	return check_exit();
}
