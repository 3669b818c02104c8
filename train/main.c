/*
 * recur-train: fits a recurrent network to input/target recordings (or CSV
 * columns) and writes it in recur's model format.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_signal.h"
#include "data.h"
#include "denormals.h"
#include "export.h"
#include "input_gain.h"
#include "memory_init.h"
#include "output.h"
#include "outputs.h"
#include "prepare.h"
#include "preset.h"
#include "run_log.h"
#include "trainer.h"

#ifndef RECUR_VERSION
#define RECUR_VERSION "unknown"
#endif

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char usage[] =
    "Usage: recur-train [OPTIONS] --out MODEL.json\n"
    "\n"
    "Data (audio: WAV, FLAC, AIFF; all files at one sample rate):\n"
    "  --input IN --target OUT   a pair of recordings (repeat for more pairs)\n"
    "  --cond NAME=VALUE         a constant conditioning input for the pair before it\n"
    "  --val-input IN --val-target OUT  a pair used for validation only\n"
    "  --csv FILE --inputs a,b --targets c   columns of a CSV table instead of audio\n"
    "  --rate HZ                 frames per second of the CSV rows, stored in the model\n"
    "  --channel N               channel of the audio files to use (default 0)\n"
    "  --trim                    cut a pair of unequal length to the shorter\n"
    "Capture (audio pairs; docs/capture.md):\n"
    "  --align auto|off          measure latency, polarity and clock drift and take\n"
    "                            them out (auto), or only report them (off)\n"
    "  --latency N               take out a latency of N frames (a fraction is fine)\n"
    "  --force                   train even when the data check finds a problem\n"
    "  --check                   print the data check, its JSON on stdout, and stop\n"
    "Network:\n"
    "  --cell rnn|gru|lstm (lstm)  --hidden N (16)  --layers N (1)\n"
    "  --skip / --no-skip        add the input to output 0 (default: on for audio)\n"
    "  --out-act linear|tanh|sigmoid|softmax (linear)\n"
    "Training:\n"
    "  --loss esr|mse|bce|ce     (esr: error-to-signal ratio with pre-emphasis + DC)\n"
    "  --preemph A               ESR pre-emphasis y[n] - A y[n-1] (0.95; 0 = off)\n"
    "  --epochs N (200)  --time-budget SECONDS  --lr X (0.01)  --batch N (8)\n"
    "  --cpu-budget SECONDS      stop after this much CPU time (every thread): the same\n"
    "                            training on a busy machine as on an idle one\n"
    "  --segment N (1024)  --warmup N (512)  --clip X (1.0)  --weight-decay X (0)\n"
    "  --patience N (12)         stop after N epochs without validation gain\n"
    "  --memory FRAMES (0)       LSTM/GRU: start with memories spread up to FRAMES frames\n"
    "                            (chrono initialisation; for slow envelopes, e.g. 9600)\n"
    "  --input-gain G|auto       train on input and target times G, folded back into the\n"
    "                            model (auto: input RMS 0.5; for level-dependent devices)\n"
    "  --threads N (2)  --seed N (1)\n"
    "Output:\n"
    "  --out MODEL.json          the trained model (best validation ESR)\n"
    "  --checkpoint FILE         written every epoch (default MODEL.json.ckpt)\n"
    "  --resume FILE             continue from a checkpoint\n"
    "  --log FILE.jsonl          one JSON line per epoch\n"
    "  --export aidax|nam FILE   also write the model for AIDA-X (one LSTM or GRU\n"
    "                            layer of 8..80 units) or NAM (.nam LSTM); repeatable\n"
    "  --preset FILE.ttl         also write an LV2 preset that loads the model\n"
    "  --quiet                   no progress on stderr\n"
    "  -h, --help                this text\n"
    "  -V, --version             the version\n";

typedef struct {
	train_config cfg;
	recur_shape shape;
	int skip; /* -1: default */
	const char *out, *log_path, *resume, *checkpoint, *preset;
	const char *export_path[2]; /* by recur_export_format - 1: aidax, nam */
	const char *csv, *csv_inputs, *csv_targets;
	int channel;
	bool trim;
	double rate;            /* --rate, 0 when not given */
	double memory;          /* --memory, 0: the plain initialisation */
	const char *input_gain; /* --input-gain, NULL: 1 */
	prepare_options prep;
	bool check_only;
	cJSON *capture_report; /* prepare_pairs' findings, NULL for CSV data */
} options;

