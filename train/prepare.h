/*
 * Before training on audio pairs: recognise the standard capture signal
 * (capture/standard_signal.h), measure the latency, polarity and clock drift between
 * input and target and take them out, and check the data (levels,
 * clipping, DC, silence, noise floor, repeat consistency, lengths, swapped
 * files). Prints a short report per pair and gives its JSON for the model's
 * metadata. docs/capture.md explains every line and warning.
 */
#ifndef RECUR_TRAIN_PREPARE_H
#define RECUR_TRAIN_PREPARE_H

#include <cjson/cJSON.h>

#include "data.h"

typedef enum {
	ALIGN_AUTO,  /* measure and take out latency, polarity and drift */
	ALIGN_OFF,   /* measure and report only */
	ALIGN_FIXED, /* take out a latency the user gives */
} align_mode;

typedef struct {
	align_mode mode;
	double latency; /* frames the target lags the input, for ALIGN_FIXED */
	bool force;     /* train despite problems */
	bool quiet;     /* no report on stderr */
} prepare_options;

/* Runs on every audio pair of d after loading and before data_finish,
 * moving and trimming the pairs' frames when aligning. *report gets a JSON
 * array with one object per pair (NULL for CSV data). False when a
 * problem stops training (err says what to fix; *stopped is then true) or
 * memory runs out. */
bool prepare_pairs(data_set *d, const prepare_options *o, cJSON **report, bool *stopped,
                   recur_error *err);

#endif
