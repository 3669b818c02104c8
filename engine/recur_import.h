/*
 * What the readers of other projects' model files (AIDA-X / RTNeural,
 * Automated-GuitarAmpModelling, NAM) record about a file besides its network,
 * for the tools that load models to report. Both read the model's metadata,
 * so they hold for a model saved in recur's format after import too.
 * Allocating: never on the audio thread.
 */
#ifndef RECUR_IMPORT_H_PUBLIC
#define RECUR_IMPORT_H_PUBLIC

#include "recur.h"

#include <stdbool.h>
#include <stddef.h>

/* Metadata names the readers write. */
#define RECUR_META_RATE_ASSUMED "sample_rate_assumed"
#define RECUR_META_FILE_CHECK   "file_check"

/* The largest difference the check of a model against its own test data may
 * show (AIDA-X's own threshold for input_batch / output_batch). */
#define RECUR_CHECK_TOLERANCE 1e-5

/* True when the file stated no readable sample rate and the reader took the
 * rate its ecosystem assumes; why (if not NULL) gets the reason, e.g. "the
 * file states no sample rate; 44100 Hz assumed, as GuitarML's plugins do". */
bool recur_model_rate_assumed(const recur_model *m, char *why, size_t len);

/* True when the file carried test data of its own (AIDA-X's input_batch and
 * output_batch) and the reader ran it: the largest difference found and the
 * number of frames. */
bool recur_model_file_check(const recur_model *m, double *max_diff, size_t *frames);

#endif
