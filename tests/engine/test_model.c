/* The model's lifetime and real-time entry points: layout and alignment,
 * limits refused with messages, reset, process against step, mono with
 * conditioning, clone. Random weights come from a fixed-seed generator. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "recur.h"

static uint32_t rng_state = 12345u;

static float uniform(float lo, float hi)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(rng_state >> 8) / 16777216.0f;
}

/* Random weights in the real rows and columns only; padding stays zero. */
static void randomise(recur_model *m)
{
	const recur_shape *s = &m->shape;
	for (int l = 0; l < s->layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[(size_t)j * L->rows_p + r] = uniform(-0.5f, 0.5f);
			for (int j = 0; j < L->hidden; j++)
				L->w_h[(size_t)j * L->rows_p + r] = uniform(-0.5f, 0.5f);
			L->b_x[r] = uniform(-0.3f, 0.3f);
			L->b_h[r] = uniform(-0.3f, 0.3f);
		}
	}
	for (int o = 0; o < s->n_outputs; o++) {
		for (int j = 0; j < s->hidden; j++)
			m->w_out[(size_t)o * m->hidden_p + j] = uniform(-0.5f, 0.5f);
		m->b_out[o] = uniform(-0.1f, 0.1f);
	}
}

static recur_model *make(recur_cell cell, int ni, int no, int hidden, int layers)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = ni,
	                 .n_outputs = no,
	                 .hidden = hidden,
	                 .layers = layers,
	                 .skip = true,
	                 .out_act = RECUR_ACT_TANH};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "new: %s", err.msg);
	if (!m)
		exit(1);
	randomise(m);
	return m;
}

static bool aligned(const void *p)
{
	return ((uintptr_t)p & 63u) == 0;
}

static void test_layout(void)
{
	for (int cell = 0; cell < 3; cell++) {
		recur_model *m = make((recur_cell)cell, 3, 2, 40, 3);
		const int gates = cell == RECUR_CELL_LSTM ? 4 : cell == RECUR_CELL_GRU ? 3 : 1;
		const int rows_p = (gates * 40 + 15) / 16 * 16;
		CHECK(m->hidden_p == 48 && m->out_p == 16, "hidden_p %d out_p %d", m->hidden_p,
		      m->out_p);
		size_t want = 0;
		float *p = m->params;
		for (int l = 0; l < 3; l++) {
			const recur_layer *L = &m->layer[l];
			int in = l == 0 ? 3 : 40;
			CHECK(L->rows == gates * 40 && L->rows_p == rows_p && L->in == in,
			      "layer %d rows %d rows_p %d in %d", l, L->rows, L->rows_p, L->in);
			CHECK(L->w_x == p, "layer %d w_x offset", l);
			p += (size_t)in * rows_p;
			CHECK(L->w_h == p, "layer %d w_h offset", l);
			p += (size_t)40 * rows_p;
			CHECK(L->b_x == p, "layer %d b_x offset", l);
			p += rows_p;
			CHECK(L->b_h == p, "layer %d b_h offset", l);
			p += rows_p;
			CHECK(aligned(L->w_x) && aligned(L->w_h) && aligned(L->b_x) &&
			          aligned(L->b_h),
			      "layer %d alignment", l);
			want += (size_t)(in + 40 + 2) * rows_p;
		}
		CHECK(m->w_out == p && m->b_out == p + 2 * 48, "head offsets");
		want += 2 * 48 + 16;
		CHECK(m->n_params == want, "n_params %zu, expected %zu", m->n_params, want);
		CHECK(m->state == m->params + m->n_params, "state follows params");
		CHECK(m->n_state == 3 * 2 * 48, "n_state %zu", m->n_state);
		for (int l = 0; l < 3; l++)
			CHECK(m->h[l] == m->state + l * 96 && m->c[l] == m->h[l] + 48,
			      "state views of layer %d", l);
		CHECK(m->work == m->state + m->n_state, "work follows state");
		CHECK(m->n_work == (size_t)RECUR_WORK_FLOATS(rows_p, 48), "n_work %zu", m->n_work);
		CHECK(aligned(m->params) && aligned(m->state) && aligned(m->work) &&
		          aligned(m->w_out) && aligned(m->b_out),
		      "block alignment");
		/* The struct and its arrays are one block. */
		CHECK((char *)m->params > (char *)m && (char *)m->params - (char *)m < 4096,
		      "params live right after the struct");
		CHECK(strcmp(m->inputs[2].name, "in2") == 0 &&
		          strcmp(m->outputs[1].name, "out1") == 0,
		      "port names %s %s", m->inputs[2].name, m->outputs[1].name);
		CHECK(m->inputs[1].min == 0.0f && m->inputs[1].max == 1.0f &&
		          m->inputs[1].def == 0.0f,
		      "conditioning range");

		/* Padding stays zero through steps: state and the work record. */
		float x[3] = {0.3f, 0.5f, 0.9f}, y[2];
		for (int t = 0; t < 50; t++)
			recur_step(m, x, y);
		for (int l = 0; l < 3; l++)
			for (int u = 40; u < 48; u++)
				CHECK(m->h[l][u] == 0.0f && m->c[l][u] == 0.0f, "state padding");
		for (int r = gates * 40; r < rows_p; r++)
			CHECK(m->work[r] == 0.0f, "work gate padding row %d", r);
		/* Scratch no record uses stays zero. */
		size_t unused = cell == RECUR_CELL_RNN ? (size_t)rows_p : (size_t)2 * rows_p;
		if (cell == RECUR_CELL_LSTM)
			unused = (size_t)rows_p + 2 * 48;
		for (size_t i = unused; i < m->n_work; i++)
			CHECK(m->work[i] == 0.0f, "unused work float %zu", i);
		if (cell == RECUR_CELL_LSTM)
			for (int u = 40; u < 48; u++)
				CHECK(m->work[rows_p + u] == 0.0f &&
				          m->work[rows_p + 48 + u] == 0.0f,
				      "lstm record padding");
		if (cell == RECUR_CELL_GRU)
			for (int r = gates * 40; r < rows_p; r++)
				CHECK(m->work[rows_p + r] == 0.0f, "gru record padding row %d", r);
		recur_model_free(m);
	}
	CHECK(strcmp(recur_cell_name(RECUR_CELL_LSTM), "lstm") == 0, "cell name");
	CHECK(strcmp(recur_cell_name(RECUR_CELL_GRU), "gru") == 0, "cell name");
	CHECK(strcmp(recur_cell_name(RECUR_CELL_RNN), "rnn") == 0, "cell name");
	CHECK(strcmp(recur_activation_name(RECUR_ACT_SOFTMAX), "softmax") == 0, "act name");
	CHECK(strcmp(recur_activation_name(RECUR_ACT_SIGMOID), "sigmoid") == 0, "act name");
}

