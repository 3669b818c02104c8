/* May a converter write OUTPUT (output_safety.h)? */
#include "output_safety.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Model files of every format are JSON objects: the first byte that is not
 * blank (after a UTF-8 byte-order mark) is '{'. */
static bool looks_like_json_object(const char *path)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	unsigned char buf[256];
	const ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	ssize_t i = n >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i < n && buf[i] == '{';
}

bool output_allowed(const char *input, const char *output, recur_export_format f, char *why,
                    size_t why_len)
{
	if (!name_fits(output, f)) {
		snprintf(why, why_len, "%s: a %s file is named *%s; not written", output,
		         recur_export_format_name(f), output_endings(f));
		return false;
	}
	struct stat in_st, out_st;
	if (stat(output, &out_st) != 0)
		return true; /* a new file (a missing folder fails at writing) */
	if (stat(input, &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
	    in_st.st_ino == out_st.st_ino) {
		snprintf(why, why_len, "%s is the input file %s; not overwritten", output, input);
		return false;
	}
	if (!S_ISREG(out_st.st_mode)) {
		snprintf(why, why_len, "%s exists and is not a regular file; not overwritten",
		         output);
		return false;
	}
	if (out_st.st_size > 0 && !looks_like_json_object(output)) {
		snprintf(why, why_len,
		         "%s exists and is not a model file (not a JSON object); "
		         "not overwritten",
		         output);
		return false;
	}
	return true;
}
