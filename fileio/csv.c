/* Numeric CSV tables: parsing with exact error positions, and writing. */
#include "csv.h"

#include "output.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_MAX_NAME   255
#define CSV_MAX_NUMBER 127

/* Where the parser is: a cursor over the text plus the 1-based line and the
 * byte offset at which that line starts, so any position maps to line:column. */
typedef struct {
	const char *text;
	size_t len;
	size_t pos;
	size_t line;
	size_t line_start;
	const char *source;
} csv_cursor;

/* One field of a line, trimmed: [begin, end) in the text. */
typedef struct {
	size_t begin;
	size_t end;
} csv_field;

static void fail_at(csv_error *err, const csv_cursor *c, size_t pos, const char *fmt, ...)
{
	int n = snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: ", c->source, c->line,
	                 pos - c->line_start + 1);
	if (n < 0 || (size_t)n >= sizeof err->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static size_t line_end(const csv_cursor *c)
{
	const char *nl = memchr(c->text + c->pos, '\n', c->len - c->pos);
	return nl ? (size_t)(nl - c->text) : c->len;
}

static void next_line(csv_cursor *c, size_t end)
{
	c->pos = end < c->len ? end + 1 : c->len;
	c->line++;
	c->line_start = c->pos;
}

static bool line_is_blank(const csv_cursor *c, size_t end)
{
	for (size_t i = c->pos; i < end; i++)
		if (!is_blank(c->text[i]))
			return false;
	return true;
}

/* The field starting at *pos, trimmed; *pos moves past its comma (or to end). */
static csv_field take_field(const csv_cursor *c, size_t *pos, size_t end)
{
	const char *comma = memchr(c->text + *pos, ',', end - *pos);
	size_t stop = comma ? (size_t)(comma - c->text) : end;
	csv_field f = {*pos, stop};
	while (f.begin < f.end && is_blank(c->text[f.begin]))
		f.begin++;
	while (f.end > f.begin && is_blank(c->text[f.end - 1]))
		f.end--;
	*pos = comma ? stop + 1 : end;
	return f;
}

static size_t fields_on_line(const csv_cursor *c, size_t end)
{
	size_t n = 1;
	for (size_t i = c->pos; i < end; i++)
		n += c->text[i] == ',';
	return n;
}

/* Parses a whole field as a finite number; false if it is anything else. */
static bool field_number(const csv_cursor *c, csv_field f, double *out)
{
	size_t n = f.end - f.begin;
	if (n == 0 || n > CSV_MAX_NUMBER)
		return false;
	char buf[CSV_MAX_NUMBER + 1];
	memcpy(buf, c->text + f.begin, n);
	buf[n] = '\0';
	/* Decimal only: strtod would also take hex ("0x1p3"), "inf" and "nan". */
	if (strspn(buf, "0123456789+-.eE") != n)
		return false;
	char *stop;
	errno = 0;
	double v = strtod(buf, &stop);
	if (stop != buf + n || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static char *field_name(const csv_cursor *c, csv_field f)
{
	size_t b = f.begin, e = f.end;
	if (e - b >= 2 && c->text[b] == '"' && c->text[e - 1] == '"') {
		b++;
		e--;
	}
	char *name = malloc(e - b + 1);
	if (name) {
		memcpy(name, c->text + b, e - b);
		name[e - b] = '\0';
	}
	return name;
}

static bool header_is_numbers(const csv_cursor *c, size_t end)
{
	size_t pos = c->pos;
	double v;
	do {
		if (!field_number(c, take_field(c, &pos, end), &v))
			return false;
	} while (pos < end);
	return true;
}

static bool check_name(const csv_cursor *c, const csv_table *t, csv_field f, size_t col,
                       csv_error *err)
{
	if (memchr(c->text + f.begin, '\0', f.end - f.begin)) {
		fail_at(err, c, f.begin, "column %zu's name contains a NUL byte", col + 1);
		return false;
	}
	if (strlen(t->names[col]) > CSV_MAX_NAME) {
		fail_at(err, c, f.begin, "column %zu's name is longer than %d bytes", col + 1,
		        CSV_MAX_NAME);
		return false;
	}
	if (!t->names[col][0]) { /* nothing, or nothing between the quotes */
		fail_at(err, c, f.begin, "column %zu has an empty name in the header", col + 1);
		return false;
	}
	for (size_t k = 0; k < col; k++)
		if (strcmp(t->names[k], t->names[col]) == 0) {
			fail_at(err, c, f.begin, "column name \"%s\" appears twice in the header",
			        t->names[col]);
			return false;
		}
	return true;
}

static bool parse_header(csv_cursor *c, csv_table *t, csv_error *err)
{
	size_t end = line_end(c);
	if (line_is_blank(c, end)) {
		fail_at(err, c, c->pos, "%s: expected a header line of column names",
		        c->len == 0 ? "empty file" : "the first line is blank");
		return false;
	}
	if (header_is_numbers(c, end)) {
		fail_at(err, c, c->pos,
		        "no header: the first line holds numbers, it must name the columns");
		return false;
	}
	size_t n = fields_on_line(c, end);
	if (n > CSV_MAX_COLUMNS) {
		fail_at(err, c, c->pos, "%zu columns, at most %d are supported", n,
		        CSV_MAX_COLUMNS);
		return false;
	}
	t->names = calloc(n, sizeof *t->names);
	if (!t->names) {
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", c->source);
		return false;
	}
	size_t pos = c->pos;
	for (size_t col = 0; col < n; col++) {
		csv_field f = take_field(c, &pos, end);
		t->names[col] = field_name(c, f);
		t->n_cols = col + 1;
		if (!t->names[col]) {
			snprintf(err->msg, sizeof err->msg, "%s: out of memory", c->source);
			return false;
		}
		if (!check_name(c, t, f, col, err))
			return false;
	}
	next_line(c, end);
	return true;
}

static bool parse_row(const csv_cursor *c, size_t end, const csv_table *t, double *row,
                      csv_error *err)
{
	size_t have = fields_on_line(c, end);
	if (have != t->n_cols) {
		fail_at(err, c, end, "row has %zu field%s, the header has %zu", have,
		        have == 1 ? "" : "s", t->n_cols);
		return false;
	}
	size_t pos = c->pos;
	for (size_t col = 0; col < t->n_cols; col++) {
		csv_field f = take_field(c, &pos, end);
		if (f.begin == f.end) {
			fail_at(err, c, f.begin, "empty cell in column \"%s\"", t->names[col]);
			return false;
		}
		if (!field_number(c, f, &row[col])) {
			int shown = (int)(f.end - f.begin > 40 ? 40 : f.end - f.begin);
			fail_at(err, c, f.begin, "column \"%s\": \"%.*s\" is not a finite number",
			        t->names[col], shown, c->text + f.begin);
			return false;
		}
	}
	return true;
}

/* Blank lines may only end the file: anything after one is an error. */
static bool only_blank_lines_left(csv_cursor *c)
{
	while (c->pos < c->len) {
		size_t end = line_end(c);
		if (!line_is_blank(c, end))
			return false;
		next_line(c, end);
	}
	return true;
}

static bool parse_rows(csv_cursor *c, csv_table *t, csv_error *err)
{
	size_t max_rows = 1;
	for (size_t i = c->pos; i < c->len; i++)
		max_rows += c->text[i] == '\n';
	if (max_rows > SIZE_MAX / sizeof(double) / t->n_cols) {
		snprintf(err->msg, sizeof err->msg, "%s: too many cells", c->source);
		return false;
	}
	t->cells = malloc(max_rows * t->n_cols * sizeof(double));
	if (!t->cells) {
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", c->source);
		return false;
	}
	while (c->pos < c->len) {
		size_t end = line_end(c);
		if (line_is_blank(c, end)) {
			csv_cursor blank = *c;
			if (only_blank_lines_left(c))
				break;
			fail_at(err, &blank, blank.pos, "blank line between data rows");
			return false;
		}
		if (!parse_row(c, end, t, t->cells + t->n_rows * t->n_cols, err))
			return false;
		t->n_rows++;
		next_line(c, end);
	}
	if (t->n_rows == 0) {
		fail_at(err, c, c->pos, "no data rows after the header");
		return false;
	}
	return true;
}

/* A carriage return that does not end a line ("\r" alone, the line end of
 * old Mac files) would otherwise glue lines together into one. */
static bool lone_carriage_return(csv_cursor *c, csv_error *err)
{
	for (size_t i = c->pos; i < c->len; i++) {
		if (c->text[i] == '\n') {
			c->line++;
			c->line_start = i + 1;
		} else if (c->text[i] == '\r' && i + 1 < c->len && c->text[i + 1] != '\n') {
			fail_at(err, c, i,
			        "carriage return without a line feed: lines must end in \"\\n\" or "
			        "\"\\r\\n\" (convert old Mac line ends, e.g. with tr '\\r' '\\n')");
			return true;
		}
	}
	return false;
}

bool csv_parse(const char *text, size_t len, const char *source, csv_table *t, csv_error *err)
{
	memset(t, 0, sizeof *t);
	csv_cursor c = {text, len, 0, 1, 0, source};
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte-order mark */
		c.pos = c.line_start = 3;
	csv_cursor scan = c;
	if (lone_carriage_return(&scan, err))
		return false;
	if (!parse_header(&c, t, err) || !parse_rows(&c, t, err)) {
		csv_free(t);
		return false;
	}
	return true;
}

static char *slurp(const char *path, size_t *len, csv_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= CSV_MAX_FILE_BYTES) {
			snprintf(err->msg, sizeof err->msg, "%s: larger than %u bytes", path,
			         CSV_MAX_FILE_BYTES);
			free(buf);
			fclose(f);
			return NULL;
		}
		char *grown = realloc(buf, cap * 2);
		if (!grown)
			free(buf);
		buf = grown;
		cap *= 2;
	}
	if (!buf)
		snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
	else if (ferror(f)) {
		snprintf(err->msg, sizeof err->msg, "%s: read error", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

bool csv_read(const char *path, csv_table *t, csv_error *err)
{
	memset(t, 0, sizeof *t);
	size_t len;
	char *text = slurp(path, &len, err);
	if (!text)
		return false;
	bool ok = csv_parse(text, len, path, t, err);
	free(text);
	return ok;
}

void csv_free(csv_table *t)
{
	if (t->names)
		for (size_t i = 0; i < t->n_cols; i++)
			free(t->names[i]);
	free(t->names);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

int csv_column(const csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->names[i], name) == 0)
			return (int)i;
	return -1;
}

static bool write_rows(FILE *f, const char *const *names, size_t n_cols, const double *cells,
                       size_t n_rows)
{
	for (size_t col = 0; col < n_cols; col++)
		fprintf(f, "%s%s", col ? "," : "", names[col]);
	fputc('\n', f);
	for (size_t r = 0; r < n_rows; r++) {
		for (size_t col = 0; col < n_cols; col++)
			fprintf(f, "%s%.9g", col ? "," : "", cells[r * n_cols + col]);
		fputc('\n', f);
	}
	return !ferror(f);
}

bool csv_write(const char *path, const char *const *names, size_t n_cols, const double *cells,
               size_t n_rows, csv_error *err)
{
	output_file out;
	char why[400];
	if (!output_open(&out, path, why, sizeof why)) {
		snprintf(err->msg, sizeof err->msg, "%s: cannot write: %s", path, why);
		return false;
	}
	FILE *f = output_stream(&out);
	if (!f || !write_rows(f, names, n_cols, cells, n_rows)) {
		snprintf(err->msg, sizeof err->msg,
		         "%s: cannot write: %s; the file there is unchanged", path,
		         f ? strerror(errno) : "out of memory");
		output_abort(&out);
		return false;
	}
	return output_commit(&out, err->msg, sizeof err->msg);
}
