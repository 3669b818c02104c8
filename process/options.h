/* recur-process's command line. */
#ifndef RECUR_PROCESS_OPTIONS_H
#define RECUR_PROCESS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "audio_io.h"
#include "host_rate.h"
#include "recur.h"

/* Exit statuses: 0 done, 1 something failed while running, 2 bad command line,
 * 3 (--check) the model disagrees with its own test data. */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_CHECK = 3 };

typedef enum { KIND_AUTO, KIND_CSV, KIND_AUDIO } file_kind;

/* A --cond NAME=VALUE pair, as given; checked against the model later. */
typedef struct {
	const char *name; /* points into argv */
	size_t name_len;
	float value;
} cond_arg;

/* Everything the command line says. Strings point into argv. */
typedef struct {
	const char *model;
	const char *input;
	const char *output; /* NULL when only --esr is wanted */
	int channel;        /* of an audio INPUT */
	cond_arg cond[RECUR_MAX_IO];
	int n_cond;
	const char *inputs; /* --inputs a,b: CSV columns for inputs 0.. in order */
	bool keep_columns;
	size_t reset_every; /* 0 = never */
	double rate;        /* --rate, for audio written from CSV; 0 = model's */
	/* --time-column: the CSV's rows are samples at the rate its times give */
	const char *time_column;
	/* --interpolate: between model steps (engine/rate.h) instead of holding */
	bool interpolate;
	/* Audio at another rate than the model's: --resample (offline best), or
	 * the plugin's method, chosen (default) or forced by --rate-method. */
	bool resample;
	recur_host_options host;
	audio_sample sample;
	file_kind input_kind;
	file_kind output_kind;
	audio_container container; /* when output_kind is KIND_AUDIO */
	const char *esr_target;
	const char *esr_column; /* CSV target column; NULL = model output 0's name */
	int esr_channel;        /* audio target channel */
	double esr_preemph;
	bool quiet;
	bool check; /* --check MODEL: report on the model file, process nothing */
} process_options;

/* Fills o from argv. Returns -1 to go on, otherwise the exit status to end
 * with (0 after --help or --version, EXIT_USAGE after a message). */
int options_parse(int argc, char **argv, process_options *o);

/* .csv (any case) is a CSV table, anything else goes to libsndfile. */
file_kind kind_from_name(const char *path);

#endif
