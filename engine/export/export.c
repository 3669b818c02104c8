/* Choosing a writer by format and writing its file atomically (export.h). */
#include "export.h"

#include "format_json.h"
#include "write_file.h"

#include <stdlib.h>
#include <string.h>

static const char *const format_names[] = {"recur", "aidax", "nam"};

const char *recur_export_format_name(recur_export_format f)
{
	return (unsigned)f <= RECUR_EXPORT_NAM ? format_names[f] : "?";
}

bool recur_export_format_parse(const char *name, recur_export_format *f)
{
	for (int i = 0; i <= RECUR_EXPORT_NAM; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*f = (recur_export_format)i;
			return true;
		}
	}
	return false;
}

bool recur_export_save(const recur_model *m, recur_export_format f, const char *path,
                       recur_error *err)
{
	if (f == RECUR_EXPORT_RECUR)
		return recur_model_save(m, path, err);
	if (!path || !path[0]) {
		fj_fail(err, "no path to save to");
		return false;
	}
	char *text = f == RECUR_EXPORT_AIDAX ? recur_export_aidax(m, err)
	             : f == RECUR_EXPORT_NAM ? recur_export_nam(m, err)
	                                     : NULL;
	if (!text) {
		if ((unsigned)f > RECUR_EXPORT_NAM)
			fj_fail(err, "unknown export format %d", (int)f);
		return false;
	}
	const bool ok = recur_write_file_atomic(path, text, err);
	free(text);
	return ok;
}