enum {
	O_INPUT = 256,
	O_TARGET,
	O_COND,
	O_VAL_INPUT,
	O_VAL_TARGET,
	O_CSV,
	O_INPUTS,
	O_TARGETS,
	O_CHANNEL,
	O_RATE,
	O_TRIM,
	O_CELL,
	O_HIDDEN,
	O_LAYERS,
	O_SKIP,
	O_NO_SKIP,
	O_OUT_ACT,
	O_LOSS,
	O_PREEMPH,
	O_EPOCHS,
	O_BUDGET,
	O_CPU_BUDGET,
	O_THREADS,
	O_SEED,
	O_LR,
	O_BATCH,
	O_SEGMENT,
	O_WARMUP,
	O_OUT,
	O_QUIET,
	O_LOG,
	O_RESUME,
	O_PRESET,
	O_EXPORT,
	O_CLIP,
	O_WD,
	O_PATIENCE,
	O_MEMORY,
	O_INPUT_GAIN,
	O_CKPT,
	O_ALIGN,
	O_LATENCY,
	O_FORCE,
	O_CHECK,
	O_HELP = 'h',
	O_VERSION = 'V',
};

static const struct option long_opts[] = {
    {"input", required_argument, 0, O_INPUT},
    {"target", required_argument, 0, O_TARGET},
    {"cond", required_argument, 0, O_COND},
    {"val-input", required_argument, 0, O_VAL_INPUT},
    {"val-target", required_argument, 0, O_VAL_TARGET},
    {"csv", required_argument, 0, O_CSV},
    {"inputs", required_argument, 0, O_INPUTS},
    {"targets", required_argument, 0, O_TARGETS},
    {"channel", required_argument, 0, O_CHANNEL},
    {"rate", required_argument, 0, O_RATE},
    {"trim", no_argument, 0, O_TRIM},
    {"cell", required_argument, 0, O_CELL},
    {"hidden", required_argument, 0, O_HIDDEN},
    {"layers", required_argument, 0, O_LAYERS},
    {"skip", no_argument, 0, O_SKIP},
    {"no-skip", no_argument, 0, O_NO_SKIP},
    {"out-act", required_argument, 0, O_OUT_ACT},
    {"loss", required_argument, 0, O_LOSS},
    {"preemph", required_argument, 0, O_PREEMPH},
    {"epochs", required_argument, 0, O_EPOCHS},
    {"time-budget", required_argument, 0, O_BUDGET},
    {"cpu-budget", required_argument, 0, O_CPU_BUDGET},
    {"threads", required_argument, 0, O_THREADS},
    {"seed", required_argument, 0, O_SEED},
    {"lr", required_argument, 0, O_LR},
    {"batch", required_argument, 0, O_BATCH},
    {"segment", required_argument, 0, O_SEGMENT},
    {"warmup", required_argument, 0, O_WARMUP},
    {"out", required_argument, 0, O_OUT},
    {"quiet", no_argument, 0, O_QUIET},
    {"log", required_argument, 0, O_LOG},
    {"resume", required_argument, 0, O_RESUME},
    {"preset", required_argument, 0, O_PRESET},
    {"export", required_argument, 0, O_EXPORT},
    {"clip", required_argument, 0, O_CLIP},
    {"weight-decay", required_argument, 0, O_WD},
    {"patience", required_argument, 0, O_PATIENCE},
    {"memory", required_argument, 0, O_MEMORY},
    {"input-gain", required_argument, 0, O_INPUT_GAIN},
    {"checkpoint", required_argument, 0, O_CKPT},
    {"align", required_argument, 0, O_ALIGN},
    {"latency", required_argument, 0, O_LATENCY},
    {"force", no_argument, 0, O_FORCE},
    {"check", no_argument, 0, O_CHECK},
    {"help", no_argument, 0, O_HELP},
    {"version", no_argument, 0, O_VERSION},
    {0, 0, 0, 0},
};

/* A number in [lo, hi]; a whole one if integer. */
static bool parse_num(const char *opt, const char *s, double lo, double hi, bool integer, double *v)
{
	char *end;
	*v = strtod(s, &end);
	if (end == s || *end || !(*v >= lo && *v <= hi) ||
	    (integer && *v != (double)(long long)*v)) {
		fprintf(stderr, "recur-train: --%s %s: expected %s in [%g, %g]\n", opt, s,
		        integer ? "a whole number" : "a number", lo, hi);
		return false;
	}
	return true;
}

