/* Every command-line tool answers --version / -V and --help / -h alike: on
 * stdout, nothing on stderr, exit 0; "NAME VERSION" with meson's project
 * version, and help that starts "Usage: NAME " and lists both options. An
 * unknown option: exit 2, a message on stderr, nothing on stdout.
 * Usage: test_tools_cli VERSION TOOL... */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static void check_tool(const char *exe, const char *version)
{
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", exe);
	const char *name = basename(copy);
	char want[256];
	tool_result r;
	for (int i = 0; i < 2; i++) {
		tool_run(&r, exe, (const char *[]){i ? "-V" : "--version", NULL});
		snprintf(want, sizeof want, "%s %s\n", name, version);
		CHECK(r.status == 0 && strcmp(r.out, want) == 0 && !r.err[0],
		      "%s %s: exit %d, stdout \"%s\", stderr \"%s\"", name, i ? "-V" : "--version",
		      r.status, r.out, r.err);
		tool_run(&r, exe, (const char *[]){i ? "-h" : "--help", NULL});
		snprintf(want, sizeof want, "Usage: %s ", name);
		CHECK(r.status == 0 && strncmp(r.out, want, strlen(want)) == 0 && !r.err[0],
		      "%s %s: exit %d, stdout starts \"%.40s\", stderr \"%s\"", name,
		      i ? "-h" : "--help", r.status, r.out, r.err);
		CHECK(strstr(r.out, "-h, --help ") && strstr(r.out, "-V, --version "),
		      "%s's help does not list -h, --help and -V, --version", name);
	}
	tool_run(&r, exe, (const char *[]){"--no-such-option", NULL});
	CHECK(r.status == 2 && r.err[0] && !r.out[0],
	      "%s --no-such-option: exit %d, stdout \"%.40s\"", name, r.status, r.out);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc < 3) {
		fprintf(stderr, "usage: test_tools_cli VERSION TOOL...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		check_tool(argv[i], argv[1]);
	return check_exit();
}
