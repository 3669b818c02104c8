/* Creating, copying and freeing a model: one 64-byte-aligned allocation
 * holding the struct, then params, state and work, laid out as documented at
 * struct recur_model in recur.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if ((unsigned)s->out_act > RECUR_ACT_SOFTMAX) {
		if (err)
			snprintf(err->msg, sizeof err->msg,
			         "out_act: %d is not one of linear (0), tanh (1), sigmoid (2), "
			         "softmax (3)",
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
	int rows_p, hidden_p, out_p;
	size_t params, state, work;
} model_sizes;

static model_sizes sizes_of(const recur_shape *s)
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
	z.params += (size_t)s->n_outputs * (size_t)z.hidden_p + (size_t)z.out_p;
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
		L->w_x = p;
		p += (size_t)L->in * (size_t)z->rows_p;
		L->w_h = p;
		p += (size_t)s->hidden * (size_t)z->rows_p;
		L->b_x = p;
		p += z->rows_p;
		L->b_h = p;
		p += z->rows_p;
	}
	m->w_out = p;
	p += (size_t)s->n_outputs * (size_t)z->hidden_p;
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
	if (!shape_valid(shape, err))
		return NULL;
	model_sizes z = sizes_of(shape);
	size_t floats = z.params + z.state + z.work;
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
	set_views(m, &z);
	name_ports(m);
	return m;
}

void recur_model_free(recur_model *m)
{
	if (!m)
		return;
	free(m->metadata_json);
	free(m);
}

recur_model *recur_model_clone(const recur_model *m, recur_error *err)
{
	if (!m) {
		if (err)
			snprintf(err->msg, sizeof err->msg, "model: missing");
		return NULL;
	}
	recur_model *c = recur_model_new(&m->shape, err);
	if (!c)
		return NULL;
	c->sample_rate = m->sample_rate;
	memcpy(c->inputs, m->inputs, sizeof c->inputs);
	memcpy(c->outputs, m->outputs, sizeof c->outputs);
	memcpy(c->params, m->params, m->n_params * sizeof(float));
	memcpy(c->state, m->state, m->n_state * sizeof(float));
	memcpy(c->work, m->work, m->n_work * sizeof(float));
	if (m->metadata_json) {
		c->metadata_json = strdup(m->metadata_json);
		if (!c->metadata_json) {
			if (err)
				snprintf(err->msg, sizeof err->msg, "out of memory (metadata)");
			recur_model_free(c);
			return NULL;
		}
	}
	return c;
}
