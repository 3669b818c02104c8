/* The shipped demo: the committed model and clip are what their generators
 * make, within their stated limits, and the model does what its comment says.
 * Usage: test_demo RECUR_PROCESS MAKE_DEMO_MODEL MAKE_DEMO_CLIP PRESETS_DEMO_DIR */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "harness.h"

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)*len + 1);
	if (buf && fread(buf, 1, (size_t)*len, f) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void check_same_file(const char *shipped, const char *made)
{
	long a_len = 0, b_len = 0;
	char *a = slurp(shipped, &a_len), *b = slurp(made, &b_len);
	CHECK(a && b && a_len == b_len && memcmp(a, b, (size_t)a_len) == 0,
	      "%s is not what its generator makes now; regenerate it", shipped);
	free(a);
	free(b);
}

static void check_clip(const char *clip, const char *made)
{
	struct stat st;
	CHECK(stat(clip, &st) == 0 && st.st_size < 600 * 1024, "%s must be under 600 KB", clip);
	size_t frames;
	int channels, rate, format;
	float *x = read_audio(clip, &frames, &channels, &rate, &format);
	CHECK(x && channels == 1 && rate == 48000 && format == (SF_FORMAT_WAV | SF_FORMAT_PCM_16),
	      "%s: %d channels, %d Hz, format 0x%x", clip, channels, rate, format);
	CHECK(frames >= 2 * 48000 && frames <= 6 * 48000, "%zu frames: a few seconds", frames);
	free(x);
	check_same_file(clip, made);
}

/* The model as documented in make_demo_model.c, in double precision. */
static void check_model_output(const char *exe, const char *model, const char *clip)
{
	const char *out = scratch("demo.wav");
	tool_result r;
	tool_run(&r, exe, (const char *[]){"-q", model, clip, out, NULL});
	CHECK(r.status == 0 && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
	size_t frames, in_frames;
	int channels, rate, format;
	float *y = read_audio(out, &frames, &channels, &rate, &format);
	float *x = read_audio(clip, &in_frames, &channels, &rate, &format);
	CHECK(y && x && frames == in_frames, "%zu frames out, %zu in", frames, in_frames);
	double h = 0, worst = 0, peak = 0;
	for (size_t t = 0; y && x && t < frames; t++) {
		h = tanh(0.5 * x[t] + 0.8 * h);
		worst = fmax(worst, fabs(y[t] - 0.4 * h));
		peak = fmax(peak, fabs(y[t]));
	}
	CHECK_NEAR(worst, 0, 1e-5, "demo model against its documented equations");
	CHECK(peak <= 0.4 && peak > 0.2, "output peak %g: limited to 0.4 and not silent", peak);
	free(x);
	free(y);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 5) {
		fprintf(stderr,
		        "usage: test_demo RECUR_PROCESS MAKE_DEMO_MODEL MAKE_DEMO_CLIP DIR\n");
		return 2;
	}
	char model[1024], clip[1024];
	snprintf(model, sizeof model, "%s/soft-clip-smoother.json", argv[4]);
	snprintf(clip, sizeof clip, "%s/guitar-like.wav", argv[4]);
	tool_result r;
	tool_run(&r, argv[2], (const char *[]){scratch("model.json"), NULL});
	CHECK(r.status == 0, "make-demo-model: %d %s", r.status, r.err);
	tool_run(&r, argv[3], (const char *[]){scratch("clip.wav"), NULL});
	CHECK(r.status == 0, "make-demo-clip: %d %s", r.status, r.err);
	check_clip(clip, scratch("clip.wav"));
	check_same_file(model, scratch("model.json"));
	check_model_output(argv[1], model, clip);
	return check_exit();
}
