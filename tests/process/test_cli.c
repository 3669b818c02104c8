/* recur-process's command line: --help, --version, and usage errors (exit 2)
 * caught before any file is touched. Usage: test_cli RECUR_PROCESS VERSION */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static const char *exe;

static void expect(const char *const *args, int status, const char *fragment)
{
	tool_result r;
	tool_run(&r, exe, args);
	CHECK(r.status == status, "%s...: exit %d, wanted %d (%s)", args[0] ? args[0] : "",
	      r.status, status, r.err);
	if (status == 2)
		CHECK_MSG(r.err, "Try 'recur-process --help'.");
	CHECK_MSG(status == 0 ? r.out : r.err, fragment);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_cli RECUR_PROCESS VERSION\n");
		return 2;
	}
	exe = argv[1];
	char version[64];
	snprintf(version, sizeof version, "recur-process %s\n", argv[2]);
	expect((const char *[]){"--help", NULL}, 0, "Usage: recur-process [OPTIONS] MODEL INPUT");
	expect((const char *[]){"-h", NULL}, 0, "--reset-every N");
	expect((const char *[]){"--version", NULL}, 0, version);
	expect((const char *[]){NULL}, 2, "expected MODEL INPUT OUTPUT");
	expect((const char *[]){"m.json", "in.wav", NULL}, 2, "OUTPUT may be left out only with");
	expect((const char *[]){"a", "b", "c", "d", NULL}, 2, "too many arguments");
	expect((const char *[]){"--bogus", "a", "b", "c", NULL}, 2, "unrecognized option");
	expect((const char *[]){"--reset-every", "0", "a", "b", "c", NULL}, 2,
	       "--reset-every wants a frame count above 0, got \"0\"");
	expect((const char *[]){"--reset-every", "12x", "a", "b", "c", NULL}, 2, "got \"12x\"");
	expect((const char *[]){"--channel", "-1", "a", "b", "c", NULL}, 2, "got \"-1\"");
	expect((const char *[]){"--format", "mp3", "a", "b", "c", NULL}, 2,
	       "--format wants float, pcm24 or pcm16, got \"mp3\"");
	expect((const char *[]){"--cond", "gain", "a", "b", "c", NULL}, 2,
	       "--cond wants NAME=NUMBER, got \"gain\"");
	expect((const char *[]){"--cond", "gain=loud", "a", "b", "c", NULL}, 2, "gain=loud");
	expect((const char *[]){"--esr-preemph", "2", "a", "b", "c", NULL}, 2, "[-1, 1]");
	expect((const char *[]){"--output-type", "ogg", "a", "b", "c", NULL}, 2, "got \"ogg\"");
	expect((const char *[]){"--input-type", "midi", "a", "b", "c", NULL}, 2, "got \"midi\"");
	expect((const char *[]){"--keep-columns", "m", "in.wav", "out.csv", NULL}, 2,
	       "--keep-columns needs a CSV INPUT and a CSV OUTPUT");
	expect((const char *[]){"--inputs", "a", "m", "in.wav", "out.wav", NULL}, 2,
	       "--inputs selects CSV columns; INPUT is not CSV");
	expect((const char *[]){"--channel", NULL}, 2, "requires an argument");
	expect((const char *[]){"--help", NULL}, 0, "converted:minimax:ORDER");
	expect((const char *[]){"--rate-method", "converted:minimax:9", "a", "b", "c", NULL}, 2,
	       "--rate-method wants auto, naive, resampled, converted, converted:ORDER or "
	       "converted:lagrange|minimax:ORDER (ORDER 0..5), got \"converted:minimax:9\"");
	expect((const char *[]){"--rate-method", "naive:2", "a", "b", "c", NULL}, 2,
	       "got \"naive:2\"");
	return check_exit();
}
