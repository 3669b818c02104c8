/* trainer_new refuses, naming the reason, the models its backprop does not
 * cover: inner dense layers, relu or elu outputs, gains other than 1 and a
 * non-zero initial state; the same shape without them is accepted. */
#include <stdlib.h>

#include "check.h"
#include "trainer.h"

#define FRAMES 4096

static float x[FRAMES], t[FRAMES];

static void expect(recur_model *m, const char *fragment)
{
	train_split data = {.n_train = 1,
	                    .n_val = 1,
	                    .train = {{x, t, FRAMES / 2}},
	                    .val = {{x + FRAMES / 2, t + FRAMES / 2, FRAMES / 2}}};
	train_config cfg;
	train_config_defaults(&cfg);
	cfg.threads = 1;
	cfg.segment = 256;
	cfg.warmup = 64;
	recur_error err = {{0}};
	trainer *tr = trainer_new(m, &data, &cfg, &err);
	if (fragment) {
		CHECK(tr == NULL, "accepted, expected \"%s\"", fragment);
		CHECK_MSG(err.msg, fragment);
	} else {
		CHECK(tr != NULL, "refused: %s", err.msg);
	}
	trainer_free(tr);
	recur_model_free(m);
}

int main(void)
{
	for (int i = 0; i < FRAMES; i++)
		x[i] = t[i] = (float)(i % 97) / 97.0f - 0.5f;
	const recur_shape s = {.cell = RECUR_CELL_LSTM,
	                       .n_inputs = 1,
	                       .n_outputs = 1,
	                       .hidden = 4,
	                       .layers = 1,
	                       .skip = true,
	                       .out_act = RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	expect(recur_model_new(&s, &err), NULL);

	const recur_inner inner = {1, {{8, RECUR_ACT_TANH}}};
	expect(recur_model_new_dense(&s, &inner, &err),
	       "the trainer cannot train a model with dense layers before the output layer");

	recur_shape elu = s;
	elu.out_act = RECUR_ACT_ELU;
	expect(recur_model_new(&elu, &err), "cannot train a model with a relu or elu output");

	recur_model *m = recur_model_new(&s, &err);
	m->in_gain = 2.0f;
	expect(m, "cannot train a model with an input or output gain other than 1");

	m = recur_model_new(&s, &err);
	m->out_gain = 0.5f;
	expect(m, "cannot train a model with an input or output gain other than 1");

	m = recur_model_new(&s, &err);
	m->init[m->hidden_p + 1] = 0.25f;
	expect(m, "cannot train a model with a non-zero initial state");
	return check_exit();
}
