/* The model slot: Worker loading, lock-free swap, state, patch messages. */
#include "model_slot.h"

#include "model_notes.h"
#include "rate.h"

#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/patch/patch.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What run() and restore ask the Worker to do. The path travels inline so the
 * Worker never reads memory the audio thread owns. */
typedef enum { MSG_LOAD = 1, MSG_FREE = 2, MSG_RETRY = 3 } slot_msg_kind;

typedef struct {
	uint32_t kind;
	slot_model *to_free; /* MSG_FREE */
	char path[];         /* MSG_LOAD, NUL-terminated (MSG_RETRY: none, the saved one) */
} slot_msg;

/* The Worker's answer to MSG_LOAD: the new model, or NULL when it failed. */
typedef struct {
	slot_model *loaded;
} slot_reply;

static void map_uris(model_slot *s)
{
	LV2_URID_Map *map = s->map;
	slot_uris *u = &s->uris;
	char model_uri[512];
	snprintf(model_uri, sizeof model_uri, "%s#model", s->plugin_uri);
	u->atom_Path = map->map(map->handle, LV2_ATOM__Path);
	u->atom_String = map->map(map->handle, LV2_ATOM__String);
	u->atom_URID = map->map(map->handle, LV2_ATOM__URID);
	u->atom_Sequence = map->map(map->handle, LV2_ATOM__Sequence);
	u->atom_Object = map->map(map->handle, LV2_ATOM__Object);
	u->atom_Blank = map->map(map->handle, LV2_ATOM__Blank);
	u->atom_Int = map->map(map->handle, LV2_ATOM__Int);
	u->patch_Set = map->map(map->handle, LV2_PATCH__Set);
	u->patch_Get = map->map(map->handle, LV2_PATCH__Get);
	u->patch_property = map->map(map->handle, LV2_PATCH__property);
	u->patch_value = map->map(map->handle, LV2_PATCH__value);
	u->model = map->map(map->handle, model_uri);
	u->bufsz_max = map->map(map->handle, LV2_BUF_SIZE__maxBlockLength);
	u->bufsz_nominal = map->map(map->handle, LV2_BUF_SIZE__nominalBlockLength);
}

bool slot_init(model_slot *s, const char *plugin_uri, double sample_rate,
               const LV2_Feature *const *features)
{
	memset(s, 0, sizeof *s);
	s->plugin_uri = plugin_uri;
	s->sample_rate = sample_rate;
	LV2_Log_Log *log = NULL;
	for (int i = 0; features && features[i]; i++) {
		if (!strcmp(features[i]->URI, LV2_URID__map))
			s->map = features[i]->data;
		else if (!strcmp(features[i]->URI, LV2_WORKER__schedule))
			s->schedule = features[i]->data;
		else if (!strcmp(features[i]->URI, LV2_LOG__log))
			log = features[i]->data;
	}
	lv2_log_logger_init(&s->logger, s->map, log);
	if (!s->map || !s->schedule) {
		lv2_log_error(&s->logger, "recur: host lacks required feature %s\n",
		              s->map ? LV2_WORKER__schedule : LV2_URID__map);
		return false;
	}
	map_uris(s);
	lv2_atom_forge_init(&s->forge, s->map);
	atomic_init(&s->restored, NULL);
	atomic_init(&s->restore_failed, false);
	atomic_init(&s->reset_requested, false);
	atomic_init(&s->retry_requested, false);
	pthread_mutex_init(&s->saved_lock, NULL);
	return true;
}

static void slot_model_free(slot_model *sm)
{
	if (sm) {
		recur_host_rate_free(sm->host);
		recur_model_free(sm->model);
		free(sm);
	}
}

void slot_fini(model_slot *s)
{
	slot_model_free(s->current);
	slot_model_free(atomic_exchange(&s->restored, NULL));
	while (s->graveyard) {
		slot_model *next = s->graveyard->next;
		slot_model_free(s->graveyard);
		s->graveyard = next;
	}
	pthread_mutex_destroy(&s->saved_lock);
}

/* ---- non-real-time side: loading ---- */

static void set_saved_path(model_slot *s, const char *path)
{
	pthread_mutex_lock(&s->saved_lock);
	snprintf(s->saved_path, sizeof s->saved_path, "%s", path);
	pthread_mutex_unlock(&s->saved_lock);
}

