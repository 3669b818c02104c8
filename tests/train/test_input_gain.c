/*
 * --input-gain G (train/input_gain.h): a model trained on input 0 and the
 * targets times G, folded, gives on the raw input exactly 1/G of what it gave
 * on the scaled one (LSTM, GRU and RNN stacks, with and without skip, with a
 * conditioning input and two outputs, run through the engine); the data are
 * scaled where they should be (input 0 and every target, not the
 * conditioning); auto picks the gain that brings the training input to an
 * RMS of 0.5. With the recur-train path as argument, the command line
 * refuses a gain outside [1e-3, 1e3] or a non-linear output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "input_gain.h"
#include "trainer.h"

#define FRAMES 3000
#define GAIN   7.5f

static void check_fold(recur_cell cell, int layers, bool skip)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 2, 2, 8, layers, skip, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m, "%s", err.msg);
	if (!m)
		return;
	trainer_init_params(m, 21);
	m->b_out[0] = 0.1f;
	m->b_out[1] = -0.2f;
	static float raw[FRAMES * 2], scaled[FRAMES * 2], y_scaled[FRAMES * 2], y[FRAMES * 2];
	uint64_t rng = 5;
	for (int n = 0; n < FRAMES; n++) {
		raw[2 * n] = (float)(0.05 * sin(0.03 * n) * (rng_uniform(&rng) + 0.5));
		raw[2 * n + 1] = 0.7f; /* a conditioning value, never scaled */
		scaled[2 * n] = GAIN * raw[2 * n];
		scaled[2 * n + 1] = raw[2 * n + 1];
	}
	recur_reset(m);
	recur_process(m, scaled, y_scaled, FRAMES);
	input_gain_fold(m, GAIN);
	recur_reset(m);
	recur_process(m, raw, y, FRAMES);
	double worst = 0, peak = 0;
	for (int i = 0; i < FRAMES * 2; i++) {
		worst = check_larger(worst, fabs(y[i] - y_scaled[i] / GAIN));
		peak = check_larger(peak, fabs(y_scaled[i] / GAIN));
	}
	CHECK(worst <= 1e-5 * peak && peak > 0,
	      "%s %d layers skip %d: folded model off by %g of %g", recur_cell_name(cell), layers,
	      skip, worst, peak);
	recur_model_free(m);
}

static void check_data(void)
{
	static float x[FRAMES * 2], t[FRAMES * 2], x0[FRAMES * 2], t0[FRAMES * 2];
	data_set d = {.n_files = 1, .n_inputs = 2, .n_outputs = 2};
	d.files[0] = (data_file){.frames = FRAMES, .x = x, .t = t};
	double sum = 0;
	for (int n = 0; n < FRAMES; n++) {
		x0[2 * n] = x[2 * n] = (float)(0.1 * sin(0.01 * n));
		x0[2 * n + 1] = x[2 * n + 1] = 0.3f;
		t0[2 * n] = t[2 * n] = (float)(0.2 * cos(0.01 * n));
		t0[2 * n + 1] = t[2 * n + 1] = -0.4f;
		if (n < FRAMES / 2)
			sum += (double)x[2 * n] * x[2 * n];
	}
	d.split.n_train = 1;
	d.split.train[0] = (train_seq){x, t, FRAMES / 2};
	const double want = 0.5 / sqrt(sum / (FRAMES / 2));
	const float g = input_gain_auto(&d);
	CHECK_NEAR(g, want, 1e-4 * want, "auto gain");
	input_gain_apply(&d, 2.0f);
	int wrong = 0;
	for (int i = 0; i < FRAMES * 2; i++) {
		const float want_x = i % 2 ? x0[i] : 2.0f * x0[i];
		wrong += x[i] != want_x || t[i] != 2.0f * t0[i];
	}
	CHECK(wrong == 0, "%d values scaled wrongly (input 0 and targets only)", wrong);
	data_set silent = d;
	for (int i = 0; i < FRAMES * 2; i += 2)
		x[i] = 0;
	CHECK(input_gain_auto(&silent) == 1.0f, "silence: gain %g", input_gain_auto(&silent));
}

/* recur-train refuses bad --input-gain uses with a message, exit 2. */
static void check_cli(const char *train)
{
	static const struct {
		const char *args, *fragment;
	} cases[] = {
	    {"--input-gain 0", "--input-gain 0: expected a number in [0.001, 1000]"},
	    {"--input-gain loud", "--input-gain loud: expected a number"},
	    {"--input-gain 2 --out-act tanh", "--input-gain needs --out-act linear"},
	};
	char dir[] = "/tmp/recur-gain-XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	char csv[256], err_path[256], model[256], cmd[4096], text[1024];
	snprintf(csv, sizeof csv, "%s/data.csv", dir);
	snprintf(err_path, sizeof err_path, "%s/err.txt", dir);
	snprintf(model, sizeof model, "%s/m.json", dir);
	FILE *f = fopen(csv, "w");
	CHECK(f != NULL, "cannot write %s", csv);
	if (!f)
		return;
	fprintf(f, "a,b\n");
	for (int n = 0; n < 200; n++)
		fprintf(f, "%g,%g\n", sin(0.1 * n), cos(0.1 * n));
	fclose(f);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(cmd, sizeof cmd,
		         "'%s' --csv %s --inputs a --targets b --epochs 1 %s --out %s 2>%s", train,
		         csv, cases[i].args, model, err_path);
		const int status = system(cmd);
		CHECK(status != -1 && WEXITSTATUS(status) == 2, "%s: exit %d", cases[i].args,
		      status == -1 ? -1 : WEXITSTATUS(status));
		f = fopen(err_path, "r");
		const size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
		text[n] = '\0';
		if (f)
			fclose(f);
		CHECK_MSG(text, cases[i].fragment);
		CHECK(access(model, F_OK) != 0, "%s: wrote a model", cases[i].args);
	}
	remove(csv);
	remove(err_path);
	remove(dir);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	const recur_cell cells[] = {RECUR_CELL_LSTM, RECUR_CELL_GRU, RECUR_CELL_RNN};
	for (int c = 0; c < 3; c++)
		for (int layers = 1; layers <= 2; layers++) {
			check_fold(cells[c], layers, true);
			check_fold(cells[c], layers, false);
		}
	check_data();
	if (argc > 1)
		check_cli(argv[1]);
	return check_exit();
}
