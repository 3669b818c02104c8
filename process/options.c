/* recur-process's command line: parsing and the help text. */
#include "options.h"

#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef RECUR_VERSION
#define RECUR_VERSION "unknown"
#endif

static const char usage_text[] =
    "Usage: recur-process [OPTIONS] MODEL INPUT OUTPUT\n"
    "       recur-process [OPTIONS] --esr TARGET MODEL INPUT [OUTPUT]\n"
    "       recur-process --check MODEL\n"
    "\n"
    "Runs a recur model over an audio file (WAV, FLAC, AIFF, anything libsndfile\n"
    "reads) or a CSV time series, frame by frame, with the same engine code the\n"
    "LV2 plugin runs. A file is CSV when its name ends in .csv.\n"
    "\n"
    "Audio: the model's input 0 gets one channel of INPUT; conditioning inputs\n"
    "get --cond values or the model's defaults. OUTPUT has one channel per model\n"
    "output, at INPUT's sample rate, 32-bit float unless --format says otherwise.\n"
    "CSV: INPUT's header names the columns; the model's input names pick them\n"
    "(or --inputs). OUTPUT's header is the model's output names.\n"
    "\n"
    "Options:\n"
    "  --channel N          channel of an audio INPUT fed to input 0 (default 0)\n"
    "  --cond NAME=VALUE    hold conditioning input NAME at VALUE (repeatable)\n"
    "  --inputs A,B,...     CSV columns for the model's inputs 0, 1, ... in order\n"
    "  --keep-columns       copy INPUT's CSV columns into OUTPUT before the outputs\n"
    "                       (a copied column named like an output gets \"_input\")\n"
    "  --reset-every N      reset the model's state every N frames\n"
    "  --time-column NAME   CSV column of times in seconds, evenly spaced: the rows\n"
    "                       are samples at that rate and a model trained at another\n"
    "                       rate steps at its own, averaging the rows of each step\n"
    "                       and holding its output (one output row per input row)\n"
    "  --interpolate        with --time-column: interpolate the output linearly\n"
    "                       between model steps instead (one model step of latency)\n"
    "  --resample           audio at another rate than the model's: convert it to the\n"
    "                       model's rate (best sinc), run, convert back: the offline\n"
    "                       best (default: the plugin's real-time method, below)\n"
    "  --rate-method M      force the real-time method for audio at another rate:\n"
    "                       auto (default), naive, resampled, converted[:ORDER]\n"
    "                       (Lagrange), converted:lagrange:ORDER or\n"
    "                       converted:minimax:ORDER (ORDER 0..5)\n"
    "  --format F           audio OUTPUT samples: float (default), pcm24, pcm16\n"
    "  --rate HZ            sample rate of audio written from CSV (default: model's)\n"
    "  --input-type T       read INPUT as csv or audio, whatever its name\n"
    "  --output-type T      write OUTPUT as csv, wav, flac or aiff, whatever its name\n"
    "  --esr TARGET         compare output 0 with TARGET and print esr=VALUE on stdout\n"
    "                       (ESR = sum (y - t)^2 / sum t^2)\n"
    "  --esr-column NAME    TARGET's CSV column (default: the model's output 0 name)\n"
    "  --esr-channel N      TARGET's audio channel (default 0)\n"
    "  --esr-preemph C      pre-emphasis y[n] - C y[n-1] on both before ESR (default 0)\n"
    "  --check              recur-process --check MODEL: print where MODEL came from,\n"
    "                       its sample rate (and whether it was assumed) and the\n"
    "                       largest difference from its own test data (a foreign\n"
    "                       file's, and its check block); exit 3 if one is over 1e-5\n"
    "  -q, --quiet          no summary on stderr (warnings and errors still go there)\n"
    "  -h, --help           this text\n"
    "  -V, --version        the version\n"
    "\n"
    "Exit status: 0 done, 1 failed while running, 2 bad command line,\n"
    "3 (--check) the model disagrees with its own test data.\n";

enum {
	OPT_CHANNEL = 256,
	OPT_COND,
	OPT_INPUTS,
	OPT_KEEP,
	OPT_RESET,
	OPT_FORMAT,
	OPT_RATE,
	OPT_INPUT_TYPE,
	OPT_OUTPUT_TYPE,
	OPT_ESR,
	OPT_ESR_COLUMN,
	OPT_ESR_CHANNEL,
	OPT_ESR_PREEMPH,
	OPT_TIME_COLUMN,
	OPT_INTERPOLATE,
	OPT_CHECK,
	OPT_RESAMPLE,
	OPT_RATE_METHOD,
};

