/*
 * Loading training data and splitting it. Audio goes through libsndfile
 * (fileio/audio_io.c), CSV through fileio/csv.c, so recur-process and
 * recur-train read files the same way.
 */
#include "data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_io.h"
#include "csv.h"

void data_init(data_set *d)
{
	memset(d, 0, sizeof *d);
}

void data_free(data_set *d)
{
	for (int i = 0; i < d->n_files; i++) {
		data_file *f = &d->files[i];
		free(f->input_path);
		free(f->target_path);
		free(f->signal);
		free(f->x);
		free(f->t);
	}
	memset(d, 0, sizeof *d);
}

uint64_t fnv1a_file(const char *path, bool *ok)
{
	uint64_t h = 0xcbf29ce484222325ull;
	FILE *f = fopen(path, "rb");
	*ok = f != NULL;
	if (!f)
		return 0;
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	*ok = !ferror(f);
	fclose(f);
	return h;
}

static data_file *new_file(data_set *d, recur_error *err)
{
	if (d->n_files == DATA_MAX_FILES) {
		snprintf(err->msg, sizeof err->msg, "too many data files (at most %d)",
		         DATA_MAX_FILES);
		return NULL;
	}
	data_file *f = &d->files[d->n_files++];
	memset(f, 0, sizeof *f);
	return f;
}

bool data_add_audio(data_set *d, const char *input, const char *target, int channel, bool trim,
                    bool is_val, recur_error *err)
{
	if (d->n_files && d->files[0].target_path == NULL) {
		snprintf(err->msg, sizeof err->msg, "use either audio files or --csv, not both");
		return false;
	}
	audio_clip in, out;
	if (!audio_read_channel(input, channel, &in, err->msg, sizeof err->msg))
		return false;
	if (!audio_read_channel(target, channel, &out, err->msg, sizeof err->msg)) {
		audio_clip_free(&in);
		return false;
	}
	const char *why = NULL;
	if (in.rate != out.rate)
		why = "sample rates differ";
	else if (d->sample_rate > 0 && in.rate != d->sample_rate)
		why = "sample rate differs from the first file's";
	else if (in.frames != out.frames && !trim)
		why = "lengths differ (--trim cuts both to the shorter)";
	else if ((in.frames < out.frames ? in.frames : out.frames) == 0)
		why = "no frames";
	data_file *f = why ? NULL : new_file(d, err);
	if (why)
		snprintf(err->msg, sizeof err->msg,
		         "%s (%zu frames, %d Hz) and %s (%zu frames, %d Hz): %s", input, in.frames,
		         in.rate, target, out.frames, out.rate, why);
	if (!f) {
		audio_clip_free(&in);
		audio_clip_free(&out);
		return false;
	}
	d->sample_rate = in.rate;
	f->frames = in.frames < out.frames ? in.frames : out.frames;
	f->signal = in.samples;
	f->t = out.samples;
	f->is_val = is_val;
	f->input_path = strdup(input);
	f->target_path = strdup(target);
	bool ok1, ok2;
	f->input_hash = fnv1a_file(input, &ok1);
	f->target_hash = fnv1a_file(target, &ok2);
	return true;
}

bool data_add_cond(data_set *d, const char *arg, recur_error *err)
{
	const char *eq = strchr(arg, '=');
	char *end = NULL;
	const float v = eq ? strtof(eq + 1, &end) : 0.0f;
	if (!eq || eq == arg || (size_t)(eq - arg) >= RECUR_NAME_LEN || end == eq + 1 || *end ||
	    !isfinite(v)) {
		snprintf(err->msg, sizeof err->msg,
		         "--cond %s: expected name=value (a name under %d bytes, a finite number)",
		         arg, RECUR_NAME_LEN);
		return false;
	}
	if (!d->n_files || !d->files[d->n_files - 1].target_path) {
		snprintf(err->msg, sizeof err->msg,
		         "--cond %s: give it after the --input/--target pair it belongs to", arg);
		return false;
	}
	data_file *f = &d->files[d->n_files - 1];
	if (f->n_cond == RECUR_MAX_IO - 1) {
		snprintf(err->msg, sizeof err->msg, "--cond %s: too many conditioning inputs", arg);
		return false;
	}
	memcpy(f->cond_name[f->n_cond], arg, (size_t)(eq - arg));
	f->cond_name[f->n_cond][eq - arg] = 0;
	f->cond_value[f->n_cond++] = v;
	return true;
}

