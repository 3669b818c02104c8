/* Creating, copying and freeing a model: one 64-byte-aligned allocation
 * holding the struct, then params, state, work and the initial state, laid
 * out as documented at struct recur_model in recur.h; and its check block,
 * an allocation of its own. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "recur.h"

#define ALIGN_BYTES 64

static int round_up(int n, int to)
{
	return (n + to - 1) / to * to;
}

static int gates_of(recur_cell c)
{
	return c == RECUR_CELL_LSTM ? 4 : c == RECUR_CELL_GRU ? 3 : 1;
}

const char *recur_cell_name(recur_cell c)
{
	switch (c) {
	case RECUR_CELL_RNN:
		return "rnn";
	case RECUR_CELL_GRU:
		return "gru";
	case RECUR_CELL_LSTM:
		return "lstm";
	}
	return "unknown";
}

const char *recur_activation_name(recur_activation a)
{
	switch (a) {
	case RECUR_ACT_LINEAR:
		return "linear";
	case RECUR_ACT_TANH:
		return "tanh";
	case RECUR_ACT_SIGMOID:
		return "sigmoid";
	case RECUR_ACT_SOFTMAX:
		return "softmax";
	case RECUR_ACT_RELU:
		return "relu";
	case RECUR_ACT_ELU:
		return "elu";
	}
	return "unknown";
}

static void set_error(recur_error *err, const char *fmt, const char *field, long long value, int lo,
                      int hi)
{
	if (err)
		snprintf(err->msg, sizeof err->msg, fmt, field, value, lo, hi);
}

static bool check_range(const char *field, long long value, int lo, int hi, recur_error *err)
{
	if (value >= lo && value <= hi)
		return true;
	set_error(err, "%s: %lld is out of range (%d..%d)", field, value, lo, hi);
	return false;
}

/* The dense layers before the output layer: count, widths, activations
 * (softmax mixes a whole layer and is only meaningful on the output). */
static bool inner_valid(const recur_inner *s, recur_error *err)
{
	if (!check_range("inner.n", s->n, 0, RECUR_MAX_DENSE - 1, err))
		return false;
	for (int k = 0; k < s->n; k++) {
		char field[32];
		snprintf(field, sizeof field, "inner[%d].width", k);
		if (!check_range(field, s->layer[k].width, 1, RECUR_MAX_HIDDEN, err))
			return false;
		recur_activation a = s->layer[k].act;
		if ((unsigned)a > RECUR_ACT_ELU || a == RECUR_ACT_SOFTMAX) {
			if (err)
				snprintf(err->msg, sizeof err->msg,
				         "inner[%d].act: %s is not allowed before the output layer "
				         "(linear, tanh, sigmoid, relu, elu are; softmax only on "
				         "the output layer)",
				         k, recur_activation_name(a));
			return false;
		}
	}
	return true;
}

static bool shape_valid(const recur_shape *s, recur_error *err)
{
	if (!s) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "shape: missing");
		return false;
	}
	if ((unsigned)s->cell > RECUR_CELL_LSTM) {
		if (err)
			snprintf(err->msg, sizeof err->msg,
			         "cell: %d is not one of rnn (0), gru (1), lstm (2)", (int)s->cell);
		return false;
	}
	if ((unsigned)s->out_act > RECUR_ACT_ELU) {
		if (err)
			snprintf(err->msg, sizeof err->msg,
			         "out_act: %d is not one of linear (0), tanh (1), sigmoid (2), "
			         "softmax (3), relu (4), elu (5)",
			         (int)s->out_act);
		return false;
	}
	return check_range("n_inputs", s->n_inputs, 1, RECUR_MAX_IO, err) &&
	       check_range("n_outputs", s->n_outputs, 1, RECUR_MAX_IO, err) &&
	       check_range("hidden", s->hidden, 1, RECUR_MAX_HIDDEN, err) &&
	       check_range("layers", s->layers, 1, RECUR_MAX_LAYERS, err);
}

/* Sizes in floats of everything after the struct; the layout rules in one
 * place, shared by allocation and by the pointer set-up. */