static const struct option long_options[] = {
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"cond", required_argument, NULL, OPT_COND},
    {"inputs", required_argument, NULL, OPT_INPUTS},
    {"keep-columns", no_argument, NULL, OPT_KEEP},
    {"reset-every", required_argument, NULL, OPT_RESET},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"rate", required_argument, NULL, OPT_RATE},
    {"input-type", required_argument, NULL, OPT_INPUT_TYPE},
    {"output-type", required_argument, NULL, OPT_OUTPUT_TYPE},
    {"esr", required_argument, NULL, OPT_ESR},
    {"esr-column", required_argument, NULL, OPT_ESR_COLUMN},
    {"esr-channel", required_argument, NULL, OPT_ESR_CHANNEL},
    {"esr-preemph", required_argument, NULL, OPT_ESR_PREEMPH},
    {"time-column", required_argument, NULL, OPT_TIME_COLUMN},
    {"interpolate", no_argument, NULL, OPT_INTERPOLATE},
    {"check", no_argument, NULL, OPT_CHECK},
    {"resample", no_argument, NULL, OPT_RESAMPLE},
    {"rate-method", required_argument, NULL, OPT_RATE_METHOD},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "recur-process: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'recur-process --help'.\n");
	return EXIT_USAGE;
}

static bool parse_count(const char *s, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_real(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int parse_cond(const char *arg, process_options *o)
{
	const char *eq = strchr(arg, '=');
	double v;
	if (!eq || eq == arg || !parse_real(eq + 1, &v))
		return usage_error("--cond wants NAME=NUMBER, got \"%s\"", arg);
	if (fabs(v) > FLT_MAX)
		return usage_error("--cond %s: the value is beyond a float's range", arg);
	if (o->n_cond == RECUR_MAX_IO)
		return usage_error("too many --cond options (at most %s)", "16");
	o->cond[o->n_cond++] = (cond_arg){arg, (size_t)(eq - arg), (float)v};
	return -1;
}

static int parse_output_type(const char *arg, process_options *o)
{
	static const struct {
		const char *name;
		file_kind kind;
		audio_container container;
	} types[] = {{"csv", KIND_CSV, AUDIO_WAV},
	             {"wav", KIND_AUDIO, AUDIO_WAV},
	             {"flac", KIND_AUDIO, AUDIO_FLAC},
	             {"aiff", KIND_AUDIO, AUDIO_AIFF}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(arg, types[i].name) == 0) {
			o->output_kind = types[i].kind;
			o->container = types[i].container;
			return -1;
		}
	return usage_error("--output-type wants csv, wav, flac or aiff, got \"%s\"", arg);
}

static int parse_format(const char *arg, process_options *o)
{
	if (strcmp(arg, "float") == 0)
		o->sample = AUDIO_FLOAT;
	else if (strcmp(arg, "pcm24") == 0)
		o->sample = AUDIO_PCM24;
	else if (strcmp(arg, "pcm16") == 0)
		o->sample = AUDIO_PCM16;
	else
		return usage_error("--format wants float, pcm24 or pcm16, got \"%s\"", arg);
	return -1;
}

static int parse_input_type(const char *arg, process_options *o)
{
	if (strcmp(arg, "csv") == 0)
		o->input_kind = KIND_CSV;
	else if (strcmp(arg, "audio") == 0)
		o->input_kind = KIND_AUDIO;
	else
		return usage_error("--input-type wants csv or audio, got \"%s\"", arg);
	return -1;
}

static int parse_rate_method(const char *arg, process_options *o)
{
	if (!recur_host_options_parse(arg, &o->host))
		return usage_error(
		    "--rate-method wants auto, naive, resampled, converted, "
		    "converted:ORDER or converted:lagrange|minimax:ORDER (ORDER 0..5), "
		    "got \"%s\"",
		    arg);
	return -1;
}

static int parse_number_option(int opt, const char *arg, process_options *o)
{
	long n;
	double v;
	switch (opt) {
	case OPT_CHANNEL:
	case OPT_ESR_CHANNEL:
		if (!parse_count(arg, 1 << 16, &n))
			return usage_error("a channel is a number from 0, got \"%s\"", arg);
		*(opt == OPT_CHANNEL ? &o->channel : &o->esr_channel) = (int)n;
		return -1;
	case OPT_RESET:
		if (!parse_count(arg, 1L << 40, &n) || n == 0)
			return usage_error("--reset-every wants a frame count above 0, got \"%s\"",
			                   arg);
		o->reset_every = (size_t)n;
		return -1;
	case OPT_RATE:
		if (!parse_real(arg, &v) || v < 1 || v > 1e7)
			return usage_error("--rate wants frames per second, got \"%s\"", arg);
		o->rate = v;
		return -1;
	default: /* OPT_ESR_PREEMPH */
		if (!parse_real(arg, &v) || fabs(v) > 1)
			return usage_error("--esr-preemph wants a number in [-1, 1], got \"%s\"",
			                   arg);
		o->esr_preemph = v;
		return -1;
	}
}

static int parse_option(int opt, const char *arg, process_options *o)
{
	switch (opt) {
	case OPT_COND:
		return parse_cond(arg, o);
	case OPT_INPUTS:
		o->inputs = arg;
		return -1;
	case OPT_KEEP:
		o->keep_columns = true;
		return -1;
	case OPT_TIME_COLUMN:
		o->time_column = arg;
		return -1;
	case OPT_INTERPOLATE:
		o->interpolate = true;
		return -1;
	case OPT_RESAMPLE:
		o->resample = true;
		return -1;
	case OPT_RATE_METHOD:
		return parse_rate_method(arg, o);
	case OPT_FORMAT:
		return parse_format(arg, o);
	case OPT_INPUT_TYPE:
		return parse_input_type(arg, o);
	case OPT_OUTPUT_TYPE:
		return parse_output_type(arg, o);
	case OPT_ESR:
		o->esr_target = arg;
		return -1;
	case OPT_ESR_COLUMN:
		o->esr_column = arg;
		return -1;
	case 'q':
		o->quiet = true;
		return -1;
	case OPT_CHECK:
		o->check = true;
		return -1;
	case 'h':
		fputs(usage_text, stdout);
		return 0;
	case 'V':
		printf("recur-process %s\n", RECUR_VERSION);
		return 0;
	case OPT_CHANNEL:
	case OPT_ESR_CHANNEL:
	case OPT_RESET:
	case OPT_RATE:
	case OPT_ESR_PREEMPH:
		return parse_number_option(opt, arg, o);
	default: /* getopt_long has printed what was wrong */
		fprintf(stderr, "Try 'recur-process --help'.\n");
		return EXIT_USAGE;
	}
}

file_kind kind_from_name(const char *path)
{
	size_t n = strlen(path);
	return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0 ? KIND_CSV : KIND_AUDIO;
}

static audio_container container_from_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && strcasecmp(dot, ".flac") == 0)
		return AUDIO_FLAC;
	if (dot && (strcasecmp(dot, ".aiff") == 0 || strcasecmp(dot, ".aif") == 0))
		return AUDIO_AIFF;
	return AUDIO_WAV;
}

