/*
 * A model at its own rate: the shipped temperature predictor (100 steps per
 * second) on a seasonal series sampled at 48 kHz. The CV plugin in a 48 kHz
 * host and recur-process --time-column on the same series as a CSV give the
 * same values (within 1e-6), holding and interpolating, whatever the split
 * into blocks. Also: the held output changes only where a step ends (every
 * 480 samples), a CSV at the model's own rate steps once per row, and the
 * time column's errors.
 *
 * Arguments: RECUR_PROCESS; the model comes from $RECUR_PRESETS.
 */
#include "cv_test.h"

#include <sys/wait.h>
#include <unistd.h>

#define SECONDS     2
#define FRAMES      (SECONDS * 48000)
#define PER_STEP    480 /* 48000 / 100 */
#define PROCESS_TOL 1e-6

static char dir[] = "/tmp/recur-cv-rate-XXXXXX";
static const char *process_exe;

static const char *in_dir(const char *name)
{
	static char buf[4][1200];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

/* Degrees C: a 4 s season, a 0.37 s ripple and a deterministic wobble. */
static float temperature(double t)
{
	return (float)(18.0 + 6.0 * sin(2 * M_PI * t / 4.0) + 1.5 * sin(2 * M_PI * t / 0.37 + 1.0) +
	               0.1 * sin(2 * M_PI * t * 13.1));
}

/* rows of (time, temperature) at rate; x gets the very floats written. */
static bool write_series(const char *path, double rate, size_t rows, float *x)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "time,temperature\n");
	for (size_t n = 0; n < rows; n++) {
		x[n] = temperature((double)n / rate);
		fprintf(f, "%.9g,%.9g\n", (double)n / rate, (double)x[n]);
	}
	return fclose(f) == 0;
}

/* recur-process's exit status; its stderr goes to err.txt. */
static int run_process(const char *args)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' -q %s 2>'%s'", process_exe, args, in_dir("err.txt"));
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool err_says(const char *what)
{
	char text[2048] = "";
	FILE *f = fopen(in_dir("err.txt"), "r");
	if (f) {
		size_t n = fread(text, 1, sizeof text - 1, f);
		text[n] = '\0';
		fclose(f);
	}
	return strstr(text, what) != NULL;
}

/* The single output column of a CSV recur-process wrote. */
static float *read_column(const char *path, size_t rows)
{
	FILE *f = fopen(path, "r");
	float *v = calloc(rows, sizeof *v);
	char line[256];
	bool ok = f && v && fgets(line, sizeof line, f);
	for (size_t r = 0; ok && r < rows; r++)
		ok = fgets(line, sizeof line, f) && sscanf(line, "%f", &v[r]) == 1;
	if (f)
		fclose(f);
	if (!ok) {
		free(v);
		return NULL;
	}
	return v;
}

static void check_against_process(test_host *h, const char *model, const float *x, int interp)
{
	char args[3000];
	snprintf(args, sizeof args, "--time-column time %s '%s' '%s' '%s'",
	         interp ? "--interpolate" : "", model, in_dir("series.csv"), in_dir("out.csv"));
	CHECK(run_process(args) == 0, "recur-process %s failed", args);
	float *want = read_column(in_dir("out.csv"), FRAMES);
	CHECK(want != NULL, "cannot read recur-process's output");
	if (!want)
		return;

	float *cv = calloc((size_t)FRAMES * CV_CHANNELS, sizeof *cv);
	float *got = calloc((size_t)FRAMES * CV_TRACKS, sizeof *got);
	float *out1 = calloc(FRAMES, sizeof *out1);
	for (size_t n = 0; n < FRAMES; n++)
		cv[n * CV_CHANNELS] = x[n];
	host_set(h, "interpolate", (float)interp);
	static const uint32_t blocks[] = {1, 7, 64, 4096, 0};
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		cv_load(h, model);
		cv_run(h, cv, got, FRAMES, blocks[b]);
		for (size_t n = 0; n < FRAMES; n++)
			out1[n] = got[n * CV_TRACKS];
		double d = cv_max_diff(out1, want, FRAMES);
		CHECK(d <= PROCESS_TOL,
		      "%s, blocks of %u (0 = random): plugin and recur-process differ by %g",
		      interp ? "interpolate" : "hold", blocks[b], d);
	}
	CHECK(host_get(h, "status") == CV_STATUS_OWN_RATE, "status %g", host_get(h, "status"));
	CHECK(host_get(h, "step_rate") == 100.0f, "step rate %g", host_get(h, "step_rate"));

	/* Held: constant within a step, new where a step ends (sample 480k - 1). */
	int changes_off_grid = 0, changes_on_grid = 0;
	for (size_t n = 1; !interp && n < FRAMES; n++) {
		bool on_grid = (n + 1) % PER_STEP == 0;
		if (out1[n] != out1[n - 1])
			*(on_grid ? &changes_on_grid : &changes_off_grid) += 1;
	}
	CHECK(changes_off_grid == 0, "held output changed %d times between steps",
	      changes_off_grid);
	CHECK(interp || changes_on_grid > FRAMES / PER_STEP - 5,
	      "held output changed at only %d of %d steps", changes_on_grid, FRAMES / PER_STEP);
	free(cv);
	free(got);
	free(out1);
	free(want);
}

