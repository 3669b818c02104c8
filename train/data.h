/*
 * Training data: pairs of audio files (input, target) with constant
 * conditioning values, or columns of a CSV table; split by time or by file
 * into training, validation and test stretches.
 */
#ifndef RECUR_TRAIN_DATA_H
#define RECUR_TRAIN_DATA_H

#include <stdint.h>

#include "trainer.h"

#define DATA_MAX_FILES 64

/* One source of frames. x: frames * n_inputs interleaved (signal first,
 * then conditioning), t: frames * n_outputs. */
typedef struct {
	char *input_path;                 /* audio input or CSV file */
	char *target_path;                /* audio target, or NULL for CSV */
	uint64_t input_hash, target_hash; /* FNV-1a 64 of the file bytes */
	bool is_val;                      /* given with --val-input/--val-target */
	size_t frames;
	size_t input_frames, target_frames; /* audio: as read, before trimming or alignment */
	float *signal; /* audio: the input channel, until data_finish interleaves it */
	float *x;
	float *t;
	int n_cond;
	char cond_name[RECUR_MAX_IO][RECUR_NAME_LEN];
	float cond_value[RECUR_MAX_IO];
} data_file;

typedef struct {
	int n_files;
	data_file files[DATA_MAX_FILES];
	int n_inputs, n_outputs;
	double sample_rate;
	char input_names[RECUR_MAX_IO][RECUR_NAME_LEN];
	char output_names[RECUR_MAX_IO][RECUR_NAME_LEN];
	float input_min[RECUR_MAX_IO], input_max[RECUR_MAX_IO];
	train_split split;
	char split_note[256]; /* how the data was split, for the log */
} data_set;

void data_init(data_set *d);
void data_free(data_set *d);
/* Channel `channel` of both files; lengths must agree unless trim. */
bool data_add_audio(data_set *d, const char *input, const char *target, int channel, bool trim,
                    bool is_val, recur_error *err);
/* A constant conditioning input for the file added last. */
bool data_add_cond(data_set *d, const char *name_eq_value, recur_error *err);
/* inputs, targets: comma-separated column names. */
bool data_add_csv(data_set *d, const char *path, const char *inputs, const char *targets,
                  recur_error *err);
/* Builds the input frames and the split: with files given for validation,
 * those validate, and the last 10% of every other file is the test set;
 * otherwise every file gives its first 80% to training, the next 10% to
 * validation and the last 10% to test. */
bool data_finish(data_set *d, recur_error *err);

uint64_t fnv1a_file(const char *path, bool *ok);

#endif