static bool parse_enum(const char *opt, const char *s, const char *const *names, int n, int *v)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*v = i;
			return true;
		}
	fprintf(stderr, "recur-train: --%s %s: unknown value\n", opt, s);
	return false;
}

/* Options that take a number, and their limits. */
typedef struct {
	int id;
	double lo, hi;
	bool integer;
} numeric_spec;

static const numeric_spec numeric_specs[] = {
    {O_CHANNEL, 0, 255, true},
    {O_RATE, 1e-6, 1e7, false},
    {O_HIDDEN, 1, RECUR_MAX_HIDDEN, true},
    {O_LAYERS, 1, RECUR_MAX_LAYERS, true},
    {O_PREEMPH, 0, 0.999, false},
    {O_EPOCHS, 1, 1e6, true},
    {O_BUDGET, 0.001, 1e9, false},
    {O_CPU_BUDGET, 0.001, 1e9, false},
    {O_THREADS, 1, 64, true},
    {O_SEED, 0, 1e15, true},
    {O_LR, 1e-9, 1, false},
    {O_BATCH, 1, 4096, true},
    {O_SEGMENT, 1, 1 << 20, true},
    {O_WARMUP, 0, 1 << 20, true},
    {O_CLIP, 0, 1e9, false},
    {O_WD, 0, 1, false},
    {O_PATIENCE, 0, 1e6, true},
    {O_MEMORY, 0, 1e9, false},
    {O_LATENCY, -1e7, 1e7, false},
};

static bool numeric_option(int c, const char *arg, options *o)
{
	const numeric_spec *spec = NULL;
	for (size_t i = 0; i < sizeof numeric_specs / sizeof numeric_specs[0]; i++)
		if (numeric_specs[i].id == c)
			spec = &numeric_specs[i];
	const char *name = "?";
	for (int i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == c)
			name = long_opts[i].name;
	double v;
	if (!spec || !parse_num(name, arg, spec->lo, spec->hi, spec->integer, &v))
		return false;
	train_config *k = &o->cfg;
	switch (c) {
	case O_CHANNEL:
		o->channel = (int)v;
		break;
	case O_RATE:
		o->rate = v;
		break;
	case O_HIDDEN:
		o->shape.hidden = (int)v;
		break;
	case O_LAYERS:
		o->shape.layers = (int)v;
		break;
	case O_PREEMPH:
		k->loss.preemph = (float)v;
		break;
	case O_EPOCHS:
		k->epochs = (int)v;
		break;
	case O_BUDGET:
		k->time_budget = v;
		break;
	case O_CPU_BUDGET:
		k->cpu_budget = v;
		break;
	case O_THREADS:
		k->threads = (int)v;
		break;
	case O_SEED:
		k->seed = (uint64_t)v;
		break;
	case O_LR:
		k->adam.lr = (float)v;
		break;
	case O_BATCH:
		k->batch = (int)v;
		break;
	case O_SEGMENT:
		k->segment = (int)v;
		break;
	case O_WARMUP:
		k->warmup = (int)v;
		break;
	case O_CLIP:
		k->clip = (float)v;
		break;
	case O_WD:
		k->adam.weight_decay = (float)v;
		break;
	case O_PATIENCE:
		k->patience = (int)v;
		break;
	case O_MEMORY:
		o->memory = v;
		break;
	case O_LATENCY:
		o->prep.mode = ALIGN_FIXED;
		o->prep.latency = v;
		break;
	}
	return true;
}

static bool parse_align(const char *s, options *o)
{
	static const char *const modes[] = {"auto", "off"};
	int v;
	if (!parse_enum("align", s, modes, 2, &v))
		return false;
	o->prep.mode = v ? ALIGN_OFF : ALIGN_AUTO;
	return true;
}

/* --channel, --trim and --align apply to every pair wherever they stand, so
 * they are read before any file is (aligning trims pairs too). */
static bool parse_file_options(int argc, char **argv, options *o)
{
	int c;
	opterr = 0;
	/* "+": no reordering of argv, so --export's second argument stays put */
	while ((c = getopt_long(argc, argv, "+hV", long_opts, NULL)) != -1) {
		if (c == O_TRIM)
			o->trim = true;
		else if ((c == O_CHANNEL || c == O_LATENCY) && !numeric_option(c, optarg, o))
			return false;
		else if (c == O_ALIGN && !parse_align(optarg, o))
			return false;
		else if (c == O_EXPORT && optind < argc)
			optind++;
	}
	opterr = 1;
	optind = 0; /* glibc: start over, from scratch */
	return true;
}