static void refused(recur_shape s, const char *fragment)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m == NULL, "shape accepted, expected refusal with \"%s\"", fragment);
	recur_model_free(m);
	CHECK_MSG(err.msg, fragment);
}

static void test_limits(void)
{
	const recur_shape ok = {.cell = RECUR_CELL_GRU,
	                        .n_inputs = 1,
	                        .n_outputs = 1,
	                        .hidden = 8,
	                        .layers = 1,
	                        .out_act = RECUR_ACT_LINEAR};
	recur_shape s = ok;
	s.hidden = 129;
	refused(s, "hidden: 129 is out of range (1..128)");
	s.hidden = 1000000000;
	refused(s, "hidden: 1000000000 is out of range (1..128)");
	s.hidden = 0;
	refused(s, "hidden: 0 is out of range");
	s.hidden = -3;
	refused(s, "hidden: -3 is out of range");
	s = ok;
	s.layers = 0;
	refused(s, "layers: 0 is out of range (1..4)");
	s.layers = 5;
	refused(s, "layers: 5 is out of range (1..4)");
	s = ok;
	s.n_inputs = 0;
	refused(s, "n_inputs: 0 is out of range (1..16)");
	s.n_inputs = 17;
	refused(s, "n_inputs: 17 is out of range (1..16)");
	s = ok;
	s.n_outputs = 17;
	refused(s, "n_outputs: 17 is out of range (1..16)");
	s = ok;
	s.cell = (recur_cell)3;
	refused(s, "cell: 3");
	s = ok;
	s.out_act = (recur_activation)-1;
	refused(s, "out_act: -1");
	recur_error err;
	CHECK(recur_model_new(NULL, &err) == NULL, "NULL shape accepted");
	CHECK(recur_model_new(&s, NULL) == NULL, "bad shape accepted without error struct");

	/* The largest shape is fine. */
	s = ok;
	s.cell = RECUR_CELL_LSTM;
	s.hidden = RECUR_MAX_HIDDEN;
	s.layers = RECUR_MAX_LAYERS;
	s.n_inputs = s.n_outputs = RECUR_MAX_IO;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "largest shape refused: %s", err.msg);
	recur_model_free(m);
	recur_model_free(NULL);
}

