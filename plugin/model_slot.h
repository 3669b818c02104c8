/*
 * The model slot: everything a recur plugin needs to hold one network while
 * audio runs, independent of the plugin's ports.
 *
 *   - loading through the LV2 Worker (patch:Set of <plugin>#model), swapping
 *     the new model in at a block boundary without locks, freeing the old one
 *     on the Worker again;
 *   - patch:Get answers and notifications on the notify port;
 *   - state save/restore of the model path: the path the user asked for,
 *     kept (and saved) even while that file cannot be loaded, so a session
 *     saved while its model is missing still names it;
 *   - the status value, the NaN/Inf reset counter and the reset request flag
 *     (atomic, so any thread, e.g. a control server, can ask for a reset).
 *
 * Threads: slot_run_*, slot_work_response and slot_request_reset are
 * audio-thread safe (no allocation, locks or I/O). slot_work runs on the
 * Worker thread; slot_save and slot_restore on a host thread and may run
 * concurrently with audio (state:threadSafeRestore).
 */
#ifndef RECUR_MODEL_SLOT_H
#define RECUR_MODEL_SLOT_H

#include "host_rate.h"
#include "recur.h"

#include <lv2/atom/forge.h>
#include <lv2/core/lv2.h>
#include <lv2/log/logger.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest model path accepted, bytes including the NUL. A Worker message
 * carries the path inline, and hosts' Worker queues are a few KiB. */
#define SLOT_PATH_MAX 2048

/* The value of the status control output. */
typedef enum {
	SLOT_STATUS_EMPTY = 0,  /* no model: clean pass-through */
	SLOT_STATUS_LOADED = 1, /* model running */
	/* Trained at another sample rate, running at the host's by the state-delay
	 * method (engine/host_rate.h): no latency. */
	SLOT_STATUS_CONVERTED = 2,
	SLOT_STATUS_LOAD_FAILED =
	    3, /* last load failed; the previous model (if any) keeps running */
	/* Trained at another sample rate, running at its own between two
	 * resamplers: latency on the latency port. */
	SLOT_STATUS_RESAMPLED = 4,
	/* As 1, 2 and 4, for a file that states no sample rate: it runs at the
	 * rate its format's ecosystem assumes (model_notes.h). */
	SLOT_STATUS_RATE_ASSUMED = 5,
	SLOT_STATUS_CONVERTED_RATE_ASSUMED = 6,
	SLOT_STATUS_RESAMPLED_RATE_ASSUMED = 7,
} slot_status;

/* A loaded model and the path it came from: one allocation, made and freed on
 * the Worker (or in restore), handed to the audio thread by pointer. */
typedef struct slot_model {
	recur_model *model;
	bool rate_assumed; /* the file states no rate (model_notes.h) */
	/* Runs model at the host's rate when the two differ (set up on the
	 * Worker with the model); NULL at the model's own rate and in plugins
	 * that step models at their own rate. */
	recur_host_rate *host;
	struct slot_model *next; /* graveyard list, see below */
	char path[];             /* NUL-terminated, absolute */
} slot_model;

typedef struct {
	LV2_URID atom_Path;
	LV2_URID atom_String;
	LV2_URID atom_URID;
	LV2_URID atom_Sequence;
	LV2_URID atom_Object;
	LV2_URID atom_Blank;
	LV2_URID patch_Set;
	LV2_URID patch_Get;
	LV2_URID patch_property;
	LV2_URID patch_value;
	LV2_URID model;     /* <plugin>#model */
	LV2_URID bufsz_max; /* buf-size:maxBlockLength */
	LV2_URID bufsz_nominal;
	LV2_URID atom_Int;
} slot_uris;