static bool parse_args(int argc, char **argv, options *o, data_set *d)
{
	if (!parse_file_options(argc, argv, o))
		return false;
	static const char *const cells[] = {"rnn", "gru", "lstm"};
	static const char *const acts[] = {"linear", "tanh", "sigmoid", "softmax"};
	const char *pending_input = NULL, *pending_val = NULL;
	recur_error err = {{0}};
	int c, v;
	while ((c = getopt_long(argc, argv, "+hV", long_opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case O_INPUT:
			pending_input = optarg;
			break;
		case O_VAL_INPUT:
			pending_val = optarg;
			break;
		case O_TARGET:
		case O_VAL_TARGET: {
			const char **in = c == O_TARGET ? &pending_input : &pending_val;
			if (!*in) {
				fprintf(stderr, "recur-train: --%s %s has no --%s before it\n",
				        c == O_TARGET ? "target" : "val-target", optarg,
				        c == O_TARGET ? "input" : "val-input");
				return false;
			}
			ok = data_add_audio(d, *in, optarg, o->channel,
			                    o->trim || o->prep.mode != ALIGN_OFF, c == O_VAL_TARGET,
			                    &err);
			*in = NULL;
			break;
		}
		case O_COND:
			ok = data_add_cond(d, optarg, &err);
			break;
		case O_CSV:
			o->csv = optarg;
			break;
		case O_INPUTS:
			o->csv_inputs = optarg;
			break;
		case O_TARGETS:
			o->csv_targets = optarg;
			break;
		case O_TRIM:
			o->trim = true;
			break;
		case O_ALIGN:
			break; /* read by parse_file_options */
		case O_FORCE:
			o->prep.force = true;
			break;
		case O_CHECK:
			o->check_only = true;
			break;
		case O_CELL:
			if (!parse_enum("cell", optarg, cells, 3, &v))
				return false;
			o->shape.cell = (recur_cell)v;
			break;
		case O_OUT_ACT:
			if (!parse_enum("out-act", optarg, acts, 4, &v))
				return false;
			o->shape.out_act = (recur_activation)v;
			break;
		case O_LOSS:
			if (!loss_parse(optarg, &o->cfg.loss.kind)) {
				fprintf(stderr,
				        "recur-train: --loss %s: expected esr, mse, bce or ce\n",
				        optarg);
				return false;
			}
			break;
		case O_SKIP:
			o->skip = 1;
			break;
		case O_NO_SKIP:
			o->skip = 0;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_QUIET:
			o->cfg.quiet = o->prep.quiet = true;
			break;
		case O_LOG:
			o->log_path = optarg;
			break;
		case O_RESUME:
			o->resume = optarg;
			break;
		case O_CKPT:
			o->checkpoint = optarg;
			break;
		case O_PRESET:
			o->preset = optarg;
			break;
		case O_INPUT_GAIN:
			if (strcmp(optarg, "auto") != 0 &&
			    !parse_num("input-gain", optarg, 1e-3, 1e3, false, &(double){0}))
				return false;
			o->input_gain = optarg;
			break;
		case O_EXPORT: {
			recur_export_format f;
			if (!recur_export_format_parse(optarg, &f) || f == RECUR_EXPORT_RECUR ||
			    optind >= argc) {
				fprintf(stderr, "recur-train: usage: --export aidax|nam FILE\n");
				return false;
			}
			o->export_path[f - 1] = argv[optind++];
			break;
		}
		case O_HELP:
			fputs(usage, stdout);
			exit(0);
		case O_VERSION:
			printf("recur-train %s\n", RECUR_VERSION);
			exit(0);
		case '?':
			fputs(usage, stderr);
			return false;
		default:
			if (!numeric_option(c, optarg, o))
				return false;
		}
		if (!ok) {
			fprintf(stderr, "recur-train: %s\n", err.msg);
			return false;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "recur-train: unexpected argument %s\n", argv[optind]);
		return false;
	}
	if (pending_input || pending_val) {
		fprintf(stderr, "recur-train: --%s %s has no matching target\n",
		        pending_input ? "input" : "val-input",
		        pending_input ? pending_input : pending_val);
		return false;
	}
	if (o->csv && (!o->csv_inputs || !o->csv_targets)) {
		fprintf(stderr, "recur-train: --csv needs --inputs and --targets\n");
		return false;
	}
	if (o->csv && !data_add_csv(d, o->csv, o->csv_inputs, o->csv_targets, &err)) {
		fprintf(stderr, "recur-train: %s\n", err.msg);
		return false;
	}
	/* Audio files carry their rate; a CSV table's rows have none until
	 * --rate gives it, and the model then steps at that rate in the CV
	 * plugin and in recur-process --time-column. */
	if (o->rate > 0 && d->sample_rate > 0 && o->rate != d->sample_rate) {
		fprintf(stderr, "recur-train: --rate %g contradicts the audio files' %g Hz\n",
		        o->rate, d->sample_rate);
		return false;
	}
	if (o->rate > 0)
		d->sample_rate = o->rate;
	if (!o->out && !o->check_only) {
		fprintf(stderr, "recur-train: --out MODEL.json is required (see --help)\n");
		return false;
	}
	return true;
}

static char *hex64(uint64_t h, char *buf)
{
	snprintf(buf, 17, "%016" PRIx64, h);
	return buf;
}

static char *metadata(const data_set *d, const options *o, const train_result *r, int argc,
                      char **argv)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "trainer", "recur-train");
	cJSON *files = cJSON_AddArrayToObject(j, "data");
	char buf[17];
	for (int i = 0; i < d->n_files; i++) {
		const data_file *f = &d->files[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "input", f->input_path);
		cJSON_AddStringToObject(e, "input_fnv1a64", hex64(f->input_hash, buf));
		if (f->target_path) {
			cJSON_AddStringToObject(e, "target", f->target_path);
			cJSON_AddStringToObject(e, "target_fnv1a64", hex64(f->target_hash, buf));
		}
		cJSON_AddBoolToObject(e, "validation", f->is_val);
		for (int c = 0; c < f->n_cond; c++)
			cJSON_AddNumberToObject(e, f->cond_name[c], f->cond_value[c]);
		cJSON_AddItemToArray(files, e);
	}
	if (o->capture_report)
		cJSON_AddItemToObject(j, "capture", cJSON_Duplicate(o->capture_report, true));
	cJSON_AddStringToObject(j, "split", d->split_note);
	cJSON_AddNumberToObject(j, "sample_rate", d->sample_rate);
	cJSON_AddStringToObject(j, "loss", loss_name(o->cfg.loss.kind));
	cJSON_AddNumberToObject(j, "preemph", o->cfg.loss.preemph);
	cJSON_AddNumberToObject(j, "epochs", r->epochs);
	cJSON_AddNumberToObject(j, "best_epoch", r->best_epoch);
	cJSON_AddNumberToObject(j, "val_esr", r->best_val_esr);
	if (isfinite(r->test_esr))
		cJSON_AddNumberToObject(j, "test_esr", r->test_esr);
	cJSON_AddNumberToObject(j, "seed", (double)o->cfg.seed);
	cJSON_AddNumberToObject(j, "threads", o->cfg.threads);
	cJSON_AddNumberToObject(j, "seconds", r->seconds);
	cJSON *cmd = cJSON_AddArrayToObject(j, "command_line");
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void name_ports(recur_model *m, const data_set *d)
{
	m->sample_rate = d->sample_rate;
	for (int i = 0; i < d->n_inputs; i++) {
		snprintf(m->inputs[i].name, RECUR_NAME_LEN, "%s", d->input_names[i]);
		if (i > 0 && d->files[0].target_path) {
			m->inputs[i].min = d->input_min[i];
			m->inputs[i].max = d->input_max[i];
			m->inputs[i].def = d->input_min[i];
		}
	}
	for (int i = 0; i < d->n_outputs; i++)
		snprintf(m->outputs[i].name, RECUR_NAME_LEN, "%s", d->output_names[i]);
}

