/*
 * The readers of model files made by other projects, one file per format,
 * and what they share. Internal to the engine.
 */
#ifndef RECUR_IMPORT_H
#define RECUR_IMPORT_H

#include "format_json.h"
#include "recur_import.h"

/* One place a format may keep its sample rate: obj's member key, obj being
 * at path `where` ("" at the top). */
typedef struct {
	const cJSON *obj;
	const char *where;
	const char *key;
} import_rate_place;

typedef struct {
	double hz;
	char assumed[256]; /* empty when the file stated the rate, else why not */
} import_rate;

/* The first readable rate among places (a number, or a numeric string as
 * AIDA-X writes); when none is, the ecosystem's convention, with the reason
 * in rate->assumed ("... Hz assumed, as <whose> does"). Never fails: a rate
 * is descriptive, and the ecosystem's own reader plays such files too. */
void import_find_rate(const import_rate_place *places, int n, double convention, const char *whose,
                      import_rate *rate);

/* Conditioning inputs (1..) of an imported model default to the middle of
 * their range, where the plugin's knobs start, so the plugin, recur-process
 * and recur-train run an untouched model alike. */
void import_condition_defaults(recur_model *m);

/* What a reader adds to the metadata besides the file's own fields. */
typedef struct {
	const char *rate_assumed; /* NULL or empty: the file stated its rate */
	const char *checked_data; /* which test data of the file was run */
	size_t checked_frames;    /* 0: none */
	double checked_max_diff;
} import_notes;

/* Everything the reader did not consume (the NULL-terminated `consumed`
 * names, skipped at the top and inside the file's own "metadata" object),
 * kept as the model's metadata with "imported_from": source and the notes. */
bool import_keep_metadata(recur_model *m, const cJSON *root, const char *source,
                          const char *const *consumed, const import_notes *notes, recur_error *err);

/* The reader of whichever format root is in, chosen by its top-level keys;
 * NULL with err naming the formats tried if none fits. */
recur_model *recur_read_any(const cJSON *root, recur_error *err);

recur_model *recur_import_nam(const cJSON *root, recur_error *err);

#endif
