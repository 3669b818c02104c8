/* recur-process: run a recur model over an audio file or a CSV time series. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio_io.h"
#include "check_model.h"
#include "csv.h"
#include "denormals.h"
#include "esr.h"
#include "feed.h"
#include "host.h"
#include "options.h"
#include "output.h"
#include "recur.h"
#include "recur_import.h"
#include "run.h"

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A copied input column keeps its name unless an output has it too. */
static char *kept_name(const recur_model *m, const char *name)
{
	size_t len = strlen(name) + sizeof "_input";
	char *out = malloc(len);
	if (!out)
		return NULL;
	bool clash = false;
	for (int o = 0; o < m->shape.n_outputs; o++)
		clash |= strcmp(m->outputs[o].name, name) == 0;
	snprintf(out, len, clash ? "%s_input" : "%s", name);
	return out;
}

static bool fill_csv_out(const recur_model *m, const model_feed *f, const float *y, bool keep,
                         char **names, double *cells)
{
	size_t kept = keep ? f->table.n_cols : 0, n_out = (size_t)m->shape.n_outputs;
	size_t n_cols = kept + n_out;
	for (size_t c = 0; c < kept; c++)
		if (!(names[c] = kept_name(m, f->table.names[c])))
			return false;
	for (size_t o = 0; o < n_out; o++)
		names[kept + o] = (char *)m->outputs[o].name;
	for (size_t t = 0; t < f->run.frames; t++) {
		for (size_t c = 0; c < kept; c++)
			cells[t * n_cols + c] = f->table.cells[t * f->table.n_cols + c];
		for (size_t o = 0; o < n_out; o++)
			cells[t * n_cols + kept + o] = y[t * n_out + o];
	}
	return true;
}

static bool write_csv(const recur_model *m, const process_options *o, const model_feed *f,
                      const float *y)
{
	size_t kept = o->keep_columns ? f->table.n_cols : 0;
	size_t n_cols = kept + (size_t)m->shape.n_outputs;
	char **names = calloc(n_cols, sizeof *names);
	double *cells = malloc((f->run.frames ? f->run.frames : 1) * n_cols * sizeof(double));
	csv_error err = {"out of memory"};
	bool ok =
	    names && cells && fill_csv_out(m, f, y, o->keep_columns, names, cells) &&
	    csv_write(o->output, (const char *const *)names, n_cols, cells, f->run.frames, &err);
	if (!ok)
		fprintf(stderr, "recur-process: %s\n", err.msg);
	for (size_t c = 0; names && c < kept; c++)
		free(names[c]);
	free(names);
	free(cells);
	return ok;
}

static bool write_audio(const recur_model *m, const process_options *o, const model_feed *f,
                        const float *y)
{
	double rate = f->rate ? f->rate : o->rate ? o->rate : m->sample_rate;
	if (o->rate && f->rate)
		fprintf(stderr, "recur-process: warning: --rate ignored, OUTPUT takes %s's rate\n",
		        o->input);
	if (rate < 1) {
		fprintf(stderr, "recur-process: the model does not say its sample rate; give the "
		                "audio OUTPUT one with --rate\n");
		return false;
	}
	char err[600];
	if (!audio_write(o->output, y, f->run.frames, m->shape.n_outputs, (int)lround(rate),
	                 o->container, o->sample, err, sizeof err)) {
		fprintf(stderr, "recur-process: %s\n", err);
		return false;
	}
	return true;
}

/* The target as doubles, from an audio channel or a CSV column. */
static double *read_target(const recur_model *m, const process_options *o, size_t *frames)
{
	if (kind_from_name(o->esr_target) == KIND_CSV) {
		csv_table t;
		csv_error err;
		if (!csv_read(o->esr_target, &t, &err)) {
			fprintf(stderr, "recur-process: %s\n", err.msg);
			return NULL;
		}
		const char *name = o->esr_column ? o->esr_column : m->outputs[0].name;
		int col = csv_column(&t, name);
		double *v = col < 0 ? NULL : malloc(t.n_rows * sizeof(double));
		if (col < 0)
			fprintf(stderr,
			        "recur-process: %s:1:1: no column named \"%s\" to compare "
			        "with (--esr-column chooses one)\n",
			        o->esr_target, name);
		for (size_t r = 0; v && r < t.n_rows; r++)
			v[r] = t.cells[r * t.n_cols + (size_t)col];
		*frames = t.n_rows;
		csv_free(&t);
		return v;
	}
	audio_clip clip;
	char err[600];
	if (!audio_read_channel(o->esr_target, o->esr_channel, &clip, err, sizeof err)) {
		fprintf(stderr, "recur-process: %s\n", err);
		return NULL;
	}
	double *v = malloc((clip.frames ? clip.frames : 1) * sizeof(double));
	for (size_t i = 0; v && i < clip.frames; i++)
		v[i] = clip.samples[i];
	*frames = clip.frames;
	audio_clip_free(&clip);
	return v;
}