/* A model an --export format cannot run is refused before training, not
 * after minutes of it: the shape and ports decide, not the weights. */
static bool exports_possible(const options *o, const recur_model *m, recur_error *err)
{
	for (int f = RECUR_EXPORT_AIDAX; f <= RECUR_EXPORT_NAM; f++) {
		if (!o->export_path[f - 1])
			continue;
		recur_error why = {{0}};
		char *text = f == RECUR_EXPORT_AIDAX ? recur_export_aidax(m, &why)
		                                     : recur_export_nam(m, &why);
		if (!text) {
			snprintf(err->msg, sizeof err->msg, "--export %s: %.200s",
			         recur_export_format_name(f), why.msg);
			return false;
		}
		free(text);
	}
	return true;
}

/* An --export file, written as every output of recur-train is (output.h). */
static bool write_export(const recur_model *m, recur_export_format f, const char *path,
                         recur_error *err)
{
	char *text =
	    f == RECUR_EXPORT_AIDAX ? recur_export_aidax(m, err) : recur_export_nam(m, err);
	const bool ok =
	    text && output_write_all(path, text, strlen(text), err->msg, sizeof err->msg);
	free(text);
	return ok;
}

/* Training stopped on a failed write, or the model could not be saved:
 * says what failed and where the model went. */
