/*
 * What the foreign-format readers share: the sample rate as the file's own
 * ecosystem reads it, and the file's descriptive fields kept as the model's
 * metadata together with what the reader had to assume or found checking.
 */
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sample rate ------------------------------------------------------------ */

/* Rates outside this range are taken as a mistake in the file, not a rate. */
#define MIN_RATE 1.0
#define MAX_RATE 10e6

/* v as a rate, or 0 with `why` saying what is wrong with it. */
static double rate_value(const cJSON *v, const char *path, char *why, size_t len)
{
	double hz = NAN;
	if (cJSON_IsNumber(v)) {
		hz = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		/* AIDA-X's own files write "48000". */
		const char *s = v->valuestring;
		char *end;
		hz = strtod(s, &end);
		while (end != s && isspace((unsigned char)*end))
			end++;
		if (end == s || *end)
			hz = NAN;
	}
	if (isfinite(hz) && hz >= MIN_RATE && hz <= MAX_RATE)
		return hz;
	if (cJSON_IsString(v))
		snprintf(why, len, "%.60s \"%.24s\" is not a rate", path, v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(why, len, "%.60s %.9g is not a rate", path, v->valuedouble);
	else
		snprintf(why, len, "%.60s is not a number", path);
	return 0;
}

void import_find_rate(const import_rate_place *places, int n, double convention, const char *whose,
                      import_rate *rate)
{
	char why[160] = "";
	for (int i = 0; i < n; i++) {
		const cJSON *obj = places[i].obj;
		const cJSON *v = cJSON_IsObject(obj)
		                     ? cJSON_GetObjectItemCaseSensitive(obj, places[i].key)
		                     : NULL;
		if (!v)
			continue;
		char path[FJ_PATH_LEN];
		fj_path(path, places[i].where, places[i].key);
		char problem[sizeof why];
		double hz = rate_value(v, path, problem, sizeof problem);
		if (hz > 0) {
			rate->hz = hz;
			rate->assumed[0] = '\0';
			return;
		}
		if (!why[0]) /* the first place the ecosystem looks is the one to name */
			snprintf(why, sizeof why, "%s", problem);
	}
	rate->hz = convention;
	snprintf(rate->assumed, sizeof rate->assumed, "%.160s; %.9g Hz assumed, as %.40s does",
	         why[0] ? why : "the file states no sample rate", convention, whose);
}

void import_condition_defaults(recur_model *m)
{
	for (int i = 1; i < m->shape.n_inputs; i++)
		m->inputs[i].def = 0.5f * (m->inputs[i].min + m->inputs[i].max);
}

/* ---- metadata --------------------------------------------------------------- */

static bool is_consumed(const char *name, const char *const *consumed)
{
	if (strcmp(name, "imported_from") == 0)
		return true;
	for (const char *const *k = consumed; *k; k++)
		if (strcmp(name, *k) == 0)
			return true;
	return false;
}

/* Adds a copy of item to meta under its own name, replacing a field of the
 * same name. JSON names are case-sensitive, so "Name" and "name" are two
 * fields and both are kept. */
static bool put_copy(cJSON *meta, const cJSON *item)
{
	cJSON *copy = cJSON_Duplicate(item, true);
	bool ok = copy && (cJSON_GetObjectItemCaseSensitive(meta, item->string)
	                       ? cJSON_ReplaceItemInObjectCaseSensitive(meta, item->string, copy)
	                       : cJSON_AddItemToObject(meta, item->string, copy));
	if (!ok)
		cJSON_Delete(copy);
	return ok;
}

/* A file's own "metadata" object is merged in rather than nested; a field of
 * the same name outside it wins. */
static bool keep_member(cJSON *meta, const cJSON *item, const char *const *consumed)
{
	if (strcmp(item->string, "metadata") != 0 || !cJSON_IsObject(item))
		return put_copy(meta, item);
	const cJSON *inner;
	cJSON_ArrayForEach(inner, item)
	{
		if (is_consumed(inner->string, consumed) ||
		    cJSON_GetObjectItemCaseSensitive(meta, inner->string))
			continue;
		if (!put_copy(meta, inner))
			return false;
	}
	return true;
}

static bool add_notes(cJSON *meta, const import_notes *notes)
{
	if (notes->rate_assumed && notes->rate_assumed[0] &&
	    !cJSON_AddStringToObject(meta, RECUR_META_RATE_ASSUMED, notes->rate_assumed))
		return false;
	if (!notes->checked_frames)
		return true;
	cJSON *check = cJSON_AddObjectToObject(meta, RECUR_META_FILE_CHECK);
	return check && cJSON_AddStringToObject(check, "data", notes->checked_data) &&
	       cJSON_AddNumberToObject(check, "frames", (double)notes->checked_frames) &&
	       cJSON_AddNumberToObject(check, "max_diff", notes->checked_max_diff);
}

bool import_keep_metadata(recur_model *m, const cJSON *root, const char *source,
                          const char *const *consumed, const import_notes *notes, recur_error *err)
{
	cJSON *meta = cJSON_CreateObject();
	bool ok = meta && cJSON_AddStringToObject(meta, "imported_from", source);
	const cJSON *item;
	cJSON_ArrayForEach(item, root)
	{
		if (ok && !is_consumed(item->string, consumed))
			ok = keep_member(meta, item, consumed);
	}
	if (ok && notes)
		ok = add_notes(meta, notes);
	if (ok)
		m->metadata_json = fj_print_object(meta);
	cJSON_Delete(meta);
	if (!ok || !m->metadata_json) {
		fj_fail(err, "out of memory keeping the file's metadata");
		return false;
	}
	return true;
}

/* ---- what the tools read back ------------------------------------------------ */

static cJSON *metadata_of(const recur_model *m)
{
	return m && m->metadata_json ? cJSON_Parse(m->metadata_json) : NULL;
}

bool recur_model_rate_assumed(const recur_model *m, char *why, size_t len)
{
	cJSON *meta = metadata_of(m);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, RECUR_META_RATE_ASSUMED);
	bool assumed = cJSON_IsString(v);
	if (assumed && why && len)
		snprintf(why, len, "%s", v->valuestring);
	cJSON_Delete(meta);
	return assumed;
}

bool recur_model_file_check(const recur_model *m, double *max_diff, size_t *frames)
{
	cJSON *meta = metadata_of(m);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(meta, RECUR_META_FILE_CHECK);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "max_diff");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "frames");
	bool found = cJSON_IsNumber(n) && n->valuedouble >= 1;
	if (found) {
		/* cJSON prints a non-finite difference as null. */
		*max_diff = cJSON_IsNumber(d) ? d->valuedouble : INFINITY;
		*frames = (size_t)n->valuedouble;
	}
	cJSON_Delete(meta);
	return found;
}