static void test_reset_process_clone(void)
{
	enum { T = 257 };
	static float x[T * 3], y1[T * 2], y2[T * 2], y3[T * 2];
	for (int i = 0; i < T * 3; i++)
		x[i] = uniform(-1.0f, 1.0f);
	for (int cell = 0; cell < 3; cell++) {
		recur_model *m = make((recur_cell)cell, 3, 2, 13, 2);
		for (int t = 0; t < T; t++)
			recur_step(m, x + 3 * t, y1 + 2 * t);
		recur_model *c = recur_model_clone(m, NULL);
		CHECK(c != NULL && c->params != m->params, "clone");

		recur_reset(m);
		for (size_t i = 0; i < m->n_state; i++)
			CHECK(m->state[i] == 0.0f, "reset leaves state %zu", i);
		recur_process(m, x, y2, T);
		CHECK(memcmp(y1, y2, sizeof y1) == 0, "process differs from repeated step (%s)",
		      recur_cell_name((recur_cell)cell));

		/* The clone carries the state at the time of cloning, so it
		 * continues where the original was. */
		recur_step(c, x, y3);
		recur_step(m, x, y2);
		CHECK(memcmp(y3, y2, 2 * sizeof(float)) == 0, "clone continues like the original");
		CHECK(memcmp(c->params, m->params, m->n_params * sizeof(float)) == 0,
		      "clone params");
		/* Independent blocks: changing one leaves the other. */
		c->b_out[0] += 1.0f;
		CHECK(m->b_out[0] != c->b_out[0], "clone shares parameters");
		recur_model_free(c);
		recur_model_free(m);
	}

	/* Clone copies names, ranges, sample rate and metadata. */
	recur_model *m = make(RECUR_CELL_GRU, 2, 1, 4, 1);
	m->sample_rate = 44100.0;
	strcpy(m->inputs[1].name, "gain");
	m->inputs[1].def = 0.25f;
	m->metadata_json = strdup("{\"k\":1}");
	recur_model *c = recur_model_clone(m, NULL);
	CHECK(c && c->sample_rate == 44100.0 && strcmp(c->inputs[1].name, "gain") == 0 &&
	          c->inputs[1].def == 0.25f,
	      "clone metadata");
	CHECK(c && c->metadata_json && c->metadata_json != m->metadata_json &&
	          strcmp(c->metadata_json, "{\"k\":1}") == 0,
	      "clone metadata_json");
	recur_model_free(c);
	recur_model_free(m);
}

static void test_mono(void)
{
	enum { T = 100 };
	float in[T], out[T], x[T * 3], y[T * 2];
	const float cond[2] = {0.4f, -0.7f};
	for (int t = 0; t < T; t++) {
		in[t] = uniform(-1.0f, 1.0f);
		x[3 * t] = in[t];
		x[3 * t + 1] = cond[0];
		x[3 * t + 2] = cond[1];
	}
	recur_model *m = make(RECUR_CELL_LSTM, 3, 2, 10, 1);
	recur_process(m, x, y, T);
	recur_reset(m);
	recur_process_mono(m, in, out, T, cond);
	for (int t = 0; t < T; t++)
		CHECK(out[t] == y[2 * t], "mono frame %d: %g vs %g", t, out[t], y[2 * t]);

	/* In place. */
	recur_reset(m);
	recur_process_mono(m, in, in, T, cond);
	CHECK(memcmp(in, out, sizeof in) == 0, "mono in place differs");

	/* No cond: inputs 1.. held at their defaults. */
	m->inputs[1].def = 0.4f;
	m->inputs[2].def = -0.7f;
	for (int t = 0; t < T; t++)
		in[t] = x[3 * t];
	recur_reset(m);
	recur_process_mono(m, in, out, T, NULL);
	for (int t = 0; t < T; t++)
		CHECK(out[t] == y[2 * t], "mono with defaults, frame %d", t);
	recur_model_free(m);

	/* One input, cond NULL. */
	m = make(RECUR_CELL_RNN, 1, 1, 5, 1);
	recur_process(m, in, y, T);
	recur_reset(m);
	recur_process_mono(m, in, out, T, NULL);
	CHECK(memcmp(out, y, sizeof out) == 0, "mono with one input");
	recur_model_free(m);
}

