/* recur-process --check MODEL: the file's own test data and the check block
 * are run and reported, exit 3 beyond 1e-5; an assumed rate is said so.
 * Usage: test_check RECUR_PROCESS */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static const char *exe;

/* One LSTM unit with every weight 0 and in_skip: the output is the input, so
 * the expected outputs are known without running anything. */
#define AIDAX(extra, out)                                                                          \
	"{\"in_shape\": [null, null, 1], \"in_skip\": 1, " extra "\"layers\": [{\"type\": "        \
	"\"lstm\", \"shape\": [null, null, 1], \"weights\": [[[0, 0, 0, 0]], [[0, 0, 0, 0]], [0, " \
	"0, 0, 0]]}, {\"type\": \"dense\", \"activation\": \"\", \"shape\": [null, null, 1], "     \
	"\"weights\": [[[0]], [0]]}], \"input_batch\": [0.5, -0.25, 1], \"output_batch\": " out    \
	"}"

static void expect(const char *name, const char *text, int status, const char *fragment)
{
	const char *path = scratch(name);
	CHECK(write_text(path, text, strlen(text)), "cannot write %s", path);
	tool_result r;
	tool_run(&r, exe, (const char *[]){"--check", path, NULL});
	CHECK(r.status == status, "%s: exit %d, wanted %d (%s%s)", name, r.status, status, r.out,
	      r.err);
	CHECK_MSG(r.out, fragment);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_check RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	expect("agrees.json", AIDAX("\"samplerate\": \"48000\", ", "[0.5, -0.25, 1]"), 0,
	       "file's own test data, as read: 3 frames, largest difference 0: ok");
	expect("agrees2.json", AIDAX("", "[0.5, -0.25, 1]"), 0,
	       "check block, run now: 3 frames, largest difference 0: ok");
	expect("rate.json", AIDAX("", "[0.5, -0.25, 1]"), 0,
	       "sample rate: 48000 Hz, assumed (the file states no sample rate; 48000 Hz assumed, "
	       "as AIDA-X does)");
	expect("disagrees.json", AIDAX("", "[0.5, -0.25, 0.75]"), 3,
	       "file's own test data, as read: 3 frames, largest difference 0.25: DISAGREES");
	expect("read_as.json", AIDAX("", "[0.5, -0.25, 1]"), 0, "read as: aida-x");
	tool_result r;
	tool_run(&r, exe, (const char *[]){"--check", "a", "b", NULL});
	CHECK(r.status == 2, "--check with two files: exit %d", r.status);
	CHECK_MSG(r.err, "--check takes one MODEL and nothing else");
	return check_exit();
}
