/*
 * recur-train's outputs: checked before training starts (none may replace
 * an input, another output or a file of another kind, and each folder must
 * take a new file), and the model saved so that a failure never loses it.
 */
#ifndef RECUR_TRAIN_OUTPUTS_H
#define RECUR_TRAIN_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "data.h"
#include "recur.h"

/* The paths of one run, NULL where not given. */
typedef struct {
	const char *out, *log, *checkpoint, *aidax, *preset;
	const char *resume; /* read, and may be the checkpoint path itself */
} train_paths;

bool outputs_check(const train_paths *p, const data_set *d, recur_error *err);

/* Saves m to path; if that fails, to "PATH.rescued.json" beside it. where
 * gets the path written (empty if none); err says why path failed. */
bool model_save_or_rescue(const recur_model *m, const char *path, char *where, size_t where_len,
                          recur_error *err);

#endif
