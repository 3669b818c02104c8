/*
 * recur-lv2-process: runs an LV2 plugin over a WAV file the way a host
 * does. The plugin is found by URI on LV2_PATH through lilv, a preset is
 * restored as lilv state, a model is sent as a patch:Set and loaded by the
 * plugin's Worker, and the audio goes through run() in blocks.
 *
 * Usage: recur-lv2-process [OPTIONS] PLUGIN_URI IN.wav OUT.wav
 * The host itself (features, Worker, ports) is tests/plugin/host.h, the
 * same one the plugin's tests drive; here the Worker runs synchronously
 * between blocks.
 */
#include "host.h"

#include "audio_io.h"
#include "output.h"

#include <lv2/presets/presets.h>
#include <sndfile.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS 16

#ifndef RECUR_VERSION
#define RECUR_VERSION "unknown"
#endif

static const char usage[] =
    "Usage: recur-lv2-process [OPTIONS] PLUGIN_URI IN.wav OUT.wav\n"
    "Runs the LV2 plugin PLUGIN_URI (found on LV2_PATH) over a mono audio file.\n"
    "  --preset URI      restore this preset of the plugin first\n"
    "  --model FILE      load this model (patch:Set of the plugin's model parameter)\n"
    "  --set SYMBOL=V    set a control input port (repeatable)\n"
    "  --block N         frames per run() call, 1..8192 (default 256)\n"
    "  --list-presets    print the plugin's presets and exit\n"
    "  -h, --help        this text\n"
    "  -V, --version     the version\n"
    "The output is a 32-bit float WAV at the input's sample rate, written beside\n"
    "OUT.wav and renamed over it when whole; OUT.wav may not be IN.wav or the model.\n";

typedef struct {
	const char *plugin_uri, *in_path, *out_path;
	const char *preset, *model;
	host_setting sets[MAX_SETS];
	int n_sets;
	unsigned block;
	bool list_presets;
} options;

/* A mono recording held in memory. */
typedef struct {
	float *samples;
	size_t frames;
	int rate;
} clip;

/* 0: go on; 1: stop with success (--help, --version); 2: bad command line. */
static int parse_options(int argc, char **argv, options *o)
{
	static const struct option longs[] = {
	    {"preset", required_argument, 0, 'p'}, {"model", required_argument, 0, 'm'},
	    {"set", required_argument, 0, 's'},    {"block", required_argument, 0, 'b'},
	    {"list-presets", no_argument, 0, 'l'}, {"help", no_argument, 0, 'h'},
	    {"version", no_argument, 0, 'V'},      {0, 0, 0, 0}};
	*o = (options){.block = 256};
	int c;
	while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'p':
			o->preset = optarg;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 's':
			if (o->n_sets == MAX_SETS ||
			    !host_parse_setting(optarg, &o->sets[o->n_sets])) {
				fprintf(stderr,
				        "recur-lv2-process: --set '%s': want SYMBOL=NUMBER (at "
				        "most %d)\n",
				        optarg, MAX_SETS);
				return 2;
			}
			o->n_sets++;
			break;
		case 'b':
			errno = 0;
			unsigned long b = strtoul(optarg, &end, 10);
			if (errno || *end || b < 1 || b > HOST_MAX_BLOCK) {
				fprintf(stderr, "recur-lv2-process: --block '%s' is not in 1..%d\n",
				        optarg, HOST_MAX_BLOCK);
				return 2;
			}
			o->block = (unsigned)b;
			break;
		case 'l':
			o->list_presets = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'V':
			printf("recur-lv2-process %s\n", RECUR_VERSION);
			return 1;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	int want = o->list_presets ? 1 : 3;
	if (argc - optind != want) {
		fputs(usage, stderr);
		return 2;
	}
	o->plugin_uri = argv[optind];
	if (!o->list_presets) {
		o->in_path = argv[optind + 1];
		o->out_path = argv[optind + 2];
	}
	return 0;
}

static bool read_clip(const char *path, clip *c)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		fprintf(stderr, "recur-lv2-process: cannot read %s: %s\n", path, sf_strerror(NULL));
		return false;
	}
	bool ok = false;
	if (info.channels != 1)
		fprintf(stderr, "recur-lv2-process: %s has %d channels; the plugin takes mono\n",
		        path, info.channels);
	else if (info.frames <= 0)
		fprintf(stderr, "recur-lv2-process: %s holds no audio\n", path);
	else if (info.frames > (sf_count_t)UINT32_MAX)
		fprintf(stderr, "recur-lv2-process: %s is too long (more than 2^32 frames)\n",
		        path);
	else if (!(c->samples = malloc((size_t)info.frames * sizeof(float))))
		fprintf(stderr, "recur-lv2-process: out of memory reading %s\n", path);
	else if (sf_readf_float(f, c->samples, info.frames) != info.frames)
		fprintf(stderr, "recur-lv2-process: %s is truncated\n", path);
	else
		ok = true;
	c->frames = (size_t)info.frames;
	c->rate = info.samplerate;
	sf_close(f);
	return ok;
}

