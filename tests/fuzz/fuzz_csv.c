/* libFuzzer target: arbitrary bytes through csv_parse, the CSV reader of
 * recur-process and recur-train. Besides "never crash", it checks what the
 * reader promises its callers: a refusal names the place ("source:line:col:"
 * or "source: ..."); an accepted table has at least one column and one row,
 * non-empty unique names and only finite cells; and a table printed again
 * (names quoted, numbers with %.17g) reads back to the same names and the
 * same bits. */
#include "csv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOURCE "fuzz.csv"

static void check_table(const csv_table *t)
{
	if (t->n_cols == 0 || t->n_rows == 0 || !t->names || !t->cells)
		abort(); /* accepted an empty table */
	for (size_t c = 0; c < t->n_cols; c++) {
		if (!t->names[c][0])
			abort(); /* accepted an empty column name */
		if (csv_column(t, t->names[c]) != (int)c)
			abort(); /* accepted a repeated name */
	}
	for (size_t i = 0; i < t->n_cols * t->n_rows; i++)
		if (!isfinite(t->cells[i]))
			abort(); /* accepted a value that is not a finite number */
}

/* The table as text: quoted names, then rows of %.17g. NULL if out of memory. */
static char *print_table(const csv_table *t, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	if (!f)
		return NULL;
	for (size_t c = 0; c < t->n_cols; c++)
		fprintf(f, "%s\"%s\"", c ? "," : "", t->names[c]);
	fputc('\n', f);
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++)
			fprintf(f, "%.17g%c", t->cells[r * t->n_cols + c],
			        c + 1 < t->n_cols ? ',' : '\n');
	fclose(f);
	return text;
}

static void check_reprint(const csv_table *t)
{
	size_t len;
	char *text = print_table(t, &len);
	if (!text)
		return;
	csv_table again;
	csv_error err = {{0}};
	if (!csv_parse(text, len, SOURCE, &again, &err))
		abort(); /* an accepted table, printed again, is refused */
	if (again.n_cols != t->n_cols || again.n_rows != t->n_rows ||
	    memcmp(again.cells, t->cells, t->n_cols * t->n_rows * sizeof(double)) != 0)
		abort(); /* the printed table reads back different */
	for (size_t c = 0; c < t->n_cols; c++)
		if (strcmp(again.names[c], t->names[c]) != 0)
			abort();
	csv_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	csv_table t;
	csv_error err = {{0}};
	if (!csv_parse((const char *)data, size, SOURCE, &t, &err)) {
		if (strncmp(err.msg, SOURCE ":", strlen(SOURCE ":")) != 0)
			abort(); /* a refusal that does not say where */
		if (t.names || t.cells || t.n_cols || t.n_rows)
			abort(); /* a refusal that leaves a half-filled table */
		return 0;
	}
	check_table(&t);
	check_reprint(&t);
	csv_free(&t);
	return 0;
}
