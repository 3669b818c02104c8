/* A minimal lilv host for recur's plugin tests; see host.h. */
#include "host.h"

#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void (*host_before_run)(void);
void (*host_after_run)(void);
void (*host_on_log)(void);

/* ---- urid ---- */

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	host_urid_table *t = handle;
	for (uint32_t i = 0; i < t->n; i++)
		if (!strcmp(t->uris[i], uri))
			return i + 1;
	char **grown = realloc(t->uris, (t->n + 1) * sizeof *grown);
	if (!grown)
		return 0;
	t->uris = grown;
	t->uris[t->n] = strdup(uri);
	return ++t->n;
}

static const char *unmap_urid(LV2_URID_Unmap_Handle handle, LV2_URID urid)
{
	host_urid_table *t = handle;
	return urid >= 1 && urid <= t->n ? t->uris[urid - 1] : NULL;
}

/* ---- log ---- */

static int log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, va_list ap)
{
	test_host *h = handle;
	if (host_on_log)
		host_on_log();
	vsnprintf(h->last_log, sizeof h->last_log, fmt, ap);
	const char *kind = unmap_urid(&h->urids, type);
	if (kind && !strcmp(kind, LV2_LOG__Error))
		h->log_errors++;
	else if (kind && !strcmp(kind, LV2_LOG__Warning))
		h->log_warnings++;
	if (getenv("RECUR_TEST_VERBOSE"))
		fprintf(stderr, "plugin log: %s", h->last_log);
	return 0;
}