/* RECUR_RATE_METHOD (recur_host_options_parse: naive, resampled,
 * converted[:ORDER], converted:lagrange|minimax:ORDER) forces how a model
 * trained at another rate runs (tests, comparisons); unset, "auto" or not
 * understood (logged): recur chooses. */
static recur_host_options forced_rate_method(model_slot *s)
{
	recur_host_options opt = {0};
	const char *v = getenv("RECUR_RATE_METHOD");
	if (v && !recur_host_options_parse(v, &opt)) {
		lv2_log_warning(&s->logger,
		                "recur: RECUR_RATE_METHOD=\"%s\" not understood, ignored\n", v);
		opt = (recur_host_options){0};
	}
	return opt;
}

/* A model trained at another rate than the host's: plans how it runs at
 * the host's (analysis and allocation, so on the Worker) and logs why. */
static bool set_up_host_rate(model_slot *s, slot_model *sm)
{
	recur_model *m = sm->model;
	if (!(m->sample_rate > 0) ||
	    fabs(m->sample_rate - s->sample_rate) <=
	        RECUR_RATE_TOLERANCE * fmax(m->sample_rate, s->sample_rate))
		return true;
	recur_error err = {{0}};
	recur_host_options opt = forced_rate_method(s);
	sm->host = recur_host_rate_new(m, s->sample_rate, &opt, &err);
	if (!sm->host) {
		lv2_log_error(&s->logger, "recur: model \"%s\" at %g Hz: %s\n", sm->path,
		              s->sample_rate, err.msg);
		return false;
	}
	lv2_log_note(&s->logger, "recur: model \"%s\" trained at %g Hz, host at %g Hz: %s\n",
	             sm->path, m->sample_rate, s->sample_rate, recur_host_rate_plan(sm->host)->why);
	return true;
}

/* Reads, validates and allocates; logs why when it cannot. */
static slot_model *load_model(model_slot *s, const char *path)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	if (!m) {
		lv2_log_error(&s->logger, "recur: cannot load model \"%s\": %s\n", path, err.msg);
		return NULL;
	}
	if (s->accept && !s->accept(m, s->sample_rate, path, &s->logger)) {
		recur_model_free(m);
		return NULL;
	}
	size_t len = strlen(path);
	slot_model *sm = malloc(sizeof *sm + len + 1);
	if (!sm) {
		lv2_log_error(&s->logger, "recur: out of memory loading \"%s\"\n", path);
		recur_model_free(m);
		return NULL;
	}
	sm->model = m;
	sm->host = NULL;
	sm->next = NULL;
	memcpy(sm->path, path, len + 1);
	if (!s->own_rate && !set_up_host_rate(s, sm)) {
		slot_model_free(sm);
		return NULL;
	}
	sm->rate_assumed = model_notes_log(m, path, &s->logger);
	recur_reset(m);
	return sm;
}

/* The user's choice is remembered before it is tried: a file that cannot be
 * loaded now stays in the saved state and loads when it comes back. */
static slot_model *load_requested(model_slot *s, const char *path)
{
	set_saved_path(s, path);
	return load_model(s, path);
}

/* A reset after a failed load: the path asked for last, once more. */
static slot_model *load_saved(model_slot *s)
{
	char path[SLOT_PATH_MAX];
	slot_copy_path(s, path, sizeof path);
	return path[0] ? load_model(s, path) : NULL;
}

LV2_Worker_Status slot_work(model_slot *s, LV2_Worker_Respond_Function respond,
                            LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	const slot_msg *msg = data;
	if (size < sizeof *msg)
		return LV2_WORKER_ERR_UNKNOWN;
	if (msg->kind == MSG_FREE) {
		slot_model_free(msg->to_free);
		return LV2_WORKER_SUCCESS;
	}
	slot_reply reply;
	if (msg->kind == MSG_RETRY)
		reply.loaded = load_saved(s);
	else if (msg->kind == MSG_LOAD && size > sizeof *msg && !((const char *)data)[size - 1])
		reply.loaded = load_requested(s, msg->path);
	else
		return LV2_WORKER_ERR_UNKNOWN;
	if (respond(handle, sizeof reply, &reply) != LV2_WORKER_SUCCESS) {
		/* The audio thread will never see it: do not leak it. */
		slot_model_free(reply.loaded);
		return LV2_WORKER_ERR_NO_SPACE;
	}
	return LV2_WORKER_SUCCESS;
}