static void report_lost_output(const train_result *res, const recur_error *err,
                               const recur_error *save_err, const char *saved_to)
{
	fprintf(stderr, "recur-train: ");
	if (res->write_failed)
		fprintf(stderr, "%s; ", err->msg);
	if (save_err->msg[0])
		fprintf(stderr, "%s; ", save_err->msg);
	if (saved_to[0])
		fprintf(stderr,
		        "training stopped after %d epochs: the best model so far (epoch %d) is in "
		        "%s\n",
		        res->epochs, res->best_epoch, saved_to);
	else
		fprintf(stderr, "the trained model could not be written\n");
}

/* The model (or, failing that, its rescue), then the export and the preset.
 * *reported: the failure has been told already. */
static int write_results(const options *o, const recur_model *m, const train_result *res,
                         recur_error *err, bool *reported)
{
	recur_error save_err = {{0}};
	char saved_to[4200];
	bool saved = model_save_or_rescue(m, o->out, saved_to, sizeof saved_to, &save_err);
	if (!saved || res->write_failed) {
		report_lost_output(res, err, &save_err, saved_to);
		*reported = true;
		return 1;
	}
	for (int f = RECUR_EXPORT_AIDAX; f <= RECUR_EXPORT_NAM; f++)
		if (o->export_path[f - 1] && !write_export(m, f, o->export_path[f - 1], err))
			return 1;
	if (o->preset && !write_preset(o->preset, o->out, err))
		return 1;
	return 0;
}

/* --input-gain: G or auto, applied to the data (input_gain.h). */
static bool choose_input_gain(const options *o, data_set *d, float *gain)
{
	if (o->shape.out_act != RECUR_ACT_LINEAR) {
		fprintf(stderr, "recur-train: --input-gain needs --out-act linear\n");
		return false;
	}
	/* a number in range or auto, checked with the other options */
	const double v =
	    strcmp(o->input_gain, "auto") == 0 ? input_gain_auto(d) : strtod(o->input_gain, NULL);
	*gain = (float)v;
	input_gain_apply(d, *gain);
	if (!o->cfg.quiet)
		fprintf(stderr, "recur-train: training at input gain %g\n", v);
	return true;
}

