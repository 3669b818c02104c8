/*
 * recur-train's throughput: frames through forward and backward per wall
 * second and per CPU second (all threads), for LSTM-16, LSTM-32 and GRU-32 on
 * 1 and 2 threads, and the time of one epoch over 3 minutes of 48 kHz audio
 * with the default settings. docs/training.md has today's figures.
 * usage: bench-train [SECONDS_PER_CASE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../tests/train/signals.h"
#include "trainer.h"

#define RATE         48000
#define AUDIO_FRAMES (180 * RATE)

static double clock_of(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static train_split split_of(const float *x, const float *t)
{
	const size_t n = AUDIO_FRAMES;
	return (train_split){.n_train = 1,
	                     .n_val = 1,
	                     .n_test = 1,
	                     .train = {{x, t, n - n / 5}},
	                     .val = {{x + n - n / 5, t + n - n / 5, n / 10}},
	                     .test = {{x + n - n / 10, t + n - n / 10, n / 10}}};
}

/* The defaults with the segment, warm-up and batch of the documented figures
 * (recur-train's defaults until December 2026), so the figures stay
 * comparable from one version to the next. */
static void bench_config(train_config *cfg)
{
	train_config_defaults(cfg);
	cfg->segment = 2048;
	cfg->warmup = 1024;
	cfg->batch = 16;
}

static void throughput(const char *name, recur_cell cell, int hidden, int threads, double secs,
                       const float *x, const float *t)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, hidden, 1, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	trainer_init_params(m, 1);
	train_split data = split_of(x, t);
	train_config cfg;
	bench_config(&cfg);
	cfg.threads = threads;
	trainer *tr = trainer_new(m, &data, &cfg, &err);
	if (!tr) {
		fprintf(stderr, "bench-train: %s\n", err.msg);
		exit(1);
	}
	trainer_step(tr); /* first touch of every page */
	const double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
	int steps = 0;
	while (clock_of(CLOCK_MONOTONIC) - w0 < secs) {
		trainer_step(tr);
		steps++;
	}
	const double wall = clock_of(CLOCK_MONOTONIC) - w0;
	const double cpu = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	/* Loss frames go forward and back; warm-up frames only forward. */
	const double frames = (double)steps * cfg.batch * cfg.segment;
	const double all = (double)steps * cfg.batch * (cfg.segment + cfg.warmup);
	printf("%-8s threads %d: forward+backward %5.2f M frames/wall s %5.2f M/CPU s;"
	       " with warm-up %5.2f M/wall s %5.2f M/CPU s (%d steps)\n",
	       name, threads, frames / wall * 1e-6, frames / cpu * 1e-6, all / wall * 1e-6,
	       all / cpu * 1e-6, steps);
	trainer_free(tr);
	recur_model_free(m);
}

static void epoch_time(const float *x, const float *t)
{
	recur_error err = {{0}};
	recur_shape shape = {RECUR_CELL_LSTM, 1, 1, 16, 1, true, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	trainer_init_params(m, 1);
	train_split data = split_of(x, t);
	train_config cfg;
	bench_config(&cfg);
	cfg.epochs = 1;
	cfg.quiet = true;
	trainer *tr = trainer_new(m, &data, &cfg, &err);
	train_result res;
	const double w0 = clock_of(CLOCK_MONOTONIC);
	trainer_run(tr, &res, &err);
	printf("one epoch, LSTM-16, 2 threads, 3 min at 48 kHz (80%% training): %.2f s "
	       "(val ESR %.4f)\n",
	       clock_of(CLOCK_MONOTONIC) - w0, res.best_val_esr);
	trainer_free(tr);
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	const double secs = argc > 1 ? atof(argv[1]) : 3.0;
	float *x = malloc(AUDIO_FRAMES * sizeof(float)), *t = malloc(AUDIO_FRAMES * sizeof(float));
	pluck_notes(x, AUDIO_FRAMES, RATE, 1);
	diode_tone(x, t, AUDIO_FRAMES, RATE);
	train_config cfg;
	bench_config(&cfg);
	printf("kernel %s; segment %d + warm-up %d frames, batch %d\n", recur_kernel_name(),
	       cfg.segment, cfg.warmup, cfg.batch);
	throughput("LSTM-16", RECUR_CELL_LSTM, 16, 1, secs, x, t);
	throughput("LSTM-16", RECUR_CELL_LSTM, 16, 2, secs, x, t);
	throughput("LSTM-32", RECUR_CELL_LSTM, 32, 1, secs, x, t);
	throughput("LSTM-32", RECUR_CELL_LSTM, 32, 2, secs, x, t);
	throughput("GRU-32", RECUR_CELL_GRU, 32, 1, secs, x, t);
	throughput("GRU-32", RECUR_CELL_GRU, 32, 2, secs, x, t);
	epoch_time(x, t);
	free(x);
	free(t);
	return 0;
}
