/*
 * LV2 plugins side by side, as a host runs them: each plugin is found by URI
 * on LV2_PATH through lilv, its model is loaded by a patch:Set of its model
 * parameter (the plugin's patch:writable atom:Path, read from its TTL) and its
 * Worker, and the same audio goes through run() in blocks. run() alone is
 * timed by the thread's CPU clock, in rounds that interleave the plugins
 * (A B, B A, A B, ...); the medians are compared.
 *
 *   bench-lv2 [OPTIONS] URI MODEL [URI MODEL ...]
 *
 * The host is tests/plugin/host.h, the one the plugin's tests and
 * recur-lv2-process use. recur's kernel path is chosen by RECUR_KERNEL.
 * Instructions of run() alone: bench/count_lv2.sh runs --count under
 * callgrind (--toggle-collect=host_plugin_run). docs/engine.md, "Side by side
 * with NAM-LV2", has the commands and figures.
 */
#include "guitar_take.h"
#include "host.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PLUGINS 8
#define MAX_SETS    16

static const char usage[] =
    "Usage: bench-lv2 [OPTIONS] URI MODEL [URI MODEL ...]\n"
    "Times run() of each plugin URI (on LV2_PATH) playing MODEL, interleaved.\n"
    "  --seconds S     audio per plugin per round (default 5)\n"
    "  --rounds N      timed rounds (default 9), after one untimed warm-up pass\n"
    "  --block N       frames per run() (default 256)\n"
    "  --rate HZ       sample rate (default 48000)\n"
    "  --noise         white noise instead of a guitar-like take\n"
    "  --level DB      peak level of the signal in dBFS (default -12)\n"
    "  --skip S        seconds at the start left out of the output comparison\n"
    "                  (default 1: plugins may start models from other states)\n"
    "  --property URI  the model parameter, for a plugin whose TTL does not\n"
    "                  name exactly one patch:writable atom:Path\n"
    "  --set SYMBOL=V  set this control port on every plugin that has it\n"
    "  --count         one plugin, one untimed pass of --seconds, for callgrind\n"
    "                  (bench/count_lv2.sh)\n";

typedef struct {
	double seconds, rate, level_db, skip;
	int rounds;
	unsigned block;
	bool noise, count;
	const char *property;
	host_setting sets[MAX_SETS];
	int n_sets;
	const char *uri[MAX_PLUGINS], *model[MAX_PLUGINS];
	int n;
} options;

/* ---- run() time, from the host's hooks around each run() ---- */

static double run_seconds, run_start;

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void before_run(void)
{
	run_start = cpu_now();
}

static void after_run(void)
{
	run_seconds += cpu_now() - run_start;
}

/* ---- options ---- */

static bool parse_double(const char *s, double lo, double hi, double *v)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || *end || !(x >= lo && x <= hi))
		return false;
	*v = x;
	return true;
}

