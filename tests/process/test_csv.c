/* recur-process on CSV time series: columns chosen by name or --inputs,
 * --keep-columns, and every kind of malformed file reported by position.
 * Usage: test_csv RECUR_PROCESS */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define ROWS 60

static const char *exe;
static const char *const in_names[] = {"x", "g"}, *const out_names[] = {"y", "z"};

static double col_t(int r)
{
	return r * 0.1;
}
static double col_g(int r)
{
	return 0.5 * cos(r * 0.37);
}
static double col_x(int r)
{
	return sin(r * 0.21) * 0.9;
}

/* Columns t, g, x: the model's inputs are x, g, so order differs from the file. */
static void make_csv(const char *path, const char *header, bool crlf)
{
	static char text[16384];
	size_t n = (size_t)snprintf(text, sizeof text, "%s%s", header, crlf ? "\r\n" : "\n");
	for (int r = 0; r < ROWS; r++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%.17g, %.17g ,%.17g%s", col_t(r),
		                      col_g(r), col_x(r), crlf ? "\r\n" : "\n");
	CHECK(write_text(path, text, n), "writing %s", path);
}

/* Reads a CSV written by recur-process without the reader under test: the
 * header line into header, numbers into v (row-major). Returns rows. */
static int read_plain(const char *path, char *header, size_t header_len, double *v, int cols)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "opening %s", path);
	if (!f)
		return 0;
	if (!fgets(header, (int)header_len, f))
		header[0] = '\0';
	header[strcspn(header, "\n")] = '\0';
	int rows = 0;
	char line[4096];
	while (fgets(line, sizeof line, f) && rows < ROWS + 1) {
		char *p = line;
		for (int c = 0; c < cols; c++) {
			v[rows * cols + c] = strtod(p, &p);
			if (*p == ',')
				p++;
		}
		CHECK(*p == '\n', "row %d has more than %d columns", rows + 1, cols);
		rows++;
	}
	fclose(f);
	return rows;
}

/* Largest |y - reference| for inputs (a(r), b(r)) fed to x, g. */
static double max_error(const ref_net *n, const double *v, int cols, int first, double (*a)(int),
                        double (*b)(int))
{
	ref_state s = {{0}, {0}};
	double worst = 0;
	for (int r = 0; r < ROWS; r++) {
		double x[2] = {a(r), b(r)}, want[2];
		x[0] = (float)x[0];
		x[1] = (float)x[1];
		ref_step(n, &s, x, want);
		for (int o = 0; o < 2; o++)
			worst = fmax(worst, fabs(v[r * cols + first + o] - want[o]));
	}
	return worst;
}

static double held(int r)
{
	(void)r;
	return 0.75;
}

