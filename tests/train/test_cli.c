/*
 * recur-train end to end, through its command line: short runs on generated
 * audio and CSV data, then the results checked from the outside (the model
 * file through recur_model_load, recur-process --esr, the exported AIDA-X
 * file, the preset, the checkpoint). usage: test_cli RECUR_TRAIN RECUR_PROCESS
 */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "recur.h"
#include "signals.h"

static char dir[64];
static const char *train_exe, *process_exe;

static const char *in_dir(const char *name)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 512, "%s/%s", dir, name);
	return b;
}

static void write_wav(const char *path, const float *x, size_t n, int rate)
{
	SF_INFO info = {
	    .samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	CHECK(f != NULL, "cannot write %s", path);
	if (f) {
		sf_writef_float(f, x, (sf_count_t)n);
		sf_close(f);
	}
}

/* Runs a shell command; returns its exit status, its stderr in err_out. */
static int run(const char *cmd, char *out, size_t out_len)
{
	char full[4096];
	snprintf(full, sizeof full, "%s 2>%s", cmd, in_dir("stderr.txt"));
	FILE *p = popen(full, "r");
	size_t n = p ? fread(out, 1, out_len - 1, p) : 0;
	out[n] = 0;
	int st = p ? pclose(p) : -1;
	FILE *e = fopen(in_dir("stderr.txt"), "r");
	if (e) {
		size_t m = fread(out + n, 1, out_len - 1 - n, e);
		out[n + m] = 0;
		fclose(e);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double json_number(const char *text, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(text, pat);
	return p ? atof(p + strlen(pat)) : NAN;
}

static void make_audio(void)
{
	const size_t n = 48000 * 2;
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	pluck_notes(x, n, 48000, 5);
	diode_tone(x, y, n, 48000);
	write_wav(in_dir("in.wav"), x, n, 48000);
	write_wav(in_dir("out.wav"), y, n, 48000);
	write_wav(in_dir("out44.wav"), y, n, 44100);
	write_wav(in_dir("short.wav"), y, n - 100, 48000);
	y[1234] = NAN;
	write_wav(in_dir("nan.wav"), y, n, 48000);
	pluck_notes(x, n / 2, 48000, 6);
	diode_tone(x, y, n / 2, 48000);
	write_wav(in_dir("val_in.wav"), x, n / 2, 48000);
	write_wav(in_dir("val_out.wav"), y, n / 2, 48000);
	free(x);
	free(y);
}

static const char *small = "--hidden 8 --segment 256 --warmup 64 --batch 8 --quiet --threads 2";

static void data_errors(void)
{
	char cmd[2048], out[8192];
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s %s", train_exe,
	         in_dir("in.wav"), in_dir("out44.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "differing rates accepted");
	CHECK_MSG(out, "sample rates differ");
	/* aligning trims a pair to the frames both have; without it, lengths must
	 * agree unless --trim */
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s --align off %s", train_exe,
	         in_dir("in.wav"), in_dir("short.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "differing lengths accepted");
	CHECK_MSG(out, "lengths differ");
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --out %s --epochs 1 --align off --trim %s", train_exe,
	         in_dir("in.wav"), in_dir("short.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "--trim after the pair refused: %s", out);
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s --epochs 1 %s", train_exe,
	         in_dir("in.wav"), in_dir("short.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "a shorter target refused when aligning: %s", out);
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s %s", train_exe,
	         in_dir("in.wav"), in_dir("nonexistent.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "missing file accepted");
	CHECK_MSG(out, "nonexistent.wav");
	/* an export the network cannot have is refused before any training */
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s --export nam %s %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("x.json"), in_dir("x.nam"),
	         small);
	CHECK(run(cmd, out, sizeof out) == 1, "--export nam of a skip model accepted");
	CHECK_MSG(out, "--export nam: NAM cannot run this model: it adds its input");
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s %s", train_exe, in_dir("in.wav"),
	         in_dir("out.wav"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "missing --out accepted");
	CHECK_MSG(out, "--out");
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s --loss bce %s", train_exe,
	         in_dir("in.wav"), in_dir("out.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) != 0, "bce with linear output accepted");
	CHECK_MSG(out, "sigmoid");
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s %s", train_exe,
	         in_dir("in.wav"), in_dir("nan.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "NaN target accepted");
	CHECK_MSG(out, "nan.wav: frame 1234 is not a finite number");
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --rate 44100 --out %s %s", train_exe,
	         in_dir("in.wav"), in_dir("out.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "--rate contradicting the audio accepted");
	CHECK_MSG(out, "--rate 44100 contradicts the audio files' 48000 Hz");
	snprintf(cmd, sizeof cmd, "%s --csv %s --inputs a --targets b --rate 0 --out %s %s",
	         train_exe, in_dir("series.csv"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "--rate 0 accepted");
	CHECK_MSG(out, "--rate");
	snprintf(cmd, sizeof cmd, "%s --help", train_exe);
	CHECK(run(cmd, out, sizeof out) == 0, "--help fails");
	CHECK_MSG(out, "--time-budget");
	CHECK_MSG(out, "--cpu-budget");
	snprintf(cmd, sizeof cmd, "%s --input %s --target %s --out %s %s --cpu-budget 0", train_exe,
	         in_dir("in.wav"), in_dir("out.wav"), in_dir("x.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "--cpu-budget 0 accepted");
	CHECK_MSG(out, "--cpu-budget 0: expected a number");
	/* A CPU budget ends a run that nothing else would end soon */
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --out %s %s --epochs 100000 --patience 0 "
	         "--cpu-budget 0.5",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("x.json"), small);
	struct rusage before, after;
	getrusage(RUSAGE_CHILDREN, &before);
	CHECK(run(cmd, out, sizeof out) == 0, "--cpu-budget run failed: %s", out);
	getrusage(RUSAGE_CHILDREN, &after);
	const double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
	                   1e-6 * (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) +
	                   (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
	                   1e-6 * (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec);
	CHECK(cpu < 20, "--cpu-budget 0.5 ran for %.1f CPU seconds", cpu);
}

static recur_model *load(const char *path)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	CHECK(m != NULL, "%s: %s", path, err.msg);
	return m;
}

/* The same frames through two models. */
static double max_diff(recur_model *a, recur_model *b)
{
	float x[4000], ya[4000], yb[4000];
	pluck_notes(x, 4000, 48000, 77);
	recur_reset(a);
	recur_reset(b);
	recur_process_mono(a, x, ya, 4000, NULL);
	recur_process_mono(b, x, yb, 4000, NULL);
	double d = 0;
	for (int i = 0; i < 4000; i++)
		d = check_larger(d, fabs((double)ya[i] - yb[i]));
	return d;
}

static void audio_run(void)
{
	char cmd[4096], out[8192];
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --val-input %s --val-target %s --out %s --epochs 3 "
	         "--seed 9 --log %s --export aidax %s --preset %s %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("m.json"), in_dir("log.jsonl"), in_dir("a.json"),
	         in_dir("p.ttl"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "training failed: %s", out);
	recur_model *m = load(in_dir("m.json"));
	if (!m)
		return;
	CHECK(m->sample_rate == 48000, "sample rate %g", m->sample_rate);
	/* the trained model carries a check block it meets */
	double check_diff = -1;
	size_t check_frame = 0;
	recur_error check_err = {{0}};
	CHECK(recur_model_check(m, &check_diff, &check_frame, &check_err) && check_diff <= 1e-6,
	      "check block: %g (%s)", check_diff, check_err.msg);
	CHECK(m->metadata_json && strstr(m->metadata_json, "val_out.wav"), "metadata lacks data");
	CHECK(m->metadata_json && strstr(m->metadata_json, "target_fnv1a64"),
	      "metadata lacks hash");
	const double val = m->metadata_json ? json_number(m->metadata_json, "val_esr") : NAN;
	CHECK(val > 0 && val < 1.0, "val_esr %g", val);

	/* The trainer's validation ESR, measured by another program. */
	if (strcmp(process_exe, "none") != 0) {
		snprintf(cmd, sizeof cmd, "%s --esr %s %s %s", process_exe, in_dir("val_out.wav"),
		         in_dir("m.json"), in_dir("val_in.wav"));
		CHECK(run(cmd, out, sizeof out) == 0, "recur-process failed: %s", out);
		const char *p = strstr(out, "esr=");
		const double esr = p ? atof(p + 4) : NAN;
		CHECK(fabs(esr - val) <= 1e-5 * val, "recur-process ESR %.9g, trainer %.9g", esr,
		      val);
	}

	/* AIDA-X export loads back to the same network. */
	recur_model *a = load(in_dir("a.json"));
	if (a) {
		CHECK(max_diff(m, a) <= 1e-5, "AIDA-X export differs by %g", max_diff(m, a));
		recur_model_free(a);
	}

	FILE *f = fopen(in_dir("p.ttl"), "r");
	char ttl[8192] = {0};
	if (f) {
		ttl[fread(ttl, 1, sizeof ttl - 1, f)] = 0;
		fclose(f);
	}
	CHECK_MSG(ttl, "lv2:appliesTo <https://recur.dev/plugins/recur>");
	CHECK_MSG(ttl, "<https://recur.dev/plugins/recur#model> <file:///");
	CHECK_MSG(ttl, "/m.json>");

	f = fopen(in_dir("log.jsonl"), "r");
	char log[16384] = {0};
	if (f) {
		log[fread(log, 1, sizeof log - 1, f)] = 0;
		fclose(f);
	}
	CHECK_MSG(log, "\"split\":\"by file");
	CHECK_MSG(log, "\"epoch\":3,");

	/* Same seed and threads: the same model, bit for bit. */
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --val-input %s --val-target %s --out %s --epochs 3 "
	         "--seed 9 %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("m2.json"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "second run failed: %s", out);
	recur_model *m2 = load(in_dir("m2.json"));
	if (m2) {
		CHECK(memcmp(m->params, m2->params, m->n_params * sizeof(float)) == 0,
		      "same seed and threads gave different parameters");
		recur_model_free(m2);
	}

	/* Two epochs, then one more from the checkpoint: the same as three. */
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --val-input %s --val-target %s --out %s --epochs 2 "
	         "--seed 9 %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("m3.json"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "two-epoch run failed: %s", out);
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --val-input %s --val-target %s --out %s --epochs 3 "
	         "--seed 9 --resume %s %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("m3.json"), in_dir("m3.json.ckpt"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "resumed run failed: %s", out);
	recur_model *m3 = load(in_dir("m3.json"));
	if (m3) {
		CHECK(memcmp(m->params, m3->params, m->n_params * sizeof(float)) == 0,
		      "2 epochs + resume + 1 differs from 3 epochs");
		recur_model_free(m3);
	}
	recur_model_free(m);
}

/* A constant conditioning input per pair becomes a model input with the
 * range seen in training. */
static void cond_run(void)
{
	char cmd[2048], out[8192];
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --cond gain=0.2 --input %s --target %s --cond gain=0.8 "
	         "--out %s --epochs 1 %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("cond.json"), small);
	CHECK(run(cmd, out, sizeof out) == 0, "conditioned run failed: %s", out);
	recur_model *m = load(in_dir("cond.json"));
	if (m) {
		CHECK(m->shape.n_inputs == 2, "%d inputs", m->shape.n_inputs);
		CHECK(strcmp(m->inputs[1].name, "gain") == 0, "input 1 is %s", m->inputs[1].name);
		CHECK(m->inputs[1].min == 0.2f && m->inputs[1].max == 0.8f, "range [%g, %g]",
		      (double)m->inputs[1].min, (double)m->inputs[1].max);
		recur_model_free(m);
	}
	snprintf(cmd, sizeof cmd,
	         "%s --input %s --target %s --cond gain=0.2 --input %s --target %s --out %s %s",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("val_in.wav"),
	         in_dir("val_out.wav"), in_dir("cond.json"), small);
	CHECK(run(cmd, out, sizeof out) == 2, "a pair without --cond accepted");
	CHECK_MSG(out, "every pair needs the same ones");
}

/* SIGINT stops a run cleanly, writing the best model so far. */
static void interrupted_run(void)
{
	char cmd[2048], out[8192];
	snprintf(cmd, sizeof cmd,
	         "timeout -s INT 1.5 %s --input %s --target %s --out %s --epochs 100000 --patience "
	         "0 %s; "
	         "echo status=$?",
	         train_exe, in_dir("in.wav"), in_dir("out.wav"), in_dir("int.json"), small);
	run(cmd, out, sizeof out);
	CHECK_MSG(out, "status=124");
	recur_model *m = load(in_dir("int.json"));
	if (m) {
		CHECK(m->metadata_json && strstr(m->metadata_json, "val_esr"), "no val_esr");
		recur_model_free(m);
	}
}

/* A noisy seasonal series, one step ahead, must beat persistence (predicting
 * the last value) on the test stretch. */
static void csv_run(void)
{
	const int n = 6000;
	FILE *f = fopen(in_dir("series.csv"), "w");
	uint64_t rng = 4;
	float *s = malloc((n + 1) * sizeof(float));
	for (int i = 0; i <= n; i++)
		s[i] = (float)(sin(2 * M_PI * i / 24.0) + 0.4 * sin(2 * M_PI * i / 168.0) +
		               0.1 * (2 * sig_uniform(&rng) - 1));
	fprintf(f, "value,next\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%.9g,%.9g\n", s[i], s[i + 1]);
	fclose(f);
	char cmd[2048], out[8192];
	snprintf(cmd, sizeof cmd,
	         "%s --csv %s --inputs value --targets next --loss mse --no-skip --cell gru "
	         "--hidden 8 --segment 128 --warmup 48 --batch 8 --epochs 15 --lr 0.01 --quiet "
	         "--threads 1 --rate 24 --out %s",
	         train_exe, in_dir("series.csv"), in_dir("series.json"));
	CHECK(run(cmd, out, sizeof out) == 0, "CSV training failed: %s", out);
	recur_model *m = load(in_dir("series.json"));
	if (m) {
		CHECK(strcmp(m->inputs[0].name, "value") == 0 &&
		          strcmp(m->outputs[0].name, "next") == 0,
		      "port names %s %s", m->inputs[0].name, m->outputs[0].name);
		CHECK(m->sample_rate == 24.0, "--rate 24 gave sample rate %g", m->sample_rate);
		float *y = malloc(n * sizeof(float));
		recur_process(m, s, y, n);
		double e_model = 0, e_persist = 0;
		for (int i = n - n / 10; i < n; i++) {
			e_model += (y[i] - s[i + 1]) * (y[i] - s[i + 1]);
			e_persist += (s[i] - s[i + 1]) * (s[i] - s[i + 1]);
		}
		printf("series: model MSE %.5f, persistence %.5f\n", e_model / (n / 10),
		       e_persist / (n / 10));
		CHECK(e_model < 0.8 * e_persist, "model %g not better than persistence %g", e_model,
		      e_persist);
		free(y);
		recur_model_free(m);
	}
	free(s);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_cli RECUR_TRAIN RECUR_PROCESS|none\n");
		return 1;
	}
	train_exe = argv[1];
	process_exe = argv[2];
	snprintf(dir, sizeof dir, "/tmp/recur-train-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	make_audio();
	data_errors();
	audio_run();
	interrupted_run();
	cond_run();
	csv_run();
	char cmd[256], out[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	run(cmd, out, sizeof out);
	if (strcmp(process_exe, "none") == 0 && check_failures == 0) {
		printf("recur-process is not built: its ESR comparison was skipped\n");
		return 77;
	}
	return check_exit();
}
