/* The tests' OSC client (see client.h). */
#include "client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int on_stats(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                    void *user)
{
	(void)path, (void)types, (void)argc, (void)m;
	osc_test_client *c = user;
	/* liblo's arguments are only 4-byte aligned: copy, do not dereference. */
	memcpy(&c->accepted, argv[0], sizeof c->accepted);
	memcpy(&c->rejected, argv[1], sizeof c->rejected);
	c->got_stats = true;
	c->n_stats++;
	return 0;
}

static int on_instance(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                       void *user)
{
	(void)path, (void)types, (void)argc, (void)m;
	osc_test_client *c = user;
	if (c->n_listed < CLIENT_MAX_LISTED) {
		listed_instance *li = &c->listed[c->n_listed++];
		memcpy(&li->id, argv[0], sizeof li->id);
		snprintf(li->path, sizeof li->path, "%s", (const char *)argv[1]);
	}
	return 0;
}

static int on_list_end(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                       void *user)
{
	(void)path, (void)types, (void)argc, (void)m;
	osc_test_client *c = user;
	memcpy(&c->list_end_count, argv[0], sizeof c->list_end_count);
	c->got_list_end = true;
	return 0;
}

int client_bind_loopback(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* liblo binds the wildcard address; the tests stay on loopback, so a socket
 * bound to 127.0.0.1 takes the place of liblo's. */
static bool bind_loopback(lo_server s)
{
	int fd = client_bind_loopback(0);
	bool ok = fd >= 0 && dup2(fd, lo_server_get_socket_fd(s)) >= 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

bool client_port_free(int port)
{
	int fd = client_bind_loopback(port);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* Below Linux's ephemeral range (32768 and up), so no socket bound to port
 * 0 anywhere (every OSC client's own) can be given the port we chose. */
int client_pick_port(int salt)
{
	enum { FIRST = 20000, COUNT = 12000 };
	unsigned start = (unsigned)getpid() * 7u + (unsigned)salt * 7919u;
	for (unsigned i = 0; i < 64; i++) {
		int port = FIRST + (int)((start + i * 211u) % COUNT);
		if (client_port_free(port))
			return port;
	}
	return FIRST + (int)(start % COUNT);
}

bool client_open(osc_test_client *c, int port)
{
	memset(c, 0, sizeof *c);
	char port_s[16];
	snprintf(port_s, sizeof port_s, "%d", port);
	setenv("RECUR_OSC_PORT", port_s, 1);
	c->port = port;
	c->server = lo_server_new("0", NULL);
	c->to = lo_address_new("127.0.0.1", port_s);
	if (!c->server || !c->to || !bind_loopback(c->server)) {
		fprintf(stderr, "cannot open the test's OSC client\n");
		return false;
	}
	lo_server_add_method(c->server, "/recur/stats", "hh", on_stats, c);
	lo_server_add_method(c->server, "/recur/instance", "is", on_instance, c);
	lo_server_add_method(c->server, "/recur/list/end", "i", on_list_end, c);
	return true;
}

void client_close(osc_test_client *c)
{
	if (c->to)
		lo_address_free(c->to);
	if (c->server)
		lo_server_free(c->server);
	c->to = NULL;
	c->server = NULL;
}

bool client_send_raw(osc_test_client *c, const void *bytes, size_t n)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = lo_server_get_socket_fd(c->server);
	return sendto(fd, bytes, n, 0, (struct sockaddr *)&sa, sizeof sa) == (ssize_t)n;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Receives until *flag is set or the time is up. */
static bool wait_for(osc_test_client *c, const bool *flag, int ms)
{
	double end = now_ms() + ms;
	while (!*flag && now_ms() < end)
		lo_server_recv_noblock(c->server, 20);
	return *flag;
}

/* Reads whatever replies are queued, so a reply about to come cannot be
 * dropped for lack of room behind stale ones. */
static void drain(osc_test_client *c)
{
	for (int i = 0; i < 100000 && lo_server_recv_noblock(c->server, 0) > 0; i++)
		;
}

bool client_sync(osc_test_client *c)
{
	drain(c);
	/* Up to three requests: a packet may be dropped when the server's own
	 * receive buffer is full of earlier traffic. */
	for (int attempt = 0; attempt < 3; attempt++) {
		c->got_stats = false;
		if (client_send(c, "/recur/stats", "") < 0)
			return false;
		if (wait_for(c, &c->got_stats, CLIENT_WAIT_MS / 3))
			return true;
	}
	return false;
}

bool client_list(osc_test_client *c)
{
	drain(c);
	c->got_list_end = false;
	c->n_listed = 0;
	if (client_send(c, "/recur/list", "") < 0)
		return false;
	return wait_for(c, &c->got_list_end, CLIENT_WAIT_MS);
}

void client_receive(osc_test_client *c, int ms)
{
	if (lo_server_recv_noblock(c->server, ms) > 0)
		drain(c);
}
