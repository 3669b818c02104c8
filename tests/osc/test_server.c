/*
 * The OSC server against fake instances: ids, addressed and global
 * commands, replies, counters, a barrage of bad packets while an "audio"
 * thread polls the instances, port clashes and settings, and the server
 * stopping with the last instance.
 */
#include "check.h"
#include "client.h"
#include "osc.h"
#include "osc_mailbox.h"

#include <lv2/log/log.h>
#include <lv2/urid/urid.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a fake instance: what the plugin does, minus the audio ---- */

typedef struct {
	osc_client client;
	atomic_int resets;
	atomic_int bypass; /* -1: never set */
	osc_mailbox mailbox;
	char model[256];
} fake_instance;

static void fake_reset(void *ctx)
{
	atomic_fetch_add(&((fake_instance *)ctx)->resets, 1);
}

static void fake_bypass(void *ctx, bool on)
{
	atomic_store(&((fake_instance *)ctx)->bypass, on ? 1 : 0);
}

static bool fake_load(void *ctx, const char *path, size_t len)
{
	return osc_mailbox_post(&((fake_instance *)ctx)->mailbox, path, len, 50);
}

static void fake_model_path(void *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ((fake_instance *)ctx)->model);
}

static const osc_ops fake_ops = {fake_reset, fake_bypass, fake_load, fake_model_path};

static void fake_init(fake_instance *f, const char *model)
{
	memset(f, 0, sizeof *f);
	f->client.ops = &fake_ops;
	f->client.ctx = f;
	atomic_init(&f->resets, 0);
	atomic_init(&f->bypass, -1);
	osc_mailbox_init(&f->mailbox);
	snprintf(f->model, sizeof f->model, "%s", model);
}

/* ---- a log that records what the server says ---- */

static const char *log_uris[] = {LV2_LOG__Error, LV2_LOG__Note, LV2_LOG__Trace, LV2_LOG__Warning};
static int n_errors, n_warnings;
static char last_log[1024];

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
	(void)h;
	for (int i = 0; i < 4; i++)
		if (!strcmp(uri, log_uris[i]))
			return (LV2_URID)(i + 1);
	return 99;
}

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
	(void)h;
	vsnprintf(last_log, sizeof last_log, fmt, ap);
	if (type == 1)
		n_errors++;
	if (type == 4)
		n_warnings++;
	return 0;
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = log_vprintf(h, type, fmt, ap);
	va_end(ap);
	return r;
}

static LV2_URID_Map map = {NULL, map_uri};
static LV2_Log_Log log_feature = {NULL, log_printf, log_vprintf};
static LV2_Log_Logger logger;

/* ---- checks ---- */

static osc_test_client cl;
static fake_instance fa, fb, fc;

static bool synced(void)
{
	bool ok = client_sync(&cl);
	CHECK(ok, "no /recur/stats reply within %d ms", CLIENT_WAIT_MS);
	return ok;
}

static void check_attach(int port)
{
	CHECK(osc_server_port() == 0, "server running before any instance");
	fake_init(&fa, "/models/a.json");
	fake_init(&fb, "/models/b.json");
	fake_init(&fc, "");
	CHECK(osc_attach(&fa.client, 0, &logger) == 1, "first id %d", fa.client.id);
	CHECK(osc_attach(&fb.client, 0, &logger) == 2, "second id %d", fb.client.id);
	/* Asks for a taken id: gets the lowest free one. */
	CHECK(osc_attach(&fc.client, 1, &logger) == 3, "third id %d", fc.client.id);
	CHECK(osc_server_port() == port, "server port %d, want %d", osc_server_port(), port);
	CHECK(n_errors == 0, "errors logged: %s", last_log);
}

static void check_resets(void)
{
	osc_counts before = osc_get_counts();
	client_send(&cl, "/recur/reset", "");
	if (!synced())
		return;
	CHECK(fa.resets == 1 && fb.resets == 1 && fc.resets == 1, "reset all: %d %d %d", fa.resets,
	      fb.resets, fc.resets);
	client_send(&cl, "/recur/2/reset", "");
	client_send(&cl, "/recur/9/reset", ""); /* nobody has id 9 */
	client_send(&cl, "/recur/2/reset", "i", 1);
	if (!synced())
		return;
	CHECK(fa.resets == 1 && fb.resets == 2 && fc.resets == 1, "addressed reset: %d %d %d",
	      fa.resets, fb.resets, fc.resets);
	/* Accepted: reset, 2/reset and two stats requests; rejected: the two bad. */
	CHECK(cl.accepted - (int64_t)before.accepted == 4, "accepted +%lld",
	      (long long)(cl.accepted - (int64_t)before.accepted));
	CHECK(cl.rejected - (int64_t)before.rejected == 2, "rejected +%lld",
	      (long long)(cl.rejected - (int64_t)before.rejected));
}

