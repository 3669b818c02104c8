/* May a converter write OUTPUT (output_safety.h)? */
#include "output_safety.h"

#include "output.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool ends_with(const char *path, const char *ending)
{
	const size_t n = strlen(path), k = strlen(ending);
	return n > k && strcasecmp(path + n - k, ending) == 0;
}

const char *output_endings(recur_export_format f)
{
	switch (f) {
	case RECUR_EXPORT_AIDAX:
		return ".json or .aidax";
	case RECUR_EXPORT_NAM:
		return ".nam";
	default:
		return ".json";
	}
}

static bool name_fits(const char *path, recur_export_format f)
{
	switch (f) {
	case RECUR_EXPORT_AIDAX:
		return ends_with(path, ".json") || ends_with(path, ".aidax");
	case RECUR_EXPORT_NAM:
		return ends_with(path, ".nam");
	default:
		return ends_with(path, ".json");
	}
}

bool format_from_name(const char *path, recur_export_format *f)
{
	if (ends_with(path, ".nam"))
		*f = RECUR_EXPORT_NAM;
	else if (ends_with(path, ".aidax"))
		*f = RECUR_EXPORT_AIDAX;
	else if (ends_with(path, ".json"))
		*f = RECUR_EXPORT_RECUR;
	else
		return false;
	return true;
}

bool output_allowed(const char *input, const char *output, recur_export_format f, char *why,
                    size_t why_len)
{
	if (!name_fits(output, f)) {
		snprintf(why, why_len, "%s: a %s file is named *%s; not written", output,
		         recur_export_format_name(f), output_endings(f));
		return false;
	}
	/* the same file as INPUT (through any link), a file of another kind, not
	 * a regular file, a folder that takes no new file: the shared rules */
	const file_use reads[] = {{input, "INPUT"}};
	return output_check((file_use){output, "OUTPUT"}, OUTPUT_JSON, reads, 1, why, why_len);
}