/* The block loop (activation after the loop, softmax frame by frame) gives
 * recur_process's output 0 bit for bit, for every cell, output activation
 * and skip setting, in place too. */
static void test_mono_every_head(void)
{
	enum { T = 64, NO = 3 };
	float in[T], out[T], y[T * NO];
	for (int cell = 0; cell < 3; cell++)
		for (int act = 0; act < 4; act++)
			for (int skip = 0; skip < 2; skip++) {
				recur_model *m = make((recur_cell)cell, 1, NO, 24, 2);
				m->shape.out_act = (recur_activation)act;
				m->shape.skip = skip;
				for (int t = 0; t < T; t++)
					in[t] = uniform(-1.0f, 1.0f);
				recur_process(m, in, y, T);
				recur_reset(m);
				recur_process_mono(m, in, out, T, NULL);
				int same = 1;
				for (int t = 0; t < T; t++)
					same &= out[t] == y[NO * t];
				CHECK(same, "mono vs process: %s, activation %d, skip %d",
				      recur_cell_name((recur_cell)cell), act, skip);
				recur_reset(m);
				recur_process_mono(m, in, in, T, NULL);
				CHECK(memcmp(in, out, sizeof in) == 0, "mono in place: %s %d %d",
				      recur_cell_name((recur_cell)cell), act, skip);
				recur_model_free(m);
			}
}

/* The shapes mono runs through its fixed-shape loops (one layer, one input,
 * one output; hidden 8, 16, 32 and 40, padded or not; one layer, and two
 * for those with two-layer loops) give recur_process's output and top state
 * bit for bit, on every path. */
/* Where AVX-512 was chosen by itself, small models (up to 8 units, or 16 in
 * one layer) run the AVX2 path and the others AVX-512; a forced path is every
 * model's. The outputs show it: each model's mono is, to the bit, what the
 * path named for it computes when forced. Runs first, before any test forces
 * a path. */
static void test_kernel_choice(void)
{
	enum { T = 32 };
	const char *chosen = recur_kernel_name(), *env = getenv("RECUR_KERNEL");
	const bool env_forced = env && *env, wide = !env_forced && strcmp(chosen, "avx512") == 0;
	const struct {
		recur_cell cell;
		int hidden, layers;
		bool narrow;
	} cases[] = {{RECUR_CELL_LSTM, 8, 1, true},   {RECUR_CELL_GRU, 8, 2, true},
	             {RECUR_CELL_LSTM, 16, 1, true},  {RECUR_CELL_RNN, 16, 1, true},
	             {RECUR_CELL_LSTM, 16, 2, false}, {RECUR_CELL_GRU, 32, 1, false}};
	float in[T], out[T], forced[T];
	for (int t = 0; t < T; t++)
		in[t] = uniform(-1.0f, 1.0f);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recur_model *m = make(cases[i].cell, 1, 1, cases[i].hidden, cases[i].layers);
		const char *want = cases[i].narrow && wide ? "avx2" : chosen;
		const char *got = recur_model_kernel_name(m);
		CHECK(strcmp(got, want) == 0, "%s-%d x%d runs %s, expected %s",
		      recur_cell_name(cases[i].cell), cases[i].hidden, cases[i].layers, got, want);
		recur_process_mono(m, in, out, T, NULL);
		CHECK(recur_kernel_select(got), "select %s", got);
		recur_reset(m);
		recur_process_mono(m, in, forced, T, NULL);
		CHECK(memcmp(out, forced, sizeof out) == 0, "%s-%d x%d: not what %s computes",
		      recur_cell_name(cases[i].cell), cases[i].hidden, cases[i].layers, got);
		if (recur_kernel_select("sse2"))
			CHECK(strcmp(recur_model_kernel_name(m), "sse2") == 0,
			      "a forced path is every model's");
		/* Back to the choice made at start-up, small models included. */
		CHECK(recur_kernel_select(env_forced ? chosen : "auto") &&
		          strcmp(recur_kernel_name(), chosen) == 0,
		      "back to %s", chosen);
		recur_model_free(m);
	}
}

