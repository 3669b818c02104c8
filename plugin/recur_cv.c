/*
 * recur-cv: one recurrent network on up to eight CV signals, for data-flow
 * hosts (mod-host, Carla's patchbay): sensor streams, detectors, classifiers.
 *
 * CV inputs 1..8 feed the model's inputs 0..7 and its outputs 0..7 come out
 * on CV outputs 1..8. A model trained at another rate than the host's steps
 * at its own rate (engine/rate.h: inputs averaged over each step, outputs
 * held or interpolated). The gate output turns output 0's probability into
 * 0/1 with hysteresis. Loading, state, patch messages and OSC are the model
 * slot's and the OSC link's, the same code as the audio plugin's.
 */
#include "instance.h"
#include "plugins.h"
#include "rate.h"
#include "recur_cv_ports.h"
#include "recur_uris.h"

#include <lv2/core/lv2.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define RECUR_HAVE_MXCSR 1
#endif

#define RECUR_CV_PLUGIN_URI RECUR_URI_BASE "recur-cv"
/* Frames per inner pass: fixed scratch in the instance, any block length. */
#define CHUNK 256
/* A model faster than the host takes several network steps on one host
 * sample (engine/rate.h). The model file sets its rate, so this bounds what
 * a file can make one sample cost: at most this many steps, each of a size
 * the model format limits. Faster models are refused when they load. */
#define CV_MAX_STEPS_PER_SAMPLE 4

typedef struct {
	recur_instance base; /* first: the handle is also a recur_instance */

	const float *in[CV_CHANNELS];
	float *out[CV_CHANNELS];
	float *gate;
	const float *ctl[CV_PORT_COUNT]; /* control inputs, by port index */
	float *status, *nan_resets, *step_rate, *osc_port, *osc_id;
	const LV2_Atom_Sequence *control;
	LV2_Atom_Sequence *notify;

	double rate;
	/* The model the clock was set up for. A model swapped in at the address
	 * of a freed one is caught by the shape and rate check in sync_clock. */
	const recur_model *clocked;
	recur_rate clock;
	bool idle;        /* bypassed: the model is not run, reset on return */
	bool gate_on;     /* the gate's state, kept across blocks for the hysteresis */
	float last_reset; /* for the trigger's rising edge */

	float x[CHUNK * CV_CHANNELS] __attribute__((aligned(64)));
	float y[CHUNK * CV_CHANNELS] __attribute__((aligned(64)));
} recur_cv;

/* The rates as recur_rate_init takes them, whole milli-hertz: with the
 * model's at most CV_MAX_STEPS_PER_SAMPLE times the host's, the phase that
 * gains M per sample and loses H per step ends at most that many steps on
 * one sample. */
static bool too_fast(double model_rate, double host_rate)
{
	return round(model_rate * 1000.0) > CV_MAX_STEPS_PER_SAMPLE * round(host_rate * 1000.0);
}

/* Runs on the Worker (or in restore): refuses models the ports cannot carry
 * or that would step too often per host sample, and tells the user which CV
 * port is which model input and output. */
static bool accept_model(const recur_model *m, double host_rate, const char *path,
                         LV2_Log_Logger *log)
{
	const recur_shape *s = &m->shape;
	if (too_fast(m->sample_rate, host_rate)) {
		lv2_log_error(log,
		              "recur-cv: model \"%s\" runs at %g frames per second, more than %d "
		              "steps per sample of the host's %g Hz; refused, the previous model "
		              "keeps running\n",
		              path, m->sample_rate, CV_MAX_STEPS_PER_SAMPLE, host_rate);
		return false;
	}
	if (s->n_inputs > CV_CHANNELS || s->n_outputs > CV_CHANNELS) {
		lv2_log_error(log,
		              "recur-cv: model \"%s\" has %d inputs and %d outputs, but the plugin "
		              "has %d CV inputs and %d CV outputs; refused, the previous model "
		              "keeps running\n",
		              path, s->n_inputs, s->n_outputs, CV_CHANNELS, CV_CHANNELS);
		return false;
	}
	char map[CV_CHANNELS * 2 * (RECUR_NAME_LEN + 16)];
	size_t used = 0;
	for (int i = 0; i < s->n_inputs && used < sizeof map; i++)
		used += (size_t)snprintf(map + used, sizeof map - used, "%sin%d = %s",
		                         i ? ", " : "", i + 1, m->inputs[i].name);
	for (int o = 0; o < s->n_outputs && used < sizeof map; o++)
		used += (size_t)snprintf(map + used, sizeof map - used, ", out%d = %s", o + 1,
		                         m->outputs[o].name);
	lv2_log_note(log, "recur-cv: model \"%s\": %s; trained at %g frames per second%s\n", path,
	             map, m->sample_rate,
	             m->sample_rate > 0 ? "" : " (unknown: one step per sample)");
	return true;
}

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate, const char *bundle,
                              const LV2_Feature *const *features)
{
	(void)d;
	(void)bundle;
	recur_cv *p = aligned_alloc(64, (sizeof *p + 63) / 64 * 64);
	if (!p)
		return NULL;
	memset(p, 0, sizeof *p);
	/* The model parameter is the audio plugin's, <…/recur#model>: one
	 * parameter for every recur plugin, so hosts, presets and OSC treat the
	 * two alike. */
	if (!slot_init(&p->base.slot, RECUR_PLUGIN_URI, rate, features)) {
		free(p);
		return NULL;
	}
	p->base.slot.accept = accept_model;
	p->base.slot.own_rate = true;
	p->rate = rate;
	osc_link_open(&p->base.osc, &p->base.slot);
	return p;
}