typedef struct {
	LV2_URID_Map *map;
	LV2_Log_Logger logger;
	LV2_Worker_Schedule *schedule;
	slot_uris uris;
	LV2_Atom_Forge forge;
	double sample_rate;
	const char *plugin_uri;

	/* Audio thread only. */
	slot_model *current;
	bool notify_pending; /* send patch:Set of the current path on the next run */
	bool load_failed;
	uint32_t nan_resets;
	/* Models swapped out, waiting for run() to send them to the Worker to be
	 * freed (again at the next block when its queue was full); linked
	 * through slot_model.next, so nothing is allocated. */
	slot_model *graveyard;

	/* Handed over by a restore that had no Worker: the audio thread takes it
	 * at its next block and sends the old one to the Worker to be freed. */
	_Atomic(slot_model *) restored;
	/* Set by such a restore when its load failed: status 3 at the next block. */
	atomic_bool restore_failed;
	atomic_bool reset_requested;
	atomic_bool retry_requested; /* by a reset: try a failed path again */

	/* The path state save writes: the last path a load was asked for (by
	 * patch:Set, OSC or restore), set by the Worker and restore when they try
	 * it, loaded or not, so save never touches a model the audio thread may
	 * free and a missing file is not forgotten. */
	pthread_mutex_t saved_lock;
	char saved_path[SLOT_PATH_MAX];

	/* Optional, set after slot_init by plugins whose ports or per-sample
	 * cost limit the models they can run: called where a model is read
	 * (Worker or restore) before it is accepted, with the host's sample rate;
	 * false refuses it, after logging why through log, and the previous model
	 * keeps running. */
	bool (*accept)(const recur_model *m, double host_rate, const char *path,
	               LV2_Log_Logger *log);
	/* Set by plugins that step a model at its own rate: a model trained at
	 * another rate than the host's is then no mismatch and not warned about. */
	bool own_rate;
} model_slot;

/* Reads urid:map (required), worker:schedule (required) and log:log from
 * features. NULL and a message on stderr/log when a required one is missing. */
bool slot_init(model_slot *s, const char *plugin_uri, double sample_rate,
               const LV2_Feature *const *features);
/* Frees the models still held; call from cleanup. */
void slot_fini(model_slot *s);

/* ---- audio thread ---- */

/* At the start of run(): picks up a model (or a failure) handed over by
 * restore, and asks the Worker to retry a failed path after a reset. */
void slot_run_begin(model_slot *s);
/* Handles patch:Set/Get events of the control sequence and writes
 * notifications into the notify port (its capacity is read from the port). */
void slot_run_events(model_slot *s, const LV2_Atom_Sequence *control, LV2_Atom_Sequence *notify);
/* The model to run this block, or NULL. */
static inline recur_model *slot_model_now(const model_slot *s)
{
	return s->current ? s->current->model : NULL;
}
slot_status slot_status_now(const model_slot *s);
/* The current model over a mono block at the host's rate (see
 * slot_model.host); in and out may alias. */
void slot_process_mono(model_slot *s, const float *in, float *out, uint32_t frames,
                       const float *cond);
/* Back to the initial state, with the host-rate history. */
void slot_reset_model(model_slot *s);
/* Samples of latency the current model adds at the host's rate. */
int slot_latency_now(const model_slot *s);
/* True once per requested reset (reset port, control server, ...). */
static inline bool slot_take_reset(model_slot *s)
{
	return atomic_exchange_explicit(&s->reset_requested, false, memory_order_acq_rel);
}
/* Any thread. A reset while the last load failed also has the Worker try
 * that path again (slot_run_begin), so a model whose file has come back
 * loads. */
static inline void slot_request_reset(model_slot *s)
{
	atomic_store_explicit(&s->reset_requested, true, memory_order_release);
	atomic_store_explicit(&s->retry_requested, true, memory_order_release);
}
/* Asks the Worker to load path (len bytes, no NUL needed), as a patch:Set
 * does; for paths arriving by other routes (a control server's mailbox).
 * False, and status 3, when the path is empty or too long or the Worker
 * queue is full. */
bool slot_request_load(model_slot *s, const char *path, size_t len);
/* Checks the model's recurrent state; a non-finite value resets it and counts. */
void slot_guard_state(model_slot *s, bool output_was_bad);

/* ---- other threads ---- */

/* The model path the user asked for last ("" for none), loaded or not,
 * NUL-terminated; takes a lock, so never from the audio thread. */
void slot_copy_path(model_slot *s, char *buf, size_t size);

/* ---- LV2 Worker and State ---- */

LV2_Worker_Status slot_work(model_slot *s, LV2_Worker_Respond_Function respond,
                            LV2_Worker_Respond_Handle handle, uint32_t size, const void *data);
LV2_Worker_Status slot_work_response(model_slot *s, uint32_t size, const void *data);
LV2_State_Status slot_save(model_slot *s, LV2_State_Store_Function store, LV2_State_Handle handle,
                           const LV2_Feature *const *features);
LV2_State_Status slot_restore(model_slot *s, LV2_State_Retrieve_Function retrieve,
                              LV2_State_Handle handle, const LV2_Feature *const *features);

#endif