static bool write_clip(const char *path, const float *x, size_t frames, int rate)
{
	char err[600];
	bool ok = audio_write(path, x, frames, 1, rate, AUDIO_WAV, AUDIO_FLOAT, err, sizeof err);
	if (!ok)
		fprintf(stderr, "recur-lv2-process: %s\n", err);
	return ok;
}

/* OUT.wav may replace neither a file the run reads nor one of another kind. */
static bool output_is_safe(const options *o)
{
	const file_use reads[] = {{o->in_path, "IN.wav"}, {o->model, "--model"}};
	char err[1200];
	if (!output_check((file_use){o->out_path, "OUT.wav"}, OUTPUT_AUDIO, reads,
	                  sizeof reads / sizeof reads[0], err, sizeof err)) {
		fprintf(stderr, "recur-lv2-process: %s\n", err);
		return false;
	}
	return true;
}

static void list_presets(test_host *h)
{
	LilvNode *preset_class = lilv_new_uri(h->world, LV2_PRESETS__Preset);
	LilvNode *label = lilv_new_uri(h->world, "http://www.w3.org/2000/01/rdf-schema#label");
	LilvNodes *presets = lilv_plugin_get_related(h->plugin, preset_class);
	LILV_FOREACH(nodes, i, presets)
	{
		const LilvNode *p = lilv_nodes_get(presets, i);
		lilv_world_load_resource(h->world, p);
		LilvNode *name = lilv_world_get(h->world, p, label, NULL);
		printf("%s\t%s\n", lilv_node_as_uri(p), name ? lilv_node_as_string(name) : "");
		lilv_node_free(name);
	}
	lilv_nodes_free(presets);
	lilv_node_free(label);
	lilv_node_free(preset_class);
}

static bool restore_preset(test_host *h, const char *uri)
{
	LilvNode *node = lilv_new_uri(h->world, uri);
	lilv_world_load_resource(h->world, node);
	LilvState *state = lilv_state_new_from_world(h->world, &h->map, node);
	lilv_node_free(node);
	if (!state) {
		fprintf(stderr,
		        "recur-lv2-process: no preset %s on LV2_PATH (--list-presets shows them)\n",
		        uri);
		return false;
	}
	host_restore_state(h, state, false);
	lilv_state_free(state);
	return true;
}

/* Lets the plugin pick up what was sent or restored (it schedules the load
 * in run(), the Worker does it, the next run() swaps it in) and checks that
 * a model is running. */
static bool settle_model(test_host *h, const char *what)
{
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
	host_run(h, NULL, NULL, 0);
	float status = host_get(h, "status");
	if (status == 3.0f) {
		fprintf(stderr, "recur-lv2-process: the plugin could not load %s: %s", what,
		        h->last_log[0] ? h->last_log : "(no message)\n");
		return false;
	}
	if (status == 2.0f)
		fprintf(stderr, "recur-lv2-process: warning: %s", h->last_log);
	return true;
}

static bool set_ports(test_host *h, const options *o)
{
	for (int i = 0; i < o->n_sets; i++)
		if (!host_set(h, o->sets[i].symbol, o->sets[i].value)) {
			fprintf(stderr, "recur-lv2-process: the plugin has no control port '%s'\n",
			        o->sets[i].symbol);
			return false;
		}
	return true;
}

static int run(const options *o)
{
	clip in = {0};
	if (!o->list_presets && !read_clip(o->in_path, &in)) {
		free(in.samples);
		return 1;
	}
	static test_host h;
	if (!host_open(&h, o->plugin_uri, o->list_presets ? 48000.0 : in.rate)) {
		free(in.samples);
		host_close(&h);
		if (h.world)
			host_close_world(&h);
		return 1;
	}
	int rc = 1;
	float *out = NULL;
	if (o->list_presets) {
		list_presets(&h);
		rc = 0;
	} else if ((!o->preset || (restore_preset(&h, o->preset) && settle_model(&h, o->preset))) &&
	           (!o->model || (host_send_model(&h, o->model), settle_model(&h, o->model))) &&
	           set_ports(&h, o)) {
		out = malloc(in.frames * sizeof *out);
		if (out) {
			host_process(&h, in.samples, out, (uint32_t)in.frames, o->block);
			rc = write_clip(o->out_path, out, in.frames, in.rate) ? 0 : 1;
		} else {
			fprintf(stderr, "recur-lv2-process: out of memory\n");
		}
	}
	host_close(&h);
	host_close_world(&h);
	free(out);
	free(in.samples);
	return rc;
}

int main(int argc, char **argv)
{
	options o;
	int parsed = parse_options(argc, argv, &o);
	if (parsed)
		return parsed == 1 ? 0 : 2;
	if (!o.list_presets && !output_is_safe(&o))
		return 1;
	output_clean_up_on_signals();
	return run(&o);
}
