/*
 * The backward pass against central finite differences of the loss, for
 * every cell, stacked layers, skip, every output activation and every loss.
 *
 * Tolerance: the forward pass is the engine's float32 code, so the loss
 * carries rounding noise of about 1e-7 relative (the loss sums run in double,
 * the network in float). A central difference with eps = 1e-2 turns that into
 * ~1e-5 of the loss as absolute noise on a gradient, and its truncation error
 * is O(eps^2) ~ 1e-4 relative. So every gradient above a floor of 1e-3 times
 * the loss must agree to 2% relative, and those below it to 2e-4 times the
 * loss absolute. A wrong equation gives errors of order 100%, far outside
 * both, and each case must have at least 20 parameters above the floor so
 * the relative check is the one doing the work.
 *
 * The segments here have no warm-up: with one, the finite difference would
 * also see the parameters' effect on the state the warm-up leaves, which
 * truncated back-propagation leaves out on purpose. test_truncation checks
 * that part.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "layout.h"
#include "trainer.h"

#define FRAMES 48

typedef struct {
	const char *name;
	recur_cell cell;
	int layers, hidden, n_in, n_out;
	bool skip;
	recur_activation act;
	loss_spec loss;
} grad_case;

static uint64_t rng = 12345;

static float uniform(float lo, float hi)
{
	return lo + (hi - lo) * (float)rng_uniform(&rng);
}

static void make_data(const grad_case *gc, float *x, float *t)
{
	for (int i = 0; i < FRAMES * gc->n_in; i++)
		x[i] = uniform(-1.0f, 1.0f);
	for (int i = 0; i < FRAMES; i++) {
		const int hot = (int)(rng_uniform(&rng) * gc->n_out);
		for (int o = 0; o < gc->n_out; o++) {
			float v = uniform(-0.8f, 0.8f);
			if (gc->loss.kind == LOSS_BCE)
				v = uniform(0, 1) < 0.5f ? 0.0f : 1.0f;
			if (gc->loss.kind == LOSS_CE)
				v = o == hot ? 1.0f : 0.0f;
			t[i * gc->n_out + o] = v;
		}
	}
}

static void check_case(const grad_case *gc, int threads)
{
	recur_error err = {{0}};
	recur_shape shape = {gc->cell,   gc->n_in, gc->n_out, gc->hidden,
	                     gc->layers, gc->skip, gc->act};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m != NULL, "%s: %s", gc->name, err.msg);
	if (!m)
		return;
	trainer_init_params(m, 7);
	/* Larger than the default init so every gate is away from its linear region. */
	for (size_t i = 0; i < m->n_params; i++)
		m->params[i] *= 2.0f;

	float x[FRAMES * RECUR_MAX_IO], t[FRAMES * RECUR_MAX_IO];
	make_data(gc, x, t);
	train_split split = {.n_train = 1, .train = {{.x = x, .t = t, .frames = FRAMES}}};
	train_config cfg;
	train_config_defaults(&cfg);
	cfg.loss = gc->loss;
	cfg.segment = 12;
	cfg.warmup = 0;
	cfg.batch = 3;
	cfg.threads = threads;
	trainer *tr = trainer_new(m, &split, &cfg, &err);
	CHECK(tr != NULL, "%s: %s", gc->name, err.msg);
	if (!tr) {
		recur_model_free(m);
		return;
	}
	const int seqs[3] = {0, 0, 0};
	const size_t offs[3] = {0, 13, 31};
	float *grad = malloc(m->n_params * sizeof(float));
	unsigned char *real = malloc(m->n_params);
	real_params(m, real);
	const double loss = trainer_loss_grad(tr, seqs, offs, 3, grad);
	CHECK(isfinite(loss) && loss > 0, "%s: loss %g", gc->name, loss);

	const double scale = fmax(loss, 1e-3), eps = 1e-2;
	int checked = 0, above = 0, bad = 0;
	for (size_t i = 0; i < m->n_params; i++) {
		if (!real[i]) {
			if (grad[i] != 0.0f)
				bad++;
			CHECK(grad[i] == 0.0f, "%s: padding float %zu has gradient %g", gc->name, i,
			      (double)grad[i]);
			continue;
		}
		const float p = m->params[i];
		m->params[i] = p + (float)eps;
		const double lp = trainer_loss_grad(tr, seqs, offs, 3, NULL);
		m->params[i] = p - (float)eps;
		const double lm = trainer_loss_grad(tr, seqs, offs, 3, NULL);
		m->params[i] = p;
		/* the step actually taken, after rounding p +- eps to float */
		const double h = ((double)(p + (float)eps) - (double)(p - (float)eps));
		const double fd = (lp - lm) / h, g = grad[i];
		const double mag = fmax(fabs(fd), fabs(g));
		checked++;
		bool ok;
		if (mag > 1e-3 * scale) {
			above++;
			ok = fabs(fd - g) <= 2e-2 * mag;
		} else {
			ok = fabs(fd - g) <= 2e-4 * scale;
		}
		if (!ok && bad++ < 5)
			CHECK(ok,
			      "%s (threads %d): param %zu: backward %.6g, finite difference %.6g",
			      gc->name, threads, i, g, fd);
	}
	CHECK(bad == 0, "%s: %d of %d gradients wrong", gc->name, bad, checked);
	CHECK(above >= 20, "%s: only %d of %d gradients above the floor", gc->name, above, checked);
	free(grad);
	free(real);
	trainer_free(tr);
	recur_model_free(m);
}

