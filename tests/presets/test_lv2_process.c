/*
 * recur-lv2-process end to end: the built program hosts the plugin found on
 * LV2_PATH and must give what the model's own equations give.
 *
 * The model is presets/demo/soft-clip-smoother.json, whose equations are
 * written out in presets/demo/README.md:
 *     h[n] = tanh(0.5 in[n] + 0.5 bias + 0.8 h[n-1]),  out[n] = 0.4 h[n]
 * With the plugin's defaults (0 dB gains, fully wet, cond1 at 0.5, the
 * middle of bias's range [-1, 1], so bias = 0) the output WAV must follow
 * them, computed here in double precision, whatever the block size. The
 * preset that ships the same model with 6 dB input and output gains, and
 * --set in_gain=6 --set out_gain=6, must follow them with those gains. Bad
 * arguments fail with a message naming the problem.
 *
 * usage: test_lv2_process RECUR_LV2_PROCESS DEMO_MODEL   (LV2_PATH set)
 */
#include "check.h"

#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RATE       48000
#define FRAMES     24000
#define PLUGIN_URI "https://recur.dev/plugins/recur"
#define TOL        2e-6

static const char *tool, *model;
static char dir[] = "/tmp/recur-lv2-process-XXXXXX";
static char errors[8192];

static const char *tmp(const char *name)
{
	static char buf[4][1024];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static bool write_wav(const char *path, const float *x, size_t frames, int channels)
{
	SF_INFO info = {
	    .samplerate = RATE, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	bool ok = f && sf_writef_float(f, x, (sf_count_t)frames) == (sf_count_t)frames;
	if (f)
		sf_close(f);
	return ok;
}

static float *read_wav(const char *path, size_t *frames)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	float *x = malloc((size_t)info.frames * sizeof *x);
	if (x && (info.channels != 1 || sf_readf_float(f, x, info.frames) != info.frames)) {
		free(x);
		x = NULL;
	}
	*frames = (size_t)info.frames;
	sf_close(f);
	return x;
}

/* Runs the tool with `args`; returns its exit status, stderr in errors[]. */
static int run_tool(const char *args)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", tool, args, tmp("stderr.txt"));
	int status = system(cmd);
	errors[0] = '\0';
	FILE *f = fopen(tmp("stderr.txt"), "r");
	if (f) {
		size_t n = fread(errors, 1, sizeof errors - 1, f);
		errors[n] = '\0';
		fclose(f);
	}
	return status == -1 ? -1 : WEXITSTATUS(status);
}

/* A decaying 220 Hz tone loud enough to saturate tanh, then near-silence. */
static void make_input(float *x)
{
	for (size_t n = 0; n < FRAMES; n++) {
		double t = (double)n / RATE;
		x[n] = (float)(1.6 * exp(-4.0 * t) * sin(2.0 * M_PI * 220.0 * t));
	}
}

static void expected_output(const float *x, double *y)
{
	double h = 0;
	for (size_t n = 0; n < FRAMES; n++) {
		h = tanh(0.5 * x[n] + 0.8 * h);
		y[n] = 0.4 * h;
	}
}

static double max_error(const float *got, const double *want, size_t n)
{
	double worst = 0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs(got[i] - want[i]);
		if (!(d <= worst))
			worst = isnan(d) ? INFINITY : d;
	}
	return worst;
}

static void check_model_runs(const double *want)
{
	static const char *blocks[] = {"1", "7", "256", "8192"};
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		char args[2048];
		snprintf(args, sizeof args, "--model '%s' --block %s %s '%s' '%s'", model,
		         blocks[b], PLUGIN_URI, tmp("in.wav"), tmp("out.wav"));
		int rc = run_tool(args);
		CHECK(rc == 0, "--block %s: exit %d: %s", blocks[b], rc, errors);
		size_t n = 0;
		float *out = read_wav(tmp("out.wav"), &n);
		CHECK(out && n == FRAMES, "--block %s: output has %zu frames", blocks[b], n);
		if (out && n == FRAMES)
			CHECK(max_error(out, want, n) < TOL, "--block %s: largest error %g",
			      blocks[b], max_error(out, want, n));
		free(out);
		remove(tmp("out.wav"));
	}
}

/* The output with both gains at 6 dB, compared once the plugin's 10 ms gain
 * smoothing has settled (after 0.25 s the start-up ramp is e^-25 away, and
 * the state's memory, pole 0.8, forgets it within a few dozen samples). */
static void check_gains(const char *what, const char *path, const float *in)
{
	const double g = pow(10.0, 6.0 / 20.0);
	size_t n = 0;
	float *out = read_wav(path, &n);
	CHECK(out && n == FRAMES, "%s: output has %zu frames", what, n);
	if (!out || n != FRAMES) {
		free(out);
		return;
	}
	double h = 0, worst = 0;
	for (size_t i = 0; i < FRAMES; i++) {
		h = tanh(0.5 * g * in[i] + 0.8 * h);
		if (i >= RATE / 4)
			worst = fmax(worst, fabs(out[i] - g * 0.4 * h));
	}
	CHECK(worst < 1e-4, "%s: largest error %g after the gains settled", what, worst);
	free(out);
	remove(path);
}

/* The demo preset restores its model and its 6 dB gains; --set does the
 * same by hand. */