static int train(options *o, data_set *d, int argc, char **argv)
{
	recur_error err = {{0}};
	o->shape.n_inputs = d->n_inputs;
	o->shape.n_outputs = d->n_outputs;
	o->shape.skip = o->skip < 0 ? d->files[0].target_path != NULL : o->skip;
	recur_model *m = recur_model_new(&o->shape, &err);
	if (!m) {
		fprintf(stderr, "recur-train: %s\n", err.msg);
		return 1;
	}
	name_ports(m, d);
	trainer_init_params(m, o->cfg.seed);
	memory_init(m, o->memory, o->cfg.seed);
	float gain = 1;
	if (o->input_gain && !choose_input_gain(o, d, &gain)) {
		recur_model_free(m);
		return 2;
	}
	char ckpt[4096];
	snprintf(ckpt, sizeof ckpt, "%s.ckpt", o->out);
	o->cfg.checkpoint = o->checkpoint ? o->checkpoint : ckpt;
	o->cfg.stop = &stop_requested;
	o->cfg.progress = isatty(2);
	const train_paths paths = {o->out,
	                           o->log_path,
	                           o->cfg.checkpoint,
	                           o->export_path[RECUR_EXPORT_AIDAX - 1],
	                           o->export_path[RECUR_EXPORT_NAM - 1],
	                           o->preset,
	                           o->resume};
	run_log log;
	if (!outputs_check(&paths, d, &err) || !exports_possible(o, m, &err) ||
	    (o->log_path && !run_log_open(&log, o->log_path, o->resume != NULL, &err))) {
		fprintf(stderr, "recur-train: %s\n", err.msg);
		recur_model_free(m);
		return 1;
	}
	o->cfg.log = o->log_path ? &log : NULL;
	trainer *tr = trainer_new(m, &d->split, &o->cfg, &err);
	int rc = 1;
	train_result res;
	bool reported = false;
	if (tr && (!o->resume || trainer_resume(tr, o->resume, &err))) {
		if (!o->cfg.quiet)
			fprintf(stderr, "recur-train: %s %dx%d, %d parameters; split %s\n",
			        recur_cell_name(o->shape.cell), o->shape.layers, o->shape.hidden,
			        (int)m->n_params, d->split_note);
		if ((!o->cfg.log ||
		     run_log_line(o->cfg.log, &err, "{\"split\":\"%s\",\"sample_rate\":%g}",
		                  d->split_note, d->sample_rate)) &&
		    trainer_run(tr, &res, &err)) {
			input_gain_fold(m, gain);
			free(m->metadata_json);
			m->metadata_json = metadata(d, o, &res, argc, argv);
			/* the check block: what this engine gives for the saved model */
			recur_error check_err = {{0}};
			if (!recur_check_attach(m, &check_err))
				fprintf(stderr, "recur-train: warning: no check block: %s\n",
				        check_err.msg);
			rc = write_results(o, m, &res, &err, &reported);
		}
	}
	if (rc && !reported)
		fprintf(stderr, "recur-train: %s\n", err.msg);
	else if (rc == 0 && !o->cfg.quiet)
		fprintf(stderr,
		        "recur-train: wrote %s: %d epochs in %.1fs, best epoch %d%s, val ESR %.6g, "
		        "test ESR %.6g%s\n",
		        o->out, res.epochs, res.seconds, res.best_epoch,
		        res.partial_kept ? " (stopped part-way)" : "", res.best_val_esr,
		        res.test_esr,
		        res.interrupted     ? " (interrupted)"
		        : res.out_of_time   ? " (budget reached)"
		        : res.stopped_early ? " (stopped early)"
		                            : "");
	if (rc == 0 && o->cfg.log &&
	    !run_log_line(o->cfg.log, &err,
	                  "{\"done\":true,\"epochs\":%d,\"val_esr\":%.9g,\"test_esr\":%.9g}",
	                  res.epochs, res.best_val_esr,
	                  isfinite(res.test_esr) ? res.test_esr : -1.0)) {
		fprintf(stderr, "recur-train: %s\n", err.msg);
		rc = 1;
	}
	if (o->cfg.log)
		run_log_close(&log);
	trainer_free(tr);
	recur_model_free(m);
	return rc;
}

/* --check's output: the data check's JSON, one line. */
static void print_json(const cJSON *j)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	puts(s ? s : "[]");
	free(s);
}

int main(int argc, char **argv)
{
	options o;
	memset(&o, 0, sizeof o);
	train_config_defaults(&o.cfg);
	o.shape = (recur_shape){RECUR_CELL_LSTM, 1, 1, 16, 1, true, RECUR_ACT_LINEAR};
	o.skip = -1;
	data_set d;
	data_init(&d);
	recur_error err = {{0}};
	bool stopped = false;
	if (!parse_args(argc, argv, &o, &d) ||
	    !prepare_pairs(&d, &o.prep, &o.capture_report, &stopped, &err) ||
	    (!o.check_only && !data_finish(&d, &err))) {
		if (err.msg[0])
			fprintf(stderr, "recur-train: %s\n", err.msg);
		if (stopped && o.check_only)
			print_json(o.capture_report);
		cJSON_Delete(o.capture_report);
		data_free(&d);
		return stopped ? 3 : 2;
	}
	if (o.check_only) {
		print_json(o.capture_report);
		cJSON_Delete(o.capture_report);
		data_free(&d);
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	recur_flush_denormals(); /* before the worker threads, which inherit it */
	const int rc = train(&o, &d, argc, argv);
	cJSON_Delete(o.capture_report);
	data_free(&d);
	return rc;
}