/* ---- audio thread ---- */

/* A model the audio thread no longer uses waits in the graveyard until
 * run() sends it to the Worker to be freed. */
static void bury(model_slot *s, slot_model *old)
{
	if (!old)
		return;
	old->next = s->graveyard;
	s->graveyard = old;
}

/* Sends the models the audio thread no longer uses to the Worker to be
 * freed; those the Worker queue has no room for wait for the next block.
 * Only run() calls it: the Worker's schedule is for run(), not for
 * work_response. */
static void send_graveyard(model_slot *s)
{
	slot_model *g = s->graveyard;
	s->graveyard = NULL;
	while (g) {
		slot_model *next = g->next;
		slot_msg msg = {MSG_FREE, g};
		if (s->schedule->schedule_work(s->schedule->handle, sizeof msg, &msg) !=
		    LV2_WORKER_SUCCESS)
			bury(s, g);
		g = next;
	}
}

static void swap_in(model_slot *s, slot_model *sm)
{
	slot_model *old = s->current;
	if (sm->host)
		recur_host_rate_reset(sm->host);
	else
		recur_reset(sm->model);
	s->current = sm;
	s->load_failed = false;
	s->notify_pending = true;
	bury(s, old);
}

LV2_Worker_Status slot_work_response(model_slot *s, uint32_t size, const void *data)
{
	if (size != sizeof(slot_reply))
		return LV2_WORKER_ERR_UNKNOWN;
	slot_reply reply;
	memcpy(&reply, data, sizeof reply);
	if (reply.loaded)
		swap_in(s, reply.loaded);
	else
		s->load_failed = true;
	return LV2_WORKER_SUCCESS;
}

void slot_run_begin(model_slot *s)
{
	slot_model *sm = atomic_exchange_explicit(&s->restored, NULL, memory_order_acq_rel);
	if (sm)
		swap_in(s, sm);
	send_graveyard(s);
	if (atomic_exchange_explicit(&s->restore_failed, false, memory_order_acq_rel))
		s->load_failed = true;
	if (atomic_exchange_explicit(&s->retry_requested, false, memory_order_acq_rel) &&
	    s->load_failed) {
		slot_msg msg = {MSG_RETRY, NULL};
		s->schedule->schedule_work(s->schedule->handle, sizeof msg, &msg);
	}
}

slot_status slot_status_now(const model_slot *s)
{
	if (s->load_failed)
		return SLOT_STATUS_LOAD_FAILED;
	if (!s->current)
		return SLOT_STATUS_EMPTY;
	slot_status st = !s->current->host ? SLOT_STATUS_LOADED
	                 : recur_host_rate_plan(s->current->host)->method == RECUR_HOST_RESAMPLED
	                     ? SLOT_STATUS_RESAMPLED
	                     : SLOT_STATUS_CONVERTED;
	if (!s->current->rate_assumed)
		return st;
	return st == SLOT_STATUS_LOADED      ? SLOT_STATUS_RATE_ASSUMED
	       : st == SLOT_STATUS_CONVERTED ? SLOT_STATUS_CONVERTED_RATE_ASSUMED
	                                     : SLOT_STATUS_RESAMPLED_RATE_ASSUMED;
}

void slot_process_mono(model_slot *s, const float *in, float *out, uint32_t frames,
                       const float *cond)
{
	if (s->current->host)
		recur_host_rate_process_mono(s->current->host, in, out, frames, cond);
	else
		recur_process_mono(s->current->model, in, out, frames, cond);
}

void slot_reset_model(model_slot *s)
{
	if (!s->current)
		return;
	if (s->current->host)
		recur_host_rate_reset(s->current->host);
	else
		recur_reset(s->current->model);
}

int slot_latency_now(const model_slot *s)
{
	return s->current && s->current->host ? recur_host_rate_plan(s->current->host)->latency : 0;
}

