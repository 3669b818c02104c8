/* recur-process on audio: known-answer runs through hand-computed networks,
 * channel choice, sample formats, rate warnings and broken audio files.
 * Usage: test_audio RECUR_PROCESS */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define FRAMES 1200

static const char *exe;

/* A test signal that is neither periodic in the block size nor small. */
static float signal_at(size_t t, int channel)
{
	return (float)(0.7 * sin(0.013 * (double)t * (channel + 1)) +
	               0.25 * sin(0.31 * (double)t + channel));
}

static void make_input(const char *path, int channels, int rate)
{
	static float x[FRAMES * 2];
	for (size_t t = 0; t < FRAMES; t++)
		for (int c = 0; c < channels; c++)
			x[t * channels + c] = signal_at(t, c);
	CHECK(write_wav(path, x, FRAMES, channels, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT),
	      "writing %s", path);
}

/* Largest |output - reference| over the file, output o in channel o, less
 * quantum (the rounding a PCM format may add; PCM also clips at +-1). */
static double max_error(const ref_net *n, const char *out, int channel_in, const double *cond,
                        double quantum)
{
	size_t frames;
	int channels, rate, format;
	float *y = read_audio(out, &frames, &channels, &rate, &format);
	CHECK(y != NULL, "reading %s", out);
	if (!y)
		return INFINITY;
	CHECK(frames == FRAMES && channels == n->n_out && rate == 48000,
	      "%zu frames, %d channels, %d Hz", frames, channels, rate);
	ref_state s = {{0}, {0}};
	double worst = 0;
	for (size_t t = 0; t < frames && t < FRAMES; t++) {
		double x[NET_MAX_IN] = {signal_at(t, channel_in)}, want[NET_MAX_OUT];
		for (int i = 1; i < n->n_in; i++)
			x[i] = cond[i - 1];
		ref_step(n, &s, x, want);
		for (int o = 0; o < n->n_out && o < channels; o++) {
			double w = quantum > 0 ? fmin(1, fmax(-1, want[o])) : want[o];
			worst = fmax(worst, fabs(y[t * channels + o] - w) - quantum);
		}
	}
	free(y);
	return worst;
}

static void test_cells(void)
{
	static const char *const in[] = {"sig", "tone"}, *const out[] = {"wet", "dry"};
	const char *wav = scratch("in.wav"), *model = scratch("m.json"), *res = scratch("o.wav");
	make_input(wav, 1, 48000);
	for (int cell = RECUR_CELL_RNN; cell <= RECUR_CELL_LSTM; cell++) {
		ref_net n = {.cell = (recur_cell)cell, .n_in = 2, .n_out = 1, .hidden = 3};
		ref_fill(&n, 7u + (unsigned)cell);
		n.skip = cell == RECUR_CELL_GRU;
		if (!ref_save(&n, in, out, 48000, model))
			continue;
		tool_result r;
		tool_run(&r, exe,
		         (const char *[]){"-q", "--cond", "tone=0.5", model, wav, res, NULL});
		CHECK(r.status == 0, "%s: exit %d: %s", recur_cell_name(cell), r.status, r.err);
		CHECK(r.err[0] == '\0', "-q run said: %s", r.err);
		CHECK_NEAR(max_error(&n, res, 0, (double[]){0.5}, 0), 0, 2e-5, "cond 0.5");
		/* Without --cond the model's default (0.25 in ref_save) is held. */
		tool_run(&r, exe, (const char *[]){model, wav, res, NULL});
		CHECK(r.status == 0 && strstr(r.err, "1200 frames"), "summary: %s", r.err);
		CHECK_NEAR(max_error(&n, res, 0, (double[]){0.25}, 0), 0, 2e-5, "default cond");
		/* A wrong condition value must show, or the check above means nothing. */
		CHECK(max_error(&n, res, 0, (double[]){0.5}, 0) > 1e-4, "cond has no effect");
	}
}

