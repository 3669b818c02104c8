/*
 * recur-convert as a program: help and version, usage errors (exit 2),
 * conversions that load back to the same network, and the user's files:
 * never written over the input (same name, hard link, symbolic link), never
 * over a file that is not a model, never under a name of another kind, never
 * changed by a refused or failed conversion, no temporary file left behind.
 */
#include "check.h"
#include "harness.h"
#include "recur.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *tool;

static tool_result *run(const char *a, const char *b, const char *c, const char *d)
{
	static tool_result r;
	const char *args[] = {a, b, c, d, NULL};
	tool_run(&r, tool, args);
	return &r;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

/* The file still holds exactly `want`. */
static void unchanged(const char *path, const char *want, const char *what)
{
	char *now = slurp(path);
	CHECK(now && strcmp(now, want) == 0, "%s: %s was changed", what, path);
	free(now);
}

/* No temporary file ("NAME.partial-XXXXXX") left in the scratch folder. */
static void no_temporaries(const char *some_path)
{
	char dir[600];
	snprintf(dir, sizeof dir, "%s", some_path);
	*strrchr(dir, '/') = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	int left = 0;
	while (d && (e = readdir(d)))
		left += strstr(e->d_name, ".partial-") != NULL;
	if (d)
		closedir(d);
	CHECK(left == 0, "%d temporary files left in %s", left, dir);
}

static recur_model *model(recur_cell cell, int hidden, bool skip)
{
	recur_error err = {{0}};
	recur_shape shape = {cell, 1, 1, hidden, 1, skip, RECUR_ACT_LINEAR};
	recur_model *m = recur_model_new(&shape, &err);
	for (size_t i = 0; m && i < m->n_params; i++)
		m->params[i] = 0; /* padding stays zero below */
	for (int r = 0; m && r < m->layer[0].rows; r++) {
		m->layer[0].w_x[r] = 0.3f * (float)((r % 5) - 2);
		m->layer[0].b_x[r] = 0.05f * (float)(r % 3);
	}
	if (m)
		m->w_out[0] = 0.7f;
	return m;
}

static double max_difference(recur_model *a, recur_model *b)
{
	recur_reset(a);
	recur_reset(b);
	double worst = 0;
	for (int t = 0; t < 500; t++) {
		float x = 0.5f * sinf(0.05f * (float)t), ya, yb;
		recur_step(a, &x, &ya);
		recur_step(b, &x, &yb);
		worst = fmax(worst, fabs((double)ya - yb));
	}
	return worst;
}

static void help_and_usage(const char *version)
{
	tool_result *r = run("--help", NULL, NULL, NULL);
	CHECK(r->status == 0 && strstr(r->out, "Usage: recur-convert"), "--help: %d", r->status);
	r = run("--version", NULL, NULL, NULL);
	char want[64];
	snprintf(want, sizeof want, "recur-convert %s", version);
	CHECK(r->status == 0 && strstr(r->out, want), "--version: %s", r->out);
	r = run("only-one.json", NULL, NULL, NULL);
	CHECK(r->status == 2, "one argument: exit %d", r->status);
	CHECK_MSG(r->err, "expected INPUT OUTPUT");
	r = run("--to", "onnx", "a.json", "b.json");
	CHECK(r->status == 2, "--to onnx: exit %d", r->status);
	CHECK_MSG(r->err, "--to wants recur, aidax or nam, got \"onnx\"");
	r = run("a.json", "b.txt", NULL, NULL);
	CHECK(r->status == 2, "b.txt: exit %d", r->status);
	CHECK_MSG(r->err, "cannot tell the format from the name \"b.txt\"");
}

static void converts(const char *src)
{
	const char *out = scratch("copy.json"), *aidax = scratch("copy.aidax");
	tool_result *r = run(src, out, NULL, NULL);
	CHECK(r->status == 0, "recur -> recur: %s", r->err);
	CHECK_MSG(r->err, "wrote");
	r = run("-q", src, aidax, NULL);
	CHECK(r->status == 0 && r->err[0] == 0, "recur -> AIDA-X -q: %d %s", r->status, r->err);
	recur_error err = {{0}};
	recur_model *a = recur_model_load(src, &err), *b = recur_model_load(out, &err);
	recur_model *c = recur_model_load(aidax, &err);
	CHECK(a && b && c, "load: %s", err.msg);
	if (a && b && c) {
		CHECK(max_difference(a, b) <= 1e-6, "recur copy differs");
		CHECK(max_difference(a, c) <= 1e-6, "AIDA-X copy differs");
	}
	recur_model_free(a);
	recur_model_free(b);
	recur_model_free(c);
	/* an AIDA-X file back to recur's format */
	r = run(aidax, scratch("from-aidax.json"), NULL, NULL);
	CHECK(r->status == 0, "AIDA-X -> recur: %s", r->err);
	no_temporaries(out);
}

static void guards_the_input(const char *src)
{
	char *before = slurp(src);
	tool_result *r = run(src, src, NULL, NULL);
	CHECK(r->status == 1, "same name: exit %d", r->status);
	CHECK_MSG(r->err, "is the same file as INPUT");
	const char *hard = scratch("hard-link.json"), *soft = scratch("soft-link.json");
	CHECK(link(src, hard) == 0 && symlink(src, soft) == 0, "cannot make links");
	r = run(src, hard, NULL, NULL);
	CHECK(r->status == 1 && strstr(r->err, "is the same file as INPUT"), "hard link: %d %s",
	      r->status, r->err);
	r = run(hard, soft, NULL, NULL);
	CHECK(r->status == 1 && strstr(r->err, "is the same file as INPUT"), "symbolic link: %d %s",
	      r->status, r->err);
	unchanged(src, before, "input");
	free(before);
}

static void guards_other_files(const char *src)
{
	/* a recording named as the output, by mistake */
	const char *wav = scratch("take.wav");
	const char riff[] = "RIFF\x24\x00\x00\x00WAVEfmt ";
	CHECK(write_text(wav, riff, sizeof riff - 1), "cannot write %s", wav);
	tool_result *r = run("--to", "recur", src, wav);
	CHECK(r->status == 1, ".wav output: exit %d", r->status);
	CHECK_MSG(r->err, "a recur file is named *.json; not written");
	unchanged(wav, riff, ".wav output");
	r = run("--to", "nam", src, scratch("amp.json"));
	CHECK(r->status == 1, "nam as .json: exit %d", r->status);
	CHECK_MSG(r->err, "a nam file is named *.nam");
	/* a file of another kind under a model's name */
	const char *notes = scratch("notes.json"), *text = "take 3 was the good one\n";
	CHECK(write_text(notes, text, strlen(text)), "cannot write %s", notes);
	r = run(src, notes, NULL, NULL);
	CHECK(r->status == 1, "non-model output: exit %d", r->status);
	CHECK_MSG(r->err, "and JSON would replace it");
	unchanged(notes, text, "non-model output");
	/* a folder */
	const char *folder = scratch("folder.json");
	CHECK(mkdir(folder, 0755) == 0, "mkdir");
	r = run(src, folder, NULL, NULL);
	CHECK(r->status == 1 && strstr(r->err, "not a regular file"), "folder: %d %s", r->status,
	      r->err);
}

static void refusal_keeps_previous(const char *rnn_src, const char *gru_src)
{
	const char *out = scratch("previous.aidax");
	tool_result *r = run(gru_src, out, NULL, NULL);
	CHECK(r->status == 0, "GRU -> AIDA-X: %s", r->err);
	char *before = slurp(out);
	r = run(rnn_src, out, NULL, NULL);
	CHECK(r->status == 1, "RNN -> AIDA-X: exit %d", r->status);
	CHECK_MSG(r->err, "AIDA-X cannot run this model: the cell is rnn");
	if (before)
		unchanged(out, before, "refused conversion");
	free(before);
	const char *nam = scratch("never.nam");
	r = run(gru_src, nam, NULL, NULL);
	CHECK(r->status == 1, "GRU -> NAM: exit %d", r->status);
	CHECK_MSG(r->err, "NAM cannot run this model: the cell is gru");
	CHECK(access(nam, F_OK) != 0, "a refused conversion created %s", nam);
	r = run(scratch("missing.json"), scratch("x.json"), NULL, NULL);
	CHECK(r->status == 1 && strstr(r->err, "missing.json"), "missing input: %d %s", r->status,
	      r->err);
	no_temporaries(out);
}

/* A file whose check block the model does not reproduce is converted with
 * a warning; the written file carries a check block computed here, which
 * the model meets. */
static void own_check(recur_model *m)
{
	recur_error err = {{0}};
	float x[64], y[64];
	for (int i = 0; i < 64; i++) {
		x[i] = 0.01f * (float)i;
		y[i] = 5.0f; /* what no model here outputs */
	}
	const char *src = scratch("bad-check.json"), *out = scratch("good-check.json");
	CHECK(recur_model_set_check(m, x, y, 64, &err) && recur_model_save(m, src, &err), "%s",
	      err.msg);
	tool_result *r = run(src, out, NULL, NULL);
	CHECK(r->status == 0, "bad check block: exit %d", r->status);
	CHECK_MSG(r->err, "disagrees with its own check data");
	recur_model *back = recur_model_load(out, &err);
	double diff = -1;
	size_t frame = 0;
	CHECK(back && recur_model_check(back, &diff, &frame, &err) && diff <= 1e-6,
	      "written check block: %g (%s)", diff, err.msg);
	CHECK(back && back->check && back->check->frames == 512, "check block of %zu frames",
	      back && back->check ? back->check->frames : 0);
	recur_model_free(back);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_convert_cli RECUR_CONVERT VERSION\n");
		return 2;
	}
	tool = argv[1];
	recur_error err = {{0}};
	recur_model *lstm = model(RECUR_CELL_LSTM, 8, true), *rnn = model(RECUR_CELL_RNN, 4, false);
	recur_model *gru = model(RECUR_CELL_GRU, 12, false);
	const char *src = scratch("lstm.json"), *rnn_src = scratch("rnn.json");
	const char *gru_src = scratch("gru.json");
	CHECK(recur_model_save(lstm, src, &err) && recur_model_save(rnn, rnn_src, &err) &&
	          recur_model_save(gru, gru_src, &err),
	      "save: %s", err.msg);
	help_and_usage(argv[2]);
	converts(src);
	guards_the_input(src);
	guards_other_files(src);
	refusal_keeps_previous(rnn_src, gru_src);
	own_check(lstm);
	recur_model_free(lstm);
	recur_model_free(rnn);
	recur_model_free(gru);
	return check_exit();
}
