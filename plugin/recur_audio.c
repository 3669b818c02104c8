/*
 * recur: one recurrent network per sample on a mono audio signal.
 *
 * The ports and run() of the audio plugin; loading, state and patch messages
 * are the model slot's job (model_slot.c), shared with other recur plugins.
 */
#include "instance.h"
#include "plugins.h"
#include "recur_audio_ports.h"
#include "recur_uris.h"

#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define RECUR_HAVE_MXCSR 1
#endif

#define N_COND 4
/* lv2:default of the cond knobs in recur.ttl: the middle of each range. */
#define COND_KNOB_DEFAULT 0.5f
/* Frames processed per inner pass: fixed scratch buffers in the instance let
 * run() accept any block length without allocating. */
#define CHUNK 256
/* Time constant of the gain, mix and bypass smoothing, seconds. */
#define SMOOTH_SECONDS 0.01f

/* A one-pole smoother towards the control's target value. */
typedef struct {
	float value;
	float target;
} smoothed;

typedef struct {
	recur_instance base; /* first: the handle is also a recur_instance */

	const float *in;
	float *out;
	const float *ctl[PORT_COUNT]; /* control inputs, by port index */
	float *status;
	float *nan_resets;
	float *osc_port;
	float *osc_id;
	float *latency;
	const LV2_Atom_Sequence *control;
	LV2_Atom_Sequence *notify;

	float smooth_k; /* per-sample step of every smoother */
	bool primed;    /* smoothers start at their targets on the first run */
	smoothed in_gain, out_gain, mix, enabled;
	bool model_idle;  /* fully bypassed: the model is not run, reset on return */
	float last_reset; /* for the trigger's rising edge */

	float cond[RECUR_MAX_IO - 1]; /* the model's inputs 1.., this block */

	uint32_t max_block, nominal_block; /* from buf-size options; 0 = not given */

	float xin[CHUNK] __attribute__((aligned(64)));
	float wet[CHUNK] __attribute__((aligned(64)));
} recur_audio;

static float db_to_gain(float db)
{
	return powf(10.0f, db / 20.0f);
}

/* Near the target the float step rounds to nothing and the ramp would stall
 * a hair short of it, so it lands on the target then. */
static inline float smooth_next(smoothed *s, float k)
{
	float next = s->value + k * (s->target - s->value);
	if (next == s->value || fabsf(s->target - next) < 1e-6f)
		next = s->target;
	s->value = next;
	return next;
}

static void read_options(recur_audio *p, const LV2_Feature *const *features)
{
	for (int i = 0; features && features[i]; i++) {
		if (strcmp(features[i]->URI, LV2_OPTIONS__options))
			continue;
		for (const LV2_Options_Option *o = features[i]->data; o->key; o++) {
			if (o->type != p->base.slot.uris.atom_Int || o->size != sizeof(int32_t))
				continue;
			int32_t v = *(const int32_t *)o->value;
			if (o->key == p->base.slot.uris.bufsz_max && v > 0)
				p->max_block = (uint32_t)v;
			else if (o->key == p->base.slot.uris.bufsz_nominal && v > 0)
				p->nominal_block = (uint32_t)v;
		}
	}
}

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate, const char *bundle,
                              const LV2_Feature *const *features)
{
	(void)d;
	(void)bundle;
	recur_audio *p = aligned_alloc(64, (sizeof *p + 63) / 64 * 64);
	if (!p)
		return NULL;
	memset(p, 0, sizeof *p);
	if (!slot_init(&p->base.slot, RECUR_PLUGIN_URI, rate, features)) {
		free(p);
		return NULL;
	}
	read_options(p, features);
	osc_link_open(&p->base.osc, &p->base.slot);
	p->smooth_k = 1.0f - expf(-1.0f / (SMOOTH_SECONDS * (float)rate));
	return p;
}

