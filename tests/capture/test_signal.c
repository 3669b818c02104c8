/*
 * The standard capture signal: its layout at several rates, the JSON that
 * carries it in a file's comment (written by recur-capture, read back by
 * capture_layout_read), the parser's refusals, and the calibration pulses
 * where the layout says they are.
 *
 * Usage: test_capture_signal RECUR_CAPTURE WORK_DIR
 */
#include "check.h"
#include "standard_signal.h"

#include <stdlib.h>

static void layout_at(int rate)
{
	capture_layout l;
	capture_layout_make(rate, &l);
	const double seconds = (double)l.frames / rate;
	CHECK(seconds > 170 && seconds < 190, "%d Hz: %g s, about 3 minutes expected", rate,
	      seconds);
	size_t end = 0;
	for (int i = 0; i < l.n_segments; i++) {
		CHECK(l.seg[i].start == end, "%d Hz: segment %s starts at %zu, not %zu", rate,
		      l.seg[i].name, l.seg[i].start, end);
		end = l.seg[i].start + l.seg[i].frames;
	}
	CHECK(end == l.frames, "%d Hz: segments end at %zu of %zu", rate, end, l.frames);
	const char *needed[] = {"blips_start", "noise_floor", "repeat_a",   "repeat_b",
	                        "guitar",      "blips_end",   "sweep_-3dB", "noise_-12dB"};
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		CHECK(capture_find(&l, needed[i]) != NULL, "%d Hz: no %s", rate, needed[i]);
	const capture_segment *a = capture_find(&l, "repeat_a"), *b = capture_find(&l, "repeat_b");
	CHECK(a && b && a->frames == b->frames, "%d Hz: the repeats differ in length", rate);

	char *json = capture_layout_json(&l);
	capture_layout back;
	char err[300] = "";
	CHECK(json && capture_layout_parse(json, &back, err, sizeof err), "%d Hz: %s", rate, err);
	CHECK(back.frames == l.frames && back.rate == rate && back.n_segments == l.n_segments &&
	          back.blip[3] == l.blip[3] && back.seg[5].start == l.seg[5].start,
	      "%d Hz: the JSON does not give the layout back", rate);
	free(json);

	float *x = malloc(l.frames * sizeof *x);
	CHECK(x && capture_signal_render(&l, x, l.frames), "%d Hz: render", rate);
	for (int k = 0; x && k < CAPTURE_BLIPS; k++) {
		CHECK_NEAR(x[l.blip[k]], CAPTURE_BLIP_PEAK, 1e-6, "pulse peak");
		CHECK(x[l.blip[k] - CAPTURE_BLIP_HALF - 1] == 0 &&
		          x[l.blip[k] + CAPTURE_BLIP_HALF + 1] == 0,
		      "%d Hz: pulse %d is not alone", rate, k);
	}
	double peak = 0, floor_energy = 0;
	const capture_segment *q = capture_find(&l, "noise_floor");
	for (size_t i = 0; x && i < l.frames; i++)
		peak = check_larger(peak, fabs(x[i]));
	for (size_t i = 0; x && i < q->frames; i++)
		floor_energy += x[q->start + i] * (double)x[q->start + i];
	CHECK(peak > 0.5 && peak < 0.75, "%d Hz: peak %g, headroom expected", rate, peak);
	CHECK(floor_energy == 0, "%d Hz: the noise-floor segment is not silent", rate);
	for (size_t i = 0; x && a && b && i < a->frames; i++)
		if (x[a->start + i] != x[b->start + i]) {
			CHECK(0, "%d Hz: the repeats differ at frame %zu", rate, i);
			break;
		}
	capture_layout seen;
	CHECK(x && capture_signal_recognise(x, l.frames, rate, &seen) && seen.frames == l.frames,
	      "%d Hz: the signal is not recognised", rate);
	if (x)
		x[l.blip[0]] = 0.1f;
	CHECK(x && !capture_signal_recognise(x, l.frames, rate, &seen),
	      "%d Hz: a broken pulse is recognised", rate);
	free(x);
}

static void refusals(void)
{
	const char *bad[] = {
	    "not json",
	    "{\"recur_capture\":2,\"rate\":48000,\"frames\":10,\"segments\":[{\"name\":\"a\","
	    "\"start\":0,\"frames\":10}],\"blips\":[1,2,3,4]}",
	    "{\"recur_capture\":1,\"rate\":48000,\"frames\":10,\"segments\":[{\"name\":\"a\","
	    "\"start\":5,\"frames\":10}],\"blips\":[1,2,3,4]}",
	    "{\"recur_capture\":1,\"rate\":48000,\"frames\":10,\"segments\":[{\"name\":\"a\","
	    "\"start\":0,\"frames\":10}],\"blips\":[1,2,3,40]}",
	    "{\"recur_capture\":1,\"rate\":100,\"frames\":10,\"segments\":[{\"name\":\"a\","
	    "\"start\":0,\"frames\":10}],\"blips\":[1,2,3,4]}",
	};
	const char *why[] = {"not JSON", "version 2", "segment 0", "\"blips\"", "\"rate\""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		capture_layout l;
		char err[300] = "";
		CHECK(!capture_layout_parse(bad[i], &l, err, sizeof err), "accepted %s", bad[i]);
		CHECK_MSG(err, why[i]);
	}
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_capture_signal RECUR_CAPTURE WORK_DIR\n");
		return 2;
	}
	layout_at(44100);
	layout_at(48000);
	layout_at(96000);
	refusals();

	char path[4096], cmd[8192];
	snprintf(path, sizeof path, "%s/capture-44100.wav", argv[2]);
	snprintf(cmd, sizeof cmd, "'%s' --rate 44100 --format float '%s'", argv[1], path);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	capture_layout l, want;
	char err[300] = "";
	capture_layout_make(44100, &want);
	CHECK(capture_layout_read(path, &l, err, sizeof err) == 1, "read back: %s", err);
	CHECK(l.frames == want.frames && l.rate == 44100 && l.blip[2] == want.blip[2],
	      "the file's layout is not the standard one");
	remove(path);
	snprintf(cmd, sizeof cmd, "'%s' --rate 1000 '%s' 2>/dev/null", argv[1], path);
	CHECK(system(cmd) != 0, "--rate 1000 accepted");
	return check_exit();
}
