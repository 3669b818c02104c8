/*
 * Learning: the "bravo" detector. A stream of letters, one-hot encoded, with
 * the word "bravo" hidden in it; the target is 1 on the frame of each word's
 * final 'o' and 0 elsewhere (sigmoid output, binary cross-entropy). Letters
 * are drawn from b, r, a, v, o and three others, so near misses ("brav",
 * "bravb", "ravo") are common and the network has to remember all five
 * letters in order. Over a fresh stream it must find more than 99% of the
 * words with fewer false alarms than 1% of the number of words.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trainer.h"

#define LETTERS 8
#define FRAMES  30000

static const char alphabet[LETTERS + 1] = "bravoxyz";

/* Letters with "bravo" inserted about every 25 letters; returns the count of
 * words. */
static int make_stream(float *x, float *t, int n, uint64_t seed)
{
	char *s = malloc((size_t)n + 1);
	int words = 0;
	for (int i = 0; i < n;) {
		if (rng_uniform(&seed) < 0.04 && i + 5 <= n) {
			memcpy(s + i, "bravo", 5);
			i += 5;
		} else {
			s[i++] = alphabet[(int)(rng_uniform(&seed) * LETTERS)];
		}
	}
	memset(x, 0, (size_t)n * LETTERS * sizeof(float));
	for (int i = 0; i < n; i++) {
		x[i * LETTERS + (strchr(alphabet, s[i]) - alphabet)] = 1.0f;
		t[i] = i >= 4 && memcmp(s + i - 4, "bravo", 5) == 0;
		words += t[i] > 0.5f;
	}
	free(s);
	return words;
}

int main(void)
{
	static float x[FRAMES * LETTERS], t[FRAMES], xv[FRAMES * LETTERS], tv[FRAMES], y[FRAMES];
	make_stream(x, t, FRAMES, 1);
	const int words = make_stream(xv, tv, FRAMES, 2);
	recur_error err = {{0}};
	recur_shape shape = {RECUR_CELL_GRU, LETTERS, 1, 12, 1, false, RECUR_ACT_SIGMOID};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m, "%s", err.msg);
	if (!m)
		return check_exit();
	trainer_init_params(m, 11);
	train_split data = {
	    .n_train = 1, .n_val = 1, .train = {{x, t, FRAMES}}, .val = {{xv, tv, FRAMES / 3}}};
	train_config cfg;
	train_config_defaults(&cfg);
	cfg.loss = (loss_spec){LOSS_BCE, 0.0f, false};
	cfg.segment = 64;
	cfg.warmup = 16;
	cfg.batch = 16;
	cfg.threads = 1;
	cfg.epochs = 25;
	cfg.steps = 60;
	cfg.adam.lr = 2e-2f;
	cfg.quiet = true;
	trainer *tr = trainer_new(m, &data, &cfg, &err);
	CHECK(tr, "%s", err.msg);
	train_result res;
	CHECK(tr && trainer_run(tr, &res, &err), "%s", err.msg);
	recur_reset(m);
	recur_process(m, xv, y, FRAMES);
	int found = 0, false_alarms = 0;
	for (int i = 0; i < FRAMES; i++) {
		if (tv[i] > 0.5f)
			found += y[i] > 0.5f;
		else
			false_alarms += y[i] > 0.5f;
	}
	printf("%d words: %d found, %d false alarms (%d epochs)\n", words, found, false_alarms,
	       res.epochs);
	CHECK(words > 500, "only %d words in the stream", words);
	CHECK(found > 0.99 * words, "found %d of %d words", found, words);
	CHECK(false_alarms < 0.01 * words, "%d false alarms for %d words", false_alarms, words);
	trainer_free(tr);
	recur_model_free(m);
	return check_exit();
}