static void check_bypass_and_load(void)
{
	client_send(&cl, "/recur/3/bypass", "i", 1);
	client_send(&cl, "/recur/1/bypass", "f", 1.0f); /* wrong type: ignored */
	if (!synced())
		return;
	CHECK(fc.bypass == 1 && fa.bypass == -1 && fb.bypass == -1, "bypass on: %d %d %d",
	      fa.bypass, fb.bypass, fc.bypass);
	client_send(&cl, "/recur/3/bypass", "i", 0);
	client_send(&cl, "/recur/1/load", "s", "/models/new.json");
	client_send(&cl, "/recur/2/load", "s", "relative.json"); /* refused */
	client_send(&cl, "/recur/2/load", "s", "");              /* refused */
	if (!synced())
		return;
	CHECK(fc.bypass == 0, "bypass off: %d", fc.bypass);
	uint32_t len = 0;
	const char *p = osc_mailbox_open(&fa.mailbox, &len);
	CHECK(p && !strcmp(p, "/models/new.json") && len == 16, "mailbox of 1: \"%s\"",
	      p ? p : "(empty)");
	if (p)
		osc_mailbox_close(&fa.mailbox);
	CHECK(osc_mailbox_open(&fb.mailbox, &len) == NULL, "a refused path reached the mailbox");
}

static const listed_instance *find_listed(int id)
{
	for (int i = 0; i < cl.n_listed; i++)
		if (cl.listed[i].id == id)
			return &cl.listed[i];
	return NULL;
}

static void check_list(void)
{
	CHECK(client_list(&cl), "no /recur/list/end reply");
	CHECK(cl.n_listed == 3 && cl.list_end_count == 3, "listed %d, end says %d", cl.n_listed,
	      cl.list_end_count);
	const listed_instance *a = find_listed(1), *b = find_listed(2), *c = find_listed(3);
	CHECK(a && !strcmp(a->path, "/models/a.json"), "id 1 listed as \"%s\"",
	      a ? a->path : "(missing)");
	CHECK(b && !strcmp(b->path, "/models/b.json"), "id 2 listed as \"%s\"",
	      b ? b->path : "(missing)");
	CHECK(c && !strcmp(c->path, ""), "id 3 listed as \"%s\"", c ? c->path : "(missing)");
}

static void check_ids(void)
{
	osc_detach(&fb.client);
	CHECK(fb.client.id == 0, "detached client keeps id %d", fb.client.id);
	CHECK(client_list(&cl) && cl.n_listed == 2 && !find_listed(2), "after detach: %d listed",
	      cl.n_listed);
	client_send(&cl, "/recur/2/reset", "");
	if (synced())
		CHECK(fb.resets == 2, "a detached instance was reset");

	fake_instance fd;
	fake_init(&fd, "/models/d.json");
	CHECK(osc_attach(&fd.client, 0, &logger) == 2, "lowest free id: %d", fd.client.id);
	CHECK(osc_claim_id(&fd.client, 1) == 2, "claimed a taken id");
	CHECK(osc_claim_id(&fd.client, 0) == 2, "claimed id 0");
	CHECK(osc_claim_id(&fd.client, OSC_MAX_ID + 1) == 2, "claimed an id out of range");
	CHECK(osc_claim_id(&fd.client, 7) == 7, "free id 7 not claimed: %d", fd.client.id);
	client_send(&cl, "/recur/7/reset", "");
	client_send(&cl, "/recur/2/reset", "");
	if (synced())
		CHECK(fd.resets == 1, "id 7 reset %d times", fd.resets);
	osc_detach(&fd.client);
	/* Re-attach b asking for its old id, as a restored session does. */
	CHECK(osc_attach(&fb.client, 2, &logger) == 2, "b did not get id 2 back");
}

/* ---- the barrage ---- */

static atomic_bool audio_running;
static atomic_long audio_blocks;

/* Plays run(): takes resets and mail as the plugin would, never blocking. */
static void *fake_audio(void *arg)
{
	(void)arg;
	fake_instance *all[] = {&fa, &fb, &fc};
	while (atomic_load(&audio_running)) {
		for (int i = 0; i < 3; i++) {
			uint32_t len;
			if (osc_mailbox_open(&all[i]->mailbox, &len))
				osc_mailbox_close(&all[i]->mailbox);
		}
		atomic_fetch_add(&audio_blocks, 1);
		usleep(200);
	}
	return NULL;
}

