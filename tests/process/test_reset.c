/* --reset-every: the output equals processing each chunk on its own, for
 * chunks shorter and longer than the engine block, ragged last chunk included.
 * Usage: test_reset RECUR_PROCESS */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define FRAMES 9500

static const char *exe;

static float sample(size_t t)
{
	return (float)(0.8 * sin(0.002 * (double)t) * sin(0.05 * (double)t));
}

/* Output of the reference with its state cleared every `every` frames. */
static double max_error(const ref_net *n, const float *y, size_t from, size_t frames, size_t every)
{
	ref_state s;
	double worst = 0;
	for (size_t t = 0; t < frames; t++) {
		if ((from + t) % every == 0)
			memset(&s, 0, sizeof s);
		double x = sample(from + t), want;
		ref_step(n, &s, &x, &want);
		worst = fmax(worst, fabs(y[t] - want));
	}
	return worst;
}

static float *run(const char *model, const char *in, const char *every, size_t *frames)
{
	const char *out = scratch("out.wav");
	tool_result r;
	if (every)
		tool_run(&r, exe, (const char *[]){"--reset-every", every, model, in, out, NULL});
	else
		tool_run(&r, exe, (const char *[]){model, in, out, NULL});
	CHECK(r.status == 0, "exit %d: %s", r.status, r.err);
	int channels, rate, format;
	return read_audio(out, frames, &channels, &rate, &format);
}

/* Every chunk written as its own file and processed without --reset-every. */
static void check_chunks(const char *model, const float *x, const float *whole, size_t every)
{
	bool same = true;
	for (size_t from = 0; from < FRAMES; from += every) {
		size_t len = FRAMES - from < every ? FRAMES - from : every, got = 0;
		const char *in = scratch("chunk.wav");
		write_wav(in, x + from, len, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
		float *y = run(model, in, NULL, &got);
		CHECK(y && got == len, "chunk at %zu: %zu frames", from, got);
		same = same && y && got == len && memcmp(y, whole + from, len * sizeof(float)) == 0;
		free(y);
	}
	CHECK(same, "--reset-every %zu differs from chunks processed one by one", every);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_reset RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	static const char *const in_names[] = {"x"}, *const out_names[] = {"y"};
	ref_net n = {.cell = RECUR_CELL_LSTM, .n_in = 1, .n_out = 1, .hidden = 4};
	ref_fill(&n, 31);
	/* A slow recurrence, so state carried across a boundary is visible. */
	for (int r = 0; r < 4 * n.hidden; r++)
		n.b_ih[r] += r / n.hidden == 1 ? 2.0 : 0; /* forget gate near 1 */
	const char *model = scratch("m.json"), *in = scratch("in.wav");
	if (!ref_save(&n, in_names, out_names, 48000, model))
		return 1;
	static float x[FRAMES];
	for (size_t t = 0; t < FRAMES; t++)
		x[t] = sample(t);
	write_wav(in, x, FRAMES, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	static const char *const everies[] = {"700", "5000"};
	for (int k = 0; k < 2; k++) {
		size_t every = (size_t)atoi(everies[k]), frames = 0;
		float *y = run(model, in, everies[k], &frames);
		CHECK(y && frames == FRAMES, "%zu frames", frames);
		if (!y || frames != FRAMES)
			continue;
		CHECK_NEAR(max_error(&n, y, 0, FRAMES, every), 0, 2e-5, everies[k]);
		/* Without resets the same reference must disagree, or nothing was tested. */
		CHECK(max_error(&n, y, 0, FRAMES, FRAMES) > 1e-4, "resets made no difference");
		check_chunks(model, x, y, every);
		free(y);
	}
	return check_exit();
}
