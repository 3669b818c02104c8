/*
 * Learning: a one-pole lowpass followed by tanh(3x), a small stand-in for a
 * drive pedal, must be learnt to a validation ESR under 0.01 in a bounded
 * number of steps. The target is computed here by its difference equation,
 * independently of anything in the trainer.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "layout.h"
#include "trainer.h"

#define FRAMES 40000

int main(void)
{
	static float x[FRAMES], t[FRAMES];
	uint64_t rng = 99;
	/* Notes: sines of random pitch and level with decaying envelopes, plus a
	 * little noise, like a plucked string. */
	double phase = 0, freq = 0.02, amp = 0.5, lp = 0;
	const double a = 0.15; /* lp += a (x - lp): a corner near 1.2 kHz at 48 kHz */
	for (int n = 0; n < FRAMES; n++) {
		if (n % 2000 == 0) {
			freq = 0.005 + 0.04 * rng_uniform(&rng);
			amp = 0.2 + 0.8 * rng_uniform(&rng);
		}
		phase += 2 * M_PI * freq;
		const double env = amp * exp(-(n % 2000) / 800.0);
		x[n] = (float)(env * (sin(phase) + 0.3 * sin(3 * phase)) +
		               0.01 * (rng_uniform(&rng) - 0.5));
		lp += a * (x[n] - lp);
		t[n] = (float)tanh(3 * lp);
	}
	recur_error err = {{0}};
	recur_shape shape = {RECUR_CELL_LSTM, 1, 1, 8, 1, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m, "%s", err.msg);
	if (!m)
		return check_exit();
	trainer_init_params(m, 3);
	const int split = FRAMES * 3 / 4;
	train_split data = {.n_train = 1,
	                    .n_val = 1,
	                    .train = {{x, t, split}},
	                    .val = {{x + split, t + split, FRAMES - split}}};
	train_config cfg;
	train_config_defaults(&cfg);
	cfg.segment = 256;
	cfg.warmup = 64;
	cfg.batch = 8;
	cfg.threads = 1;
	cfg.epochs = 12;
	cfg.steps = 50;
	cfg.adam.lr = 1e-2f;
	cfg.quiet = true;
	trainer *tr = trainer_new(m, &data, &cfg, &err);
	CHECK(tr, "%s", err.msg);
	train_result res;
	CHECK(tr && trainer_run(tr, &res, &err), "%s", err.msg);
	float *scratch = malloc(FRAMES * sizeof(float) * 16);
	const double esr = esr_of(m, data.val, 1, scratch);
	printf("validation ESR %.5f after %d epochs\n", esr, res.epochs);
	CHECK(esr < 0.01, "validation ESR %g, want < 0.01", esr);
	CHECK(fabs(esr - res.best_val_esr) < 1e-9, "kept model's ESR %g, reported %g", esr,
	      res.best_val_esr);
	/* Padding must still be zero: Adam never saw a gradient there. */
	CHECK(padding_nonzero(m) == 0, "%d padding floats became non-zero", padding_nonzero(m));
	free(scratch);
	trainer_free(tr);
	recur_model_free(m);
	return check_exit();
}
