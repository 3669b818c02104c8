/*
 * Numeric CSV tables with a header line: the time-series format of
 * recur-process and recur-train.
 *
 * Accepted: a first line of column names, then rows of numbers, fields
 * separated by commas, optional spaces or tabs around a field, "\n" or "\r\n"
 * line ends (a "\r" alone is refused), names optionally in double quotes,
 * trailing blank lines. Every row must have as many fields as the header and
 * every cell must be a finite decimal number (no hex, inf or nan). Anything
 * else is refused with "file:line:column: what is wrong".
 */
#ifndef RECUR_CSV_H
#define RECUR_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_COLUMNS    4096
#define CSV_MAX_FILE_BYTES (1024u * 1024u * 1024u)

typedef struct {
	char msg[512];
} csv_error;

/*
 * A parsed table. cells is row-major: cells[row * n_cols + col]. Doubles, so
 * that a value read and printed again with %.17g (or %.9g for what was
 * written with %.9g) comes back unchanged.
 */
typedef struct {
	size_t n_cols;
	size_t n_rows;
	char **names; /* n_cols NUL-terminated column names */
	double *cells;
} csv_table;

/* Reads and parses path; on failure t is left empty and err names the place. */
bool csv_read(const char *path, csv_table *t, csv_error *err);
/* Parses len bytes of text; source is the file name used in messages. */
bool csv_parse(const char *text, size_t len, const char *source, csv_table *t, csv_error *err);
void csv_free(csv_table *t);

/* Index of the column called name, or -1. */
int csv_column(const csv_table *t, const char *name);

/* Writes a header and n_rows rows of n_cols numbers (row-major) with %.9g.
 * Written to a temporary file and renamed, so a failed write leaves no
 * half-written file behind. */
bool csv_write(const char *path, const char *const *names, size_t n_cols, const double *cells,
               size_t n_rows, csv_error *err);

#endif