static int log_printf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = log_vprintf(handle, type, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- worker: fixed queues, nothing allocated on the run() side ---- */

static bool queue_push(host_queue *q, uint32_t size, const void *data)
{
	uint32_t padded = (size + 7u) & ~7u;
	if (q->used + 8 + padded > sizeof q->bytes)
		return false;
	memcpy(q->bytes + q->used, &size, sizeof size);
	memcpy(q->bytes + q->used + 8, data, size);
	q->used += 8 + padded;
	return true;
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                       const void *data)
{
	test_host *h = handle;
	return queue_push(&h->work, size, data) ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
	test_host *h = handle;
	return queue_push(&h->responses, size, data) ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
}

/* Calls fn for each message of q, then empties it. A copy is walked so fn may
 * queue new messages into q. */
static int queue_drain(test_host *h, host_queue *q, bool as_work)
{
	static host_queue copy;
	memcpy(&copy, q, sizeof copy);
	q->used = 0;
	int n = 0;
	for (uint32_t off = 0; off < copy.used; n++) {
		uint32_t size;
		memcpy(&size, copy.bytes + off, sizeof size);
		const void *body = copy.bytes + off + 8;
		LV2_Handle inst = lilv_instance_get_handle(h->instance);
		if (as_work) {
			h->worker->work(inst, respond, h, size, body);
		} else {
			/* The audio thread's: real-time rules apply. */
			if (host_before_run)
				host_before_run();
			h->worker->work_response(inst, size, body);
			if (host_after_run)
				host_after_run();
		}
		off += 8 + ((size + 7u) & ~7u);
	}
	return n;
}

int host_service_worker(test_host *h)
{
	int n = 0;
	while (h->work.used) {
		n += queue_drain(h, &h->work, true);
		queue_drain(h, &h->responses, false);
	}
	return n;
}

/* ---- ports ---- */

static void reset_sequences(test_host *h)
{
	lv2_atom_forge_set_buffer(&h->forge, (uint8_t *)h->control_buf, sizeof h->control_buf);
	lv2_atom_forge_sequence_head(&h->forge, &h->seq_frame, 0);
	LV2_Atom_Sequence *notify = (LV2_Atom_Sequence *)h->notify_buf;
	notify->atom.type = 0;
	notify->atom.size = sizeof h->notify_buf - sizeof(LV2_Atom);
}

static uint32_t port_index(const test_host *h, const char *symbol)
{
	LilvNode *sym = lilv_new_string(h->world, symbol);
	const LilvPort *port = lilv_plugin_get_port_by_symbol(h->plugin, sym);
	lilv_node_free(sym);
	return port ? lilv_port_get_index(h->plugin, port) : UINT32_MAX;
}

/* The port of that symbol, else the first input or output port of the
 * class (lv2:AudioPort, atom:AtomPort): what another plugin calls it. */
static uint32_t find_port(const test_host *h, const char *symbol, const char *class_uri, bool input)
{
	uint32_t i = port_index(h, symbol);
	if (i != UINT32_MAX)
		return i;
	LilvNode *cls = lilv_new_uri(h->world, class_uri);
	LilvNode *dir = lilv_new_uri(h->world, input ? LV2_CORE__InputPort : LV2_CORE__OutputPort);
	for (uint32_t p = 0; p < h->n_ports && i == UINT32_MAX; p++) {
		const LilvPort *port = lilv_plugin_get_port_by_index(h->plugin, p);
		if (lilv_port_is_a(h->plugin, port, cls) && lilv_port_is_a(h->plugin, port, dir))
			i = p;
	}
	lilv_node_free(dir);
	lilv_node_free(cls);
	return i;
}

static void connect_ports(test_host *h)
{
	h->n_ports = lilv_plugin_get_num_ports(h->plugin);
	float mins[HOST_MAX_PORTS], maxs[HOST_MAX_PORTS];
	lilv_plugin_get_port_ranges_float(h->plugin, mins, maxs, h->controls);
	for (uint32_t i = 0; i < h->n_ports && i < HOST_MAX_PORTS; i++)
		lilv_instance_connect_port(h->instance, i, &h->controls[i]);
	h->port_in = find_port(h, "in", LV2_CORE__AudioPort, true);
	h->port_out = find_port(h, "out", LV2_CORE__AudioPort, false);
	h->port_control = find_port(h, "control", LV2_ATOM__AtomPort, true);
	h->port_notify = find_port(h, "notify", LV2_ATOM__AtomPort, false);
	h->port_status = port_index(h, "status");
	h->port_nan = port_index(h, "nan_resets");
	if (h->port_control != UINT32_MAX)
		lilv_instance_connect_port(h->instance, h->port_control, h->control_buf);
	if (h->port_notify != UINT32_MAX)
		lilv_instance_connect_port(h->instance, h->port_notify, h->notify_buf);
	reset_sequences(h);
}

static bool instantiate(test_host *h, double rate, bool activate)
{
	h->rate = rate;
	h->map = (LV2_URID_Map){&h->urids, map_uri};
	h->unmap = (LV2_URID_Unmap){&h->urids, unmap_urid};
	h->schedule = (LV2_Worker_Schedule){h, schedule_work};
	LV2_Log_Log *log = calloc(1, sizeof *log);
	*log = (LV2_Log_Log){h, log_printf, log_vprintf};
	h->log = log;
	h->max_block = HOST_MAX_BLOCK;
	h->nominal_block = 256;
	LV2_URID int_type = map_uri(&h->urids, LV2_ATOM__Int);
	LV2_Options_Option *opts = calloc(3, sizeof *opts);
	opts[0] = (LV2_Options_Option){
	    LV2_OPTIONS_INSTANCE, 0,        map_uri(&h->urids, LV2_BUF_SIZE__maxBlockLength),
	    sizeof(int32_t),      int_type, &h->max_block};
	opts[1] = (LV2_Options_Option){
	    LV2_OPTIONS_INSTANCE, 0,        map_uri(&h->urids, LV2_BUF_SIZE__nominalBlockLength),
	    sizeof(int32_t),      int_type, &h->nominal_block};
	h->options = opts;
	h->map_f = (LV2_Feature){LV2_URID__map, &h->map};
	h->unmap_f = (LV2_Feature){LV2_URID__unmap, &h->unmap};
	h->sched_f = (LV2_Feature){LV2_WORKER__schedule, &h->schedule};
	h->log_f = (LV2_Feature){LV2_LOG__log, log};
	h->opts_f = (LV2_Feature){LV2_OPTIONS__options, opts};
	const LV2_Feature *f[] = {&h->map_f, &h->unmap_f, &h->sched_f, &h->log_f, &h->opts_f, NULL};
	memcpy(h->features, f, sizeof f);
	lv2_atom_forge_init(&h->forge, &h->map);

	h->instance = lilv_plugin_instantiate(h->plugin, rate, h->features);
	if (!h->instance) {
		fprintf(stderr, "cannot instantiate %s\n",
		        lilv_node_as_uri(lilv_plugin_get_uri(h->plugin)));
		return false;
	}
	h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);
	connect_ports(h);
	if (activate)
		host_activate(h);
	return h->worker != NULL;
}

