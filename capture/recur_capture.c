/*
 * recur-capture: writes the standard capture signal (standard_signal.h), the reamp
 * file to play through a device and record back for recur-train.
 */
#include <errno.h>
#include <getopt.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "standard_signal.h"

static const char usage[] =
    "usage: recur-capture [options] OUT.wav\n"
    "Writes recur's standard capture signal (about 3 minutes, mono WAV): play it\n"
    "through the device, record the device's output, and train with\n"
    "  recur-train --input OUT.wav --target RECORDING.wav --out MODEL.json\n"
    "  --rate HZ        frames per second, 8000..384000 (48000)\n"
    "  --format pcm24|pcm16|float  sample format (pcm24)\n"
    "  --layout         print the layout (JSON) instead of writing a file\n"
    "  --help\n";

static bool parse_rate(const char *s, int *rate)
{
	char *end;
	errno = 0;
	const long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 8000 || v > 384000) {
		fprintf(stderr,
		        "recur-capture: --rate %s: expected a whole number in [8000, 384000]\n", s);
		return false;
	}
	*rate = (int)v;
	return true;
}

static bool parse_format(const char *s, int *format)
{
	static const struct {
		const char *name;
		int format;
	} formats[] = {
	    {"pcm24", SF_FORMAT_PCM_24}, {"pcm16", SF_FORMAT_PCM_16}, {"float", SF_FORMAT_FLOAT}};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(s, formats[i].name) == 0) {
			*format = formats[i].format;
			return true;
		}
	fprintf(stderr, "recur-capture: --format %s: expected pcm24, pcm16 or float\n", s);
	return false;
}

/* Writes x to a temporary file beside path, then renames it over path, so a
 * failure leaves whatever was there. */
static bool write_signal(const char *path, const float *x, const capture_layout *l, int format)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		fprintf(stderr, "recur-capture: %s: path too long\n", path);
		return false;
	}
	SF_INFO info = {.samplerate = l->rate, .channels = 1, .format = SF_FORMAT_WAV | format};
	SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
	char *json = capture_layout_json(l);
	bool ok = f && json;
	if (ok) {
		/* Without the PEAK chunk's time stamp a rate gives the same bytes. */
		sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
		ok = sf_set_string(f, SF_STR_COMMENT, json) == 0 &&
		     sf_set_string(f, SF_STR_SOFTWARE, "recur-capture") == 0 &&
		     sf_set_string(f, SF_STR_TITLE, "recur standard capture signal") == 0;
		ok = ok && sf_writef_float(f, x, (sf_count_t)l->frames) == (sf_count_t)l->frames;
	}
	if (!ok)
		fprintf(stderr, "recur-capture: cannot write %s: %s\n", tmp, sf_strerror(f));
	if (f && sf_close(f) != 0 && ok) {
		fprintf(stderr, "recur-capture: cannot finish %s\n", tmp);
		ok = false;
	}
	if (ok && rename(tmp, path) != 0) {
		fprintf(stderr, "recur-capture: cannot rename %s to %s: %s\n", tmp, path,
		        strerror(errno));
		ok = false;
	}
	if (!ok)
		remove(tmp);
	free(json);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"rate", required_argument, 0, 'r'},
	    {"format", required_argument, 0, 'f'},
	    {"layout", no_argument, 0, 'l'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	int rate = CAPTURE_DEFAULT_RATE, format = SF_FORMAT_PCM_24, c;
	bool layout_only = false;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r' && !parse_rate(optarg, &rate))
			return 2;
		if (c == 'f' && !parse_format(optarg, &format))
			return 2;
		if (c == 'l')
			layout_only = true;
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c == '?') {
			fputs(usage, stderr);
			return 2;
		}
	}
	capture_layout l;
	capture_layout_make(rate, &l);
	if (layout_only) {
		char *json = capture_layout_json(&l);
		if (json)
			puts(json);
		free(json);
		return json ? 0 : 1;
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	float *x = malloc(l.frames * sizeof *x);
	if (!x || !capture_signal_render(&l, x, l.frames)) {
		fprintf(stderr, "recur-capture: out of memory for %zu frames\n", l.frames);
		free(x);
		return 1;
	}
	const bool ok = write_signal(argv[optind], x, &l, format);
	free(x);
	if (ok)
		fprintf(stderr, "recur-capture: wrote %s: %.1f s at %d Hz\n", argv[optind],
		        (double)l.frames / rate, rate);
	return ok ? 0 : 1;
}
