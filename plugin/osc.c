/* The process-wide OSC server: instance registry, server lifetime, dispatch. */
#include "osc.h"

#include "osc_mailbox.h"
#include "osc_parse.h"

#include <lo/lo.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Two locks, always taken in this order:
 *   life  held across attach/detach including server start and stop, so a
 *         new server never races the join of the old one for the port;
 *   reg   the id table; the server thread holds it while it handles one
 *         message, so a client is never called after osc_detach.
 * Neither is ever taken on the audio thread.
 */
typedef struct {
	pthread_mutex_t life;
	pthread_mutex_t reg;
	osc_client *by_id[OSC_MAX_ID + 1]; /* [0] unused */
	int attached;                      /* registered clients */
	lo_server_thread server;           /* NULL when off */
	atomic_int port;                   /* listening port, 0 when off */
	atomic_uint_fast64_t accepted, rejected;
	char start_error[256]; /* liblo's reason while a start fails (under life) */
	atomic_bool starting;
	/* The reply budget (server thread only), see reply_allowed. */
	double reply_tokens;
	struct timespec reply_refilled;
} osc_registry;

static osc_registry g = {
    .life = PTHREAD_MUTEX_INITIALIZER,
    .reg = PTHREAD_MUTEX_INITIALIZER,
};

static void count(bool accepted)
{
	atomic_fetch_add_explicit(accepted ? &g.accepted : &g.rejected, 1, memory_order_relaxed);
}

/* liblo reports malformed packets here (on the server thread) and its own
 * setup failures (under the life lock); it gives no user data pointer. */
static void on_lo_error(int num, const char *msg, const char *where)
{
	if (atomic_load(&g.starting)) {
		snprintf(g.start_error, sizeof g.start_error, "%s%s%s (%d)", msg ? msg : "error",
		         where ? " in " : "", where ? where : "", num);
		return;
	}
	count(false);
}

/* liblo's arguments are only 4-byte aligned, less than lo_arg's own
 * alignment: read them by copying. */
static int32_t arg_int(lo_arg *a)
{
	int32_t v;
	memcpy(&v, a, sizeof v);
	return v;
}

/* ---- replies ---- */

/* Replies are limited to OSC_REPLY_RATE packets per second, in bursts of
 * OSC_REPLY_RATE: a request is tiny and a /recur/list reply is one packet
 * per instance, so without a limit the server would multiply whatever
 * arrives, including requests with a forged sender address. A request whose
 * whole reply does not fit in the budget gets none and counts as rejected. */
static bool reply_allowed(int packets)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (g.reply_refilled.tv_sec == 0 && g.reply_refilled.tv_nsec == 0) {
		g.reply_tokens = OSC_REPLY_RATE;
	} else {
		double elapsed = (double)(now.tv_sec - g.reply_refilled.tv_sec) +
		                 (double)(now.tv_nsec - g.reply_refilled.tv_nsec) * 1e-9;
		g.reply_tokens += elapsed * OSC_REPLY_RATE;
		if (g.reply_tokens > OSC_REPLY_RATE)
			g.reply_tokens = OSC_REPLY_RATE;
	}
	g.reply_refilled = now;
	if (g.reply_tokens < packets)
		return false;
	g.reply_tokens -= packets;
	return true;
}

/* Where to answer: the sender's address, or its host at the port the
 * message named; never another host. NULL when the port is out of range. */
static lo_address reply_address(lo_message msg, bool has_port, lo_arg **argv)
{
	lo_address src = lo_message_get_source(msg);
	if (!src)
		return NULL;
	const char *host = lo_address_get_hostname(src);
	if (!has_port)
		return lo_address_new(host, lo_address_get_port(src));
	int32_t p = arg_int(argv[0]);
	if (p < 1 || p > 65535)
		return NULL;
	char port[8];
	snprintf(port, sizeof port, "%d", (int)p);
	return lo_address_new(host, port);
}

/* Called with reg held. */
static bool reply_list(lo_server server, lo_address to)
{
	char path[OSC_MAILBOX_BYTES];
	int n = 0;
	for (int id = 1; id <= OSC_MAX_ID; id++) {
		osc_client *c = g.by_id[id];
		if (!c)
			continue;
		path[0] = '\0';
		c->ops->model_path(c->ctx, path, sizeof path);
		lo_send_from(to, server, LO_TT_IMMEDIATE, "/recur/instance", "is", id, path);
		n++;
	}
	lo_send_from(to, server, LO_TT_IMMEDIATE, "/recur/list/end", "i", n);
	return true;
}

