/*
 * What the foreign-format readers share: an optional sample rate and the
 * file's descriptive fields kept as the model's metadata.
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>

/* A sample rate under `key` of obj if there is one; an error only if present
 * and not a plausible rate. */
bool import_optional_rate(const cJSON *obj, const char *where, const char *key, double *rate,
                          recur_error *err)
{
	if (!cJSON_IsObject(obj) || !cJSON_GetObjectItemCaseSensitive(obj, key))
		return true;
	return fj_number(obj, where, key, 0, 1e9, rate, err);
}

/* A file's own "metadata" object is merged in rather than nested; a field of
 * the same name outside it wins. JSON names are case-sensitive, so "Name" and
 * "name" are two fields and both are kept. */
static bool keep_member(cJSON *meta, const cJSON *item)
{
	if (strcmp(item->string, "metadata") != 0 || !cJSON_IsObject(item)) {
		cJSON *copy = cJSON_Duplicate(item, true);
		bool ok =
		    copy && (cJSON_GetObjectItemCaseSensitive(meta, item->string)
		                 ? cJSON_ReplaceItemInObjectCaseSensitive(meta, item->string, copy)
		                 : cJSON_AddItemToObject(meta, item->string, copy));
		if (!ok)
			cJSON_Delete(copy);
		return ok;
	}
	const cJSON *inner;
	cJSON_ArrayForEach(inner, item)
	{
		if (cJSON_GetObjectItemCaseSensitive(meta, inner->string))
			continue;
		cJSON *copy = cJSON_Duplicate(inner, true);
		if (!copy || !cJSON_AddItemToObject(meta, inner->string, copy)) {
			cJSON_Delete(copy);
			return false;
		}
	}
	return true;
}

/* Everything the importer did not consume, kept as the model's metadata so a
 * round trip through recur's format loses nothing descriptive. */
bool import_keep_metadata(recur_model *m, const cJSON *root, const char *source,
                          const char *const *consumed, recur_error *err)
{
	cJSON *meta = cJSON_CreateObject();
	bool ok = meta && cJSON_AddStringToObject(meta, "imported_from", source);
	const cJSON *item;
	cJSON_ArrayForEach(item, root)
	{
		bool skip = strcmp(item->string, "imported_from") == 0;
		for (const char *const *k = consumed; *k && !skip; k++)
			skip = strcmp(item->string, *k) == 0;
		if (ok && !skip)
			ok = keep_member(meta, item);
	}
	if (ok)
		m->metadata_json = fj_print_object(meta);
	cJSON_Delete(meta);
	if (!ok || !m->metadata_json) {
		fj_fail(err, "out of memory keeping the file's metadata");
		return false;
	}
	return true;
}