static void test_named_columns(const ref_net *n, const char *model)
{
	const char *csv = scratch("in.csv"), *out = scratch("out.csv");
	static double v[(ROWS + 1) * 5];
	char header[256];
	tool_result r;
	for (int crlf = 0; crlf < 2; crlf++) {
		make_csv(csv, "t,g,x", crlf);
		tool_run(&r, exe, (const char *[]){model, csv, out, NULL});
		CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
		CHECK(read_plain(out, header, sizeof header, v, 2) == ROWS, "row count");
		CHECK(strcmp(header, "y,z") == 0, "header \"%s\"", header);
		CHECK_NEAR(max_error(n, v, 2, 0, col_x, col_g), 0, 1e-5, "named columns");
	}
	/* --inputs maps by position: g feeds input 0 (x) and x feeds input 1 (g). */
	tool_run(&r, exe, (const char *[]){"--inputs", "g,x", model, csv, out, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	read_plain(out, header, sizeof header, v, 2);
	CHECK_NEAR(max_error(n, v, 2, 0, col_g, col_x), 0, 1e-5, "--inputs g,x");
	CHECK(max_error(n, v, 2, 0, col_x, col_g) > 1e-3, "--inputs made no difference");
	/* A --cond value replaces the column. */
	tool_run(&r, exe, (const char *[]){"--cond", "g=0.75", model, csv, out, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	read_plain(out, header, sizeof header, v, 2);
	CHECK_NEAR(max_error(n, v, 2, 0, col_x, held), 0, 1e-5, "--cond over a column");
}

static void test_keep_columns(const ref_net *n, const char *model)
{
	const char *csv = scratch("keep.csv"), *out = scratch("keep-out.csv");
	static double v[(ROWS + 1) * 5];
	char header[256];
	make_csv(csv, "y,g,x", false);
	tool_result r;
	tool_run(&r, exe, (const char *[]){"--keep-columns", model, csv, out, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	CHECK(read_plain(out, header, sizeof header, v, 5) == ROWS, "rows");
	CHECK(strcmp(header, "y_input,g,x,y,z") == 0, "header \"%s\"", header);
	double worst = 0;
	for (int row = 0; row < ROWS; row++)
		worst = fmax(worst, fabs(v[row * 5] - col_t(row)) / fmax(1e-300, fabs(col_t(row))));
	CHECK(worst < 1e-8, "copied column differs by %g (relative)", worst);
	CHECK_NEAR(max_error(n, v, 5, 3, col_x, col_g), 0, 1e-5, "outputs after kept columns");
}

static void expect_csv_error(const char *model, const char *text, const char *fragment)
{
	const char *csv = scratch("bad.csv");
	write_text(csv, text, strlen(text));
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, csv, scratch("bad-out.csv"), NULL});
	CHECK(r.status == 1, "exit %d for \"%s\"", r.status, text);
	char want[512];
	snprintf(want, sizeof want, "%s%s", csv, fragment);
	CHECK_MSG(r.err, want);
}

static void test_malformed(const char *model)
{
	expect_csv_error(model, "x,g\n1,2\n3\n", ":3:2: row has 1 field, the header has 2");
	expect_csv_error(model, "x,g\n1,2\n3,4,5\n", ":3:6: row has 3 fields, the header has 2");
	expect_csv_error(model, "x,g\n1,2\n3, abc\n",
	                 ":3:4: column \"g\": \"abc\" is not a finite number");
	expect_csv_error(model, "x,g\n1,nan\n", ":2:3: column \"g\": \"nan\" is not a finite");
	expect_csv_error(model, "x,g\n1,\n", ":2:3: empty cell in column \"g\"");
	expect_csv_error(model, "", ":1:1: empty file: expected a header line");
	expect_csv_error(model, "1,2\n3,4\n", ":1:1: no header: the first line holds numbers");
	expect_csv_error(model, "x,g\n", ":2:1: no data rows after the header");
	expect_csv_error(model, "x,g\n1,2\n\n3,4\n", ":3:1: blank line between data rows");
	expect_csv_error(model, "x,x\n1,2\n", ":1:3: column name \"x\" appears twice");
	expect_csv_error(model, "x,,g\n1,2,3\n", ":1:3: column 2 has an empty name");
	expect_csv_error(model, "x,\"\",g\n1,2,3\n", ":1:3: column 2 has an empty name");
	expect_csv_error(model, "x,h\n1,2\n",
	                 ":1:1: no column named \"g\" for the model's input 1 (or give it a "
	                 "value with --cond); the header has: x, h");
	expect_csv_error(model, "a,g\n1,2\n",
	                 ":1:1: no column named \"x\" for the model's input 0");
	/* Trailing blank lines and a missing final newline are fine. */
	const char *csv = scratch("ok.csv");
	write_text(csv, "x,g\n1,2\n3,4\n\n\n", 14);
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, csv, scratch("ok-out.csv"), NULL});
	CHECK(r.status == 0, "trailing blank lines: %d %s", r.status, r.err);
	write_text(csv, "x,g\n1,2\n3,4", 11);
	tool_run(&r, exe, (const char *[]){model, csv, scratch("ok-out.csv"), NULL});
	CHECK(r.status == 0, "no final newline: %d %s", r.status, r.err);
	tool_run(&r, exe,
	         (const char *[]){"--inputs", "x,nope", model, csv, scratch("o.csv"), NULL});
	CHECK(r.status == 1, "--inputs naming a missing column: %d", r.status);
	CHECK_MSG(r.err, "no column named \"nope\" for the model's input 1; the header has: x, g");
	tool_run(&r, exe,
	         (const char *[]){"--inputs", "x,g,x", model, csv, scratch("o.csv"), NULL});
	CHECK(r.status == 2, "--inputs longer than the inputs: %d", r.status);
	CHECK_MSG(r.err, "--inputs lists more than the model's 2 inputs");
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_csv RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	ref_net n = {.cell = RECUR_CELL_GRU, .n_in = 2, .n_out = 2, .hidden = 3};
	ref_fill(&n, 2024);
	const char *model = scratch("model.json");
	if (!ref_save(&n, in_names, out_names, 0, model))
		return 1;
	test_named_columns(&n, model);
	test_keep_columns(&n, model);
	test_malformed(model);
	return check_exit();
}
