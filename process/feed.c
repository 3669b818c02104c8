/* INPUT to model input frames: audio channel or CSV columns, plus --cond. */
#include "feed.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "rate.h"

#define NO_COLUMN (-1)

static int input_named(const recur_model *m, const char *name, size_t len)
{
	for (int i = 0; i < m->shape.n_inputs; i++)
		if (strlen(m->inputs[i].name) == len && strncmp(m->inputs[i].name, name, len) == 0)
			return i;
	return -1;
}

static void list_inputs(const recur_model *m, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 1; i < m->shape.n_inputs && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 1 ? ", " : "",
		                         m->inputs[i].name);
	if (m->shape.n_inputs == 1)
		snprintf(buf, len, "none: the model has only the signal input");
}

/* Defaults, then --cond on top. given[i] says a --cond named input i. */
static int apply_conds(const recur_model *m, const process_options *o, model_feed *f, bool *given)
{
	for (int i = 0; i < m->shape.n_inputs; i++)
		f->values[i] = m->inputs[i].def;
	for (int k = 0; k < o->n_cond; k++) {
		const cond_arg *c = &o->cond[k];
		int i = input_named(m, c->name, c->name_len);
		if (i <= 0) {
			char names[256];
			list_inputs(m, names, sizeof names);
			fprintf(stderr,
			        "recur-process: --cond %.*s: %s; the conditioning inputs are: %s\n",
			        (int)c->name_len, c->name,
			        i == 0 ? "input 0 is the signal, not a conditioning input"
			               : "the model has no input of that name",
			        names);
			return EXIT_USAGE;
		}
		const recur_port *p = &m->inputs[i];
		if (c->value < p->min || c->value > p->max)
			fprintf(
			    stderr,
			    "recur-process: warning: --cond %s=%g is outside the range the model "
			    "was trained on [%g, %g]\n",
			    p->name, (double)c->value, (double)p->min, (double)p->max);
		f->values[i] = c->value;
		given[i] = true;
	}
	return -1;
}

static int feed_audio(const recur_model *m, const process_options *o, model_feed *f)
{
	char err[600];
	audio_clip clip;
	if (!audio_read_channel(o->input, o->channel, &clip, err, sizeof err)) {
		fprintf(stderr, "recur-process: %s\n", err);
		return EXIT_RUNTIME;
	}
	f->mono = clip.samples;
	f->rate = clip.rate;
	f->run.frames = clip.frames;
	if (m->shape.n_outputs == 1) {
		f->run.mono = f->mono;
		f->run.cond = f->values + 1;
		return -1;
	}
	size_t n_in = (size_t)m->shape.n_inputs;
	f->x = malloc((clip.frames ? clip.frames : 1) * n_in * sizeof(float));
	if (!f->x) {
		fprintf(stderr, "recur-process: %s: out of memory\n", o->input);
		return EXIT_RUNTIME;
	}
	for (size_t t = 0; t < clip.frames; t++) {
		f->x[t * n_in] = f->mono[t];
		for (size_t i = 1; i < n_in; i++)
			f->x[t * n_in + i] = f->values[i];
	}
	f->run.x = f->x;
	return -1;
}

static void list_columns(const csv_table *t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t c = 0; c < t->n_cols && used < len; c++)
		used +=
		    (size_t)snprintf(buf + used, len - used, "%s%s", c ? ", " : "", t->names[c]);
}

static int missing_column(const model_feed *f, const process_options *o, const char *name,
                          int input, bool by_name)
{
	char cols[300];
	list_columns(&f->table, cols, sizeof cols);
	fprintf(stderr,
	        "recur-process: %s:1:1: no column named \"%s\" for the model's input %d%s; "
	        "the header has: %s\n",
	        o->input, name, input,
	        by_name && input > 0 ? " (or give it a value with --cond)" : "", cols);
	return EXIT_RUNTIME;
}

/* column[i] for each model input from --inputs, then names; NO_COLUMN means a
 * held value (from --cond). */
static int map_columns(const recur_model *m, const process_options *o, model_feed *f,
                       const bool *given, int *column)
{
	int n_in = m->shape.n_inputs, listed = 0;
	const char *p = o->inputs;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (listed == n_in) {
			fprintf(stderr,
			        "recur-process: --inputs lists more than the model's %d inputs\n",
			        n_in);
			return EXIT_USAGE;
		}
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), p);
		column[listed] = csv_column(&f->table, name);
		if (column[listed] < 0)
			return missing_column(f, o, name, listed, false);
		listed++;
		p = comma ? comma + 1 : p + len;
	}
	for (int i = listed; i < n_in; i++) {
		column[i] = given[i] ? NO_COLUMN : csv_column(&f->table, m->inputs[i].name);
		if (column[i] < 0 && !given[i])
			return missing_column(f, o, m->inputs[i].name, i, true);
	}
	return -1;
}