typedef struct {
	int rows_p, hidden_p, out_p, head_in_p;
	size_t params, state, work;
} model_sizes;

static model_sizes sizes_of(const recur_shape *s, const recur_inner *d)
{
	model_sizes z;
	z.rows_p = round_up(gates_of(s->cell) * s->hidden, RECUR_PAD);
	z.hidden_p = round_up(s->hidden, RECUR_PAD);
	z.out_p = round_up(s->n_outputs, RECUR_PAD);
	z.params = 0;
	for (int l = 0; l < s->layers; l++) {
		int in = l == 0 ? s->n_inputs : s->hidden;
		z.params += (size_t)(in + s->hidden + 2) * (size_t)z.rows_p;
	}
	z.head_in_p = z.hidden_p;
	for (int k = 0; k < d->n; k++) {
		size_t width_p = (size_t)round_up(d->layer[k].width, RECUR_PAD);
		z.params += (size_t)d->layer[k].width * (size_t)z.head_in_p + width_p;
		z.head_in_p = (int)width_p;
	}
	z.params += (size_t)s->n_outputs * (size_t)z.head_in_p + (size_t)z.out_p;
	z.state = (size_t)s->layers * 2u * (size_t)z.hidden_p;
	z.work = (size_t)RECUR_WORK_FLOATS(z.rows_p, z.hidden_p);
	return z;
}

static size_t header_bytes(void)
{
	return (sizeof(recur_model) + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
}

static void set_views(recur_model *m, const model_sizes *z)
{
	const recur_shape *s = &m->shape;
	float *p = (float *)((char *)m + header_bytes());
	m->hidden_p = z->hidden_p;
	m->out_p = z->out_p;
	m->params = p;
	m->n_params = z->params;
	for (int l = 0; l < s->layers; l++) {
		recur_layer *L = &m->layer[l];
		L->cell = s->cell;
		L->in = l == 0 ? s->n_inputs : s->hidden;
		L->hidden = s->hidden;
		L->rows = gates_of(s->cell) * s->hidden;
		L->rows_p = z->rows_p;
		L->narrow = recur_shape_prefers_narrow(s);
		L->w_x = p;
		p += (size_t)L->in * (size_t)z->rows_p;
		L->w_h = p;
		p += (size_t)s->hidden * (size_t)z->rows_p;
		L->b_x = p;
		p += z->rows_p;
		L->b_h = p;
		p += z->rows_p;
	}
	int in = s->hidden, in_p = z->hidden_p;
	for (int k = 0; k < m->inner.n; k++) {
		recur_dense_layer *D = &m->dense[k];
		D->in = in;
		D->in_p = in_p;
		D->width = m->inner.layer[k].width;
		D->width_p = round_up(D->width, RECUR_PAD);
		D->act = m->inner.layer[k].act;
		D->w = p;
		p += (size_t)D->width * (size_t)in_p;
		D->b = p;
		p += D->width_p;
		in = D->width;
		in_p = D->width_p;
	}
	m->head_in_p = in_p;
	m->w_out = p;
	p += (size_t)s->n_outputs * (size_t)in_p;
	m->b_out = p;
	p += z->out_p;
	m->state = p;
	m->n_state = z->state;
	for (int l = 0; l < s->layers; l++) {
		m->h[l] = p;
		p += z->hidden_p;
		m->c[l] = p;
		p += z->hidden_p;
	}
	m->work = p;
	m->n_work = z->work;
	p += z->work;
	m->init = p;
	p += z->state;
	m->history = p;
}

static void name_ports(recur_model *m)
{
	for (int j = 0; j < RECUR_MAX_IO; j++) {
		snprintf(m->inputs[j].name, RECUR_NAME_LEN, "in%d", j);
		m->inputs[j].min = 0.0f;
		m->inputs[j].max = 1.0f;
		m->inputs[j].def = 0.0f;
		snprintf(m->outputs[j].name, RECUR_NAME_LEN, "out%d", j);
		m->outputs[j].min = 0.0f;
		m->outputs[j].max = 1.0f;
		m->outputs[j].def = 0.0f;
	}
}

recur_model *recur_model_new(const recur_shape *shape, recur_error *err)
{
	return recur_model_new_dense(shape, NULL, err);
}

recur_model *recur_model_new_dense(const recur_shape *shape, const recur_inner *inner,
                                   recur_error *err)
{
	const recur_inner none = {0};
	if (!inner)
		inner = &none;
	if (!shape_valid(shape, err) || !inner_valid(inner, err))
		return NULL;
	model_sizes z = sizes_of(shape, inner);
	size_t floats = z.params + z.state + z.work + z.state + RECUR_STATE_HISTORY * z.state;
	size_t bytes = header_bytes() + floats * sizeof(float);
	bytes = (bytes + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
	recur_model *m = aligned_alloc(ALIGN_BYTES, bytes);
	if (!m) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "out of memory (%zu bytes)", bytes);
		return NULL;
	}
	memset(m, 0, bytes);
	m->shape = *shape;
	m->inner = *inner;
	for (int k = inner->n; k < RECUR_MAX_DENSE - 1; k++)
		m->inner.layer[k] = (recur_dense){0, RECUR_ACT_LINEAR};
	m->in_gain = 1.0f;
	m->out_gain = 1.0f;
	set_views(m, &z);
	name_ports(m);
	return m;
}

