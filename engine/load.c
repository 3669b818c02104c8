/*
 * Model files on disk: reading one safely (size checked before anything is
 * read, only regular files, never blocking on a FIFO), parsing the JSON and
 * saving atomically. Which reader a file goes to is decided in
 * import/detect.c.
 */
#include "format_json.h"
#include "import/import.h"
#include "write_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- parsing -------------------------------------------------------------- */

static size_t skip_space(const char *text, size_t i, size_t len)
{
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i;
}

static unsigned line_of(const char *text, size_t at)
{
	unsigned line = 1;
	for (size_t i = 0; i < at; i++)
		line += text[i] == '\n';
	return line;
}

/* A parsed value costs cJSON about 64 bytes, so a 32 MiB file of "0,0,0..."
 * would take a gigabyte. The largest model recur runs has about 530 000
 * numbers; anything with far more values is refused before parsing. */
#define MAX_JSON_VALUES (4u * 1024u * 1024u)

static size_t count_values(const char *text, size_t len)
{
	size_t n = 1;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (in_string) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else {
			n += ch == ',' || ch == '[' || ch == '{';
		}
	}
	return n;
}

/* cJSON reads up to a terminating NUL, so the bytes are copied into a
 * terminated buffer; a NUL inside the text is refused first (JSON has none,
 * and cJSON would silently stop there). */
static cJSON *parse_json(const char *text, size_t len, recur_error *err)
{
	if (skip_space(text, 0, len) == len) {
		fj_fail(err, "empty file");
		return NULL;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		fj_fail(err, "not valid JSON (a NUL byte at byte %zu)", (size_t)(nul - text));
		return NULL;
	}
	size_t values = count_values(text, len);
	if (values > MAX_JSON_VALUES) {
		fj_fail(err, "too many JSON values (%zu, at most %u) for any model", values,
		        MAX_JSON_VALUES);
		return NULL;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		fj_fail(err, "out of memory reading %zu bytes", len);
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(copy, &end, true);
	if (!root) {
		size_t at = end ? (size_t)(end - copy) : 0;
		if (at > len)
			at = len;
		fj_fail(err, "not valid JSON (truncated or malformed near byte %zu, line %u)", at,
		        line_of(copy, at));
	}
	free(copy);
	return root;
}

recur_model *recur_model_parse(const char *text, size_t len, recur_error *err)
{
	if (!text) {
		fj_fail(err, "no text");
		return NULL;
	}
	if (len > RECUR_MAX_FILE_BYTES) {
		fj_fail(err, "text is %zu bytes, more than the limit of %u", len,
		        RECUR_MAX_FILE_BYTES);
		return NULL;
	}
	cJSON *root = parse_json(text, len, err);
	if (!root)
		return NULL;
	recur_model *m = recur_read_any(root, err);
	cJSON_Delete(root);
	return m;
}

/* ---- loading -------------------------------------------------------------- */

static bool read_all(int fd, char *buf, size_t size, size_t *got)
{
	size_t n = 0;
	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return true;
}

/* Opens path as a regular file no larger than the limit; -1 with err set
 * otherwise. O_NONBLOCK keeps a FIFO from blocking the open. */
static int open_model_file(const char *path, size_t *size, recur_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		fj_fail(err, "cannot open \"%.180s\": %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *problem = NULL;
	if (fstat(fd, &st) != 0)
		problem = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		problem = "is a directory";
	else if (!S_ISREG(st.st_mode))
		problem = "not a regular file";
	else if (st.st_size == 0)
		problem = "empty file";
	if (!problem && (unsigned long long)st.st_size > RECUR_MAX_FILE_BYTES) {
		fj_fail(err, "\"%.150s\": file is %lld bytes, more than the limit of %u", path,
		        (long long)st.st_size, RECUR_MAX_FILE_BYTES);
		close(fd);
		return -1;
	}
	if (problem) {
		fj_fail(err, "\"%.180s\": %s", path, problem);
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

recur_model *recur_model_load(const char *path, recur_error *err)
{
	if (!path) {
		fj_fail(err, "no path");
		return NULL;
	}
	size_t size;
	int fd = open_model_file(path, &size, err);
	if (fd < 0)
		return NULL;
	/* One byte more than the size: a file that grew since fstat is noticed. */
	char *buf = malloc(size + 1);
	size_t got = 0;
	bool ok = buf && read_all(fd, buf, size + 1, &got);
	int read_errno = errno;
	close(fd);
	recur_model *m = NULL;
	if (!buf)
		fj_fail(err, "\"%.180s\": out of memory", path);
	else if (!ok)
		fj_fail(err, "cannot read \"%.180s\": %s", path, strerror(read_errno));
	else if (got > size)
		fj_fail(err, "\"%.180s\": file changed while being read", path);
	else
		m = recur_model_parse(buf, got, err);
	free(buf);
	return m;
}

/* ---- saving --------------------------------------------------------------- */

bool recur_model_save(const recur_model *m, const char *path, recur_error *err)
{
	if (!path || !path[0]) {
		fj_fail(err, "no path to save to");
		return false;
	}
	char *text = recur_model_print(m, err);
	if (!text)
		return false;
	bool ok = recur_write_file_atomic(path, text, err);
	free(text);
	return ok;
}