static void check_preset(const float *in)
{
	char args[2048];
	snprintf(args, sizeof args, "--preset %s#preset-soft-clip-smoother %s '%s' '%s'",
	         PLUGIN_URI, PLUGIN_URI, tmp("in.wav"), tmp("preset.wav"));
	CHECK(run_tool(args) == 0, "--preset: %s", errors);
	check_gains("--preset", tmp("preset.wav"), in);
	snprintf(args, sizeof args, "--model '%s' --set in_gain=6 --set out_gain=6 %s '%s' '%s'",
	         model, PLUGIN_URI, tmp("in.wav"), tmp("set.wav"));
	CHECK(run_tool(args) == 0, "--set: %s", errors);
	check_gains("--set", tmp("set.wav"), in);
}

static void check_listing(void)
{
	char args[512];
	snprintf(args, sizeof args, "--list-presets %s > '%s'", PLUGIN_URI, tmp("list.txt"));
	CHECK(run_tool(args) == 0, "--list-presets: %s", errors);
	FILE *f = fopen(tmp("list.txt"), "r");
	char text[8192] = "";
	if (f) {
		text[fread(text, 1, sizeof text - 1, f)] = '\0';
		fclose(f);
	}
	CHECK(strstr(text, PLUGIN_URI "#preset-soft-clip-smoother\t") != NULL,
	      "--list-presets lacks the demo preset: %s", text);
	remove(tmp("list.txt"));
}

/* Each bad invocation exits non-zero with a message naming the problem. */
static void check_errors(void)
{
	static const struct {
		const char *args;
		int rc;
		const char *fragment;
	} cases[] = {
	    {"https://example.org/none IN OUT", 1, "not found"},
	    {"--model /nonexistent/model.json " PLUGIN_URI " IN OUT", 1, "could not load"},
	    {"--preset https://example.org/p " PLUGIN_URI " IN OUT", 1, "no preset"},
	    {"--set nosuch=1 " PLUGIN_URI " IN OUT", 1, "no control port 'nosuch'"},
	    {"--block 0 " PLUGIN_URI " IN OUT", 2, "--block"},
	    {"--set gain " PLUGIN_URI " IN OUT", 2, "SYMBOL=NUMBER"},
	    {"--set in_gain=1e39 " PLUGIN_URI " IN OUT", 2, "SYMBOL=NUMBER"},
	    {PLUGIN_URI " STEREO OUT", 1, "mono"},
	    {PLUGIN_URI " /nonexistent.wav OUT", 1, "cannot read"},
	    {PLUGIN_URI " IN", 2, "Usage: recur-lv2-process"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char args[2048], *p = args;
		const char *s = cases[i].args;
		/* IN, STEREO and OUT stand for files in the scratch folder. */
		while (*s && p < args + sizeof args - 600) {
			if (!strncmp(s, "IN", 2) && (s[2] == ' ' || !s[2])) {
				p += sprintf(p, "'%s'", tmp("in.wav"));
				s += 2;
			} else if (!strncmp(s, "STEREO", 6)) {
				p += sprintf(p, "'%s'", tmp("stereo.wav"));
				s += 6;
			} else if (!strncmp(s, "OUT", 3)) {
				p += sprintf(p, "'%s'", tmp("bad.wav"));
				s += 3;
			} else {
				*p++ = *s++;
			}
		}
		*p = '\0';
		int rc = run_tool(args);
		CHECK(rc == cases[i].rc, "'%s': exit %d, expected %d", cases[i].args, rc,
		      cases[i].rc);
		CHECK_MSG(errors, cases[i].fragment);
	}
}

/* OUT.wav may not be IN.wav (by any name) nor the model: refused, and the
 * file is as it was. */
static void check_inputs_kept(void)
{
	size_t before = 0, after = 0;
	float *x = read_wav(tmp("in.wav"), &before);
	symlink(tmp("in.wav"), tmp("in-link.wav"));
	const char *outs[] = {tmp("in.wav"), tmp("in-link.wav")};
	for (size_t i = 0; i < 2; i++) {
		char args[2048];
		snprintf(args, sizeof args, "--model '%s' %s '%s' '%s'", model, PLUGIN_URI,
		         tmp("in.wav"), outs[i]);
		CHECK(run_tool(args) == 1, "OUT %s: not refused", outs[i]);
		CHECK_MSG(errors, "is the same file as IN.wav");
	}
	float *y = read_wav(tmp("in.wav"), &after);
	CHECK(x && y && before == after && memcmp(x, y, before * sizeof *x) == 0,
	      "IN.wav was changed");
	char args[2048];
	snprintf(args, sizeof args, "--model '%s' %s '%s' '%s'", model, PLUGIN_URI, tmp("in.wav"),
	         model);
	CHECK(run_tool(args) == 1, "OUT = the model: not refused");
	CHECK_MSG(errors, "is the same file as --model");
	remove(tmp("in-link.wav"));
	free(x);
	free(y);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_lv2_process RECUR_LV2_PROCESS DEMO_MODEL\n");
		return 2;
	}
	tool = argv[1];
	model = argv[2];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	static float in[FRAMES], stereo[2 * FRAMES];
	static double want[FRAMES];
	make_input(in);
	expected_output(in, want);
	for (size_t n = 0; n < FRAMES; n++)
		stereo[2 * n] = stereo[2 * n + 1] = in[n];
	CHECK(write_wav(tmp("in.wav"), in, FRAMES, 1) &&
	          write_wav(tmp("stereo.wav"), stereo, FRAMES, 2),
	      "cannot write the inputs in %s", dir);

	check_model_runs(want);
	check_preset(in);
	check_listing();
	check_errors();
	check_inputs_kept();

	remove(tmp("in.wav"));
	remove(tmp("stereo.wav"));
	remove(tmp("stderr.txt"));
	remove(dir);
	return check_exit();
}