static void test_mono_fixed_shapes(void)
{
	enum { T = 64 };
	const char *paths[] = {"generic", "sse2", "avx2", "avx512"};
	const char *first = recur_kernel_name();
	float in[T], out[T], y[T];
	for (int t = 0; t < T; t++)
		in[t] = uniform(-1.0f, 1.0f);
	for (int p = 0; p < 4; p++) {
		if (!recur_kernel_select(paths[p]))
			continue;
		for (int cell = 0; cell < 3; cell++)
			for (int k = 0; k < 4 * 2; k++) {
				const int hidden = (const int[]){8, 16, 32, 40}[k % 4];
				const int layers = 1 + k / 4, top = layers - 1;
				recur_model *m = make((recur_cell)cell, 1, 1, hidden, layers);
				float state[2 * 48];
				recur_process(m, in, y, T);
				const size_t n = (size_t)m->hidden_p * sizeof(float);
				memcpy(state, m->h[top], n);
				memcpy(state + 48, m->c[top], n);
				recur_reset(m);
				recur_process_mono(m, in, out, T, NULL);
				CHECK(memcmp(out, y, sizeof out) == 0 &&
				          memcmp(state, m->h[top], n) == 0 &&
				          memcmp(state + 48, m->c[top], n) == 0,
				      "%s %s-%d x%d: mono differs from process", paths[p],
				      recur_cell_name((recur_cell)cell), hidden, layers);
				recur_model_free(m);
			}
	}
	recur_kernel_select(first);
}

/* A non-finite input frame (a broken upstream plugin) must not poison the
 * state: the activations clamp their inputs, and NaN compares false, so the
 * gates saturate and h and c stay finite; later frames give finite output. */
static void test_non_finite_input(void)
{
	const char *paths[] = {"generic", "sse2", "avx2", "avx512", "neon"};
	const char *first = recur_kernel_name();
	for (int p = 0; p < 5; p++) {
		if (!recur_kernel_select(paths[p]))
			continue;
		for (int cell = 0; cell < 3; cell++) {
			recur_model *m = make((recur_cell)cell, 1, 1, 20, 2);
			float bad[2] = {NAN, INFINITY}, x = 0.5f, y;
			for (int k = 0; k < 2; k++) {
				recur_step(m, &bad[k], &y);
				for (int t = 0; t < 3; t++)
					recur_step(m, &x, &y);
				CHECK(isfinite(y), "%s %s: output %g after a non-finite frame",
				      paths[p], recur_cell_name((recur_cell)cell), y);
				for (int l = 0; l < 2; l++)
					for (int u = 0; u < m->hidden_p; u++)
						CHECK(isfinite(m->h[l][u]) &&
						          isfinite(m->c[l][u]) &&
						          (u < 20 || (m->h[l][u] == 0.0f &&
						                      m->c[l][u] == 0.0f)),
						      "%s %s: state %d.%d = %g, %g", paths[p],
						      recur_cell_name((recur_cell)cell), l, u,
						      m->h[l][u], m->c[l][u]);
			}
			recur_model_free(m);
		}
	}
	recur_kernel_select(first);
}

/* Inner dense layers sit between the recurrent layers and the output
 * layer, each 64-byte aligned and padded; the initial state follows work. */
static void test_dense_layout(void)
{
	recur_shape s = {
	    .cell = RECUR_CELL_GRU, .n_inputs = 2, .n_outputs = 3, .hidden = 20, .layers = 1};
	recur_inner inner = {2, {{17, RECUR_ACT_RELU}, {5, RECUR_ACT_ELU}}};
	recur_error err;
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	CHECK(m != NULL, "new_dense: %s", err.msg);
	if (!m)
		return;
	const recur_layer *L = &m->layer[0];
	const float *after_layer = L->b_h + L->rows_p;
	const recur_dense_layer *D0 = &m->dense[0], *D1 = &m->dense[1];
	CHECK(D0->w == after_layer && D0->in == 20 && D0->in_p == 32 && D0->width_p == 32,
	      "dense[0] at %td, in %d in_p %d", D0->w - m->params, D0->in, D0->in_p);
	CHECK(D0->b == D0->w + 17 * 32 && D1->w == D0->b + 32, "dense[0] bias, dense[1] weight");
	CHECK(D1->in == 17 && D1->in_p == 32 && D1->width == 5 && D1->width_p == 16 &&
	          D1->act == RECUR_ACT_ELU,
	      "dense[1] sizes");
	CHECK(m->head_in_p == 16 && m->w_out == D1->b + 16 && m->b_out == m->w_out + 3 * 16,
	      "output layer after the inner layers");
	CHECK(m->n_params == (size_t)(m->b_out + m->out_p - m->params), "n_params");
	CHECK(aligned(D0->w) && aligned(D0->b) && aligned(D1->w) && aligned(D1->b) &&
	          aligned(m->w_out) && aligned(m->init),
	      "alignment");
	CHECK(m->init == m->work + m->n_work, "init follows work");
	recur_model_free(m);

	/* The same shape without inner layers keeps the version-1 layout. */
	m = recur_model_new(&s, &err);
	CHECK(m && m->inner.n == 0 && m->head_in_p == m->hidden_p &&
	          m->w_out == m->layer[0].b_h + m->layer[0].rows_p,
	      "single dense layer layout");
	CHECK(m && m->in_gain == 1.0f && m->out_gain == 1.0f && m->check == NULL,
	      "defaults: unit gains, no check block");
	recur_model_free(m);
}

