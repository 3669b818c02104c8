/*
 * --memory FRAMES (train/memory_init.h): every LSTM unit's forget gate starts
 * at sigmoid(b) with b = log(u), u in [1, FRAMES - 1], so its memory, the
 * time constant 1 / (1 - sigmoid(b)) = 1 + u frames, lies in [2, FRAMES],
 * spread over that range; the input gate's bias is -b; a GRU's update gate
 * gets b; the recurrent biases of those gates are 0; every other parameter
 * keeps the plain initialisation; a vanilla RNN is left alone; the same seed
 * gives the same draw.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "memory_init.h"
#include "trainer.h"

#define HIDDEN 64
#define FRAMES 4800.0

static recur_model *model(recur_cell cell)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, HIDDEN, 2, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m, "%s", err.msg);
	if (m)
		trainer_init_params(m, 4);
	return m;
}

/* Memories of the keep gate (row block `keep`) of every unit of every layer;
 * `input` >= 0: that gate's bias must be the negative. */
static void check_gates(recur_model *m, int keep, int input, const char *what)
{
	for (int l = 0; l < m->shape.layers; l++) {
		const recur_layer *L = &m->layer[l];
		double shortest = INFINITY, longest = 0;
		for (int u = 0; u < HIDDEN; u++) {
			const float b = L->b_x[keep * HIDDEN + u];
			const double tau = 1.0 / (1.0 - 1.0 / (1.0 + exp(-(double)b)));
			shortest = fmin(shortest, tau);
			longest = fmax(longest, tau);
			CHECK(tau >= 2 - 1e-3 && tau <= FRAMES * (1 + 1e-5),
			      "%s layer %d unit %d: memory %g frames", what, l, u, tau);
			CHECK(L->b_h[keep * HIDDEN + u] == 0, "%s: recurrent keep bias not 0",
			      what);
			if (input >= 0) {
				CHECK(L->b_x[input * HIDDEN + u] == -b,
				      "%s: input bias %g, keep %g", what,
				      L->b_x[input * HIDDEN + u], b);
				CHECK(L->b_h[input * HIDDEN + u] == 0, "%s: recurrent input bias",
				      what);
			}
		}
		/* 64 uniform draws leave no gap of a fifth of the range at either end */
		CHECK(shortest < 0.2 * FRAMES && longest > 0.8 * FRAMES,
		      "%s layer %d: memories from %g to %g frames", what, l, shortest, longest);
	}
}

/* Parameters outside the gates memory_init sets are untouched. */
static void check_rest(recur_model *m, recur_model *plain, int keep, int input, const char *what)
{
	int changed = 0;
	for (size_t i = 0; i < m->n_params; i++)
		changed += m->params[i] != plain->params[i];
	int expected = 0;
	for (int l = 0; l < m->shape.layers; l++) {
		const recur_layer *L = &m->layer[l], *P = &plain->layer[l];
		for (int u = 0; u < HIDDEN; u++)
			for (int g = 0; g < 2; g++) {
				const int row = (g ? keep : input) * HIDDEN + u;
				if (g == 0 && input < 0)
					continue;
				expected += L->b_x[row] != P->b_x[row];
				expected += L->b_h[row] != P->b_h[row];
			}
	}
	CHECK(changed == expected && changed > 0, "%s: %d parameters changed, %d in the gates",
	      what, changed, expected);
}

int main(void)
{
	recur_model *lstm = model(RECUR_CELL_LSTM), *lstm_plain = model(RECUR_CELL_LSTM);
	recur_model *again = model(RECUR_CELL_LSTM);
	recur_model *gru = model(RECUR_CELL_GRU), *gru_plain = model(RECUR_CELL_GRU);
	recur_model *rnn = model(RECUR_CELL_RNN), *rnn_plain = model(RECUR_CELL_RNN);
	if (!lstm || !lstm_plain || !again || !gru || !gru_plain || !rnn || !rnn_plain)
		return check_exit();
	memory_init(lstm, FRAMES, 9);
	memory_init(again, FRAMES, 9);
	memory_init(gru, FRAMES, 9);
	memory_init(rnn, FRAMES, 9);
	/* PyTorch's gate order: LSTM i, f, g, o; GRU r, z, n */
	check_gates(lstm, 1, 0, "lstm");
	check_rest(lstm, lstm_plain, 1, 0, "lstm");
	check_gates(gru, 1, -1, "gru");
	check_rest(gru, gru_plain, 1, -1, "gru");
	CHECK(!memcmp(lstm->params, again->params, lstm->n_params * sizeof(float)),
	      "the same seed drew other memories");
	CHECK(!memcmp(rnn->params, rnn_plain->params, rnn->n_params * sizeof(float)),
	      "a vanilla RNN was changed");
	recur_model *models[] = {lstm, lstm_plain, again, gru, gru_plain, rnn, rnn_plain};
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		recur_model_free(models[i]);
	return check_exit();
}