static int check_positionals(int n, char **args, process_options *o)
{
	if (o->check) {
		if (n != 1)
			return usage_error("%s", "--check takes one MODEL and nothing else");
		o->model = args[0];
		return -1;
	}
	if (n < 2 || n > 3 || (n == 2 && !o->esr_target))
		return usage_error("%s", n < 3 ? "expected MODEL INPUT OUTPUT (OUTPUT may be left "
		                                 "out only with --esr)"
		                               : "too many arguments: expected MODEL INPUT OUTPUT");
	o->model = args[0];
	o->input = args[1];
	o->output = n == 3 ? args[2] : NULL;
	if (o->input_kind == KIND_AUTO)
		o->input_kind = kind_from_name(o->input);
	if (o->output && o->output_kind == KIND_AUTO) {
		o->output_kind = kind_from_name(o->output);
		o->container = container_from_name(o->output);
	}
	if (o->keep_columns && (o->input_kind != KIND_CSV || o->output_kind != KIND_CSV))
		return usage_error("%s", "--keep-columns needs a CSV INPUT and a CSV OUTPUT");
	if (o->inputs && o->input_kind != KIND_CSV)
		return usage_error("%s", "--inputs selects CSV columns; INPUT is not CSV");
	if (o->time_column && o->input_kind != KIND_CSV)
		return usage_error("%s", "--time-column names a CSV column; INPUT is not CSV");
	if (o->interpolate && !o->time_column)
		return usage_error("%s", "--interpolate needs --time-column (the CSV's rate)");
	if ((o->resample || o->host.force) && o->input_kind != KIND_AUDIO)
		return usage_error("%s", "--resample and --rate-method are for audio INPUT");
	if (o->resample && o->host.force)
		return usage_error("%s", "--resample and --rate-method exclude each other");
	if (o->resample && o->reset_every)
		return usage_error("%s", "--resample and --reset-every exclude each other");
	return -1;
}

int options_parse(int argc, char **argv, process_options *o)
{
	memset(o, 0, sizeof *o);
	opterr = 1;
	int opt;
	while ((opt = getopt_long(argc, argv, "qhV", long_options, NULL)) != -1) {
		int status = parse_option(opt, optarg, o);
		if (status >= 0)
			return status;
	}
	return check_positionals(argc - optind, argv + optind, o);
}