/* recur_reset returns to the stored initial state, a clone carries it (and
 * gains, inner layers, check block), and the check block reproduces. */
static void test_initial_state_and_check(void)
{
	enum { T = 64 };
	static float x[T * 2], y1[T], y2[T];
	for (int i = 0; i < T * 2; i++)
		x[i] = uniform(-1.0f, 1.0f);
	for (int cell = 0; cell < 3; cell++) {
		recur_shape s = {.cell = (recur_cell)cell,
		                 .n_inputs = 2,
		                 .n_outputs = 1,
		                 .hidden = 6,
		                 .layers = 2,
		                 .skip = true};
		recur_inner inner = {1, {{7, RECUR_ACT_SIGMOID}}};
		recur_error err;
		recur_model *m = recur_model_new_dense(&s, &inner, &err);
		if (!m)
			continue;
		randomise(m);
		for (int o = 0; o < 7; o++)
			for (int j = 0; j < 6; j++)
				m->dense[0].w[o * m->dense[0].in_p + j] = uniform(-1.0f, 1.0f);
		for (int l = 0; l < 2; l++)
			for (int u = 0; u < 6; u++) {
				m->init[l * 2 * m->hidden_p + u] = uniform(-0.5f, 0.5f);
				if (cell == RECUR_CELL_LSTM)
					m->init[l * 2 * m->hidden_p + m->hidden_p + u] =
					    uniform(-1, 1);
			}
		m->in_gain = 0.5f;
		m->out_gain = 3.0f;
		recur_reset(m);
		CHECK(memcmp(m->state, m->init, m->n_state * sizeof(float)) == 0,
		      "reset copies the initial state");
		recur_process(m, x, y1, T);
		CHECK(recur_model_set_check(m, x, y1, T, &err), "%s", err.msg);
		recur_process(m, x, y2, T); /* from wherever the state is now */
		double diff = -1;
		size_t at = 99;
		CHECK(recur_model_check(m, &diff, &at, &err) && diff == 0.0,
		      "%s: own check block off by %g", recur_cell_name(s.cell), diff);
		CHECK(memcmp(m->state, m->init, m->n_state * sizeof(float)) == 0,
		      "a check leaves the model at its initial state");
		recur_model *c = recur_model_clone(m, &err);
		CHECK(c && c->inner.n == 1 && c->dense[0].w != m->dense[0].w &&
		          c->in_gain == 0.5f && c->out_gain == 3.0f && c->check &&
		          c->check != m->check &&
		          memcmp(c->init, m->init, m->n_state * sizeof(float)) == 0,
		      "clone carries inner layers, gains, initial state, check block");
		CHECK(c && recur_model_check(c, &diff, NULL, &err) && diff == 0.0,
		      "the clone passes the check too (%g)", diff);
		/* The check sees a change anywhere: here one output gain. */
		if (c) {
			c->out_gain = 3.001f;
			CHECK(recur_model_check(c, &diff, &at, &err) && diff > 1e-4,
			      "a changed model still passes its check (%g)", diff);
			c->out_gain = 3.0f;
			c->init[0] += 0.25f;
			CHECK(recur_model_check(c, &diff, &at, &err) && diff > 0.0 && at < 8,
			      "a changed initial state passes the check (%g at %zu)", diff, at);
		}
		recur_model_free(c);
		recur_model_free(m);
	}
}

int main(void)
{
	test_kernel_choice();
	test_layout();
	test_dense_layout();
	test_initial_state_and_check();
	test_limits();
	test_reset_process_clone();
	test_mono();
	test_mono_every_head();
	test_mono_fixed_shapes();
	test_non_finite_input();
	return check_exit();
}
