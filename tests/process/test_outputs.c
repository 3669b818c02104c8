/*
 * recur-process never destroys a user's file: OUTPUT may not be one of its
 * inputs (by name, hard link or symbolic link), nor a file of another kind;
 * a full disk, SIGKILL or SIGTERM during the write leaves the previous
 * OUTPUT as it was. Also: denormal inputs are flushed to zero as in the
 * plugin, and --cond refuses values beyond a float.
 * Usage: test_outputs RECUR_PROCESS
 */
#include "../full_disk.h"

#include <dirent.h>
#include <sndfile.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"
#include "harness.h"

static const char *exe;
static const char *model;

/* The whole file, or NULL; *len its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	*len = b ? fread(b, 1, (size_t)n, f) : 0;
	fclose(f);
	return b;
}

static bool same_bytes(const char *path, const char *bytes, size_t len)
{
	size_t n = 0;
	char *now = slurp(path, &n);
	bool same = now && n == len && memcmp(now, bytes, len) == 0;
	free(now);
	return same;
}

/* Names in the folder of path that contain ".partial-". */
static int partial_files(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".partial-") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* Bytes in the *.partial-* files beside path: the early writability probe
 * makes an empty one and removes it at once, the real write fills one. */
static long long partial_bytes(const char *path)
{
	char dir[512], name[1024];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	DIR *d = opendir(dir);
	long long bytes = 0;
	struct dirent *e;
	struct stat st;
	while (d && (e = readdir(d))) {
		snprintf(name, sizeof name, "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, ".partial-") && stat(name, &st) == 0)
			bytes += (long long)st.st_size;
	}
	if (d)
		closedir(d);
	return bytes;
}

static void remove_partial_files(const char *path)
{
	char dir[512], name[1024];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".partial-")) {
			snprintf(name, sizeof name, "%s/%s", dir, e->d_name);
			unlink(name);
		}
	if (d)
		closedir(d);
}

/* Runs recur-process with args and checks it refuses (exit 1 or 2) with
 * fragment in its message, leaving victim byte for byte as it was. */
static void refuses(const char *const *args, const char *victim, const char *fragment)
{
	size_t len = 0;
	char *before = slurp(victim, &len);
	tool_result r;
	tool_run(&r, exe, args);
	CHECK(r.status == 1 || r.status == 2, "exit %d, wanted a refusal (%s)", r.status, r.err);
	CHECK_MSG(r.err, fragment);
	CHECK(before && same_bytes(victim, before, len), "%s was changed", victim);
	free(before);
}

static void make_files(void)
{
	const size_t n = 4800;
	float *x = malloc(n * sizeof *x);
	for (size_t i = 0; i < n; i++)
		x[i] = 0.5f * sinf(0.01f * (float)i);
	write_wav(scratch("in.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	write_wav(scratch("target.wav"), x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	write_text(scratch("in.csv"), "x\n0.1\n0.2\n0.3\n", 14);
	write_text(scratch("notes.json"), "{\"mine\": true}\n", 15);
	ref_net net = {.cell = RECUR_CELL_RNN, .n_in = 1, .n_out = 1, .hidden = 2};
	ref_fill(&net, 3);
	static const char *const in[] = {"x"}, *const out[] = {"y"};
	model = scratch("m.json");
	ref_save(&net, in, out, 48000, model);
}

/* The same path twice, a hard link, a symbolic link, the model, the ESR
 * target: each is an input the run reads. */
static void test_inputs_are_never_outputs(void)
{
	const char *wav = scratch("in.wav"), *csv = scratch("in.csv");
	refuses((const char *[]){model, wav, wav, NULL}, wav, "is the same file as INPUT");
	refuses((const char *[]){model, csv, csv, NULL}, csv, "is the same file as INPUT");
	link(wav, scratch("hard.wav"));
	refuses((const char *[]){model, wav, scratch("hard.wav"), NULL}, wav,
	        "is the same file as INPUT");
	symlink(wav, scratch("soft.wav"));
	refuses((const char *[]){model, wav, scratch("soft.wav"), NULL}, wav,
	        "is the same file as INPUT");
	refuses((const char *[]){"--output-type", "csv", model, csv, model, NULL}, model,
	        "is the same file as MODEL");
	const char *target = scratch("target.wav");
	refuses((const char *[]){"--esr", target, model, wav, target, NULL}, target,
	        "is the same file as --esr");
}

/* An existing OUTPUT of another kind than the one written stays. */
static void test_other_kinds_stay(void)
{
	const char *wav = scratch("in.wav"), *json = scratch("notes.json");
	refuses((const char *[]){"--output-type", "wav", model, wav, json, NULL}, json,
	        "holds JSON, and audio would replace it");
	const char *target = scratch("target.wav"), *as_csv = scratch("target-copy.csv");
	size_t len;
	char *bytes = slurp(target, &len);
	write_text(as_csv, bytes, len);
	free(bytes);
	refuses((const char *[]){model, scratch("in.csv"), as_csv, NULL}, as_csv,
	        "holds audio, and text would replace it");
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, wav, scratch("no/such/folder/o.wav"), NULL});
	CHECK(r.status == 1, "missing folder: exit %d", r.status);
	CHECK_MSG(r.err, "o.wav: cannot write: no file can be created in its folder");
}