static void connect_port(LV2_Handle h, uint32_t port, void *data)
{
	recur_cv *p = h;
	if (port >= CV_PORT_COUNT)
		return;
	if (port < CV_PORT_IN1 + CV_CHANNELS)
		p->in[port - CV_PORT_IN1] = data;
	else if (port < CV_PORT_OUT1 + CV_CHANNELS)
		p->out[port - CV_PORT_OUT1] = data;
	else if (port == CV_PORT_GATE)
		p->gate = data;
	else if (port == CV_PORT_STATUS)
		p->status = data;
	else if (port == CV_PORT_NAN_RESETS)
		p->nan_resets = data;
	else if (port == CV_PORT_STEP_RATE)
		p->step_rate = data;
	else if (port == CV_PORT_OSC_PORT)
		p->osc_port = data;
	else if (port == CV_PORT_OSC_ID)
		p->osc_id = data;
	else if (port == CV_PORT_CONTROL)
		p->control = data;
	else if (port == CV_PORT_NOTIFY)
		p->notify = data;
	else
		p->ctl[port] = data;
}

static float ctl(const recur_cv *p, cv_port_index i, float fallback)
{
	const float *v = p->ctl[i];
	return v && isfinite(*v) ? *v : fallback;
}

/* A new model (or the first) gets a clock for its rate and shape. */
static void sync_clock(recur_cv *p, const recur_model *m)
{
	if (m == p->clocked && m->shape.n_inputs == p->clock.n_inputs &&
	    m->shape.n_outputs == p->clock.n_outputs)
		return;
	recur_rate_init(&p->clock, m, p->rate);
	p->clocked = m;
	p->gate_on = false;
}

static void restart(recur_cv *p, recur_model *m)
{
	recur_reset(m);
	recur_rate_reset(&p->clock);
	p->gate_on = false;
}

/* Without a model, or bypassed: in1..8 straight to out1..8, gate closed. */
static void pass_through(recur_cv *p, uint32_t frames)
{
	for (int c = 0; c < CV_CHANNELS; c++) {
		if (!p->out[c])
			continue;
		for (uint32_t t = 0; t < frames; t++) {
			float v = p->in[c] ? p->in[c][t] : 0.0f;
			p->out[c][t] = isfinite(v) ? v : 0.0f;
		}
	}
	if (p->gate)
		memset(p->gate, 0, frames * sizeof *p->gate);
}

/* Output 0 above the threshold opens the gate; it closes only once output 0
 * has fallen below threshold - hysteresis, so a noisy probability does not
 * chatter. */
static float gate_next(recur_cv *p, float v, float threshold, float hysteresis)
{
	if (!p->gate_on && v > threshold)
		p->gate_on = true;
	else if (p->gate_on && v < threshold - hysteresis)
		p->gate_on = false;
	return p->gate_on ? 1.0f : 0.0f;
}

/* n frames from offset `at`. Returns false when the model produced a
 * non-finite value (replaced by 0). */