bool slot_request_load(model_slot *s, const char *path, size_t len)
{
	if (len == 0 || len >= SLOT_PATH_MAX) {
		s->load_failed = true;
		return false;
	}
	/* A fixed buffer on the stack: the message is bounded by SLOT_PATH_MAX. */
	union {
		slot_msg msg;
		char bytes[sizeof(slot_msg) + SLOT_PATH_MAX];
	} buf;
	buf.msg.kind = MSG_LOAD;
	buf.msg.to_free = NULL;
	memcpy(buf.msg.path, path, len);
	buf.msg.path[len] = '\0';
	uint32_t size = (uint32_t)(sizeof(slot_msg) + len + 1);
	if (s->schedule->schedule_work(s->schedule->handle, size, &buf) != LV2_WORKER_SUCCESS) {
		s->load_failed = true;
		return false;
	}
	return true;
}

/* Queues a load of the path a patch:Set carried. */
static void request_load(model_slot *s, const LV2_Atom *value)
{
	if (!value || (value->type != s->uris.atom_Path && value->type != s->uris.atom_String)) {
		s->load_failed = true;
		return;
	}
	const char *path = LV2_ATOM_BODY_CONST(value);
	slot_request_load(s, path, strnlen(path, value->size));
}

static void handle_object(model_slot *s, const LV2_Atom_Object *obj)
{
	const slot_uris *u = &s->uris;
	const LV2_Atom *property = NULL;
	const LV2_Atom *value = NULL;
	lv2_atom_object_get(obj, u->patch_property, &property, u->patch_value, &value, 0);
	bool about_model = property && property->type == u->atom_URID &&
	                   ((const LV2_Atom_URID *)property)->body == u->model;
	if (obj->body.otype == u->patch_Set && about_model)
		request_load(s, value);
	else if (obj->body.otype == u->patch_Get && (!property || about_model))
		s->notify_pending = true;
}

static void write_model_set(model_slot *s)
{
	const slot_uris *u = &s->uris;
	LV2_Atom_Forge *f = &s->forge;
	const char *path = s->current ? s->current->path : "";
	LV2_Atom_Forge_Frame frame;
	if (!lv2_atom_forge_frame_time(f, 0))
		return;
	lv2_atom_forge_object(f, &frame, 0, u->patch_Set);
	lv2_atom_forge_key(f, u->patch_property);
	lv2_atom_forge_urid(f, u->model);
	lv2_atom_forge_key(f, u->patch_value);
	lv2_atom_forge_path(f, path, (uint32_t)strlen(path));
	lv2_atom_forge_pop(f, &frame);
	s->notify_pending = false;
}

/* Some hosts (jalv 1.6) hand over sequences that are 4- rather than 8-byte
 * aligned. Nothing here reads more than 32 bits at a time except the event's
 * 64-bit frame time, which x86 and ARMv8 load unaligned, so the walk stays
 * as it is and only the sanitizer's alignment check is switched off. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize("alignment")))
#endif
void slot_run_events(model_slot *s, const LV2_Atom_Sequence *control, LV2_Atom_Sequence *notify)
{
	LV2_Atom_Forge_Frame seq_frame;
	bool can_notify = false;
	if (notify) {
		lv2_atom_forge_set_buffer(&s->forge, (uint8_t *)notify,
		                          notify->atom.size + sizeof(LV2_Atom));
		can_notify = lv2_atom_forge_sequence_head(&s->forge, &seq_frame, 0) != 0;
	}
	if (control) {
		LV2_ATOM_SEQUENCE_FOREACH(control, ev)
		{
			const LV2_Atom *a = &ev->body;
			if (a->type == s->uris.atom_Object || a->type == s->uris.atom_Blank)
				handle_object(s, (const LV2_Atom_Object *)a);
		}
	}
	if (can_notify) {
		if (s->notify_pending)
			write_model_set(s);
		lv2_atom_forge_pop(&s->forge, &seq_frame);
	}
}

static bool all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

void slot_guard_state(model_slot *s, bool output_was_bad)
{
	recur_model *m = slot_model_now(s);
	if (!m)
		return;
	if (output_was_bad || !all_finite(m->state, m->n_state)) {
		slot_reset_model(s);
		s->nan_resets++;
	}
}

void slot_copy_path(model_slot *s, char *buf, size_t size)
{
	if (!size)
		return;
	pthread_mutex_lock(&s->saved_lock);
	snprintf(buf, size, "%s", s->saved_path);
	pthread_mutex_unlock(&s->saved_lock);
}

/* ---- state ---- */