static bool reply_stats(lo_server server, lo_address to)
{
	/* This message counts as accepted before the figures are read, so a
	 * client sees its own request included. */
	count(true);
	int64_t acc = (int64_t)atomic_load(&g.accepted);
	int64_t rej = (int64_t)atomic_load(&g.rejected);
	lo_send_from(to, server, LO_TT_IMMEDIATE, "/recur/stats", "hh", acc, rej);
	return true;
}

/* ---- dispatch ---- */

static bool do_addressed(const osc_request *r, lo_arg **argv)
{
	osc_client *c = g.by_id[r->id];
	if (!c)
		return false;
	switch (r->cmd) {
	case OSC_CMD_RESET:
		c->ops->reset(c->ctx);
		return true;
	case OSC_CMD_BYPASS:
		c->ops->bypass(c->ctx, arg_int(argv[0]) != 0);
		return true;
	case OSC_CMD_LOAD: {
		const char *path = (const char *)argv[0];
		size_t len = strnlen(path, OSC_MAILBOX_BYTES);
		/* Relative paths would depend on the host's working folder. */
		if (path[0] != '/' || len >= OSC_MAILBOX_BYTES)
			return false;
		return c->ops->load(c->ctx, path, len);
	}
	default:
		return false;
	}
}

static bool do_reset_all(void)
{
	for (int id = 1; id <= OSC_MAX_ID; id++)
		if (g.by_id[id])
			g.by_id[id]->ops->reset(g.by_id[id]->ctx);
	return true;
}

static int on_message(const char *path, const char *types, lo_arg **argv, int argc, lo_message msg,
                      void *user_data)
{
	(void)argc;
	lo_server server = user_data;
	osc_request r = osc_parse_request(path, types, OSC_MAX_ID);
	if (r.cmd == OSC_CMD_STATS) {
		lo_address to =
		    reply_allowed(1) ? reply_address(msg, r.has_reply_port, argv) : NULL;
		if (!to) {
			count(false);
			return 0;
		}
		reply_stats(server, to);
		lo_address_free(to);
		return 0;
	}

	bool ok = false;
	lo_address to = NULL;
	if (r.cmd == OSC_CMD_LIST)
		to = reply_address(msg, r.has_reply_port, argv);
	pthread_mutex_lock(&g.reg);
	switch (r.cmd) {
	case OSC_CMD_RESET_ALL:
		ok = do_reset_all();
		break;
	case OSC_CMD_LIST:
		ok = to && reply_allowed(g.attached + 1) && reply_list(server, to);
		break;
	case OSC_CMD_RESET:
	case OSC_CMD_BYPASS:
	case OSC_CMD_LOAD:
		ok = do_addressed(&r, argv);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&g.reg);
	if (to)
		lo_address_free(to);
	count(ok);
	return 0;
}

/* ---- server lifetime (under the life lock) ---- */

typedef struct {
	int port; /* 0: off */
	char bind[INET_ADDRSTRLEN];
	struct in_addr addr;
} osc_config;

static bool read_config(osc_config *cfg, LV2_Log_Logger *log)
{
	cfg->port = OSC_DEFAULT_PORT;
	const char *port = getenv("RECUR_OSC_PORT");
	if (port && !osc_parse_port(port, &cfg->port)) {
		lv2_log_error(log,
		              "recur: RECUR_OSC_PORT=\"%s\" is not a port number 0..65535; "
		              "OSC control is off\n",
		              port);
		return false;
	}
	const char *bind = getenv("RECUR_OSC_BIND");
	if (!bind || !bind[0])
		bind = OSC_DEFAULT_BIND;
	if (strlen(bind) >= sizeof cfg->bind || inet_pton(AF_INET, bind, &cfg->addr) != 1) {
		lv2_log_error(log,
		              "recur: RECUR_OSC_BIND=\"%s\" is not an IPv4 address; "
		              "OSC control is off\n",
		              bind);
		return false;
	}
	snprintf(cfg->bind, sizeof cfg->bind, "%s", bind);
	return true;
}

/* A UDP socket bound to exactly the configured address and port. liblo 0.31
 * can only bind the wildcard address, so the server is created on a
 * throw-away port and this socket takes the place of liblo's. No
 * SO_REUSEADDR: a port in use must fail here, not be shared. */
