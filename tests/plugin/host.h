/*
 * A small LV2 host on lilv for recur's plugin tests: it finds the plugin by
 * URI on LV2_PATH exactly as a host does, and provides urid:map, log:log,
 * buf-size options and a Worker that the test runs between blocks (as jalv's
 * worker thread would), never inside run(). Ports are found by recur's
 * symbols (in, out, control, notify), else as the first port of their kind,
 * so it hosts other mono plugins too (bench/bench_lv2.c).
 */
#ifndef RECUR_TEST_HOST_H
#define RECUR_TEST_HOST_H

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <stdbool.h>
#include <stdint.h>

#define HOST_MAX_BLOCK     8192
#define HOST_ATOM_CAPACITY 8192
#define HOST_QUEUE_BYTES   65536
#define HOST_MAX_PORTS     32

/* Messages between run() and the Worker, stored back to back:
 * [uint32 size][size bytes, padded to 8]... */
typedef struct {
	uint8_t bytes[HOST_QUEUE_BYTES];
	uint32_t used;
} host_queue;

/* URIs mapped by the host, by index = URID - 1. */
typedef struct {
	char **uris;
	uint32_t n;
} host_urid_table;

typedef struct {
	LilvWorld *world;
	const LilvPlugin *plugin;
	LilvInstance *instance;
	bool active;
	const LV2_Worker_Interface *worker;
	double rate;

	host_urid_table urids;
	LV2_URID_Map map;
	LV2_URID_Unmap unmap;
	LV2_Worker_Schedule schedule;
	LV2_Feature map_f, unmap_f, sched_f, log_f, opts_f;
	const LV2_Feature *features[8];
	int32_t max_block, nominal_block;
	void *options; /* LV2_Options_Option[3] */
	void *log;     /* LV2_Log_Log */

	host_queue work, responses;
	/* The parameter host_send_model / host_send_get name: NULL (what
	 * host_open leaves) is recur's model; set it after host_open for
	 * another plugin's (its patch:writable atom:Path parameter). */
	const char *model_property;
	uint32_t n_ports;
	float controls[HOST_MAX_PORTS]; /* control port values by index */
	uint32_t port_control, port_notify, port_in, port_out;
	uint32_t port_status, port_nan;
	/* Sequence buffers, 8-byte aligned as LV2 requires. */
	uint64_t control_buf[HOST_ATOM_CAPACITY / 8];
	uint64_t notify_buf[HOST_ATOM_CAPACITY / 8];
	LV2_Atom_Forge forge;
	LV2_Atom_Forge_Frame seq_frame;

	char notified_path[4096]; /* last patch:Set of the model seen on notify */
	int notifications;
	int log_errors, log_warnings;
	char last_log[1024];
} test_host;

/* Sets up the world (LV2_PATH) and instantiates the plugin; false with a
 * message when it cannot. */
bool host_open(test_host *h, const char *plugin_uri, double rate);
void host_close(test_host *h);
/* Like host_open but leaves the instance inactive, as a plugin scanner
 * does: host_activate / host_deactivate switch it. */
bool host_open_inactive(test_host *h, const char *plugin_uri, double rate);
void host_activate(test_host *h);
void host_deactivate(test_host *h);
/* Frees the lilv world, after every host sharing it is closed. */
void host_close_world(test_host *h);
/* Like host_open but shares another host's world (a second instance). */
bool host_open_shared(test_host *h, test_host *world_owner, double rate);

/* Sets a control input by symbol; false if there is no such port. */
bool host_set(test_host *h, const char *symbol, float value);

/* A control port setting as a command line gives it: SYMBOL=VALUE. */
typedef struct {
	char symbol[64];
	float value;
} host_setting;
/* false unless arg is a symbol that fits, '=' and a finite number. */
bool host_parse_setting(const char *arg, host_setting *s);
float host_get(const test_host *h, const char *symbol);
/* Queues a patch:Set of the model path / a patch:Get for the next run. */
void host_send_model(test_host *h, const char *path);
void host_send_get(test_host *h);

/* The plugin's run() alone, a function of its own so that callgrind can
 * count it (--toggle-collect=host_plugin_run); host_run calls it. */
void host_plugin_run(LilvInstance *instance, uint32_t frames);
/* One run() of frames (<= HOST_MAX_BLOCK) samples; in and out may alias. */
void host_run(test_host *h, const float *in, float *out, uint32_t frames);
/* Does the queued Worker jobs and delivers their responses; returns how many
 * jobs ran. */
int host_service_worker(test_host *h);
/* run() in blocks of `block` frames, servicing the worker after each block. */
void host_process(test_host *h, const float *in, float *out, uint32_t frames, uint32_t block);

/* Saves the plugin state (lilv); NULL on failure. */
LilvState *host_save_state(test_host *h, const char *dir);
/* Restores it, with the Worker offered to restore (threadSafeRestore) or not. */
void host_restore_state(test_host *h, const LilvState *state, bool offer_worker);

/* Hooks for the real-time test: called around every call the host makes on
 * the audio thread (run(), the Worker's work_response and end_run), and on
 * every LV2 log call the plugin makes, on whichever thread. */
extern void (*host_before_run)(void);
extern void (*host_after_run)(void);
extern void (*host_on_log)(void);

/* Reads a file of little-endian float32 values; caller frees. */
float *host_read_f32(const char *path, uint32_t *count);

#endif
