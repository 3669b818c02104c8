/*
 * The readers of model files made by other projects, one file per format,
 * and what they share. Internal to the engine.
 */
#ifndef RECUR_IMPORT_H
#define RECUR_IMPORT_H

#include "format_json.h"

/* A sample rate under `key` of obj if there is one; an error only if present
 * and not a plausible rate. */
bool import_optional_rate(const cJSON *obj, const char *where, const char *key, double *rate,
                          recur_error *err);

/* Everything the reader did not consume (the NULL-terminated `consumed`
 * names), kept as the model's metadata with "imported_from": source. */
bool import_keep_metadata(recur_model *m, const cJSON *root, const char *source,
                          const char *const *consumed, recur_error *err);

/* The reader of whichever format root is in, chosen by its top-level keys;
 * NULL with err naming the formats tried if none fits. */
recur_model *recur_read_any(const cJSON *root, recur_error *err);

#endif