static int open_socket(const osc_config *cfg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->port);
	sa.sin_addr = cfg->addr;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static lo_server_thread create_server(int fd, LV2_Log_Logger *log)
{
	atomic_store(&g.starting, true);
	g.start_error[0] = '\0';
	lo_server_thread st = lo_server_thread_new("0", on_lo_error);
	atomic_store(&g.starting, false);
	if (!st) {
		lv2_log_error(log, "recur: OSC control is off: liblo cannot start: %s\n",
		              g.start_error);
		return NULL;
	}
	int lo_fd = lo_server_get_socket_fd(lo_server_thread_get_server(st));
	if (lo_fd < 0 || dup2(fd, lo_fd) < 0 || fcntl(lo_fd, F_SETFD, FD_CLOEXEC) < 0) {
		lv2_log_error(log, "recur: OSC control is off: cannot set up its socket: %s\n",
		              strerror(errno));
		lo_server_thread_free(st);
		return NULL;
	}
	return st;
}

static void server_start(LV2_Log_Logger *log)
{
	osc_config cfg;
	if (!read_config(&cfg, log))
		return;
	if (cfg.port == 0) {
		lv2_log_note(log, "recur: OSC control is off (RECUR_OSC_PORT=0)\n");
		return;
	}
	int fd = open_socket(&cfg);
	if (fd < 0) {
		lv2_log_error(log, "recur: OSC control is off: cannot listen on UDP %s:%d: %s%s\n",
		              cfg.bind, cfg.port, strerror(errno),
		              errno == EADDRINUSE ? " (another program, or another recur "
		                                    "process, has it: set RECUR_OSC_PORT to a "
		                                    "free port, or 0 to turn OSC off)"
		                                  : "");
		return;
	}
	lo_server_thread st = create_server(fd, log);
	close(fd);
	if (!st)
		return;
	lo_server_thread_add_method(st, NULL, NULL, on_message, lo_server_thread_get_server(st));
	if (lo_server_thread_start(st) < 0) {
		lv2_log_error(log, "recur: OSC control is off: its thread did not start\n");
		lo_server_thread_free(st);
		return;
	}
	g.server = st;
	atomic_store(&g.port, cfg.port);
	lv2_log_note(log, "recur: OSC control listens on udp://%s:%d\n", cfg.bind, cfg.port);
}

static void server_stop(void)
{
	if (!g.server)
		return;
	/* Joins the thread; it may be waiting for reg, which is free here. */
	lo_server_thread_free(g.server);
	g.server = NULL;
	atomic_store(&g.port, 0);
}

/* ---- registry ---- */

static int lowest_free_id(void)
{
	for (int id = 1; id <= OSC_MAX_ID; id++)
		if (!g.by_id[id])
			return id;
	return 0;
}

int osc_attach(osc_client *c, int wanted_id, LV2_Log_Logger *log)
{
	LV2_Log_Logger to_stderr;
	if (!log) {
		lv2_log_logger_init(&to_stderr, NULL, NULL);
		log = &to_stderr;
	}
	pthread_mutex_lock(&g.life);
	pthread_mutex_lock(&g.reg);
	bool wanted_free = wanted_id >= 1 && wanted_id <= OSC_MAX_ID && !g.by_id[wanted_id];
	int id = wanted_free ? wanted_id : lowest_free_id();
	c->id = id;
	if (id) {
		g.by_id[id] = c;
		g.attached++;
	}
	pthread_mutex_unlock(&g.reg);
	if (!id)
		lv2_log_warning(log, "recur: more than %d instances; this one has no OSC id\n",
		                OSC_MAX_ID);
	else if (!g.server)
		server_start(log);
	pthread_mutex_unlock(&g.life);
	return id;
}

void osc_detach(osc_client *c)
{
	if (!c->id)
		return;
	pthread_mutex_lock(&g.life);
	pthread_mutex_lock(&g.reg);
	g.by_id[c->id] = NULL;
	c->id = 0;
	bool last = --g.attached == 0;
	pthread_mutex_unlock(&g.reg);
	if (last)
		server_stop();
	pthread_mutex_unlock(&g.life);
}

int osc_claim_id(osc_client *c, int id)
{
	pthread_mutex_lock(&g.reg);
	if (c->id && id >= 1 && id <= OSC_MAX_ID && !g.by_id[id]) {
		g.by_id[c->id] = NULL;
		g.by_id[id] = c;
		c->id = id;
	}
	int now = c->id;
	pthread_mutex_unlock(&g.reg);
	return now;
}

int osc_server_port(void)
{
	return atomic_load(&g.port);
}

osc_counts osc_get_counts(void)
{
	osc_counts n = {atomic_load(&g.accepted), atomic_load(&g.rejected)};
	return n;
}