static int parse_options(int argc, char **argv, options *o)
{
	static const struct option longs[] = {
	    {"seconds", required_argument, 0, 's'}, {"rounds", required_argument, 0, 'r'},
	    {"block", required_argument, 0, 'b'},   {"rate", required_argument, 0, 'R'},
	    {"noise", no_argument, 0, 'n'},         {"level", required_argument, 0, 'l'},
	    {"skip", required_argument, 0, 'k'},    {"property", required_argument, 0, 'p'},
	    {"set", required_argument, 0, 'S'},     {"count", no_argument, 0, 'c'},
	    {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	*o = (options){
	    .seconds = 5, .rate = 48000, .level_db = -12, .skip = 1, .rounds = 9, .block = 256};
	int c;
	double v;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		const char *bad = NULL;
		switch (c) {
		case 's':
			if (!parse_double(optarg, 0.01, 3600, &o->seconds))
				bad = "--seconds wants 0.01..3600";
			break;
		case 'r':
			if (!parse_double(optarg, 1, 1000, &v) || v != floor(v))
				bad = "--rounds wants 1..1000";
			o->rounds = (int)v;
			break;
		case 'b':
			if (!parse_double(optarg, 1, HOST_MAX_BLOCK, &v) || v != floor(v))
				bad = "--block wants 1..8192";
			o->block = (unsigned)v;
			break;
		case 'R':
			if (!parse_double(optarg, 8000, 384000, &o->rate))
				bad = "--rate wants 8000..384000";
			break;
		case 'n':
			o->noise = true;
			break;
		case 'l':
			if (!parse_double(optarg, -120, 0, &o->level_db))
				bad = "--level wants -120..0 dBFS";
			break;
		case 'k':
			if (!parse_double(optarg, 0, 3600, &o->skip))
				bad = "--skip wants 0..3600 seconds";
			break;
		case 'p':
			o->property = optarg;
			break;
		case 'S':
			if (o->n_sets == MAX_SETS ||
			    !host_parse_setting(optarg, &o->sets[o->n_sets]))
				bad = "--set wants SYMBOL=NUMBER (at most 16)";
			else
				o->n_sets++;
			break;
		case 'c':
			o->count = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return 2;
		}
		if (bad) {
			fprintf(stderr, "bench-lv2: %s, not '%s'\n", bad, optarg);
			return 2;
		}
	}
	int left = argc - optind;
	if (left < 2 || left % 2 || left / 2 > MAX_PLUGINS || (o->count && left != 2)) {
		fputs(usage, stderr);
		if (o->count && left != 2)
			fprintf(stderr, "bench-lv2: --count takes one plugin\n");
		return 2;
	}
	for (o->n = 0; o->n < left / 2; o->n++) {
		o->uri[o->n] = argv[optind + 2 * o->n];
		o->model[o->n] = argv[optind + 2 * o->n + 1];
	}
	return 0;
}

/* ---- the plugins ---- */

/* The plugin's model parameter: the one patch:writable of range atom:Path
 * its TTL declares, else --property. */
static char *find_model_property(test_host *h, const char *fallback)
{
	LilvWorld *w = h->world;
	LilvNode *writable = lilv_new_uri(w, "http://lv2plug.in/ns/ext/patch#writable");
	LilvNode *range = lilv_new_uri(w, "http://www.w3.org/2000/01/rdf-schema#range");
	LilvNode *path = lilv_new_uri(w, "http://lv2plug.in/ns/ext/atom#Path");
	LilvNodes *params =
	    lilv_world_find_nodes(w, lilv_plugin_get_uri(h->plugin), writable, NULL);
	char *found = NULL;
	int n = 0;
	LILV_FOREACH(nodes, i, params)
	{
		const LilvNode *p = lilv_nodes_get(params, i);
		if (lilv_world_ask(w, p, range, path) && n++ == 0)
			found = strdup(lilv_node_as_uri(p));
	}
	lilv_nodes_free(params);
	lilv_node_free(path);
	lilv_node_free(range);
	lilv_node_free(writable);
	if (n != 1) {
		free(found);
		found = fallback ? strdup(fallback) : NULL;
	}
	return found;
}

/* Opens the plugin, sets the ports, sends the model and runs the Worker
 * until the plugin names the model as its own (a patch:Get answered on
 * notify: plugins may send their patch:Set in a Worker response, which the
 * host reads only after the next run()). */
static bool open_plugin(test_host *h, char **property, const options *o, int k)
{
	if (!host_open(h, o->uri[k], o->rate))
		return false;
	*property = find_model_property(h, o->property);
	if (!*property) {
		fprintf(stderr,
		        "bench-lv2: %s does not name one patch:writable atom:Path parameter: "
		        "give --property\n",
		        o->uri[k]);
		return false;
	}
	h->model_property = *property;
	for (int i = 0; i < o->n_sets; i++)
		host_set(h, o->sets[i].symbol, o->sets[i].value);
	static float silence[64], sink[64];
	host_send_model(h, o->model[k]);
	host_run(h, silence, sink, 0);
	for (int i = 0; i < 20 && strcmp(h->notified_path, o->model[k]); i++) {
		host_service_worker(h);
		host_send_get(h);
		host_run(h, silence, sink, 0);
	}
	host_service_worker(h);
	if (strcmp(h->notified_path, o->model[k]) || h->log_errors ||
	    host_get(h, "status") == 3.0f) {
		fprintf(stderr, "bench-lv2: %s did not load %s (it names '%s')%s%s\n", o->uri[k],
		        o->model[k], h->notified_path, h->last_log[0] ? ": " : "", h->last_log);
		return false;
	}
	return true;
}

/* One pass of the signal through run() in blocks; run() seconds. */
static double pass(test_host *h, const float *in, float *out, uint32_t frames, unsigned block)
{
	run_seconds = 0;
	host_process(h, in, out, frames, block);
	return run_seconds;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static bool make_signal(float *x, uint32_t n, const options *o)
{
	if (o->noise) {
		uint32_t s = 1;
		for (uint32_t i = 0; i < n; i++)
			x[i] = (float)((s = s * 1664525u + 1013904223u) >> 8) / (float)(1u << 23) -
			       1.0f;
	} else if (!guitar_take(x, n, o->rate, 90017)) {
		return false;
	}
	float peak = 0;
	for (uint32_t i = 0; i < n; i++)
		peak = fmaxf(peak, fabsf(x[i]));
	float g = peak > 0 ? (float)pow(10.0, o->level_db / 20.0) / peak : 0;
	for (uint32_t i = 0; i < n; i++)
		x[i] *= g;
	return true;
}

static int run(const options *o)
{
	uint32_t frames = (uint32_t)lround(o->seconds * o->rate);
	static test_host hosts[MAX_PLUGINS];
	char *property[MAX_PLUGINS] = {0};
	float *in = malloc(frames * sizeof *in);
	float *out[MAX_PLUGINS] = {0};
	double *ns = malloc((size_t)o->n * (size_t)o->rounds * sizeof *ns);
	double *sorted = malloc((size_t)o->rounds * sizeof *sorted);
	double *ratio = malloc((size_t)o->rounds * sizeof *ratio);
	float *scratch = malloc(frames * sizeof *scratch);
	int rc = 1, opened = 0;
	if (!in || !ns || !sorted || !ratio || !scratch || !make_signal(in, frames, o)) {
		fprintf(stderr, "bench-lv2: out of memory\n");
		goto done;
	}
	for (; opened < o->n; opened++) {
		if (!(out[opened] = malloc(frames * sizeof(float))) ||
		    !open_plugin(&hosts[opened], &property[opened], o, opened)) {
			opened++;
			goto done;
		}
	}
	host_before_run = before_run;
	host_after_run = after_run;

	if (o->count) {
		/* Under callgrind every run() is counted, the loading ones too:
		 * count_lv2.sh takes the difference of two lengths. */
		pass(&hosts[0], in, out[0], frames, o->block);
		printf("frames %u\n", frames);
		rc = 0;
		goto done;
	}

	/* The warm-up pass, whose outputs are compared; the timed rounds write
	 * to scratch. */
	for (int k = 0; k < o->n; k++)
		pass(&hosts[k], in, out[k], frames, o->block);
	for (int r = 0; r < o->rounds; r++)
		for (int j = 0; j < o->n; j++) {
			int k = r % 2 ? o->n - 1 - j : j;
			double t = pass(&hosts[k], in, scratch, frames, o->block);
			ns[k * o->rounds + r] = 1e9 * t / frames;
		}

	printf("bench-lv2: %.0f Hz, block %u, %s at %.0f dBFS peak, %d rounds of %.1f s "
	       "per plugin, interleaved; run() alone, thread CPU time\n",
	       o->rate, o->block, o->noise ? "white noise" : "a guitar-like take", o->level_db,
	       o->rounds, o->seconds);
	uint32_t skip = (uint32_t)lround(o->skip * o->rate);
	float peak = 0;
	for (uint32_t i = skip; i < frames; i++)
		peak = fmaxf(peak, fabsf(out[0][i]));
	double med0 = 0;
	for (int k = 0; k < o->n; k++) {
		const double *v = ns + k * o->rounds;
		for (int r = 0; r < o->rounds; r++) {
			sorted[r] = v[r];
			ratio[r] = v[r] / ns[r];
		}
		double med = median(sorted, o->rounds);
		double lo = sorted[0], hi = sorted[o->rounds - 1];
		if (k == 0)
			med0 = med;
		printf("%c  %-44s %s\n   ns/sample: median %.1f (min %.1f, max %.1f)\n", 'A' + k,
		       o->uri[k], o->model[k], med, lo, hi);
		if (k == 0) {
			printf("   output peak %.4g after %.1f s\n", peak, o->skip);
			continue;
		}
		double r_med = median(ratio, o->rounds);
		float diff = 0;
		double sq = 0;
		for (uint32_t i = skip; i < frames; i++) {
			float d = out[k][i] - out[0][i];
			diff = fmaxf(diff, fabsf(d));
			sq += (double)d * d;
		}
		double rms = frames > skip ? sqrt(sq / (frames - skip)) : 0;
		printf("   %c/A: %.3f of the medians, %.3f the median of the rounds' ratios\n"
		       "   |%c - A| after %.1f s: max %.3g, rms %.3g\n",
		       'A' + k, med / med0, r_med, 'A' + k, o->skip, diff, rms);
	}
	rc = 0;
done:
	for (int k = 0; k < opened; k++) {
		host_close(&hosts[k]);
		if (hosts[k].world)
			host_close_world(&hosts[k]);
		free(property[k]);
		free(out[k]);
	}
	free(in);
	free(ns);
	free(sorted);
	free(ratio);
	free(scratch);
	return rc;
}

int main(int argc, char **argv)
{
	options o;
	int parsed = parse_options(argc, argv, &o);
	if (parsed)
		return parsed == 1 ? 0 : 2;
	/* recur's plugin would open its OSC port; a benchmark needs none. */
	setenv("RECUR_OSC_PORT", "0", 0);
	return run(&o);
}
