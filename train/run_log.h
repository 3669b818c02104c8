/*
 * recur-train's JSON-lines log (--log): kept whole in memory and written
 * through a temporary file after every line (fileio/output.h), so a full
 * disk or a crash leaves the last complete log. A resumed run starts from
 * the lines already in the file and adds its own.
 */
#ifndef RECUR_TRAIN_RUN_LOG_H
#define RECUR_TRAIN_RUN_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "recur.h"

typedef struct {
	const char *path;
	FILE *mem;  /* open_memstream over text */
	char *text; /* everything logged so far, len bytes */
	size_t len;
} run_log;

/* append: start from what path holds (a missing file is empty). */
bool run_log_open(run_log *log, const char *path, bool append, recur_error *err);
/* One line (fmt without its "\n"), written out at once. */
bool run_log_line(run_log *log, recur_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void run_log_close(run_log *log);

#endif
