/* --esr: ESR and pre-emphasised ESR printed on stdout match a direct
 * computation from the written output; length and silence are refused.
 * Usage: test_esr RECUR_PROCESS */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define ROWS 400

static const char *exe;

static double input(int r)
{
	return sin(r * 0.05) * 0.6;
}
static double target(int r)
{
	return tanh(1.5 * input(r)) * 0.5 + 0.01 * cos(r * 1.3);
}

static void write_table(const char *path, int rows, bool silent)
{
	static char text[65536];
	size_t n = (size_t)snprintf(text, sizeof text, "x,want,y\n");
	for (int r = 0; r < rows; r++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%.9g,%.17g,%.17g\n", input(r),
		                      silent ? 0.0 : target(r), silent ? 0.0 : -target(r));
	write_text(path, text, n);
}

/* The model output as written, column y of recur-process's CSV. */
static void read_output(const char *path, double *y)
{
	FILE *f = fopen(path, "r");
	char line[256];
	CHECK(f && fgets(line, sizeof line, f) && strcmp(line, "y\n") == 0, "output header");
	for (int r = 0; f && r < ROWS; r++)
		CHECK(fscanf(f, "%lf", &y[r]) == 1, "row %d", r + 1);
	if (f)
		fclose(f);
}

static double esr_by_hand(const double *y, double (*t)(int), double c)
{
	double num = 0, den = 0;
	for (int r = 0; r < ROWS; r++) {
		double ye = y[r] - (r ? c * y[r - 1] : 0);
		double te = t(r) - (r ? c * t(r - 1) : 0);
		num += (ye - te) * (ye - te);
		den += te * te;
	}
	return num / den;
}

static double printed_esr(const tool_result *r)
{
	double v = NAN;
	char tail = 0;
	CHECK(sscanf(r->out, "esr=%lf%c", &v, &tail) == 2 && tail == '\n', "stdout \"%s\"", r->out);
	CHECK(strchr(r->out, '\n') == r->out + strlen(r->out) - 1, "one line: \"%s\"", r->out);
	return v;
}

static double target_flipped(int r)
{
	return -target(r);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_esr RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	static const char *const in_names[] = {"x"}, *const out_names[] = {"y"};
	ref_net n = {.cell = RECUR_CELL_GRU, .n_in = 1, .n_out = 1, .hidden = 2};
	ref_fill(&n, 77);
	const char *model = scratch("m.json"), *data = scratch("data.csv");
	const char *out = scratch("out.csv");
	if (!ref_save(&n, in_names, out_names, 48000, model))
		return 1;
	write_table(data, ROWS, false);
	static double y[ROWS];
	tool_result r;
	tool_run(
	    &r, exe,
	    (const char *[]){"-q", "--esr", data, "--esr-column", "want", model, data, out, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	read_output(out, y);
	double want = esr_by_hand(y, target, 0);
	CHECK(fabs(printed_esr(&r) - want) <= 1e-6 * want, "esr %s vs %.9g", r.out, want);

	/* Default column is the model's output name (y); OUTPUT may be left out. */
	tool_run(&r, exe,
	         (const char *[]){"--esr", data, "--esr-preemph", "0.85", model, data, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	want = esr_by_hand(y, target_flipped, 0.85);
	CHECK(fabs(printed_esr(&r) - want) <= 1e-6 * want, "pre-emphasised %s vs %.9g", r.out,
	      want);
	CHECK(fabs(want - esr_by_hand(y, target_flipped, 0)) > 1e-3 * want, "pre-emphasis inert");

	/* An audio target: the same column as a float WAV. */
	static float t[ROWS];
	for (int k = 0; k < ROWS; k++)
		t[k] = (float)target(k);
	write_wav(scratch("t.wav"), t, ROWS, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	tool_run(&r, exe, (const char *[]){"-q", "--esr", scratch("t.wav"), model, data, NULL});
	want = esr_by_hand(y, target, 0);
	CHECK(r.status == 0 && fabs(printed_esr(&r) - want) <= 1e-5 * want, "wav target %s vs %g",
	      r.out, want);

	write_table(scratch("short.csv"), ROWS - 10, false);
	tool_run(&r, exe, (const char *[]){"--esr", scratch("short.csv"), model, data, NULL});
	CHECK(r.status == 1 && r.out[0] == '\0', "short target: exit %d", r.status);
	CHECK_MSG(r.err, "short.csv has 390 frames but the output has 400");
	write_table(scratch("silent.csv"), ROWS, true);
	tool_run(&r, exe, (const char *[]){"--esr", scratch("silent.csv"), model, data, NULL});
	CHECK(r.status == 1, "silent target: exit %d", r.status);
	CHECK_MSG(r.err, "silent.csv is silent; ESR is undefined");
	tool_run(&r, exe,
	         (const char *[]){"--esr", data, "--esr-column", "nope", model, data, NULL});
	CHECK(r.status == 1, "missing column: exit %d", r.status);
	CHECK_MSG(r.err, "data.csv:1:1: no column named \"nope\" to compare with");
	return check_exit();
}
