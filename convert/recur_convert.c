/*
 * recur-convert: reads any model file recur loads and writes it as recur's
 * format, AIDA-X JSON or a NAM .nam LSTM. Before anything is written the new
 * file's text is read back through recur's own readers and run on the check
 * input beside the loaded model; a file that would not run the same network
 * is never written.
 */
#include "check_signal.h"
#include "export.h"
#include "output.h"
#include "output_safety.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RECUR_VERSION
#define RECUR_VERSION "unknown"
#endif

#define EXIT_FAILED 1
#define EXIT_USAGE  2
/* The written file, read back, must give the loaded model's outputs to this
 * (both are float32 networks with the same weights; only the order of a few
 * additions may differ). */
#define READ_BACK_TOLERANCE 1e-5
/* A file's own check data is met to this (recur-process --check's limit), or a
 * warning says so. */
#define OWN_CHECK_TOLERANCE 1e-5

static const char usage_text[] =
    "Usage: recur-convert [OPTIONS] INPUT OUTPUT\n"
    "\n"
    "Writes the model in INPUT (any file recur loads: recur's format, AIDA-X /\n"
    "RTNeural JSON, Automated-GuitarAmpModelling JSON, NAM .nam LSTM) as OUTPUT\n"
    "in recur's format, as AIDA-X JSON or as a NAM .nam LSTM file.\n"
    "\n"
    "The format follows OUTPUT's name (.nam NAM, .aidax AIDA-X, .json recur)\n"
    "unless --to says otherwise. A model the target cannot run exactly is\n"
    "refused with the reason and what the target loads. The new file is read\n"
    "back and checked against INPUT's model before it is written; it is\n"
    "written atomically, never over INPUT, never over a file that is not a\n"
    "model. recur's format gets a check block (a short input and the output\n"
    "computed here), AIDA-X files their input_batch / output_batch.\n"
    "\n"
    "Options:\n"
    "  --to FORMAT      recur, aidax or nam\n"
    "  -q, --quiet      no summary on stderr\n"
    "  -h, --help       this text\n"
    "  -V, --version    the version\n"
    "\n"
    "Examples:\n"
    "  recur-convert amp.json amp.nam                  # for NAM's plugins\n"
    "  recur-convert --to aidax amp.json amp-aidax.json  # for AIDA-X\n"
    "  recur-convert capture.nam capture.json          # NAM file to recur's format\n"
    "\n"
    "Exit status: 0 written, 1 failed or refused (nothing written), 2 bad\n"
    "command line.\n";

typedef struct {
	const char *input, *output;
	recur_export_format format;
	bool format_given;
	bool quiet;
} options;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "recur-convert: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'recur-convert --help'.\n");
	return EXIT_USAGE;
}

/* -1 to go on, otherwise the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
	static const struct option longs[] = {{"to", required_argument, NULL, 't'},
	                                      {"quiet", no_argument, NULL, 'q'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {"version", no_argument, NULL, 'V'},
	                                      {NULL, 0, NULL, 0}};
	int opt;
	while ((opt = getopt_long(argc, argv, "qhV", longs, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (!recur_export_format_parse(optarg, &o->format))
				return usage_error("--to wants recur, aidax or nam, got \"%s\"",
				                   optarg);
			o->format_given = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("recur-convert %s\n", RECUR_VERSION);
			return 0;
		default: /* getopt_long has said what was wrong */
			fprintf(stderr, "Try 'recur-convert --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return usage_error("%s", "expected INPUT OUTPUT");
	o->input = argv[optind];
	o->output = argv[optind + 1];
	if (!o->format_given && !format_from_name(o->output, &o->format))
		return usage_error(
		    "cannot tell the format from the name \"%s\" (.json, .aidax, .nam); "
		    "give --to recur|aidax|nam",
		    o->output);
	return -1;
}

static char *text_of(const recur_model *m, recur_export_format f, recur_error *err)
{
	switch (f) {
	case RECUR_EXPORT_AIDAX:
		return recur_export_aidax(m, err);
	case RECUR_EXPORT_NAM:
		return recur_export_nam(m, err);
	default:
		return recur_model_print(m, err);
	}
}

/* Largest output difference between two models over the check input, or
 * -1 when the shapes differ or memory runs out. */