static bool process_chunk(recur_cv *p, recur_model *m, uint32_t at, uint32_t n, bool interpolate)
{
	const int n_in = m->shape.n_inputs, n_out = m->shape.n_outputs;
	for (int i = 0; i < n_in; i++)
		for (uint32_t t = 0; t < n; t++) {
			/* A non-finite CV is the host's or the patch's bug; it must not
			 * poison the network's state. */
			float v = p->in[i] ? p->in[i][at + t] : 0.0f;
			p->x[t * (uint32_t)n_in + (uint32_t)i] = isfinite(v) ? v : 0.0f;
		}
	recur_rate_process(&p->clock, m, p->x, p->y, n, interpolate);

	bool finite = true;
	for (uint32_t t = 0; t < n * (uint32_t)n_out; t++)
		if (!isfinite(p->y[t])) {
			p->y[t] = 0.0f;
			finite = false;
		}
	for (int o = 0; o < CV_CHANNELS; o++) {
		if (!p->out[o])
			continue;
		for (uint32_t t = 0; t < n; t++)
			p->out[o][at + t] =
			    o < n_out ? p->y[t * (uint32_t)n_out + (uint32_t)o] : 0.0f;
	}
	float threshold = ctl(p, CV_PORT_GATE_THRESHOLD, 0.5f);
	float hysteresis = fabsf(ctl(p, CV_PORT_GATE_HYSTERESIS, 0.05f));
	for (uint32_t t = 0; t < n; t++) {
		float g = gate_next(p, p->y[t * (uint32_t)n_out], threshold, hysteresis);
		if (p->gate)
			p->gate[at + t] = g;
	}
	return finite;
}

static void write_monitors(recur_cv *p, const recur_model *m)
{
	model_slot *s = &p->base.slot;
	slot_status st = slot_status_now(s);
	cv_status cv = st == SLOT_STATUS_LOAD_FAILED ? CV_STATUS_LOAD_FAILED
	               : !m                          ? CV_STATUS_EMPTY
	               : p->clock.per_sample         ? CV_STATUS_PER_SAMPLE
	                                             : CV_STATUS_OWN_RATE;
	if (p->status)
		*p->status = (float)cv;
	if (p->nan_resets)
		*p->nan_resets = (float)s->nan_resets;
	if (p->step_rate)
		*p->step_rate = !m ? 0.0f
		                : p->clock.per_sample
		                    ? (float)p->rate
		                    : (float)(p->rate / recur_rate_samples_per_step(&p->clock));
	if (p->osc_port)
		*p->osc_port = (float)osc_server_port();
	if (p->osc_id)
		*p->osc_id = (float)osc_link_id(&p->base.osc);
}

static void run(LV2_Handle h, uint32_t frames)
{
#ifdef RECUR_HAVE_MXCSR
	const unsigned int saved_csr = _mm_getcsr();
	_mm_setcsr(saved_csr | 0x8040); /* flush-to-zero and denormals-are-zero */
#endif
	recur_cv *p = h;
	model_slot *s = &p->base.slot;
	RT_MUTANT("run", &p->base);
	slot_run_begin(s);
	slot_run_events(s, p->control, p->notify);
	osc_link_run(&p->base.osc);

	float reset = ctl(p, CV_PORT_RESET, 0.0f);
	if (reset > 0.5f && p->last_reset <= 0.5f)
		slot_request_reset(s);
	p->last_reset = reset;
	bool bypassed = ctl(p, CV_PORT_ENABLED, 1.0f) <= 0.5f || osc_link_bypassed(&p->base.osc);
	bool interpolate = ctl(p, CV_PORT_INTERPOLATE, 0.0f) > 0.5f;

	recur_model *m = slot_model_now(s);
	if (m) {
		sync_clock(p, m);
		if (slot_take_reset(s) || (p->idle && !bypassed))
			restart(p, m);
	}
	p->idle = bypassed;

	if (!m || bypassed) {
		pass_through(p, frames);
	} else {
		bool finite = true;
		for (uint32_t done = 0; done < frames; done += CHUNK) {
			uint32_t n = frames - done < CHUNK ? frames - done : CHUNK;
			finite &= process_chunk(p, m, done, n, interpolate);
		}
		uint32_t resets = s->nan_resets;
		slot_guard_state(s, !finite);
		if (s->nan_resets != resets)
			restart(p, m);
	}
	write_monitors(p, m);
#ifdef RECUR_HAVE_MXCSR
	_mm_setcsr(saved_csr);
#endif
}

/* A fresh start after the host (re)activates: no state from before; the
 * instance joins the OSC server. */
static void activate(LV2_Handle h)
{
	recur_cv *p = h;
	p->clocked = NULL;
	slot_request_reset(&p->base.slot);
	osc_link_activate(&p->base.osc);
}

const LV2_Descriptor recur_cv_descriptor = {
    RECUR_CV_PLUGIN_URI,
    instantiate,
    connect_port,
    activate,
    run,
    instance_deactivate,
    instance_cleanup,
    instance_extension_data,
};