void host_activate(test_host *h)
{
	if (!h->active)
		lilv_instance_activate(h->instance);
	h->active = true;
}

void host_deactivate(test_host *h)
{
	if (h->active)
		lilv_instance_deactivate(h->instance);
	h->active = false;
}

static bool open_world(test_host *h, const char *plugin_uri)
{
	memset(h, 0, sizeof *h);
	h->world = lilv_world_new();
	lilv_world_load_all(h->world);
	LilvNode *uri = lilv_new_uri(h->world, plugin_uri);
	h->plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(h->world), uri);
	lilv_node_free(uri);
	if (!h->plugin) {
		fprintf(stderr, "plugin %s not found on LV2_PATH=%s\n", plugin_uri,
		        getenv("LV2_PATH") ? getenv("LV2_PATH") : "(unset)");
		return false;
	}
	return true;
}

bool host_open(test_host *h, const char *plugin_uri, double rate)
{
	return open_world(h, plugin_uri) && instantiate(h, rate, true);
}

bool host_open_inactive(test_host *h, const char *plugin_uri, double rate)
{
	return open_world(h, plugin_uri) && instantiate(h, rate, false);
}

bool host_open_shared(test_host *h, test_host *owner, double rate)
{
	LilvWorld *world = owner->world; /* owner may be h itself, after host_close */
	const LilvPlugin *plugin = owner->plugin;
	memset(h, 0, sizeof *h);
	h->world = world;
	h->plugin = plugin;
	return instantiate(h, rate, true);
}

void host_close(test_host *h)
{
	if (h->instance) {
		host_service_worker(h);
		host_deactivate(h);
		lilv_instance_free(h->instance);
	}
	for (uint32_t i = 0; i < h->urids.n; i++)
		free(h->urids.uris[i]);
	free(h->urids.uris);
	free(h->options);
	free(h->log);
	h->instance = NULL;
}

void host_close_world(test_host *h)
{
	lilv_world_free(h->world);
	h->world = NULL;
}

bool host_set(test_host *h, const char *symbol, float value)
{
	uint32_t i = port_index(h, symbol);
	if (i >= HOST_MAX_PORTS)
		return false;
	h->controls[i] = value;
	return true;
}

bool host_parse_setting(const char *arg, host_setting *s)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof s->symbol)
		return false;
	char *end;
	errno = 0;
	double v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !(fabs(v) <= FLT_MAX))
		return false;
	snprintf(s->symbol, sizeof s->symbol, "%.*s", (int)(eq - arg), arg);
	s->value = (float)v;
	return true;
}

float host_get(const test_host *h, const char *symbol)
{
	uint32_t i = port_index(h, symbol);
	return i < HOST_MAX_PORTS ? h->controls[i] : NAN;
}

static const char *model_property(const test_host *h)
{
	return h->model_property ? h->model_property : "https://recur.dev/plugins/recur#model";
}

void host_send_model(test_host *h, const char *path)
{
	LV2_Atom_Forge *f = &h->forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_frame_time(f, 0);
	lv2_atom_forge_object(f, &frame, 0, map_uri(&h->urids, LV2_PATCH__Set));
	lv2_atom_forge_key(f, map_uri(&h->urids, LV2_PATCH__property));
	lv2_atom_forge_urid(f, map_uri(&h->urids, model_property(h)));
	lv2_atom_forge_key(f, map_uri(&h->urids, LV2_PATCH__value));
	lv2_atom_forge_path(f, path, (uint32_t)strlen(path));
	lv2_atom_forge_pop(f, &frame);
}

void host_send_get(test_host *h)
{
	LV2_Atom_Forge *f = &h->forge;
	LV2_Atom_Forge_Frame frame;
	lv2_atom_forge_frame_time(f, 0);
	lv2_atom_forge_object(f, &frame, 0, map_uri(&h->urids, LV2_PATCH__Get));
	lv2_atom_forge_key(f, map_uri(&h->urids, LV2_PATCH__property));
	lv2_atom_forge_urid(f, map_uri(&h->urids, model_property(h)));
	lv2_atom_forge_pop(f, &frame);
}