/* A previous output is replaced whole; its permissions stay, and a symbolic
 * link to it stays a link. */
static void test_replacing_a_previous_output(void)
{
	const char *wav = scratch("in.wav"), *out = scratch("prev.wav");
	tool_result r;
	write_text(out, "RIFF old", 8);
	chmod(out, 0640);
	tool_run(&r, exe, (const char *[]){"-q", model, wav, out, NULL});
	CHECK(r.status == 0, "replacing an earlier output: %s", r.err);
	struct stat st;
	CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0640, "mode %o, wanted 640",
	      (unsigned)(st.st_mode & 0777));
	CHECK(st.st_size > 4800 * 4, "output has %lld bytes", (long long)st.st_size);
	symlink(out, scratch("link.wav"));
	tool_run(&r, exe, (const char *[]){"-q", model, wav, scratch("link.wav"), NULL});
	CHECK(r.status == 0, "writing through a link: %s", r.err);
	CHECK(lstat(scratch("link.wav"), &st) == 0 && S_ISLNK(st.st_mode),
	      "the symbolic link was replaced by a file");
	CHECK(partial_files(out) == 0, "temporary files left behind");
}

static pid_t spawn(const char *const *args)
{
	const char *argv[16] = {exe};
	for (int i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Waits until out is being written: a temporary file beside it with data in
 * it (not the empty probe of the writability check), or out itself changing
 * in place (same inode, another size). false if the process ended or out was
 * already replaced whole (the write is over). */
static bool wait_for_write(pid_t pid, const char *out)
{
	struct stat before, now;
	if (stat(out, &before) != 0)
		return false;
	for (;;) {
		if (partial_bytes(out) > 0)
			return true;
		if (stat(out, &now) == 0) {
			if (now.st_ino != before.st_ino)
				return false;
			if (now.st_size != before.st_size)
				return true;
		}
		int ws;
		if (waitpid(pid, &ws, WNOHANG) == pid)
			return false;
	}
}

/* A signal while OUTPUT is being written: the previous OUTPUT stays, and
 * SIGKILL's leftover is named as what it is. */
static void test_signal_during_write(int sig)
{
	const size_t n = 1u << 22; /* 16 MB of output: its write takes a while */
	const char *big = scratch(sig == SIGKILL ? "big-k.wav" : "big-t.wav");
	float *x = calloc(n, sizeof *x);
	write_wav(big, x, n, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	const char *out = scratch(sig == SIGKILL ? "kept-k.wav" : "kept-t.wav");
	write_text(out, "RIFF the previous output", 24);
	for (int attempt = 0; attempt < 5; attempt++) {
		pid_t pid = spawn((const char *[]){"-q", model, big, out, NULL});
		bool writing = wait_for_write(pid, out);
		if (writing)
			kill(pid, sig);
		int ws;
		waitpid(pid, &ws, 0);
		if (!writing) {
			write_text(out, "RIFF the previous output", 24);
			continue; /* finished before it was seen writing: again */
		}
		if (!WIFSIGNALED(ws))
			continue; /* the write ended first */
		CHECK(same_bytes(out, "RIFF the previous output", 24),
		      "signal %d during the write changed the previous output", sig);
		int left = partial_files(out);
		if (sig == SIGKILL) {
			CHECK(left == 1, "%d leftovers named *.partial-*, wanted 1", left);
		} else {
			CHECK(left == 0, "SIGTERM left %d temporary files", left);
		}
		printf("signal %d during the write: checked\n", sig);
		remove_partial_files(out);
		return;
	}
	printf("signal %d: never caught the write in progress; not checked\n", sig);
}

/* The disk fills up during the write: exit 1, the previous OUTPUT stays
 * and no temporary file is left. */
static void test_full_disk(void)
{
	const char *dir = scratch("full");
	mkdir(dir, 0755);
	const char *wav = scratch("in.wav");
	const char *out_wav = scratch("full/prev.wav"), *out_csv = scratch("full/prev.csv");
	bool tmpfs = full_disk_mount(dir, "64k");
	write_text(out_wav, "RIFF the previous output", 24);
	write_text(out_csv, "y\n7\n", 4);
	if (tmpfs)
		CHECK(full_disk_fill(dir), "could not fill the tmpfs");
	else
		file_size_limit(1024);
	printf("full disk: %s\n", tmpfs ? "a full tmpfs" : "RLIMIT_FSIZE (not root)");
	tool_result r;
	tool_run(&r, exe, (const char *[]){model, wav, out_wav, NULL});
	CHECK(r.status == 1, "full disk, audio: exit %d (%s)", r.status, r.err);
	CHECK_MSG(r.err, "prev.wav");
	CHECK_MSG(r.err, "unchanged");
	CHECK(same_bytes(out_wav, "RIFF the previous output", 24), "the previous audio changed");
	static char many[64 * 1024];
	size_t at = (size_t)snprintf(many, sizeof many, "x\n");
	while (at + 16 < sizeof many)
		at += (size_t)snprintf(many + at, sizeof many - at, "0.123456789\n");
	write_text(scratch("long.csv"), many, at);
	tool_run(&r, exe, (const char *[]){model, scratch("long.csv"), out_csv, NULL});
	CHECK(r.status == 1, "full disk, CSV: exit %d (%s)", r.status, r.err);
	CHECK(same_bytes(out_csv, "y\n7\n", 4), "the previous CSV changed");
	CHECK(partial_files(out_wav) == 0, "temporary files left on the full disk");
	if (tmpfs)
		umount2(dir, MNT_DETACH);
	else
		file_size_limit(0);
}

/* Denormal inputs are zero to the engine, as in the plugin's run(): a
 * network that passes its input straight through (skip, zero weights)
 * gives 0 for 1e-40. */
static void test_denormals_flushed(void)
{
	ref_net net = {.cell = RECUR_CELL_GRU, .n_in = 1, .n_out = 1, .hidden = 2, .skip = true};
	static const char *const in[] = {"x"}, *const out[] = {"y"};
	const char *through = scratch("through.json");
	ref_save(&net, in, out, 48000, through);
	float x[64];
	for (int i = 0; i < 64; i++)
		x[i] = i % 2 ? 1e-40f : 0.25f;
	write_wav(scratch("tiny.wav"), x, 64, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	tool_result r;
	tool_run(&r, exe,
	         (const char *[]){"-q", through, scratch("tiny.wav"), scratch("y.wav"), NULL});
	CHECK(r.status == 0, "denormal input: %s", r.err);
	size_t frames;
	int ch, rate, fmt;
	float *y = read_audio(scratch("y.wav"), &frames, &ch, &rate, &fmt);
	CHECK(y && frames == 64, "no output");
	for (size_t i = 0; y && i < frames; i++)
		CHECK(y[i] == (i % 2 ? 0.0f : 0.25f), "frame %zu: %g", i, (double)y[i]);
	free(y);
}

/* 1e39 is a double but no float: it would run the model at +inf. */
static void test_cond_range(void)
{
	ref_net net = {.cell = RECUR_CELL_RNN, .n_in = 2, .n_out = 1, .hidden = 2};
	ref_fill(&net, 5);
	static const char *const in[] = {"x", "drive"}, *const out[] = {"y"};
	const char *conditioned = scratch("cond.json");
	ref_save(&net, in, out, 48000, conditioned);
	tool_result r;
	tool_run(&r, exe,
	         (const char *[]){"--cond", "drive=1e39", conditioned, scratch("in.wav"),
	                          scratch("c.wav"), NULL});
	CHECK(r.status == 2, "--cond drive=1e39: exit %d", r.status);
	CHECK_MSG(r.err, "--cond drive=1e39: the value is beyond a float's range");
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 2) {
		fprintf(stderr, "usage: test_outputs RECUR_PROCESS\n");
		return 2;
	}
	exe = argv[1];
	make_files();
	test_inputs_are_never_outputs();
	test_other_kinds_stay();
	test_replacing_a_previous_output();
	test_signal_during_write(SIGKILL);
	test_signal_during_write(SIGTERM);
	test_denormals_flushed();
	test_cond_range();
	test_full_disk();
	return check_exit();
}
