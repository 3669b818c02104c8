/* fileio/csv.h on its own, as recur-train uses it: values, names, positions
 * in messages, and a write-read round trip. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "csv.h"
#include "harness.h"

static void parses(void)
{
	static const char text[] = "\xEF\xBB\xBF\"time\", level ,x\r\n"
	                           "0.1,-2e-3, 7\r\n"
	                           "\t1e300 ,0,  -0.5\r\n\r\n";
	csv_table t;
	csv_error err = {""};
	CHECK(csv_parse(text, sizeof text - 1, "mem", &t, &err), "%s", err.msg);
	CHECK(t.n_cols == 3 && t.n_rows == 2, "%zu x %zu", t.n_rows, t.n_cols);
	CHECK(t.n_cols == 3 && strcmp(t.names[0], "time") == 0 && strcmp(t.names[1], "level") == 0,
	      "names");
	CHECK(csv_column(&t, "x") == 2 && csv_column(&t, "X") == -1, "csv_column");
	static const double want[6] = {0.1, -2e-3, 7, 1e300, 0, -0.5};
	for (int i = 0; i < 6 && t.n_rows == 2; i++)
		CHECK(t.cells[i] == want[i], "cell %d: %.17g", i, t.cells[i]);
	csv_free(&t);
	CHECK(t.names == NULL && t.cells == NULL && t.n_cols == 0, "csv_free clears");
}

static void refuses(const char *text, size_t len, const char *message)
{
	csv_table t;
	csv_error err = {""};
	CHECK(!csv_parse(text, len, "f.csv", &t, &err), "accepted \"%s\"", text);
	CHECK(strcmp(err.msg, message) == 0, "\"%s\", wanted \"%s\"", err.msg, message);
	CHECK(t.names == NULL && t.cells == NULL, "failed parse leaves an empty table");
}

static void round_trip(void)
{
	const char *path = scratch("rt.csv");
	static const char *const names[] = {"a", "b"};
	static const double v[4] = {0.333333333333, -1e-20, 123456789, 0.5};
	csv_error err = {""};
	CHECK(csv_write(path, names, 2, v, 2, &err), "%s", err.msg);
	csv_table t;
	CHECK(csv_read(path, &t, &err), "%s", err.msg);
	CHECK(t.n_rows == 2 && t.n_cols == 2, "shape");
	for (int i = 0; i < 4 && t.n_rows == 2; i++)
		CHECK(fabs(t.cells[i] - v[i]) <= 1e-8 * fabs(v[i]), "%.17g vs %.17g", t.cells[i],
		      v[i]);
	csv_free(&t);
	CHECK(!csv_read(scratch("absent.csv"), &t, &err), "absent file");
	CHECK_MSG(err.msg, "absent.csv: cannot open: No such file or directory");
	CHECK(!csv_write(scratch("no/dir.csv"), names, 2, v, 2, &err), "unwritable");
	CHECK_MSG(err.msg, "dir.csv: cannot write");
}

/* A name's limit counts the name, not the quotes around it; an empty name is
 * refused quoted or not. */
static void name_limits(void)
{
	char text[600];
	char name[300];
	memset(name, 'n', 255);
	name[255] = '\0';
	csv_table t;
	csv_error err = {""};
	int len = snprintf(text, sizeof text, "x,\"%s\"\n1,2\n", name);
	CHECK(csv_parse(text, (size_t)len, "f.csv", &t, &err), "quoted 255-byte name: %s", err.msg);
	CHECK(t.n_cols == 2 && strlen(t.names[1]) == 255, "quoted 255-byte name kept");
	csv_free(&t);
	strcat(name, "n");
	len = snprintf(text, sizeof text, "x,%s\n1,2\n", name);
	refuses(text, (size_t)len, "f.csv:1:3: column 2's name is longer than 255 bytes");
	refuses("x,\"\"\n1,2\n", 9, "f.csv:1:3: column 2 has an empty name in the header");
}

int main(void)
{
	parses();
	name_limits();
	refuses("", 0, "f.csv:1:1: empty file: expected a header line of column names");
	refuses("\n\na\n1\n", 5,
	        "f.csv:1:1: the first line is blank: expected a header line of "
	        "column names");
	refuses("a,b\n1,2,\n", 9, "f.csv:2:5: row has 3 fields, the header has 2");
	refuses("a,b\n1,0x\n", 9, "f.csv:2:3: column \"b\": \"0x\" is not a finite number");
	refuses("a,b\n1,1e999\n", 12, "f.csv:2:3: column \"b\": \"1e999\" is not a finite number");
	refuses("a,b\n1,2\n3,4\n5 6,7\n", 18,
	        "f.csv:4:1: column \"a\": \"5 6\" is not a finite number");
	refuses("a,\0b\n1,2\n", 9, "f.csv:1:3: column 2's name contains a NUL byte");
	refuses("a,b\n1,2\0\n", 8, "f.csv:2:3: column \"b\": \"2\" is not a finite number");
	/* strtod reads these, a CSV of decimal numbers does not */
	refuses("a,b\n1,0x10\n", 11, "f.csv:2:3: column \"b\": \"0x10\" is not a finite number");
	refuses("a\n0x1p3\n", 8, "f.csv:2:1: column \"a\": \"0x1p3\" is not a finite number");
	refuses("a\n1\n-0X.8\n", 10, "f.csv:3:1: column \"a\": \"-0X.8\" is not a finite number");
	/* old Mac line ends: the place of the first lone carriage return */
	refuses("a,b\r1,2\r3,4\r", 12,
	        "f.csv:1:4: carriage return without a line feed: lines must end in \"\\n\" or "
	        "\"\\r\\n\" (convert old Mac line ends, e.g. with tr '\\r' '\\n')");
	refuses("a,b\r\n1,2\r3,4\r\n", 15,
	        "f.csv:2:4: carriage return without a line feed: lines must end in \"\\n\" or "
	        "\"\\r\\n\" (convert old Mac line ends, e.g. with tr '\\r' '\\n')");
	round_trip();
	return check_exit();
}
