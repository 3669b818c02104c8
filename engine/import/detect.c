/*
 * Which format a parsed model file is in, told apart by top-level keys only
 * each format has, and the reader it goes to. A reader's refusal is prefixed
 * with the format it was read as, so a message says what recur took the file
 * for as well as which field is wrong.
 */
#include "import.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	const char *name;          /* as messages say it */
	const char *const keys[3]; /* any one of them marks the format */
	recur_model *(*read)(const cJSON *root, recur_error *err);
} model_format;

/* Order matters only for files that carry keys of two formats: recur's
 * "format" wins, and NAM's "architecture" is looked for before the "version"
 * that recur's and NAM's files both have. */
static const model_format formats[] = {
    {"recur", {"format", NULL}, recur_format_read},
    {"AIDA-X / RTNeural", {"in_shape", NULL}, recur_import_aidax},
    {"Automated-GuitarAmpModelling", {"model_data", "state_dict", NULL}, recur_import_gaam},
    {"NAM", {"architecture", NULL}, recur_import_nam},
    /* recur's own, missing its "format" */
    {"recur", {"version", NULL}, recur_format_read},
};

static bool marks(const cJSON *root, const model_format *f)
{
	for (const char *const *k = f->keys; *k; k++)
		if (cJSON_GetObjectItemCaseSensitive(root, *k))
			return true;
	return false;
}

static void prefix(recur_error *err, const char *format)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%s model: ", format);
	size_t cap = sizeof err->msg - 1, keep = strnlen(err->msg, cap);
	if (n <= 0 || (size_t)n >= cap)
		return;
	if (keep > cap - (size_t)n)
		keep = cap - (size_t)n;
	memmove(err->msg + n, err->msg, keep);
	memcpy(err->msg, head, (size_t)n);
	err->msg[n + keep] = '\0';
}

recur_model *recur_read_any(const cJSON *root, recur_error *err)
{
	if (!cJSON_IsObject(root)) {
		fj_fail(err, "expected a JSON object at the top level");
		return NULL;
	}
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (!marks(root, &formats[i]))
			continue;
		recur_model *m = formats[i].read(root, err);
		if (!m && err)
			prefix(err, formats[i].name);
		return m;
	}
	fj_fail(err, "JSON, but not a model file recur knows: tried recur (\"format\"), AIDA-X / "
	             "RTNeural (\"in_shape\"), Automated-GuitarAmpModelling (\"model_data\") and "
	             "NAM (\"architecture\")");
	return NULL;
}