static double max_difference(const recur_model *a, const recur_model *b, recur_error *err)
{
	if (a->shape.n_inputs != b->shape.n_inputs || a->shape.n_outputs != b->shape.n_outputs)
		return -1;
	const int frames = RECUR_CHECK_FRAMES;
	const size_t n_y = (size_t)frames * a->shape.n_outputs;
	float *x = malloc(sizeof *x * (size_t)frames * a->shape.n_inputs);
	float *ya = malloc(sizeof *ya * n_y), *yb = malloc(sizeof *yb * n_y);
	double worst = -1;
	if (x && ya && yb) {
		recur_check_input(a, x, frames);
		if (recur_check_run(a, x, ya, frames, err) &&
		    recur_check_run(b, x, yb, frames, err)) {
			worst = 0;
			for (size_t i = 0; i < n_y; i++) {
				const double d = fabs((double)ya[i] - yb[i]);
				worst = d > worst || isnan(d) ? d : worst;
			}
		}
	}
	free(x);
	free(ya);
	free(yb);
	return worst;
}

/* The text read back through recur's readers runs the same network. */
static bool reads_back(const recur_model *m, const char *text, recur_export_format f, double *diff,
                       recur_error *err)
{
	recur_model *back = recur_model_parse(text, strlen(text), err);
	if (!back) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		snprintf(err->msg, sizeof err->msg, "the %s text does not read back: %.180s",
		         recur_export_format_name(f), why);
		return false;
	}
	*diff = max_difference(m, back, err);
	recur_model_free(back);
	if (!(*diff >= 0 && *diff <= READ_BACK_TOLERANCE)) {
		snprintf(err->msg, sizeof err->msg,
		         "the %s text read back differs from the model by %g (limit %g)",
		         recur_export_format_name(f), *diff, READ_BACK_TOLERANCE);
		return false;
	}
	return true;
}

/* The input's own check data (a recur check block, AIDA-X's self-test) says
 * whether the file runs here as where it was made; false without any. */
static bool own_check(recur_model *m, const char *input, double *own)
{
	size_t frame = 0;
	recur_error none;
	if (!recur_model_check(m, own, &frame, &none))
		return false;
	if (!(*own <= OWN_CHECK_TOLERANCE))
		fprintf(stderr,
		        "recur-convert: warning: %s disagrees with its own check data by %g (frame "
		        "%zu); converted as it runs here\n",
		        input, *own, frame);
	return true;
}

static void summary(const options *o, const recur_model *m, double diff, bool has_own, double own)
{
	char own_note[96] = "";
	if (has_own)
		snprintf(own_note, sizeof own_note, "; input's own check data %.3g", own);
	const recur_shape *s = &m->shape;
	fprintf(stderr,
	        "recur-convert: wrote %s (%s): %s %dx%d, %d input%s, %d output%s; read back, "
	        "largest difference %.3g%s\n",
	        o->output, recur_export_format_name(o->format), recur_cell_name(s->cell), s->layers,
	        s->hidden, s->n_inputs, s->n_inputs == 1 ? "" : "s", s->n_outputs,
	        s->n_outputs == 1 ? "" : "s", diff, own_note);
}

static int convert(const options *o)
{
	char why[512];
	if (!output_allowed(o->input, o->output, o->format, why, sizeof why)) {
		fprintf(stderr, "recur-convert: %s\n", why);
		return EXIT_FAILED;
	}
	recur_error err = {{0}};
	recur_model *m = recur_model_load(o->input, &err);
	if (!m) {
		fprintf(stderr, "recur-convert: %s: %s\n", o->input, err.msg);
		return EXIT_FAILED;
	}
	double own = 0, diff = 0;
	const bool has_own = own_check(m, o->input, &own);
	/* recur's format carries a check block computed here, replacing one the
	 * input had: it records what this engine gives for this file */
	char *text = o->format != RECUR_EXPORT_RECUR || recur_check_attach(m, &err)
	                 ? text_of(m, o->format, &err)
	                 : NULL;
	const bool ok = text && reads_back(m, text, o->format, &diff, &err) &&
	                output_write_all(o->output, text, strlen(text), err.msg, sizeof err.msg);
	if (!ok)
		fprintf(stderr, "recur-convert: %s: %s\n", o->output, err.msg);
	else if (!o->quiet)
		summary(o, m, diff, has_own, own);
	free(text);
	recur_model_free(m);
	return ok ? 0 : EXIT_FAILED;
}

int main(int argc, char **argv)
{
	options o = {.format = RECUR_EXPORT_RECUR};
	const int rc = parse_options(argc, argv, &o);
	return rc >= 0 ? rc : convert(&o);
}