/* Splits "a,b,c" and finds each name in the table. */
static int find_columns(const csv_table *t, const char *list, int *cols,
                        char names[][RECUR_NAME_LEN], const char *what, recur_error *err)
{
	int n = 0;
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		const size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n == RECUR_MAX_IO || len == 0 || len >= RECUR_NAME_LEN) {
			snprintf(err->msg, sizeof err->msg,
			         "%s %s: need 1..%d column names, each under %d bytes", what, list,
			         RECUR_MAX_IO, RECUR_NAME_LEN);
			return -1;
		}
		memcpy(names[n], p, len);
		names[n][len] = 0;
		cols[n] = csv_column(t, names[n]);
		if (cols[n] < 0) {
			snprintf(err->msg, sizeof err->msg, "%s: the CSV has no column \"%s\"",
			         what, names[n]);
			return -1;
		}
		n++;
		p += len + (comma ? 1 : 0);
	}
	if (n == 0)
		snprintf(err->msg, sizeof err->msg, "%s: no column names given", what);
	return n ? n : -1;
}

bool data_add_csv(data_set *d, const char *path, const char *inputs, const char *targets,
                  recur_error *err)
{
	if (d->n_files) {
		snprintf(err->msg, sizeof err->msg, "--csv takes one file and no audio files");
		return false;
	}
	csv_table t;
	csv_error cerr;
	if (!csv_read(path, &t, &cerr)) {
		snprintf(err->msg, sizeof err->msg, "%.250s", cerr.msg);
		return false;
	}
	int in_cols[RECUR_MAX_IO], out_cols[RECUR_MAX_IO];
	const int n_in = find_columns(&t, inputs, in_cols, d->input_names, "--inputs", err);
	const int n_out =
	    n_in < 0 ? -1 : find_columns(&t, targets, out_cols, d->output_names, "--targets", err);
	data_file *f = n_out < 0 ? NULL : new_file(d, err);
	if (f && t.n_rows == 0) {
		snprintf(err->msg, sizeof err->msg, "%s: no rows", path);
		f = NULL;
		d->n_files--;
	}
	if (f) {
		f->input_path = strdup(path);
		f->frames = t.n_rows;
		f->x = malloc(t.n_rows * (size_t)n_in * sizeof(float));
		f->t = malloc(t.n_rows * (size_t)n_out * sizeof(float));
		bool ok;
		f->input_hash = fnv1a_file(path, &ok);
		d->n_inputs = n_in;
		d->n_outputs = n_out;
		for (size_t r = 0; f->x && f->t && r < t.n_rows; r++) {
			for (int j = 0; j < n_in; j++)
				f->x[r * n_in + j] = (float)t.cells[r * t.n_cols + in_cols[j]];
			for (int j = 0; j < n_out; j++)
				f->t[r * n_out + j] = (float)t.cells[r * t.n_cols + out_cols[j]];
		}
		if (!f->x || !f->t) {
			snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
			f = NULL;
		}
	}
	csv_free(&t);
	return f != NULL;
}

/* Every audio pair must give the same conditioning names, in any order; the
 * first pair's order is the input order. */