static const LV2_Feature *find_feature(const LV2_Feature *const *features, const char *uri)
{
	for (int i = 0; features && features[i]; i++)
		if (!strcmp(features[i]->URI, uri))
			return features[i];
	return NULL;
}

static void free_host_path(const LV2_Feature *const *features, char *path)
{
	const LV2_Feature *f = find_feature(features, LV2_STATE__freePath);
	if (f) {
		const LV2_State_Free_Path *fp = f->data;
		fp->free_path(fp->handle, path);
	} else {
		free(path);
	}
}

LV2_State_Status slot_save(model_slot *s, LV2_State_Store_Function store, LV2_State_Handle handle,
                           const LV2_Feature *const *features)
{
	char path[SLOT_PATH_MAX];
	pthread_mutex_lock(&s->saved_lock);
	memcpy(path, s->saved_path, sizeof path);
	pthread_mutex_unlock(&s->saved_lock);
	if (!path[0])
		return LV2_STATE_SUCCESS;

	const LV2_Feature *f = find_feature(features, LV2_STATE__mapPath);
	const LV2_State_Map_Path *map_path = f ? f->data : NULL;
	char *stored = map_path ? map_path->abstract_path(map_path->handle, path) : NULL;
	const char *value = stored ? stored : path;
	LV2_State_Status st = store(handle, s->uris.model, value, strlen(value) + 1,
	                            s->uris.atom_Path, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
	if (stored)
		free_host_path(features, stored);
	return st;
}

/* Loads on the calling (non-audio) thread and hands the model, or the news
 * that it failed, to run(). */
static LV2_State_Status restore_now(model_slot *s, const char *path)
{
	slot_model *sm = load_requested(s, path);
	if (!sm) {
		atomic_store_explicit(&s->restore_failed, true, memory_order_release);
		return LV2_STATE_ERR_UNKNOWN;
	}
	/* A later success outdates an earlier failure not yet seen by run(). */
	atomic_store_explicit(&s->restore_failed, false, memory_order_release);
	slot_model_free(atomic_exchange_explicit(&s->restored, sm, memory_order_acq_rel));
	return LV2_STATE_SUCCESS;
}

static LV2_State_Status restore_via_worker(const LV2_Worker_Schedule *sched, const char *path)
{
	size_t len = strlen(path);
	slot_msg *msg = malloc(sizeof *msg + len + 1);
	if (!msg)
		return LV2_STATE_ERR_UNKNOWN;
	msg->kind = MSG_LOAD;
	msg->to_free = NULL;
	memcpy(msg->path, path, len + 1);
	LV2_Worker_Status ws =
	    sched->schedule_work(sched->handle, (uint32_t)(sizeof *msg + len + 1), msg);
	free(msg);
	return ws == LV2_WORKER_SUCCESS ? LV2_STATE_SUCCESS : LV2_STATE_ERR_UNKNOWN;
}

LV2_State_Status slot_restore(model_slot *s, LV2_State_Retrieve_Function retrieve,
                              LV2_State_Handle handle, const LV2_Feature *const *features)
{
	size_t size = 0;
	uint32_t type = 0, flags = 0;
	const char *value = retrieve(handle, s->uris.model, &size, &type, &flags);
	if (!value || !size)
		return LV2_STATE_SUCCESS; /* no model in this state: keep what plays */
	if (type != s->uris.atom_Path && type != s->uris.atom_String) {
		lv2_log_error(&s->logger, "recur: state holds the model path with a wrong type\n");
		return LV2_STATE_ERR_BAD_TYPE;
	}
	if (strnlen(value, size) == size || size > SLOT_PATH_MAX) {
		lv2_log_error(&s->logger, "recur: state holds a malformed model path\n");
		return LV2_STATE_ERR_UNKNOWN;
	}

	const LV2_Feature *f = find_feature(features, LV2_STATE__mapPath);
	const LV2_State_Map_Path *map_path = f ? f->data : NULL;
	char *absolute = map_path ? map_path->absolute_path(map_path->handle, value) : NULL;
	const char *path = absolute ? absolute : value;

	const LV2_Feature *wf = find_feature(features, LV2_WORKER__schedule);
	LV2_State_Status st = wf ? restore_via_worker(wf->data, path) : restore_now(s, path);
	if (absolute)
		free_host_path(features, absolute);
	return st;
}