static uint32_t rng = 12345u;
static uint32_t next_rand(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 8;
}

/* An OSC message by hand: path, type tags, then raw argument bytes. */
static size_t osc_bytes(uint8_t *buf, const char *path, const char *tags, const void *args,
                        size_t n_args)
{
	size_t n = 0;
	size_t lp = strlen(path) + 1, lt = strlen(tags) + 1;
	memset(buf, 0, (lp + 3) / 4 * 4 + (lt + 3) / 4 * 4 + n_args);
	memcpy(buf, path, lp);
	n = (lp + 3) / 4 * 4;
	memcpy(buf + n, tags, lt);
	n += (lt + 3) / 4 * 4;
	if (n_args)
		memcpy(buf + n, args, n_args);
	return n + n_args;
}

/* Sends bad packet number k; returns whether the server can count it
 * (liblo drops empty datagrams before anyone sees them). */
static bool send_bad(int k)
{
	static uint8_t buf[70000];
	size_t n = 0;
	bool countable = true;
	switch (k % 10) {
	case 0: /* random bytes */
		n = 1 + next_rand() % 512;
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)next_rand();
		buf[0] = (uint8_t)(buf[0] == '#' ? 'x' : buf[0]); /* never a bundle */
		break;
	case 1: /* empty datagram */
		n = 0;
		countable = false;
		break;
	case 2: /* oversized: beyond liblo's largest message (32 KiB) */
		n = 40000;
		memset(buf, 0, n);
		memcpy(buf, "/recur/reset", 12);
		break;
	case 3: /* wrong type tags */
		n = osc_bytes(buf, "/recur/reset", ",f", "\0\0\0\0", 4);
		break;
	case 4: /* unknown path */
		n = osc_bytes(buf, "/recur/explode", ",", NULL, 0);
		break;
	case 5: /* unknown id */
		n = osc_bytes(buf, "/recur/200/reset", ",", NULL, 0);
		break;
	case 6: /* a path longer than any model path */
		memset(buf, 0, 4000);
		n = osc_bytes(buf, "/recur/1/load", ",s", NULL, 0);
		buf[n] = '/';
		memset(buf + n + 1, 'p', 3000);
		n += 3004;
		break;
	case 7: /* type tags promise an argument that is not there */
		n = osc_bytes(buf, "/recur/1/bypass", ",i", NULL, 0);
		break;
	case 8: /* no type tags at all */
		n = osc_bytes(buf, "/recur/reset", "", NULL, 0) - 4;
		break;
	default: /* a string argument without its terminator */
		n = osc_bytes(buf, "/recur/1/load", ",s", "/abc", 4);
		break;
	}
	CHECK(client_send_raw(&cl, buf, n), "sending bad packet %d", k);
	return countable;
}

static void check_barrage(void)
{
	atomic_store(&audio_running, true);
	pthread_t audio;
	CHECK(pthread_create(&audio, NULL, fake_audio, NULL) == 0, "audio thread");
	if (!synced())
		return;
	int64_t rejected0 = cl.rejected;
	int ra = fa.resets, rb = fb.resets, rc = fc.resets;
	int countable = 0, total = 3000;
	for (int k = 0; k < total; k++) {
		countable += send_bad(k);
		/* Drains the server every 10 packets (about 45 KB): the socket
		 * buffer never overflows, so every packet is counted. */
		if (k % 10 == 9 && !synced())
			break;
	}
	bool ok = synced();
	atomic_store(&audio_running, false);
	pthread_join(audio, NULL);
	if (!ok)
		return;
	CHECK(cl.rejected - rejected0 == countable, "rejected +%lld of %d countable bad packets",
	      (long long)(cl.rejected - rejected0), countable);
	CHECK(fa.resets == ra && fb.resets == rb && fc.resets == rc, "bad packets reset something");
	CHECK(audio_blocks > 0, "the audio thread never ran");
	/* Still serving. */
	client_send(&cl, "/recur/1/reset", "");
	if (synced())
		CHECK(fa.resets == ra + 1, "server stopped working after the barrage");
	printf("%d bad packets (%d countable), rejected +%lld, %ld audio blocks meanwhile\n", total,
	       countable, (long long)(cl.rejected - rejected0), (long)audio_blocks);
}

/* ---- lifetime and settings ---- */

static void check_stop(int port)
{
	CHECK(!client_port_free(port), "port %d is free while the server runs", port);
	osc_detach(&fa.client);
	osc_detach(&fb.client);
	CHECK(osc_server_port() == port, "server stopped before the last instance left");
	osc_detach(&fc.client);
	CHECK(osc_server_port() == 0, "server still running after the last detach");
	CHECK(client_port_free(port), "port %d still bound after the last detach", port);
}

