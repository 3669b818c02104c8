/* Known answers worked from the cell equations by hand: hidden 1, one input,
 * one output, chosen weights. The expected values are the PyTorch equations
 * written out in double precision with libm, independent of the engine. */
#include <stdlib.h>

#include "check.h"
#include "recur.h"

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static recur_model *tiny(recur_cell cell, recur_activation act, bool skip)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = 1,
	                 .layers = 1,
	                 .skip = skip,
	                 .out_act = act};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	return m;
}

/* Rows of gate k for unit 0 are row k (hidden 1). */
static void set_gate(recur_model *m, int k, float wx, float wh, float bx, float bh)
{
	recur_layer *L = &m->layer[0];
	L->w_x[k] = wx;
	L->w_h[k] = wh;
	L->b_x[k] = bx;
	L->b_h[k] = bh;
}

static void test_rnn(void)
{
	recur_model *m = tiny(RECUR_CELL_RNN, RECUR_ACT_LINEAR, false);
	set_gate(m, 0, 0.5f, -0.25f, 0.1f, 0.2f);
	m->w_out[0] = 2.0f;
	m->b_out[0] = -0.5f;
	/* recur_step's RNN path leaves no training record; the layer step the
	 * trainer runs does, so a twin goes through that. */
	recur_error err;
	recur_model *twin = recur_model_clone(m, &err);
	CHECK(twin != NULL, "clone: %s", err.msg);
	const double xs[3] = {1.0, -1.0, 0.25};
	double h = 0.0;
	for (int t = 0; t < 3; t++) {
		h = tanh(0.5 * xs[t] + 0.1 + (-0.25) * h + 0.2);
		float x = (float)xs[t], y;
		recur_step(m, &x, &y);
		CHECK_NEAR(m->h[0][0], h, 1e-6, "rnn h");
		CHECK_NEAR(y, 2.0 * h - 0.5, 2e-6, "rnn y");
		recur_layer_step(&twin->layer[0], &x, twin->h[0], twin->c[0], twin->work);
		CHECK_NEAR(twin->h[0][0], h, 1e-6, "rnn layer step h");
		CHECK_NEAR(twin->work[0], h, 1e-6, "rnn work gate");
	}
	recur_model_free(twin);
	recur_model_free(m);
}

static void test_gru(void)
{
	recur_model *m = tiny(RECUR_CELL_GRU, RECUR_ACT_LINEAR, false);
	set_gate(m, 0, 0.3f, -0.4f, 0.05f, -0.1f); /* r */
	set_gate(m, 1, -0.6f, 0.7f, 0.2f, 0.1f);   /* z */
	set_gate(m, 2, 1.1f, 0.9f, -0.3f, 0.4f);   /* n */
	m->w_out[0] = 1.5f;
	m->b_out[0] = 0.25f;
	const double xs[4] = {0.5, -0.75, 1.0, 0.0};
	double h = 0.0;
	for (int t = 0; t < 4; t++) {
		double x = xs[t];
		double r = sig(0.3 * x + 0.05 + (-0.4) * h + (-0.1));
		double z = sig(-0.6 * x + 0.2 + 0.7 * h + 0.1);
		double hn_pre = 0.9 * h + 0.4;
		double n = tanh(1.1 * x + (-0.3) + r * hn_pre);
		double hz_pre = 0.7 * h + 0.1, hr_pre = -0.4 * h - 0.1;
		h = (1.0 - z) * n + z * h;
		float xf = (float)x, y;
		recur_step(m, &xf, &y);
		CHECK_NEAR(m->h[0][0], h, 1e-6, "gru h");
		CHECK_NEAR(y, 1.5 * h + 0.25, 2e-6, "gru y");
		CHECK_NEAR(m->work[0], r, 1e-6, "gru work r");
		CHECK_NEAR(m->work[1], z, 1e-6, "gru work z");
		CHECK_NEAR(m->work[2], n, 1e-6, "gru work n");
		const float *gh = m->work + m->layer[0].rows_p;
		CHECK_NEAR(gh[0], hr_pre, 1e-6, "gru work W_hr h + b_hr");
		CHECK_NEAR(gh[1], hz_pre, 1e-6, "gru work W_hz h + b_hz");
		CHECK_NEAR(gh[2], hn_pre, 1e-6, "gru work W_hn h + b_hn");
	}
	recur_model_free(m);
}

