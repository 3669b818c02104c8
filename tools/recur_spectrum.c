/*
 * recur-spectrum: the average spectrum of a mono audio file, for plotting.
 * Prints "frequency_hz level_db" per line, from DC to Nyquist: Hann-windowed
 * frames of FFT_SIZE samples, half overlapping, their powers averaged. 0 dB
 * is a full-scale sine (peak 1) whose frequency falls on a bin.
 *
 * Usage: recur-spectrum [OPTIONS] IN.wav [FFT_SIZE]
 */
#include <complex.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fft.h"

#ifndef RECUR_VERSION
#define RECUR_VERSION "unknown"
#endif

static const char usage[] =
    "Usage: recur-spectrum [OPTIONS] IN.wav [FFT_SIZE]\n"
    "Prints the average spectrum of a mono audio file, \"frequency_hz level_db\" per\n"
    "line from DC to Nyquist, on stdout: Hann-windowed frames of FFT_SIZE samples\n"
    "(a power of two, default 4096), half overlapping. 0 dB is a full-scale sine.\n"
    "  -h, --help        this text\n"
    "  -V, --version     the version\n";

/* 0: go on; 1: stop with success (--help, --version); 2: bad command line. */
static int parse_options(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (c == 'V') {
			printf("recur-spectrum %s\n", RECUR_VERSION);
			return 1;
		}
		fputs(usage, stderr);
		return 2;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fputs(usage, stderr);
		return 2;
	}
	return 0;
}

static float *read_mono(const char *path, size_t *frames, int *rate)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		fprintf(stderr, "recur-spectrum: cannot read %s: %s\n", path, sf_strerror(NULL));
		return NULL;
	}
	float *x = NULL;
	if (info.channels != 1 || info.frames <= 0)
		fprintf(stderr, "recur-spectrum: %s is not mono audio\n", path);
	else if ((x = malloc((size_t)info.frames * sizeof *x)) &&
	         sf_readf_float(f, x, info.frames) != info.frames) {
		fprintf(stderr, "recur-spectrum: %s is truncated\n", path);
		free(x);
		x = NULL;
	}
	*frames = (size_t)info.frames;
	*rate = info.samplerate;
	sf_close(f);
	return x;
}

int main(int argc, char **argv)
{
	int parsed = parse_options(argc, argv);
	if (parsed)
		return parsed == 1 ? 0 : 2;
	argv += optind - 1;
	argc -= optind - 1;
	size_t n = 4096;
	if (argc == 3) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(argv[2], &end, 10);
		if (errno || *end || v < 16 || v > (1u << 20) || (v & (v - 1))) {
			fprintf(stderr,
			        "recur-spectrum: FFT_SIZE '%s' is not a power of two in 16..2^20\n",
			        argv[2]);
			return 2;
		}
		n = v;
	}
	size_t frames;
	int rate;
	float *x = read_mono(argv[1], &frames, &rate);
	if (!x)
		return 1;
	if (frames < n) {
		fprintf(stderr, "recur-spectrum: %s is shorter than one frame (%zu samples)\n",
		        argv[1], n);
		free(x);
		return 1;
	}
	double complex *buf = malloc(n * sizeof *buf);
	double *power = calloc(n / 2 + 1, sizeof *power);
	if (!buf || !power) {
		fprintf(stderr, "recur-spectrum: out of memory\n");
		free(x), free(buf), free(power);
		return 1;
	}
	size_t count = 0;
	for (size_t start = 0; start + n <= frames; start += n / 2, count++) {
		for (size_t i = 0; i < n; i++)
			buf[i] =
			    x[start + i] * (0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)n));
		dsp_fft(buf, n, false);
		for (size_t k = 0; k <= n / 2; k++)
			power[k] += creal(buf[k]) * creal(buf[k]) + cimag(buf[k]) * cimag(buf[k]);
	}
	/* A peak-1 sine on a bin gives |X| = n/4 through the Hann window. */
	const double full_scale = (double)n / 4.0;
	for (size_t k = 0; k <= n / 2; k++) {
		double mag = sqrt(power[k] / (double)count) / full_scale;
		printf("%.3f %.2f\n", (double)k * rate / (double)n, 20.0 * log10(mag + 1e-12));
	}
	free(x), free(buf), free(power);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "recur-spectrum: cannot write the spectrum: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