int main(void)
{
	const loss_spec esr = {LOSS_ESR, 0.95f, true};
	const loss_spec esr_plain = {LOSS_ESR, 0.0f, false};
	const loss_spec mse = {LOSS_MSE, 0.0f, false};
	const loss_spec bce = {LOSS_BCE, 0.0f, false};
	const loss_spec ce = {LOSS_CE, 0.0f, false};
	const grad_case cases[] = {
	    {"rnn 1 layer esr+dc", RECUR_CELL_RNN, 1, 5, 1, 1, false, RECUR_ACT_LINEAR, esr},
	    {"gru 1 layer esr+dc", RECUR_CELL_GRU, 1, 5, 1, 1, false, RECUR_ACT_LINEAR, esr},
	    {"lstm 1 layer esr+dc", RECUR_CELL_LSTM, 1, 5, 1, 1, false, RECUR_ACT_LINEAR, esr},
	    {"lstm skip esr plain", RECUR_CELL_LSTM, 1, 4, 1, 1, true, RECUR_ACT_LINEAR, esr_plain},
	    {"rnn 2 layers mse tanh", RECUR_CELL_RNN, 2, 4, 2, 2, false, RECUR_ACT_TANH, mse},
	    {"gru 3 layers skip mse", RECUR_CELL_GRU, 3, 3, 2, 1, true, RECUR_ACT_TANH, mse},
	    {"lstm 2 layers esr 2 outputs", RECUR_CELL_LSTM, 2, 4, 3, 2, false, RECUR_ACT_LINEAR,
	     esr},
	    {"lstm 4 layers mse", RECUR_CELL_LSTM, 4, 3, 1, 1, false, RECUR_ACT_LINEAR, mse},
	    {"gru bce sigmoid", RECUR_CELL_GRU, 1, 5, 3, 2, false, RECUR_ACT_SIGMOID, bce},
	    {"lstm ce softmax", RECUR_CELL_LSTM, 2, 4, 2, 3, false, RECUR_ACT_SOFTMAX, ce},
	    {"rnn mse sigmoid", RECUR_CELL_RNN, 1, 6, 1, 2, false, RECUR_ACT_SIGMOID, mse},
	    {"gru mse softmax", RECUR_CELL_GRU, 1, 4, 1, 3, true, RECUR_ACT_SOFTMAX, mse},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		check_case(&cases[k], k % 2 ? 2 : 1);
	return check_exit();
}
