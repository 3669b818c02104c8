/*
 * The training loop: mini-batches of segments drawn from the training
 * sequences, threads over the batch, Adam, a reduce-on-plateau schedule,
 * validation on whole sequences through recur_process, early stopping.
 */
#ifndef RECUR_TRAIN_TRAINER_H
#define RECUR_TRAIN_TRAINER_H

#include <stdint.h>
#include <stdio.h>

#include "adam.h"
#include "loss.h"
#include "recur.h"
#include "run_log.h"

/* A stretch of frames to learn from: x (frames * n_inputs, interleaved) in,
 * t (frames * n_outputs) out. Views: the data set owns the memory. */
typedef struct {
	const float *x;
	const float *t;
	size_t frames;
} train_seq;

#define TRAIN_MAX_SEQS 256

typedef struct {
	int n_train, n_val, n_test;
	train_seq train[TRAIN_MAX_SEQS];
	train_seq val[TRAIN_MAX_SEQS];
	train_seq test[TRAIN_MAX_SEQS];
} train_split;

typedef struct {
	loss_spec loss;
	adam_config adam;
	int segment;        /* frames per segment that carry loss */
	int warmup;         /* frames before them that only set the state */
	int batch;          /* segments per step */
	int epochs;         /* at most */
	int steps;          /* steps per epoch; 0: as many as cover the training frames once */
	double time_budget; /* seconds; 0: none */
	double cpu_budget;  /* CPU seconds of the whole process (every thread); 0: none */
	int threads;
	uint64_t seed;
	float clip;   /* gradient 2-norm limit; 0: none */
	int plateau;  /* epochs without improvement before the lr halves */
	int patience; /* epochs without improvement before stopping; 0: never */
	float min_lr;
	bool quiet;
	bool progress;            /* progress bar on stderr */
	run_log *log;             /* JSON lines, or NULL */
	const char *checkpoint;   /* path, or NULL */
	const volatile int *stop; /* set by a signal handler: finish cleanly */
} train_config;

void train_config_defaults(train_config *cfg);

/* What a run reached. */
typedef struct {
	int epochs;          /* completed */
	double best_val_esr; /* of the kept model */
	int best_epoch;
	double test_esr;   /* of the kept model; NAN without test data */
	double train_loss; /* last epoch's mean */
	double seconds;
	bool stopped_early; /* patience ran out */
	bool out_of_time;
	bool interrupted;
	bool partial_kept; /* the model is from inside an unfinished epoch */
	bool write_failed; /* a checkpoint or the log could not be written: err says */
} train_result;

/* Everything a training run holds, so it can be checkpointed and resumed. */
typedef struct trainer trainer;

trainer *trainer_new(recur_model *m, const train_split *data, const train_config *cfg,
                     recur_error *err);
void trainer_free(trainer *tr);
/* Random initial parameters (PyTorch's uniform(-1/sqrt(hidden), ..)). */
void trainer_init_params(recur_model *m, uint64_t seed);
/* Runs epochs until done; leaves the best model (lowest validation ESR)
 * in m. A stop inside an epoch (signal, time budget) checkpoints the
 * position in it, so a resume finishes that epoch as if never stopped.
 * A checkpoint or log that cannot be written stops the run with
 * res->write_failed and err set, the best model still in m. false (and err)
 * when no epoch reached a finite validation loss. */
bool trainer_run(trainer *tr, train_result *res, recur_error *err);
/* One step over one batch; returns the batch loss. For tests and bench. */
double trainer_step(trainer *tr);
/* The batch loss and its gradient (summed over threads) at the current
 * parameters for the given segments, without updating: for gradient
 * checks. seqs[i], offsets[i]: segment i starts at that frame. */
double trainer_loss_grad(trainer *tr, const int *seqs, const size_t *offsets, int n,
                         float *grad_out);

bool trainer_resume(trainer *tr, const char *path, recur_error *err);

/* Whole-sequence ESR through recur_process: sum (t - y)^2 / sum t^2. */
double esr_of(recur_model *m, const train_seq *seqs, int n, float *scratch);

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit word of state, so a
 * checkpoint holds it whole. */
uint64_t rng_next(uint64_t *s);
double rng_uniform(uint64_t *s);

#endif