/* Spacing of neighbouring times may stray this far (relative) from the mean:
 * times printed with a few digits are not exactly even. */
#define TIME_JITTER 0.01

/* The rows per second the time column gives: evenly spaced, increasing.
 * A rate within a millionth of a whole number is that number, so times
 * printed with limited precision still give 48000 and not 47999.9999. */
static int time_column_rate(const process_options *o, const csv_table *t, double *rate)
{
	int col = csv_column(t, o->time_column);
	if (col < 0) {
		char cols[300];
		list_columns(t, cols, sizeof cols);
		fprintf(stderr,
		        "recur-process: %s:1:1: no column named \"%s\" (--time-column); "
		        "the header has: %s\n",
		        o->input, o->time_column, cols);
		return EXIT_RUNTIME;
	}
	if (t->n_rows < 2) {
		fprintf(stderr, "recur-process: %s: --time-column needs at least 2 rows\n",
		        o->input);
		return EXIT_RUNTIME;
	}
	/* Each step is checked against the first; the rate comes from the whole
	 * span, which printed times give most precisely. */
	const double *first = &t->cells[(size_t)col];
	double step0 = first[t->n_cols] - first[0];
	for (size_t r = 1; r < t->n_rows; r++) {
		double step = first[r * t->n_cols] - first[(r - 1) * t->n_cols];
		if (!(step0 > 0) || fabs(step - step0) > TIME_JITTER * step0) {
			fprintf(stderr,
			        "recur-process: %s:%zu: %s = %.9g is not %.9g s after the row "
			        "before: the times must increase in even steps\n",
			        o->input, r + 2, o->time_column, first[r * t->n_cols], step0);
			return EXIT_RUNTIME;
		}
	}
	double span = first[(t->n_rows - 1) * t->n_cols] - first[0];
	*rate = (double)(t->n_rows - 1) / span;
	if (fabs(*rate - round(*rate)) <= 1e-6 * *rate)
		*rate = round(*rate);
	return -1;
}

static void describe_stepping(const recur_model *m, const process_options *o, double rate)
{
	recur_rate r;
	recur_rate_init(&r, m, rate);
	if (o->quiet)
		return;
	if (r.per_sample)
		fprintf(stderr,
		        "recur-process: %s: %.9g rows per second; the model steps once per row\n",
		        o->input, rate);
	else
		fprintf(stderr,
		        "recur-process: %s: %.9g rows per second; the model steps at its own %.9g "
		        "per second (%.9g rows per step), %s its output between steps\n",
		        o->input, rate, m->sample_rate, recur_rate_samples_per_step(&r),
		        o->interpolate ? "interpolating" : "holding");
}

static int feed_csv(const recur_model *m, const process_options *o, model_feed *f,
                    const bool *given)
{
	csv_error err;
	if (!csv_read(o->input, &f->table, &err)) {
		fprintf(stderr, "recur-process: %s\n", err.msg);
		return EXIT_RUNTIME;
	}
	int column[RECUR_MAX_IO];
	int status = map_columns(m, o, f, given, column);
	if (status >= 0)
		return status;
	if (o->time_column) {
		status = time_column_rate(o, &f->table, &f->run.stream_rate);
		if (status >= 0)
			return status;
		f->run.interpolate = o->interpolate;
		describe_stepping(m, o, f->run.stream_rate);
	}
	size_t n_in = (size_t)m->shape.n_inputs, rows = f->table.n_rows;
	f->x = malloc(rows * n_in * sizeof(float));
	if (!f->x) {
		fprintf(stderr, "recur-process: %s: out of memory\n", o->input);
		return EXIT_RUNTIME;
	}
	for (size_t t = 0; t < rows; t++)
		for (size_t i = 0; i < n_in; i++)
			f->x[t * n_in + i] =
			    column[i] == NO_COLUMN
			        ? f->values[i]
			        : (float)f->table.cells[t * f->table.n_cols + (size_t)column[i]];
	f->run.x = f->x;
	f->run.frames = rows;
	return -1;
}

int feed_prepare(const recur_model *m, const process_options *o, model_feed *f)
{
	memset(f, 0, sizeof *f);
	bool given[RECUR_MAX_IO] = {false};
	int status = apply_conds(m, o, f, given);
	if (status >= 0)
		return status;
	if (o->input_kind == KIND_CSV)
		return feed_csv(m, o, f, given);
	return feed_audio(m, o, f);
}

void feed_free(model_feed *f)
{
	free(f->mono);
	free(f->x);
	csv_free(&f->table);
	memset(f, 0, sizeof *f);
}