/* Records patch:Set notifications of the model path. */
static void read_notify(test_host *h)
{
	const LV2_Atom_Sequence *seq = (const LV2_Atom_Sequence *)h->notify_buf;
	LV2_URID set = map_uri(&h->urids, LV2_PATCH__Set);
	LV2_URID prop_key = map_uri(&h->urids, LV2_PATCH__property);
	LV2_URID value_key = map_uri(&h->urids, LV2_PATCH__value);
	LV2_ATOM_SEQUENCE_FOREACH(seq, ev)
	{
		const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
		if (obj->body.otype != set)
			continue;
		const LV2_Atom *prop = NULL, *value = NULL;
		lv2_atom_object_get(obj, prop_key, &prop, value_key, &value, 0);
		if (!prop || !value)
			continue;
		snprintf(h->notified_path, sizeof h->notified_path, "%.*s", (int)value->size,
		         (const char *)LV2_ATOM_BODY_CONST(value));
		h->notifications++;
	}
}

__attribute__((noinline)) void host_plugin_run(LilvInstance *instance, uint32_t frames)
{
	lilv_instance_run(instance, frames);
	__asm__ volatile("" ::: "memory"); /* not merged into the caller as a tail call */
}

void host_run(test_host *h, const float *in, float *out, uint32_t frames)
{
	lv2_atom_forge_pop(&h->forge, &h->seq_frame);
	lilv_instance_connect_port(h->instance, h->port_in, (void *)in);
	lilv_instance_connect_port(h->instance, h->port_out, out);
	if (host_before_run)
		host_before_run();
	host_plugin_run(h->instance, frames);
	/* Responses are delivered by host_service_worker, as a host whose
	 * Worker answers later; end_run closes every run() all the same. */
	if (h->worker && h->worker->end_run)
		h->worker->end_run(lilv_instance_get_handle(h->instance));
	if (host_after_run)
		host_after_run();
	read_notify(h);
	reset_sequences(h);
}

void host_process(test_host *h, const float *in, float *out, uint32_t frames, uint32_t block)
{
	for (uint32_t done = 0; done < frames;) {
		uint32_t n = frames - done < block ? frames - done : block;
		host_run(h, in + done, out + done, n);
		host_service_worker(h);
		done += n;
	}
}

/* ---- state ---- */

static const void *get_port_value(const char *symbol, void *user, uint32_t *size, uint32_t *type)
{
	test_host *h = user;
	uint32_t i = port_index(h, symbol);
	if (i >= HOST_MAX_PORTS) {
		*size = 0;
		return NULL;
	}
	*size = sizeof(float);
	*type = map_uri(&h->urids, LV2_ATOM__Float);
	return &h->controls[i];
}

static void set_port_value(const char *symbol, void *user, const void *value, uint32_t size,
                           uint32_t type)
{
	test_host *h = user;
	if (size == sizeof(float) && type == map_uri(&h->urids, LV2_ATOM__Float))
		host_set(h, symbol, *(const float *)value);
}

LilvState *host_save_state(test_host *h, const char *dir)
{
	/* As jalv does: files outside dir are linked from it, never moved. */
	return lilv_state_new_from_instance(h->plugin, h->instance, &h->map, NULL, dir, dir, dir,
	                                    get_port_value, h,
	                                    LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, h->features);
}

void host_restore_state(test_host *h, const LilvState *state, bool offer_worker)
{
	const LV2_Feature *with[] = {&h->map_f, &h->log_f, &h->sched_f, NULL};
	const LV2_Feature *without[] = {&h->map_f, &h->log_f, NULL};
	lilv_state_restore(state, h->instance, set_port_value, h, 0, offer_worker ? with : without);
}

float *host_read_f32(const char *path, uint32_t *count)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long bytes = ftell(f);
	fseek(f, 0, SEEK_SET);
	float *v = bytes > 0 ? malloc((size_t)bytes) : NULL;
	if (v && fread(v, 1, (size_t)bytes, f) != (size_t)bytes) {
		free(v);
		v = NULL;
	}
	fclose(f);
	*count = v ? (uint32_t)(bytes / (long)sizeof(float)) : 0;
	return v;
}
