/* The training log: in memory, rewritten whole through a temporary file. */
#include "run_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Appends the whole of path to the log's stream; a missing file adds nothing. */
static bool carry_over(run_log *log, recur_error *err)
{
	FILE *f = fopen(log->path, "rb");
	if (!f)
		return errno == ENOENT;
	char buf[65536];
	size_t n;
	bool ok = true;
	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = fwrite(buf, 1, n, log->mem) == n;
	ok = ok && !ferror(f);
	fclose(f);
	if (!ok)
		snprintf(err->msg, sizeof err->msg, "%.200s: cannot read the log to add to it",
		         log->path);
	return ok;
}

bool run_log_open(run_log *log, const char *path, bool append, recur_error *err)
{
	memset(log, 0, sizeof *log);
	log->path = path;
	log->mem = open_memstream(&log->text, &log->len);
	if (!log->mem) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return false;
	}
	if (append && !carry_over(log, err)) {
		if (!err->msg[0])
			snprintf(err->msg, sizeof err->msg, "%.200s: cannot read: %s", path,
			         strerror(errno));
		run_log_close(log);
		return false;
	}
	return true;
}

bool run_log_line(run_log *log, recur_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(log->mem, fmt, ap);
	va_end(ap);
	fputc('\n', log->mem);
	if (fflush(log->mem) != 0) {
		snprintf(err->msg, sizeof err->msg, "out of memory for the log");
		return false;
	}
	return output_write_all(log->path, log->text, log->len, err->msg, sizeof err->msg);
}

void run_log_close(run_log *log)
{
	if (log->mem)
		fclose(log->mem);
	free(log->text);
	memset(log, 0, sizeof *log);
}
