/*
 * Truncated back-propagation: with a warm-up, the gradient is that of the
 * loss with the state after the warm-up held fixed. The reference here runs
 * the engine's recur_step itself: the warm-up frames with the unperturbed
 * model, then the loss frames with a copy whose one parameter is moved by
 * +-eps, and a central difference of the loss (tolerances as in
 * test_gradcheck.c). It also checks the warm-up matters (the untruncated
 * gradient differs), and that the thread count changes the gradient only by
 * the rounding of the summation order.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "layout.h"
#include "trainer.h"

#define WARM   9
#define SEG    14
#define FRAMES (WARM + SEG)

static float x[FRAMES], t[FRAMES];

/* The loss of one segment with the warm-up run by `warm` and the rest by
 * `run` (which may be warm itself). */
static double reference_loss(recur_model *warm, recur_model *run, const loss_spec *spec)
{
	float y[FRAMES];
	recur_reset(warm);
	for (int i = 0; i < WARM; i++)
		recur_step(warm, x + i, y + i);
	if (run != warm)
		memcpy(run->state, warm->state, warm->n_state * sizeof(float));
	for (int i = WARM; i < FRAMES; i++)
		recur_step(run, x + i, y + i);
	loss_norm nrm;
	loss_norm_clear(&nrm, 1);
	loss_norm_add(spec, &nrm, t + WARM, SEG);
	return loss_segment(spec, &nrm, y + WARM, 1, t + WARM, SEG, NULL);
}

static void check_cell(recur_cell cell)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, 4, 2, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	recur_model *p = recur_model_new(&shape, &err);
	trainer_init_params(m, 5);
	for (size_t i = 0; i < m->n_params; i++)
		m->params[i] *= 2.0f;
	const loss_spec spec = {LOSS_ESR, 0.95f, true};
	train_split split = {.n_train = 1, .train = {{x, t, FRAMES}}};
	train_config cfg;
	train_config_defaults(&cfg);
	cfg.segment = SEG;
	cfg.warmup = WARM;
	cfg.threads = 1;
	trainer *tr = trainer_new(m, &split, &cfg, &err);
	CHECK(tr, "%s", err.msg);
	if (!tr)
		return;
	float *grad = malloc(m->n_params * sizeof(float));
	const int seq = 0;
	const size_t off = 0;
	const double loss = trainer_loss_grad(tr, &seq, &off, 1, grad);
	CHECK_NEAR(loss, reference_loss(m, m, &spec), 1e-6 * loss, "loss");
	unsigned char *real = malloc(m->n_params);
	real_params(m, real);
	const double eps = 1e-2;
	int bad = 0, above = 0, differs = 0;
	for (size_t i = 0; i < m->n_params; i++) {
		if (!real[i])
			continue;
		memcpy(p->params, m->params, m->n_params * sizeof(float));
		const float v = m->params[i];
		p->params[i] = v + (float)eps;
		const double lp = reference_loss(m, p, &spec);
		const double lp_full = reference_loss(p, p, &spec);
		p->params[i] = v - (float)eps;
		const double lm = reference_loss(m, p, &spec);
		const double lm_full = reference_loss(p, p, &spec);
		const double h = (double)(v + (float)eps) - (double)(v - (float)eps);
		const double fd = (lp - lm) / h, full = (lp_full - lm_full) / h, g = grad[i];
		const double mag = fmax(fabs(fd), fabs(g));
		bool ok =
		    mag > 1e-3 * loss ? fabs(fd - g) <= 2e-2 * mag : fabs(fd - g) <= 2e-4 * loss;
		above += mag > 1e-3 * loss;
		differs +=
		    fabs(full - g) > 0.05 * fmax(fabs(full), fabs(g)) && fabs(full) > 1e-3 * loss;
		if (!ok && bad++ < 5)
			CHECK(ok, "%s param %zu: backward %.6g, truncated difference %.6g",
			      recur_cell_name(cell), i, g, fd);
	}
	CHECK(bad == 0, "%s: %d gradients wrong", recur_cell_name(cell), bad);
	CHECK(above >= 20, "%s: only %d gradients above the floor", recur_cell_name(cell), above);
	CHECK(differs > 0, "%s: the warm-up changed no gradient", recur_cell_name(cell));
	free(real);
	free(grad);
	trainer_free(tr);
	recur_model_free(p);
	recur_model_free(m);
}

/* Batches shared out over 1 and 3 threads: the same gradient up to the
 * order of float additions. */
static void check_threads(void)
{
	recur_error err = {{0}};
	recur_shape shape = {RECUR_CELL_LSTM, 1, 1, 5, 1, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	trainer_init_params(m, 8);
	train_split split = {.n_train = 1, .train = {{x, t, FRAMES}}};
	float *g[2];
	double loss[2];
	const int seqs[5] = {0};
	const size_t offs[5] = {0, 2, 4, 6, 8};
	for (int k = 0; k < 2; k++) {
		train_config cfg;
		train_config_defaults(&cfg);
		cfg.segment = SEG;
		cfg.warmup = 1;
		cfg.threads = k ? 3 : 1;
		trainer *tr = trainer_new(m, &split, &cfg, &err);
		g[k] = malloc(m->n_params * sizeof(float));
		loss[k] = trainer_loss_grad(tr, seqs, offs, 5, g[k]);
		trainer_free(tr);
	}
	CHECK_NEAR(loss[0], loss[1], 1e-12 * loss[0], "loss, 1 vs 3 threads");
	double worst = 0, scale = 0;
	for (size_t i = 0; i < m->n_params; i++) {
		worst = check_larger(worst, fabs((double)g[0][i] - g[1][i]));
		scale = check_larger(scale, fabs((double)g[0][i]));
	}
	CHECK(scale > 0 && worst <= 1e-5 * scale, "gradients differ by %g (largest %g)", worst,
	      scale);
	free(g[0]);
	free(g[1]);
	recur_model_free(m);
}

int main(void)
{
	uint64_t rng = 31;
	for (int i = 0; i < FRAMES; i++) {
		x[i] = (float)(2 * rng_uniform(&rng) - 1);
		t[i] = (float)(rng_uniform(&rng) - 0.5);
	}
	check_cell(RECUR_CELL_RNN);
	check_cell(RECUR_CELL_GRU);
	check_cell(RECUR_CELL_LSTM);
	check_threads();
	return check_exit();
}
