/*
 * AIDA-X / RTNeural export: for LSTM and GRU stacks of 1-3 layers, with and
 * without skip, with several inputs and outputs, the exported file loaded
 * back through the engine's importer (recur_model_load) gives the same
 * outputs within 1e-5. RNN models and activations AIDA-X cannot combine with
 * skip are refused with a message.
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "export.h"
#include "trainer.h"

static void round_trip(recur_cell cell, int layers, int n_in, int n_out, bool skip,
                       recur_activation act)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, n_in, n_out, 7, layers, skip, act};
	recur_model *m = recur_model_new(&shape, &err);
	trainer_init_params(m, (uint64_t)(layers * 10 + n_in));
	/* non-zero biases everywhere, so both GRU bias rows and the folded LSTM
	 * bias are exercised */
	uint64_t rng = 3;
	for (int l = 0; l < layers; l++)
		for (int r = 0; r < m->layer[l].rows; r++) {
			m->layer[l].b_x[r] = (float)(rng_uniform(&rng) - 0.5);
			m->layer[l].b_h[r] = (float)(rng_uniform(&rng) - 0.5);
		}
	m->b_out[0] = 0.25f;
	char path[] = "/tmp/recur-export-XXXXXX";
	const int fd = mkstemp(path);
	close(fd);
	CHECK(export_aidax(m, path, &err), "export: %s", err.msg);
	recur_model *b = recur_model_load(path, &err);
	CHECK(b != NULL, "load: %s", err.msg);
	if (b) {
		CHECK(b->shape.cell == cell && b->shape.layers == layers &&
		          b->shape.n_inputs == n_in && b->shape.n_outputs == n_out &&
		          b->shape.skip == skip && b->shape.out_act == act,
		      "shape changed");
		float x[RECUR_MAX_IO], ya[RECUR_MAX_IO], yb[RECUR_MAX_IO];
		double worst = 0;
		for (int t = 0; t < 500; t++) {
			for (int j = 0; j < n_in; j++)
				x[j] = (float)(2 * rng_uniform(&rng) - 1);
			recur_step(m, x, ya);
			recur_step(b, x, yb);
			for (int o = 0; o < n_out; o++)
				worst = fmax(worst, fabs((double)ya[o] - yb[o]));
		}
		CHECK(worst <= 1e-5, "%s x%d: outputs differ by %g", recur_cell_name(cell), layers,
		      worst);
		recur_model_free(b);
	}
	unlink(path);
	recur_model_free(m);
}

static void refused(recur_cell cell, bool skip, recur_activation act, const char *why)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, 4, 1, skip, act};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(!export_aidax(m, "/tmp/recur-export-refused.json", &err), "export accepted");
	CHECK_MSG(err.msg, why);
	recur_model_free(m);
}

int main(void)
{
	round_trip(RECUR_CELL_LSTM, 1, 1, 1, true, RECUR_ACT_LINEAR);
	round_trip(RECUR_CELL_GRU, 1, 1, 1, true, RECUR_ACT_LINEAR);
	round_trip(RECUR_CELL_LSTM, 2, 3, 2, false, RECUR_ACT_TANH);
	round_trip(RECUR_CELL_GRU, 3, 2, 3, false, RECUR_ACT_SOFTMAX);
	round_trip(RECUR_CELL_GRU, 2, 1, 1, false, RECUR_ACT_SIGMOID);
	refused(RECUR_CELL_RNN, false, RECUR_ACT_LINEAR, "not rnn");
	refused(RECUR_CELL_LSTM, true, RECUR_ACT_TANH, "skip");
	return check_exit();
}
