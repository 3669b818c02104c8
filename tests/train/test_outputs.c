/*
 * recur-train never destroys a user's file and never loses a trained model:
 * outputs that are inputs, or files of another kind, or in folders that
 * take no file are refused before training; a checkpoint that cannot be
 * written (a full disk) stops the run with the best model in --out, or in
 * a fallback beside it; --resume adds to the log; a run stopped inside an
 * epoch and resumed is, bit for bit, the run never stopped. Also: a silent
 * target and a --cond beyond a float are refused.
 * Usage: test_outputs RECUR_TRAIN
 */
#include "../full_disk.h"

#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"
#include "recur.h"
#include "signals.h"

static char dir[64];
static const char *train_exe;

static const char *in_dir(const char *name)
{
	static char bufs[256][512]; /* every path stays valid for the whole test */
	static int k;
	char *b = bufs[k++ % 256];
	snprintf(b, 512, "%s/%s", dir, name);
	return b;
}

static void write_wav(const char *path, const float *x, size_t n)
{
	SF_INFO info = {
	    .samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	CHECK(f != NULL, "cannot write %s", path);
	if (f) {
		sf_writef_float(f, x, (sf_count_t)n);
		sf_close(f);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = calloc(1, (size_t)n + 1);
	*len = b ? fread(b, 1, (size_t)n, f) : 0;
	fclose(f);
	return b;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Starts "recur-train ARGS" (ARGS as one shell string), stderr to err.txt. */
static pid_t spawn(const char *args)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "exec %s %s 2>%s", train_exe, args, in_dir("err.txt"));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Exit status (or 128 + signal); its stderr in msg. */
static int finish(pid_t pid, char *msg, size_t msg_len)
{
	int ws = 0;
	waitpid(pid, &ws, 0);
	size_t n = 0;
	char *e = slurp(in_dir("err.txt"), &n);
	snprintf(msg, msg_len, "%s", e ? e : "");
	free(e);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int train(const char *args, char *msg, size_t msg_len)
{
	return finish(spawn(args), msg, msg_len);
}

/* Waits until path holds text (true) or the process ends (false). */
static bool wait_for(pid_t pid, const char *path, const char *text)
{
	for (;;) {
		size_t n;
		char *s = slurp(path, &n);
		bool found = s && strstr(s, text);
		free(s);
		if (found)
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		nanosleep(&(struct timespec){0, 200000}, NULL);
	}
}

static void make_data(void)
{
	const size_t n = 48000;
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float));
	write_wav(in_dir("silent.wav"), y, n);
	pluck_notes(x, n, 48000, 5);
	diode_tone(x, y, n, 48000);
	write_wav(in_dir("in.wav"), x, n);
	write_wav(in_dir("out.wav"), y, n);
	write_wav(in_dir("other.wav"), y, n);
	free(x);
	free(y);
}

#define DATA  "--input %s --target %s --hidden 4 --segment 128 --warmup 32 --threads 2 --seed 3"
#define FILES in_dir("in.wav"), in_dir("out.wav")

/* Each output pointed at an input or at a file of another kind: refused
 * before training, the file unchanged, nothing written. */
static void refused_before_training(const char *extra, const char *victim, const char *fragment)
{
	size_t len = 0, now_len = 0;
	char *before = slurp(victim, &len);
	char args[2048], msg[4096];
	snprintf(args, sizeof args, DATA " --epochs 1 --quiet --out %s %s", FILES,
	         in_dir("never.json"), extra);
	int status = train(args, msg, sizeof msg);
	CHECK(status == 1 || status == 2, "%s: exit %d (%s)", extra, status, msg);
	CHECK_MSG(msg, fragment);
	char *after = slurp(victim, &now_len);
	CHECK(before && after && len == now_len && memcmp(before, after, len) == 0,
	      "%s: %s changed", extra, victim);
	CHECK(!exists(in_dir("never.json")), "%s: a model was written", extra);
	free(before);
	free(after);
}

static void test_refusals(void)
{
	char extra[1024];
	const char *target = in_dir("out.wav"), *input = in_dir("in.wav");
	/* --out over the target recording */
	char args[2048], msg[4096];
	snprintf(args, sizeof args, DATA " --epochs 1 --quiet --out %s", FILES, target);
	size_t len;
	char *before = slurp(target, &len);
	CHECK(train(args, msg, sizeof msg) != 0, "--out TARGET accepted");
	CHECK_MSG(msg, "--out");
	CHECK_MSG(msg, "is the same file as --target");
	size_t now_len;
	char *after = slurp(target, &now_len);
	CHECK(before && after && len == now_len && memcmp(before, after, len) == 0,
	      "--out replaced the target recording");
	free(before);
	free(after);

	snprintf(extra, sizeof extra, "--log %s", input);
	refused_before_training(extra, input, "--log");
	snprintf(extra, sizeof extra, "--export aidax %s", input);
	refused_before_training(extra, input, "is the same file as --input");
	snprintf(extra, sizeof extra, "--checkpoint %s", target);
	refused_before_training(extra, target, "is the same file as --target");
	symlink(input, in_dir("link.wav"));
	snprintf(extra, sizeof extra, "--log %s", in_dir("link.wav"));
	refused_before_training(extra, input, "is the same file as --input");
	snprintf(extra, sizeof extra, "--log %s", in_dir("other.wav"));
	refused_before_training(extra, in_dir("other.wav"),
	                        "holds audio, and JSON would replace it");
	snprintf(extra, sizeof extra, "--checkpoint %s", in_dir("no/such/folder/c.ckpt"));
	refused_before_training(extra, input, "no file can be created in its folder");
	snprintf(extra, sizeof extra, "--log %s --export aidax %s", in_dir("same.json"),
	         in_dir("same.json"));
	refused_before_training(extra, input, "is the same file as --log");
}

/* Bit-for-bit equal parameters. */
static bool same_params(const char *a, const char *b)
{
	recur_error err;
	recur_model *ma = recur_model_load(a, &err), *mb = recur_model_load(b, &err);
	bool same = ma && mb && ma->n_params == mb->n_params &&
	            memcmp(ma->params, mb->params, ma->n_params * sizeof(float)) == 0;
	recur_model_free(ma);
	recur_model_free(mb);
	return same;
}

/* The value after "key": in the line of the log that starts with prefix. */
static double log_value(const char *log, const char *prefix, const char *key)
{
	const char *line = strstr(log, prefix);
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = line ? strstr(line, pat) : NULL;
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* SIGINT inside epoch 2, then --resume: the model and every epoch's losses
 * are those of the run never stopped, and the log holds both runs' lines. */
static void test_stop_inside_epoch(void)
{
	char args[2048], msg[4096], base[1024];
	snprintf(base, sizeof base, DATA " --hidden 16 --batch 1 --epochs 3 --patience 0 --quiet",
	         FILES);
	snprintf(args, sizeof args, "%s --out %s --log %s", base, in_dir("ref.json"),
	         in_dir("ref.jsonl"));
	CHECK(train(args, msg, sizeof msg) == 0, "uninterrupted run: %s", msg);

	bool inside = false;
	for (int attempt = 0; attempt < 8 && !inside; attempt++) {
		remove(in_dir("int.jsonl"));
		remove(in_dir("int.json.ckpt"));
		snprintf(args, sizeof args, "%s --out %s --log %s", base, in_dir("int.json"),
		         in_dir("int.jsonl"));
		pid_t pid = spawn(args);
		if (wait_for(pid, in_dir("int.jsonl"), "{\"epoch\":1,")) {
			nanosleep(&(struct timespec){0, 5000000L * attempt}, NULL);
			kill(pid, SIGINT);
		}
		CHECK(finish(pid, msg, sizeof msg) == 0, "interrupted run: %s", msg);
		size_t n;
		char *log = slurp(in_dir("int.jsonl"), &n);
		inside = log && strstr(log, "{\"stopped_in_epoch\":2,");
		free(log);
	}
	CHECK(inside, "never stopped inside epoch 2 (or the stop was not logged)");
	snprintf(args, sizeof args, "%s --out %s --log %s --resume %s", base, in_dir("int.json"),
	         in_dir("int.jsonl"), in_dir("int.json.ckpt"));
	CHECK(train(args, msg, sizeof msg) == 0, "resumed run: %s", msg);
	CHECK(same_params(in_dir("ref.json"), in_dir("int.json")),
	      "stopped inside epoch 2 and resumed: not the uninterrupted model");
	size_t n;
	char *ref = slurp(in_dir("ref.jsonl"), &n), *got = slurp(in_dir("int.jsonl"), &n);
	if (!ref || !got)
		CHECK(false, "a log is missing");
	for (int e = 1; ref && got && e <= 3; e++) {
		char prefix[32];
		snprintf(prefix, sizeof prefix, "{\"epoch\":%d,", e);
		CHECK(log_value(ref, prefix, "train_loss") == log_value(got, prefix, "train_loss"),
		      "epoch %d train loss %.9g, uninterrupted %.9g", e,
		      log_value(got, prefix, "train_loss"), log_value(ref, prefix, "train_loss"));
		CHECK(log_value(ref, prefix, "val_esr") == log_value(got, prefix, "val_esr"),
		      "epoch %d val ESR differs", e);
	}
	/* both runs' lines, in order: the first run's epoch 1 and its stop
	 * survive the resume */
	const char *e1 = got ? strstr(got, "{\"epoch\":1,") : NULL;
	const char *stop = got ? strstr(got, "{\"stopped_in_epoch\":2,") : NULL;
	const char *e3 = got ? strstr(got, "{\"epoch\":3,") : NULL;
	CHECK(e1 && stop && e3 && e1 < stop && stop < e3, "--resume did not add to the log:\n%s",
	      got ? got : "");
	free(ref);
	free(got);
}

/* Runs until epoch 1 is logged, then breaks what `breaker` breaks; the run
 * must end with exit 1 and the message naming where the model went. */
static void failed_checkpoint(const char *ckpt, const char *out, void (*breaker)(void),
                              const char *saved_to, const char *what)
{
	char args[2048], msg[4096];
	remove(in_dir("f.jsonl"));
	snprintf(args, sizeof args,
	         DATA " --batch 1 --epochs 100000 --patience 0 --quiet --out %s --checkpoint %s "
	              "--log %s",
	         FILES, out, ckpt, in_dir("f.jsonl"));
	pid_t pid = spawn(args);
	bool started = wait_for(pid, in_dir("f.jsonl"), "{\"epoch\":1,");
	CHECK(started, "%s: the run ended before epoch 1", what);
	if (started)
		breaker();
	int status = finish(pid, msg, sizeof msg);
	CHECK(status == 1, "%s: exit %d (%s)", what, status, msg);
	CHECK_MSG(msg, "cannot write");
	CHECK_MSG(msg, "the best model so far");
	CHECK_MSG(msg, saved_to);
	recur_error err;
	recur_model *m = recur_model_load(saved_to, &err);
	CHECK(m != NULL, "%s: no model in %s: %s", what, saved_to, err.msg);
	recur_model_free(m);
}

static const char *full_dir;

static void fill_disk(void)
{
	CHECK(full_disk_fill(full_dir), "could not fill the tmpfs");
}

/* Without root: the checkpoint's path becomes a folder, so its rename fails. */
static void folder_over_checkpoint(void)
{
	remove(in_dir("ck/c.ckpt"));
	mkdir(in_dir("ck/c.ckpt"), 0755);
}

static void folders_over_both(void)
{
	folder_over_checkpoint();
	remove(in_dir("lost.json"));
	mkdir(in_dir("lost.json"), 0755);
}

static void test_failed_checkpoints(void)
{
	full_dir = in_dir("ck");
	mkdir(full_dir, 0755);
	if (full_disk_mount(full_dir, "256k")) {
		printf("checkpoint on a tmpfs that fills up during training\n");
		failed_checkpoint(in_dir("ck/c.ckpt"), in_dir("kept.json"), fill_disk,
		                  in_dir("kept.json"), "full disk");
		DIR *d = opendir(full_dir);
		struct dirent *e;
		while (d && (e = readdir(d)))
			CHECK(!strstr(e->d_name, ".partial-"), "left %s on the full disk",
			      e->d_name);
		if (d)
			closedir(d);
		umount2(full_dir, MNT_DETACH);
	} else {
		printf("not root: the checkpoint's path is made a folder instead of a full disk\n");
		failed_checkpoint(in_dir("ck/c.ckpt"), in_dir("kept.json"), folder_over_checkpoint,
		                  in_dir("kept.json"), "checkpoint replaced by a folder");
		rmdir(in_dir("ck/c.ckpt"));
	}
	failed_checkpoint(in_dir("ck/c.ckpt"), in_dir("lost.json"), folders_over_both,
	                  in_dir("lost.json.rescued.json"), "checkpoint and --out unwritable");
	rmdir(in_dir("ck/c.ckpt"));
	rmdir(in_dir("lost.json"));
}

static void test_bad_data(void)
{
	char args[2048], msg[4096];
	snprintf(args, sizeof args, DATA " --epochs 2 --quiet --out %s", in_dir("in.wav"),
	         in_dir("silent.wav"), in_dir("silent.json"));
	CHECK(train(args, msg, sizeof msg) != 0, "a silent target trained");
	CHECK_MSG(msg, "target is silent");
	CHECK(!exists(in_dir("silent.json")), "a model of a silent target was written");
	snprintf(args, sizeof args, DATA " --cond x=1e39 --epochs 1 --quiet --out %s", FILES,
	         in_dir("cond.json"));
	CHECK(train(args, msg, sizeof msg) == 2, "--cond x=1e39 accepted");
	CHECK_MSG(msg, "--cond x=1e39");
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it fork()s");
	if (argc != 2) {
		fprintf(stderr, "usage: test_outputs RECUR_TRAIN\n");
		return 2;
	}
	train_exe = argv[1];
	snprintf(dir, sizeof dir, "/tmp/recur-train-out-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	/* the data afresh for each part: a part that fails may have harmed it */
	make_data();
	test_refusals();
	make_data();
	test_bad_data();
	make_data();
	test_stop_inside_epoch();
	make_data();
	test_failed_checkpoints();
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_exit();
}
