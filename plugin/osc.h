/*
 * The OSC control server: one liblo server thread per process, shared by
 * every recur instance in it, that resets, bypasses and loads models into
 * instances addressed by a small integer id.
 *
 *   /recur/reset              every instance
 *   /recur/list [i port]      replies /recur/instance i s (id, model path)
 *                             per instance, then /recur/list/end i (count)
 *   /recur/stats [i port]     replies /recur/stats h h (accepted, rejected)
 *
 * Replies go to the sender's own address (its port, or the one it names),
 * at most OSC_REPLY_RATE packets per second.
 *   /recur/<id>/reset
 *   /recur/<id>/bypass i      nonzero bypasses, 0 ends the OSC bypass
 *   /recur/<id>/load s        absolute path of a model file
 *
 * Threads: osc_attach, osc_detach and osc_claim_id run where the host
 * instantiates, restores and cleans up (never the audio thread); they and
 * the server thread share one registry lock. The server thread calls the
 * instance's osc_ops under that lock, so an instance is never called after
 * osc_detach returns; the ops must hand requests to the audio thread through
 * atomics or a lock-free mailbox (osc_mailbox.h) and return at once.
 *
 * The server starts with the first attached instance and stops (its thread
 * joined) with the last detach; instances attach when activated
 * (osc_link.h). Its port and address are read from the
 * environment when it starts:
 *   RECUR_OSC_PORT  UDP port, default OSC_DEFAULT_PORT; 0 turns OSC off
 *   RECUR_OSC_BIND  IPv4 address to listen on, default 127.0.0.1
 *                   (0.0.0.0 listens on every interface: an explicit opt-in)
 */
#ifndef RECUR_OSC_H
#define RECUR_OSC_H

#include <lv2/log/logger.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OSC_DEFAULT_PORT 9870
#define OSC_DEFAULT_BIND "127.0.0.1"
/* Reply packets per second, and the largest burst (osc.c). */
#define OSC_REPLY_RATE 512
/* Ids run 1..OSC_MAX_ID; an instance beyond that is not addressable. */
#define OSC_MAX_ID 255

/* What the server asks of an instance; called on the server thread. */
typedef struct {
	void (*reset)(void *ctx);
	void (*bypass)(void *ctx, bool on);
	/* False when the request could not be handed over (path too long, or
	 * the audio thread kept the mailbox busy). */
	bool (*load)(void *ctx, const char *path, size_t len);
	/* Writes the current model path ("" for none), NUL-terminated. */
	void (*model_path)(void *ctx, char *buf, size_t size);
} osc_ops;

/* One instance's entry. Lives inside the instance; id is written by the
 * registry (0: not registered). */
typedef struct {
	const osc_ops *ops;
	void *ctx;
	int id;
} osc_client;

/* Message counts since the process started (all servers it ran). */
typedef struct {
	uint64_t accepted; /* well-formed messages that did something */
	uint64_t rejected; /* malformed packets, unknown paths and ids, wrong types,
	                      bad values: all ignored */
} osc_counts;

/* Registers the client under `wanted_id` if it is free (pass 0 for none),
 * else the lowest free id, and starts the server if it is not running.
 * Problems (no free id, port taken, bad environment) are logged through
 * `log` (may be NULL) and leave the instance working without OSC. Returns the
 * id, 0 when the client could not be registered. */
int osc_attach(osc_client *c, int wanted_id, LV2_Log_Logger *log);
/* Unregisters; the last one stops the server and joins its thread. */
void osc_detach(osc_client *c);
/* Moves an attached client to `id` when that id is free (a restored session
 * gets its old id back); returns the client's id afterwards. */
int osc_claim_id(osc_client *c, int id);

/* The UDP port the server listens on, 0 when it is not running. */
int osc_server_port(void);
osc_counts osc_get_counts(void);

#endif