static bool interleave_audio(data_set *d, recur_error *err)
{
	const data_file *first = &d->files[0];
	d->n_inputs = 1 + first->n_cond;
	d->n_outputs = 1;
	snprintf(d->input_names[0], RECUR_NAME_LEN, "in");
	snprintf(d->output_names[0], RECUR_NAME_LEN, "out");
	for (int c = 0; c < first->n_cond; c++) {
		memcpy(d->input_names[c + 1], first->cond_name[c], RECUR_NAME_LEN);
		d->input_min[c + 1] = INFINITY;
		d->input_max[c + 1] = -INFINITY;
	}
	for (int i = 0; i < d->n_files; i++) {
		data_file *f = &d->files[i];
		float v[RECUR_MAX_IO];
		if (f->n_cond != first->n_cond) {
			snprintf(
			    err->msg, sizeof err->msg,
			    "%s has %d --cond values, %s has %d: every pair needs the same ones",
			    f->input_path, f->n_cond, first->input_path, first->n_cond);
			return false;
		}
		for (int c = 0; c < first->n_cond; c++) {
			int k = 0;
			while (k < f->n_cond && strcmp(f->cond_name[k], first->cond_name[c]) != 0)
				k++;
			if (k == f->n_cond) {
				snprintf(err->msg, sizeof err->msg, "%s lacks --cond %s=...",
				         f->input_path, first->cond_name[c]);
				return false;
			}
			v[c] = f->cond_value[k];
			d->input_min[c + 1] = fminf(d->input_min[c + 1], v[c]);
			d->input_max[c + 1] = fmaxf(d->input_max[c + 1], v[c]);
		}
		const int n = d->n_inputs;
		f->x = malloc(f->frames * (size_t)n * sizeof(float));
		if (!f->x) {
			snprintf(err->msg, sizeof err->msg, "%s: out of memory", f->input_path);
			return false;
		}
		for (size_t r = 0; r < f->frames; r++) {
			f->x[r * n] = f->signal[r];
			for (int c = 1; c < n; c++)
				f->x[r * n + c] = v[c - 1];
		}
		free(f->signal);
		f->signal = NULL;
	}
	return true;
}

/* NaN or infinity in a float file would turn every gradient into NaN. */
static bool check_finite(const data_set *d, recur_error *err)
{
	for (int i = 0; i < d->n_files; i++) {
		const data_file *f = &d->files[i];
		const float *arr[2] = {f->x, f->t};
		const size_t len[2] = {f->frames * (size_t)d->n_inputs,
		                       f->frames * (size_t)d->n_outputs};
		const size_t width[2] = {(size_t)d->n_inputs, (size_t)d->n_outputs};
		for (int k = 0; k < 2; k++)
			for (size_t j = 0; j < len[k]; j++)
				if (!isfinite(arr[k][j])) {
					snprintf(err->msg, sizeof err->msg,
					         "%.200s: frame %zu is not a finite number",
					         k == 0 || !f->target_path ? f->input_path
					                                   : f->target_path,
					         j / width[k]);
					return false;
				}
	}
	return true;
}

static bool add_seq(train_seq *list, int *n, const data_file *f, const data_set *d, size_t from,
                    size_t to)
{
	if (to <= from || *n == TRAIN_MAX_SEQS)
		return false;
	list[*n] = (train_seq){.x = f->x + from * (size_t)d->n_inputs,
	                       .t = f->t + from * (size_t)d->n_outputs,
	                       .frames = to - from};
	(*n)++;
	return true;
}

bool data_finish(data_set *d, recur_error *err)
{
	if (!d->n_files) {
		snprintf(err->msg, sizeof err->msg,
		         "no data: give --input IN --target OUT pairs or --csv FILE");
		return false;
	}
	if ((d->files[0].target_path && !interleave_audio(d, err)) || !check_finite(d, err))
		return false;
	bool by_file = false;
	for (int i = 0; i < d->n_files; i++)
		by_file |= d->files[i].is_val;
	train_split *s = &d->split;
	memset(s, 0, sizeof *s);
	for (int i = 0; i < d->n_files; i++) {
		const data_file *f = &d->files[i];
		const size_t n = f->frames;
		if (f->is_val) {
			add_seq(s->val, &s->n_val, f, d, 0, n);
		} else if (by_file) {
			add_seq(s->train, &s->n_train, f, d, 0, n - n / 10);
			add_seq(s->test, &s->n_test, f, d, n - n / 10, n);
		} else {
			add_seq(s->train, &s->n_train, f, d, 0, n - n / 5);
			add_seq(s->val, &s->n_val, f, d, n - n / 5, n - n / 10);
			add_seq(s->test, &s->n_test, f, d, n - n / 10, n);
		}
	}
	if (!s->n_train) {
		snprintf(err->msg, sizeof err->msg,
		         "no training data (only validation files given)");
		return false;
	}
	snprintf(d->split_note, sizeof d->split_note, "%s",
	         by_file ? "by file: validation = the --val-* files; training = first 90% of each "
	                   "other file, test = its last 10%"
	                 : "by time: training = first 80% of each file, validation = next 10%, "
	                   "test = last 10%");
	return true;
}