/* A CSV at the model's own rate: one step per row, as without a time column. */
static void check_same_rate(const char *model)
{
	static float x[2000];
	CHECK(write_series(in_dir("rows100.csv"), 100.0, 2000, x), "cannot write rows100.csv");
	char args[3000];
	snprintf(args, sizeof args, "--time-column time '%s' '%s' '%s'", model,
	         in_dir("rows100.csv"), in_dir("a.csv"));
	CHECK(run_process(args) == 0, "recur-process %s failed", args);
	snprintf(args, sizeof args, "'%s' '%s' '%s'", model, in_dir("rows100.csv"),
	         in_dir("b.csv"));
	CHECK(run_process(args) == 0, "recur-process %s failed", args);
	float *a = read_column(in_dir("a.csv"), 2000), *b = read_column(in_dir("b.csv"), 2000);
	CHECK(a && b && cv_max_diff(a, b, 2000) == 0.0,
	      "at the model's rate, --time-column changed the output");
	free(a);
	free(b);
}

static void check_errors(const char *model)
{
	FILE *f = fopen(in_dir("uneven.csv"), "w");
	fprintf(f, "time,temperature\n0,1\n0.01,2\n0.02,3\n0.05,4\n0.06,5\n");
	fclose(f);
	char args[3000];
	snprintf(args, sizeof args, "--time-column time '%s' '%s' '%s'", model,
	         in_dir("uneven.csv"), in_dir("o.csv"));
	CHECK(run_process(args) == 1 && err_says("uneven.csv:5:") && err_says("even steps"),
	      "an uneven time column is not refused at its line");
	snprintf(args, sizeof args, "--time-column clock '%s' '%s' '%s'", model,
	         in_dir("uneven.csv"), in_dir("o.csv"));
	CHECK(run_process(args) == 1 && err_says("no column named \"clock\""),
	      "a missing time column is not named");
	snprintf(args, sizeof args, "--interpolate '%s' '%s' '%s'", model, in_dir("uneven.csv"),
	         in_dir("o.csv"));
	CHECK(run_process(args) == 2 && err_says("--interpolate needs --time-column"),
	      "--interpolate without a time column is not a usage error");
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2 || !getenv("RECUR_PRESETS")) {
		fprintf(stderr, "usage: RECUR_PRESETS=DIR %s RECUR_PROCESS\n", argv[0]);
		return 1;
	}
	process_exe = argv[1];
	char model[2048];
	snprintf(model, sizeof model, "%s/temperature-next.json", getenv("RECUR_PRESETS"));
	if (!mkdtemp(dir))
		return 1;
	float *x = calloc(FRAMES, sizeof *x);
	CHECK(write_series(in_dir("series.csv"), 48000.0, FRAMES, x), "cannot write series.csv");

	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;
	check_against_process(&h, model, x, 0);
	check_against_process(&h, model, x, 1);
	check_same_rate(model);
	check_errors(model);
	host_close(&h);
	host_close_world(&h);
	free(x);

	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_exit();
}