static void connect_port(LV2_Handle h, uint32_t port, void *data)
{
	recur_audio *p = h;
	switch ((port_index)port) {
	case PORT_IN:
		p->in = data;
		break;
	case PORT_OUT:
		p->out = data;
		break;
	case PORT_STATUS:
		p->status = data;
		break;
	case PORT_NAN_RESETS:
		p->nan_resets = data;
		break;
	case PORT_OSC_PORT:
		p->osc_port = data;
		break;
	case PORT_OSC_ID:
		p->osc_id = data;
		break;
	case PORT_LATENCY:
		p->latency = data;
		break;
	case PORT_CONTROL:
		p->control = data;
		break;
	case PORT_NOTIFY:
		p->notify = data;
		break;
	default:
		if (port < PORT_COUNT)
			p->ctl[port] = data;
		break;
	}
}

static float ctl(const recur_audio *p, port_index i, float fallback)
{
	return p->ctl[i] ? *p->ctl[i] : fallback;
}

static void read_controls(recur_audio *p)
{
	p->in_gain.target = db_to_gain(ctl(p, PORT_IN_GAIN, 0.0f));
	p->out_gain.target = db_to_gain(ctl(p, PORT_OUT_GAIN, 0.0f));
	float mix = ctl(p, PORT_MIX, 1.0f);
	p->mix.target = mix < 0.0f ? 0.0f : mix > 1.0f ? 1.0f : mix;
	/* Bypassed when the host or OSC asks for it: the two are independent. */
	bool enabled = ctl(p, PORT_ENABLED, 1.0f) > 0.5f && !osc_link_bypassed(&p->base.osc);
	p->enabled.target = enabled ? 1.0f : 0.0f;
	if (!p->primed) {
		p->in_gain.value = p->in_gain.target;
		p->out_gain.value = p->out_gain.target;
		p->mix.value = p->mix.target;
		p->enabled.value = p->enabled.target;
		p->primed = true;
	}
	float reset = ctl(p, PORT_RESET, 0.0f);
	if (reset > 0.5f && p->last_reset <= 0.5f)
		slot_request_reset(&p->base.slot);
	p->last_reset = reset;
}

/* Maps the knobs linearly onto each conditioning input's trained range
 * [min, max] from the model file. The mapping has no special positions: a
 * knob swept through any value never jumps. Inputs past the fourth knob get
 * the model's default. */
static void update_cond(recur_audio *p, const recur_model *m)
{
	for (int i = 0; i + 1 < m->shape.n_inputs; i++) {
		const recur_port *in = &m->inputs[i + 1];
		if (i >= N_COND) {
			p->cond[i] = in->def;
			continue;
		}
		float knob = ctl(p, PORT_COND1 + i, COND_KNOB_DEFAULT);
		knob = knob < 0.0f ? 0.0f : knob > 1.0f ? 1.0f : knob;
		p->cond[i] = in->min + knob * (in->max - in->min);
	}
}

static bool settled(const smoothed *s)
{
	return s->value == s->target;
}

/* The common case, every control at rest with unity gains, full mix and
 * enabled: the model writes straight into the output. Returns false when the
 * model produced a non-finite value (replaced by silence). */
static bool process_direct(recur_audio *p, recur_model *m, const float *in, float *out, uint32_t n)
{
	(void)m;
	slot_process_mono(&p->base.slot, in, out, n, p->cond);
	bool finite = true;
	for (uint32_t i = 0; i < n; i++) {
		if (!isfinite(out[i])) {
			out[i] = 0.0f;
			finite = false;
		}
	}
	return finite;
}

/* in -> input gain -> model -> mix with the dry input -> output gain, then
 * crossfaded with the untouched input by the bypass. Returns false when the
 * model produced a non-finite value (replaced by silence). */