static void test_lstm(void)
{
	recur_model *m = tiny(RECUR_CELL_LSTM, RECUR_ACT_LINEAR, false);
	set_gate(m, 0, 0.5f, 0.1f, 0.0f, 0.2f);   /* i */
	set_gate(m, 1, -0.3f, 0.8f, 1.0f, 0.0f);  /* f */
	set_gate(m, 2, 1.2f, -0.5f, 0.1f, -0.2f); /* g */
	set_gate(m, 3, 0.4f, 0.6f, -0.1f, 0.05f); /* o */
	m->w_out[0] = -1.0f;
	m->b_out[0] = 0.5f;
	const double xs[4] = {1.0, 0.5, -2.0, 0.125};
	double h = 0.0, c = 0.0;
	for (int t = 0; t < 4; t++) {
		double x = xs[t];
		double i = sig(0.5 * x + 0.0 + 0.1 * h + 0.2);
		double f = sig(-0.3 * x + 1.0 + 0.8 * h + 0.0);
		double g = tanh(1.2 * x + 0.1 - 0.5 * h - 0.2);
		double o = sig(0.4 * x - 0.1 + 0.6 * h + 0.05);
		c = f * c + i * g;
		h = o * tanh(c);
		float xf = (float)x, y;
		recur_step(m, &xf, &y);
		CHECK_NEAR(m->h[0][0], h, 1e-6, "lstm h");
		CHECK_NEAR(m->c[0][0], c, 1e-6, "lstm c");
		CHECK_NEAR(y, -h + 0.5, 2e-6, "lstm y");
		const double gates[4] = {i, f, g, o};
		for (int k = 0; k < 4; k++)
			CHECK_NEAR(m->work[k], gates[k], 1e-6, "lstm work gate");
		const int rp = m->layer[0].rows_p, hp = m->hidden_p;
		CHECK_NEAR(m->work[rp], c, 1e-6, "lstm work new c");
		CHECK_NEAR(m->work[rp + hp], tanh(c), 1e-6, "lstm work tanh(new c)");
	}
	recur_model_free(m);
}

/* Zero recurrent weights make h a known constant, so the head alone is
 * tested: skip and each output activation. */
static void test_head(void)
{
	const double pre = tanh(0.5);
	struct {
		recur_activation act;
		bool skip;
	} cases[] = {{RECUR_ACT_LINEAR, true},
	             {RECUR_ACT_TANH, false},
	             {RECUR_ACT_TANH, true},
	             {RECUR_ACT_SIGMOID, false},
	             {RECUR_ACT_SIGMOID, true}};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		recur_model *m = tiny(RECUR_CELL_RNN, cases[k].act, cases[k].skip);
		set_gate(m, 0, 0.0f, 0.0f, 0.5f, 0.0f);
		m->w_out[0] = 3.0f;
		m->b_out[0] = -1.0f;
		float x = 0.75f, y;
		recur_step(m, &x, &y);
		double v = 3.0 * pre - 1.0 + (cases[k].skip ? 0.75 : 0.0);
		double want = cases[k].act == RECUR_ACT_TANH      ? tanh(v)
		              : cases[k].act == RECUR_ACT_SIGMOID ? sig(v)
		                                                  : v;
		CHECK_NEAR(y, want, 2e-6, recur_activation_name(cases[k].act));
		recur_model_free(m);
	}

	/* softmax over three outputs, with skip applied to output 0 first */
	recur_shape s = {.cell = RECUR_CELL_RNN,
	                 .n_inputs = 1,
	                 .n_outputs = 3,
	                 .hidden = 1,
	                 .layers = 1,
	                 .skip = true,
	                 .out_act = RECUR_ACT_SOFTMAX};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "%s", err.msg);
	set_gate(m, 0, 0.0f, 0.0f, 0.5f, 0.0f);
	const float w[3] = {1.0f, -2.0f, 0.5f}, b[3] = {0.0f, 0.3f, 2.0f};
	for (int o = 0; o < 3; o++) {
		m->w_out[o * m->hidden_p] = w[o];
		m->b_out[o] = b[o];
	}
	float x = -0.5f, y[3];
	recur_step(m, &x, y);
	double z[3], sum = 0.0;
	for (int o = 0; o < 3; o++) {
		z[o] = w[o] * pre + b[o] + (o == 0 ? -0.5 : 0.0);
		sum += exp(z[o]);
	}
	for (int o = 0; o < 3; o++)
		CHECK_NEAR(y[o], exp(z[o]) / sum, 2e-6, "softmax");
	recur_model_free(m);
}

/* Two stacked RNN layers: layer 1 reads layer 0's new h. */
static void test_stacked(void)
{
	recur_shape s = {.cell = RECUR_CELL_RNN,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = 1,
	                 .layers = 2,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "%s", err.msg);
	m->layer[0].w_x[0] = 0.8f;
	m->layer[0].w_h[0] = 0.3f;
	m->layer[1].w_x[0] = -1.2f;
	m->layer[1].w_h[0] = 0.5f;
	m->layer[1].b_h[0] = 0.1f;
	m->w_out[0] = 1.0f;
	double h0 = 0.0, h1 = 0.0;
	const double xs[3] = {1.0, -0.5, 0.3};
	for (int t = 0; t < 3; t++) {
		h0 = tanh(0.8 * xs[t] + 0.3 * h0);
		h1 = tanh(-1.2 * h0 + 0.5 * h1 + 0.1);
		float x = (float)xs[t], y;
		recur_step(m, &x, &y);
		CHECK_NEAR(y, h1, 2e-6, "stacked y");
	}
	recur_model_free(m);
}

int main(void)
{
	const char *path = getenv("RECUR_KERNEL");
	(void)path;
	test_rnn();
	test_gru();
	test_lstm();
	test_head();
	test_stacked();
	return check_exit();
}