static void check_port_taken(int port)
{
	int fd = client_bind_loopback(port);
	CHECK(fd >= 0, "cannot take port %d", port);
	int errors = n_errors;
	fake_instance f;
	fake_init(&f, "");
	CHECK(osc_attach(&f.client, 0, &logger) == 1, "instance not registered when port taken");
	CHECK(osc_server_port() == 0, "server claims to run on a taken port");
	CHECK(n_errors == errors + 1, "port clash logged %d errors", n_errors - errors);
	CHECK_MSG(last_log, "cannot listen on UDP 127.0.0.1");
	CHECK_MSG(last_log, "RECUR_OSC_PORT");
	osc_detach(&f.client);
	if (fd >= 0)
		close(fd);
}

static void check_settings(int port)
{
	fake_instance f;
	fake_init(&f, "");
	struct {
		const char *port, *bind;
		bool runs, error;
		const char *fragment;
	} cases[] = {
	    {"0", NULL, false, false, "OSC control is off"},
	    {"12x", NULL, false, true, "RECUR_OSC_PORT=\"12x\""},
	    {"70000", NULL, false, true, "RECUR_OSC_PORT=\"70000\""},
	    {NULL, "not-an-address", false, true, "RECUR_OSC_BIND=\"not-an-address\""},
	    {NULL, "127.0.0.1", true, false, "listens on udp://127.0.0.1"},
	};
	char port_s[16];
	snprintf(port_s, sizeof port_s, "%d", port);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv("RECUR_OSC_PORT", cases[i].port ? cases[i].port : port_s, 1);
		if (cases[i].bind)
			setenv("RECUR_OSC_BIND", cases[i].bind, 1);
		else
			unsetenv("RECUR_OSC_BIND");
		int errors = n_errors;
		last_log[0] = '\0';
		CHECK(osc_attach(&f.client, 0, &logger) == 1, "case %zu: not registered", i);
		CHECK((osc_server_port() != 0) == cases[i].runs, "case %zu: port %d", i,
		      osc_server_port());
		CHECK((n_errors > errors) == cases[i].error, "case %zu: %d errors", i,
		      n_errors - errors);
		CHECK_MSG(last_log, cases[i].fragment);
		osc_detach(&f.client);
	}
	unsetenv("RECUR_OSC_BIND");
	setenv("RECUR_OSC_PORT", port_s, 1);
}

/* Ids run out at OSC_MAX_ID: the next instance works on without one. */
static void check_id_limit(void)
{
	setenv("RECUR_OSC_PORT", "0", 1);
	static fake_instance many[OSC_MAX_ID + 1];
	for (int i = 0; i <= OSC_MAX_ID; i++)
		fake_init(&many[i], "");
	int warnings = n_warnings;
	for (int i = 0; i < OSC_MAX_ID; i++)
		osc_attach(&many[i].client, 0, &logger);
	CHECK(many[OSC_MAX_ID - 1].client.id == OSC_MAX_ID, "last id %d",
	      many[OSC_MAX_ID - 1].client.id);
	CHECK(osc_attach(&many[OSC_MAX_ID].client, 0, &logger) == 0, "got an id beyond the limit");
	CHECK(n_warnings == warnings + 1, "no warning when ids ran out");
	osc_detach(&many[OSC_MAX_ID].client); /* harmless without an id */
	for (int i = 0; i < OSC_MAX_ID; i++)
		osc_detach(&many[i].client);
	CHECK(many[0].client.id == 0, "not detached");
}

/* A socket of the test's own on loopback, to receive replies sent to a
 * named port; returns its port, 0 on failure. */
static int open_listener(lo_server *s)
{
	*s = lo_server_new_with_proto(NULL, LO_UDP, NULL);
	if (!*s)
		return 0;
	int fd = lo_server_get_socket_fd(*s);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int own = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof sa;
	if (own < 0 || bind(own, (struct sockaddr *)&sa, sizeof sa) < 0 || dup2(own, fd) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		if (own >= 0)
			close(own);
		return 0;
	}
	close(own);
	return ntohs(sa.sin_port);
}

static int listener_replies;

static int on_any_reply(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                        void *user)
{
	(void)path, (void)types, (void)argv, (void)argc, (void)m, (void)user;
	listener_replies++;
	return 0;
}

/* A reply goes to the sender's own host: at the port the request came from
 * or the one it names, never to another host a message tries to name. */
