/* Runs files through a fuzz target without libFuzzer, so the seed corpus is
 * a regression test in every build: each file given, or each file in each
 * folder given, is read and passed to LLVMFuzzerTestOneInput, which aborts on
 * a broken promise. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not MAX_INPUT: <limits.h> has that one (a terminal's line length). */
#define MAX_REPLAY_BYTES (1 << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *buf = malloc(MAX_REPLAY_BYTES);
	size_t n = buf ? fread(buf, 1, MAX_REPLAY_BYTES, f) : 0;
	fclose(f);
	if (!buf)
		return -1;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

/* Files replayed from path (a file or a folder of files), or -1. */
static int replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	DIR *d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	int n = 0;
	char child[4096];
	for (struct dirent *e; n >= 0 && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(child, sizeof child, "%s/%s", path, e->d_name);
		int got = replay_file(child);
		n = got < 0 ? -1 : n + got;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int total = 0;
	for (int i = 1; i < argc; i++) {
		int n = replay(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	printf("%d files replayed\n", total);
	return total > 0 ? 0 : 77;
}
