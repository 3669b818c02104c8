/*
 * An OSC client for the tests: sends to the recur server on 127.0.0.1 and
 * receives its replies on its own loopback socket. Every wait is bounded.
 */
#ifndef RECUR_TEST_OSC_CLIENT_H
#define RECUR_TEST_OSC_CLIENT_H

#include <lo/lo.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIENT_MAX_LISTED 64
/* How long a reply may take before the test gives up, milliseconds: long,
 * since only a failing test waits it out and a loaded machine can hold a
 * thread back for seconds. */
#define CLIENT_WAIT_MS 9000

typedef struct {
	int id;
	char path[2048];
} listed_instance;

typedef struct {
	lo_server server; /* our socket: replies come here */
	lo_address to;    /* the recur server */
	int port;         /* the recur server's port */

	/* Filled by replies. */
	bool got_stats;
	int n_stats; /* /recur/stats replies received since client_open */
	int64_t accepted, rejected;
	bool got_list_end;
	int list_end_count;
	int n_listed;
	listed_instance listed[CLIENT_MAX_LISTED];
} osc_test_client;

/* A free port for this test process in 20000..31999, derived from the
 * process id so tests running side by side do not collide. */
int client_pick_port(int salt);
/* True if nothing on this machine holds the UDP port on loopback. */
bool client_port_free(int port);
/* A UDP socket bound to 127.0.0.1:port (0: any free port), or -1. */
int client_bind_loopback(int port);
/* Also sets RECUR_OSC_PORT for the server the test starts. */
bool client_open(osc_test_client *c, int port);
void client_close(osc_test_client *c);

/* Sends a message from the client's socket: client_send(c, path, types, args...);
 * liblo's return value, negative on failure. */
#define client_send(c, path, ...)                                                                  \
	lo_send_from((c)->to, (c)->server, LO_TT_IMMEDIATE, (path), __VA_ARGS__)
/* Sends raw bytes, well-formed or not, from the client's socket. */
bool client_send_raw(osc_test_client *c, const void *bytes, size_t n);

/* Asks for the counters and waits for them: when it returns true every
 * packet sent before has been handled (one server thread, in order). */
bool client_sync(osc_test_client *c);
/* /recur/list, waits for /recur/list/end. */
bool client_list(osc_test_client *c);
/* Handles replies that have arrived, waiting up to ms for the first. */
void client_receive(osc_test_client *c, int ms);

#endif