void recur_model_free(recur_model *m)
{
	if (!m)
		return;
	free(m->metadata_json);
	free(m->check);
	free(m);
}

recur_model *recur_model_clone(const recur_model *m, recur_error *err)
{
	if (!m) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "model: missing");
		return NULL;
	}
	recur_model *c = recur_model_new_dense(&m->shape, &m->inner, err);
	if (!c)
		return NULL;
	c->sample_rate = m->sample_rate;
	c->in_gain = m->in_gain;
	c->out_gain = m->out_gain;
	memcpy(c->inputs, m->inputs, sizeof c->inputs);
	memcpy(c->outputs, m->outputs, sizeof c->outputs);
	memcpy(c->params, m->params, m->n_params * sizeof(float));
	memcpy(c->state, m->state, m->n_state * sizeof(float));
	memcpy(c->work, m->work, m->n_work * sizeof(float));
	memcpy(c->init, m->init, m->n_state * sizeof(float));
	if (m->metadata_json) {
		c->metadata_json = strdup(m->metadata_json);
		if (!c->metadata_json) {
			if (err)
				snprintf(err->msg, sizeof err->msg, "out of memory (metadata)");
			recur_model_free(c);
			return NULL;
		}
	}
	if (m->check &&
	    !recur_model_set_check(c, m->check->input, m->check->output, m->check->frames, err)) {
		recur_model_free(c);
		return NULL;
	}
	return c;
}

static bool all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

bool recur_model_set_check(recur_model *m, const float *input, const float *output, size_t frames,
                           recur_error *err)
{
	if (frames > 0 && (!input || !output)) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "check: input or output missing");
		return false;
	}
	if (frames > RECUR_MAX_CHECK_FRAMES) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "check: %zu frames (at most %d)",
			         frames, RECUR_MAX_CHECK_FRAMES);
		return false;
	}
	const size_t n_in = frames * (size_t)m->shape.n_inputs;
	const size_t n_out = frames * (size_t)m->shape.n_outputs;
	if (!all_finite(input, n_in) || !all_finite(output, n_out)) {
		if (err)
			snprintf(err->msg, sizeof err->msg,
			         "check: the %s holds a value that is not a finite number",
			         all_finite(input, n_in) ? "output" : "input");
		return false;
	}
	recur_check *c = NULL;
	if (frames > 0) {
		c = malloc(sizeof *c + (n_in + n_out) * sizeof(float));
		if (!c) {
			if (err)
				snprintf(err->msg, sizeof err->msg, "out of memory (check block)");
			return false;
		}
		c->frames = frames;
		c->input = (float *)(c + 1);
		c->output = c->input + n_in;
		memcpy(c->input, input, n_in * sizeof(float));
		memcpy(c->output, output, n_out * sizeof(float));
	}
	free(m->check);
	m->check = c;
	return true;
}