static void test_formats_and_channels(void)
{
	static const char *const in[] = {"x"}, *const out[] = {"a", "b"};
	const char *wav = scratch("st.wav"), *model = scratch("m2.json");
	make_input(wav, 2, 48000);
	ref_net n = {.cell = RECUR_CELL_GRU, .n_in = 1, .n_out = 2, .hidden = 4};
	ref_fill(&n, 99);
	if (!ref_save(&n, in, out, 48000, model))
		return;
	tool_result r;
	const char *res = scratch("o2.wav");
	tool_run(&r, exe, (const char *[]){"--channel", "1", model, wav, res, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	CHECK_NEAR(max_error(&n, res, 1, NULL, 0), 0, 2e-5, "two outputs from channel 1");

	tool_run(&r, exe, (const char *[]){"--format", "pcm24", model, wav, res, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	size_t frames;
	int channels, rate, format;
	free(read_audio(res, &frames, &channels, &rate, &format));
	CHECK(format == (SF_FORMAT_WAV | SF_FORMAT_PCM_24), "format 0x%x", format);
	/* 24-bit quantisation adds at most one step, 2^-23. */
	CHECK_NEAR(max_error(&n, res, 0, NULL, 1.0 / (1 << 23)), 0, 2e-5, "pcm24");
	res = scratch("o2.flac");
	tool_run(&r, exe, (const char *[]){"--format", "pcm16", model, wav, res, NULL});
	free(read_audio(res, &frames, &channels, &rate, &format));
	CHECK(r.status == 0 && format == (SF_FORMAT_FLAC | SF_FORMAT_PCM_16), "flac: %d 0x%x %s",
	      r.status, format, r.err);
	tool_run(&r, exe, (const char *[]){model, wav, scratch("o3.flac"), NULL});
	CHECK(r.status == 1 && strstr(r.err, "o3.flac: FLAC cannot hold 32-bit float samples"),
	      "float flac: %d %s", r.status, r.err);
}

static void test_rate_conversion(void)
{
	static const char *const in[] = {"x"}, *const out[] = {"y"};
	const char *wav = scratch("r.wav"), *model = scratch("m3.json");
	ref_net n = {.cell = RECUR_CELL_RNN, .n_in = 1, .n_out = 1, .hidden = 2};
	ref_fill(&n, 5);
	if (!ref_save(&n, in, out, 48000, model))
		return;
	make_input(wav, 1, 44100);
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, wav, scratch("r-out.wav"), NULL});
	CHECK(r.status == 0, "exit %d", r.status);
	CHECK_MSG(r.err, "r.wav is 44100 Hz, the model 48000 Hz: converted: state delay of 0.9187");
	size_t frames;
	int channels, rate, format;
	free(read_audio(scratch("r-out.wav"), &frames, &channels, &rate, &format));
	CHECK(rate == 44100, "output at %d Hz, the input's rate is 44100", rate);
	make_input(wav, 1, 48000);
	tool_run(&r, exe, (const char *[]){"-q", model, wav, scratch("r-out.wav"), NULL});
	CHECK(r.status == 0 && !strstr(r.err, "warning"), "matching rate: %s", r.err);
}

static void expect_failure(const char *const *args, int status, const char *fragment)
{
	tool_result r;
	tool_run(&r, exe, args);
	CHECK(r.status == status, "exit %d, wanted %d (%s)", r.status, status, r.err);
	CHECK_MSG(r.err, fragment);
}

static void test_bad_inputs(void)
{
	static const char *const in[] = {"x", "drive"}, *const out[] = {"y"};
	const char *model = scratch("m4.json"), *wav = scratch("ok.wav");
	ref_net n = {.cell = RECUR_CELL_RNN, .n_in = 2, .n_out = 1, .hidden = 2};
	ref_fill(&n, 11);
	if (!ref_save(&n, in, out, 48000, model))
		return;
	make_input(wav, 1, 48000);
	const char *junk = scratch("junk.wav"), *cut = scratch("cut.wav");
	write_text(junk, "this is not audio at all, just text\n", 36);
	write_text(cut, "RIFF\x24\x00\x00\x00WAVEfmt ", 16);
	const char *o = scratch("bad-out.wav");
	expect_failure((const char *[]){model, junk, o, NULL}, 1, "junk.wav: cannot read as audio");
	expect_failure((const char *[]){model, cut, o, NULL}, 1, "cut.wav: cannot read as audio");
	expect_failure((const char *[]){model, scratch("absent.wav"), o, NULL}, 1, "absent.wav");
	expect_failure((const char *[]){"--channel", "1", model, wav, o, NULL}, 1,
	               "has 1 channel; channel 1 does not exist");
	expect_failure((const char *[]){junk, wav, o, NULL}, 1, "junk.wav: ");
	expect_failure((const char *[]){scratch("nomodel.json"), wav, o, NULL}, 1, "nomodel.json");
	expect_failure((const char *[]){"--cond", "tone=1", model, wav, o, NULL}, 2,
	               "--cond tone: the model has no input of that name; the conditioning "
	               "inputs are: drive");
	expect_failure((const char *[]){"--cond", "x=1", model, wav, o, NULL}, 2,
	               "input 0 is the signal");
	expect_failure((const char *[]){model, wav, scratch("no/such/dir/o.wav"), NULL}, 1,
	               "o.wav: cannot write");
	tool_result r;
	tool_run(&r, exe, (const char *[]){"--cond", "drive=3", model, wav, o, NULL});
	CHECK(r.status == 0, "out-of-range cond still runs: %d", r.status);
	CHECK_MSG(r.err, "--cond drive=3 is outside the range the model was trained on [-1, 1]");
}

/* A FLAC whose header claims 2^36 - 1 frames (STREAMINFO's total-samples
 * field) but holds 256: it runs, over the 256 that are there, with no
 * allocation sized by the claim. */
static void test_claimed_length(void)
{
	static const char *const in[] = {"x"}, *const out[] = {"y"};
	const char *model = scratch("m-claim.json"), *flac = scratch("claims.flac");
	ref_net n = {.cell = RECUR_CELL_GRU, .n_in = 1, .n_out = 1, .hidden = 2};
	ref_fill(&n, 5);
	float x[256];
	for (size_t t = 0; t < 256; t++)
		x[t] = signal_at(t, 0);
	if (!ref_save(&n, in, out, 48000, model) ||
	    !write_wav(flac, x, 256, 1, 48000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16))
		return;
	FILE *f = fopen(flac, "r+b");
	unsigned char info[26];
	CHECK(f && fread(info, 1, sizeof info, f) == sizeof info && !memcmp(info, "fLaC", 4),
	      "a FLAC with STREAMINFO first");
	if (!f)
		return;
	info[21] |= 0x0f; /* the 36-bit count: the low nibble of byte 21, bytes 22-25 */
	memset(info + 22, 0xff, 4);
	CHECK(fseek(f, 21, SEEK_SET) == 0 && fwrite(info + 21, 1, 5, f) == 5 && fclose(f) == 0,
	      "patching %s", flac);
	const char *o = scratch("claims-out.wav");
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, flac, o, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	size_t frames;
	int channels, rate, format;
	float *y = read_audio(o, &frames, &channels, &rate, &format);
	CHECK(y && frames == 256, "%zu frames out", y ? frames : 0);
	free(y);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_audio RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	test_cells();
	test_formats_and_channels();
	test_rate_conversion();
	test_bad_inputs();
	test_claimed_length();
	return check_exit();
}