static bool process_chunk(recur_audio *p, recur_model *m, const float *in, float *out, uint32_t n)
{
	const bool model_on = m && !p->model_idle;
	if (model_on && settled(&p->in_gain) && settled(&p->out_gain) && settled(&p->mix) &&
	    settled(&p->enabled) && p->in_gain.value == 1.0f && p->out_gain.value == 1.0f &&
	    p->mix.value == 1.0f && p->enabled.value == 1.0f)
		return process_direct(p, m, in, out, n);

	const float k = p->smooth_k;
	for (uint32_t i = 0; i < n; i++)
		p->xin[i] = in[i] * smooth_next(&p->in_gain, k);
	if (model_on)
		slot_process_mono(&p->base.slot, p->xin, p->wet, n, p->cond);
	else
		memcpy(p->wet, p->xin, n * sizeof(float));

	bool finite = true;
	for (uint32_t i = 0; i < n; i++) {
		float y = p->wet[i];
		if (!isfinite(y)) {
			finite = false;
			y = 0.0f;
		}
		/* A non-finite input is the host's bug; it must not poison the dry
		 * path too (the model's side is guarded by the NaN reset). */
		float dry = isfinite(in[i]) ? in[i] : 0.0f;
		float mix = smooth_next(&p->mix, k);
		float v = smooth_next(&p->out_gain, k) * (mix * y + (1.0f - mix) * dry);
		float e = smooth_next(&p->enabled, k);
		out[i] = e * v + (1.0f - e) * dry;
	}
	return finite;
}

/* Once the bypass crossfade has finished the model stops; it restarts from
 * a reset state when the plugin is enabled again. */
static void update_idle(recur_audio *p, recur_model *m)
{
	bool idle = p->enabled.target == 0.0f && p->enabled.value == 0.0f;
	if (p->model_idle && !idle && m)
		slot_reset_model(&p->base.slot);
	p->model_idle = idle;
}

static void run(LV2_Handle h, uint32_t frames)
{
#ifdef RECUR_HAVE_MXCSR
	const unsigned int saved_csr = _mm_getcsr();
	_mm_setcsr(saved_csr | 0x8040); /* flush-to-zero and denormals-are-zero */
#endif
	recur_audio *p = h;
	model_slot *s = &p->base.slot;
	RT_MUTANT("run", &p->base);
	slot_run_begin(s);
	slot_run_events(s, p->control, p->notify);
	osc_link_run(&p->base.osc);
	read_controls(p);

	recur_model *m = slot_model_now(s);
	if (m && slot_take_reset(s))
		slot_reset_model(s);
	if (m)
		update_cond(p, m);

	bool finite = true;
	for (uint32_t done = 0; p->in && p->out && done < frames;) {
		uint32_t n = frames - done < CHUNK ? frames - done : CHUNK;
		update_idle(p, m);
		finite &= process_chunk(p, m, p->in + done, p->out + done, n);
		done += n;
	}
	slot_guard_state(s, !finite);

	if (p->status)
		*p->status = (float)slot_status_now(s);
	if (p->nan_resets)
		*p->nan_resets = (float)s->nan_resets;
	if (p->osc_port)
		*p->osc_port = (float)osc_server_port();
	if (p->osc_id)
		*p->osc_id = (float)osc_link_id(&p->base.osc);
	if (p->latency)
		*p->latency = (float)slot_latency_now(s);
#ifdef RECUR_HAVE_MXCSR
	_mm_setcsr(saved_csr);
#endif
}

/* A fresh start after the host (re)activates: no ramps from stale values,
 * no state from before; the instance joins the OSC server. */
static void activate(LV2_Handle h)
{
	recur_audio *p = h;
	p->primed = false;
	slot_request_reset(&p->base.slot);
	osc_link_activate(&p->base.osc);
}

const LV2_Descriptor recur_audio_descriptor = {
    RECUR_PLUGIN_URI,
    instantiate,
    connect_port,
    activate,
    run,
    instance_deactivate,
    instance_cleanup,
    instance_extension_data,
};