static bool report_esr(const recur_model *m, const process_options *o, const model_feed *f,
                       const float *y)
{
	size_t frames = 0;
	double *t = read_target(m, o, &frames);
	if (!t)
		return false;
	bool ok = frames == f->run.frames;
	if (!ok)
		fprintf(stderr, "recur-process: %s has %zu frames but the output has %zu\n",
		        o->esr_target, frames, f->run.frames);
	double e = ok ? esr_compute(y, (size_t)m->shape.n_outputs, t, frames, o->esr_preemph) : 0;
	if (ok && isnan(e)) {
		fprintf(stderr, "recur-process: %s is silent; ESR is undefined\n", o->esr_target);
		ok = false;
	}
	if (ok)
		printf("esr=%.9g\n", e);
	free(t);
	return ok;
}

static size_t count_non_finite(const float *y, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += !isfinite(y[i]);
	return bad;
}

static void summarise(const recur_model *m, const process_options *o, const model_feed *f,
                      double seconds)
{
	const recur_shape *s = &m->shape;
	fprintf(stderr, "recur-process: %s (%s, %d x %d, %d in, %d out): %zu frames of %s",
	        o->model, recur_cell_name(s->cell), s->layers, s->hidden, s->n_inputs, s->n_outputs,
	        f->run.frames, o->input);
	if (o->output)
		fprintf(stderr, " -> %s", o->output);
	fprintf(stderr, " in %.3f s", seconds);
	if (f->rate && seconds > 0)
		fprintf(stderr, " (%.1fx real time)", (double)f->run.frames / f->rate / seconds);
	fputc('\n', stderr);
}

static int process(recur_model *m, const process_options *o)
{
	model_feed f;
	int status = feed_prepare(m, o, &f);
	if (status < 0)
		status = host_prepare(m, o, &f);
	size_t n_y = f.run.frames * (size_t)m->shape.n_outputs;
	float *y = status < 0 ? malloc((n_y ? n_y : 1) * sizeof(float)) : NULL;
	if (status < 0 && !y) {
		fprintf(stderr, "recur-process: out of memory for %zu output frames\n",
		        f.run.frames);
		status = EXIT_RUNTIME;
	}
	if (status < 0) {
		double start = seconds_now();
		bool ran = true;
		if (host_offline_wanted(m, o, &f))
			ran = host_run_offline(m, &f, y);
		else
			run_model(m, &f.run, y, o->reset_every);
		double seconds = seconds_now() - start;
		size_t bad = count_non_finite(y, n_y);
		if (bad)
			fprintf(stderr,
			        "recur-process: warning: %zu output values are not finite\n", bad);
		bool ok =
		    ran && (!o->output || (o->output_kind == KIND_CSV ? write_csv(m, o, &f, y)
		                                                      : write_audio(m, o, &f, y)));
		ok = ok && (!o->esr_target || report_esr(m, o, &f, y));
		if (ok && !o->quiet)
			summarise(m, o, &f, seconds);
		status = ok ? 0 : EXIT_RUNTIME;
	}
	free(y);
	host_free(&f);
	feed_free(&f);
	return status;
}

/* What the reader had to assume, or found wrong, goes with the load. */
static void note_assumptions(const recur_model *m, const process_options *o)
{
	char why[256];
	if (!o->quiet && recur_model_rate_assumed(m, why, sizeof why))
		fprintf(stderr, "recur-process: %s: sample rate %g Hz assumed: %s\n", o->model,
		        m->sample_rate, why);
	double d;
	size_t frames;
	if (recur_model_file_check(m, &d, &frames) && !(d <= RECUR_CHECK_TOLERANCE))
		fprintf(stderr,
		        "recur-process: warning: %s disagrees with its own test data (largest "
		        "difference %.3g over %zu frames; recur-process --check tells more)\n",
		        o->model, d, frames);
}

/* OUTPUT may replace neither a file the run reads nor one of another kind. */
static bool output_is_safe(const process_options *o)
{
	if (!o->output)
		return true;
	const file_use reads[] = {
	    {o->model, "MODEL"}, {o->input, "INPUT"}, {o->esr_target, "--esr"}};
	char err[1200];
	if (!output_check((file_use){o->output, "OUTPUT"},
	                  o->output_kind == KIND_CSV ? OUTPUT_TEXT : OUTPUT_AUDIO, reads,
	                  sizeof reads / sizeof reads[0], err, sizeof err)) {
		fprintf(stderr, "recur-process: %s\n", err);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	process_options o;
	int status = options_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	if (!output_is_safe(&o))
		return EXIT_RUNTIME;
	output_clean_up_on_signals();
	recur_flush_denormals();
	recur_error err = {{0}};
	recur_model *m = recur_model_load(o.model, &err);
	if (!m) {
		fprintf(stderr, "recur-process: %s: %s\n", o.model, err.msg);
		return EXIT_RUNTIME;
	}
	if (!o.check)
		note_assumptions(m, &o);
	status = o.check ? check_model(m) : process(m, &o);
	recur_model_free(m);
	return status;
}
