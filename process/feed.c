/* INPUT to model input frames: audio channel or CSV columns, plus --cond. */
#include "feed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"

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
	if (m->sample_rate > 0 && (double)clip.rate != m->sample_rate)
		fprintf(stderr,
		        "recur-process: warning: %s is %d Hz but the model was trained at %g Hz; "
		        "processing anyway, the sound will differ from the trained one\n",
		        o->input, clip.rate, m->sample_rate);
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