static void check_reply_address(void)
{
	lo_server other;
	int other_port = open_listener(&other);
	CHECK(other_port > 0, "no listener socket");
	if (!other_port)
		return;
	lo_server_add_method(other, NULL, NULL, on_any_reply, NULL);
	client_send(&cl, "/recur/stats", "i", other_port);
	for (int i = 0; i < 100 && !listener_replies; i++)
		lo_server_recv_noblock(other, 20);
	CHECK(listener_replies == 1, "%d replies at the named port", listener_replies);

	/* Ways to name another host are not part of the language: rejected,
	 * unanswered. */
	if (!synced())
		return;
	int64_t rejected = cl.rejected;
	int before = listener_replies;
	client_send(&cl, "/recur/list", "si", "127.0.0.2", other_port);
	client_send(&cl, "/recur/stats", "s", "10.1.2.3");
	client_send(&cl, "/recur/list", "ii", 0x7f000002, other_port);
	if (synced())
		CHECK(cl.rejected - rejected == 3, "rejected +%lld of 3 requests naming a host",
		      (long long)(cl.rejected - rejected));
	lo_server_recv_noblock(other, 100);
	CHECK(listener_replies == before, "%d replies to requests naming a host",
	      listener_replies - before);
	lo_server_free(other);
}

static double seconds_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* 2000 requests in a burst get at most OSC_REPLY_RATE replies plus what the
 * budget regains meanwhile; the rest are counted as rejected, and once the
 * budget has refilled the server answers again. A loaded machine may drop
 * datagrams on the way (UDP), so the server's own counts are what is checked:
 * it answered within the budget and counted every other request it got. */
static void check_reply_rate(void)
{
	const int n = 2000;
	if (!synced())
		return;
	int64_t rejected = cl.rejected;
	struct timespec refill = {1, 100000000};
	nanosleep(&refill, NULL); /* a full budget */
	client_receive(&cl, 0);
	int replies = cl.n_stats;
	const osc_counts before = osc_get_counts();
	double start = seconds_now();
	for (int k = 0; k < n; k++) {
		client_send(&cl, "/recur/stats", "");
		/* In steps of 50, reading replies, so neither side's socket
		 * buffer overflows and every request reaches the server. */
		if (k % 50 == 49) {
			client_receive(&cl, 1);
			struct timespec pause = {0, 1000000};
			nanosleep(&pause, NULL);
		}
	}
	for (int quiet = 0; quiet < 10; quiet++) {
		int seen = cl.n_stats;
		client_receive(&cl, 20);
		if (cl.n_stats != seen)
			quiet = 0;
	}
	double elapsed = seconds_now() - start;
	replies = cl.n_stats - replies;
	double bound = OSC_REPLY_RATE * (1.0 + elapsed) + 1.0;
	CHECK(replies <= bound, "%d replies to %d requests in %.3f s: more than the %.0f allowed",
	      replies, n, elapsed, bound);
	CHECK(replies >= OSC_REPLY_RATE / 2, "only %d replies to %d requests", replies, n);
	printf("%d requests in %.3f s: %d answered (limit %d per second)\n", n, elapsed, replies,
	       OSC_REPLY_RATE);
	const osc_counts after = osc_get_counts();
	const int64_t answered = (int64_t)(after.accepted - before.accepted);
	const int64_t refused = (int64_t)(after.rejected - before.rejected);
	CHECK(answered >= replies && answered <= bound, "the server answered %lld (%d arrived)",
	      (long long)answered, replies);
	CHECK(refused > 0 && answered + refused <= n, "%lld answered and %lld rejected of %d",
	      (long long)answered, (long long)refused, n);
	CHECK(answered + refused >= n / 2, "only %lld of %d requests counted",
	      (long long)(answered + refused), n);
	nanosleep(&refill, NULL);
	if (synced())
		CHECK(cl.rejected - rejected >= refused, "rejected +%lld, the server counted %lld",
		      (long long)(cl.rejected - rejected), (long long)refused);
}

int main(void)
{
	lv2_log_logger_init(&logger, &map, &log_feature);
	int port = client_pick_port(1);
	if (!client_open(&cl, port))
		return 1;
	unsetenv("RECUR_OSC_BIND");
	check_attach(port);
	if (osc_server_port() == port && synced()) {
		check_resets();
		check_bypass_and_load();
		check_list();
		check_ids();
		check_barrage();
		check_reply_address();
		check_reply_rate();
	}
	check_stop(port);
	check_port_taken(port);
	check_settings(port);
	check_id_limit();
	client_close(&cl);
	return check_exit();
}
