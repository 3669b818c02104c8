/*
 * Writes one training pair for a shipped preset: a guitar-like take
 * (guitar_take.h) and the same take through one of the captured devices
 * (devices.h), both mono float WAV at 48 kHz.
 *
 * Usage: make-preset-data DEVICE DRIVE SECONDS SEED IN.wav OUT.wav
 *   DEVICE  diode, tube, fuzz, compressor or amp
 *   DRIVE   the device's drive knob, 0..1 (only the tube has one)
 */
#include "devices.h"
#include "guitar_take.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

#define RATE 48000

static bool parse_double(const char *s, double lo, double hi, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && *v >= lo && *v <= hi;
}

static bool write_wav(const char *path, const float *x, size_t n)
{
	SF_INFO info = {
	    .samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	/* The PEAK chunk holds the time of writing: without it the same
	 * recipe gives the same bytes, which the models' data hashes rely on. */
	if (f)
		sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
	bool ok = f && sf_writef_float(f, x, (sf_count_t)n) == (sf_count_t)n;
	if (f)
		ok = sf_close(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "make-preset-data: cannot write %s: %s\n", path, sf_strerror(NULL));
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr,
		        "usage: make-preset-data DEVICE DRIVE SECONDS SEED IN.wav OUT.wav\n");
		return 2;
	}
	device_kind kind;
	double drive, seconds, seed;
	if (!device_from_name(argv[1], &kind)) {
		fprintf(
		    stderr,
		    "make-preset-data: unknown device '%s' (diode, tube, fuzz, compressor, amp)\n",
		    argv[1]);
		return 2;
	}
	if (!parse_double(argv[2], 0, 1, &drive)) {
		fprintf(stderr, "make-preset-data: DRIVE '%s' is not a number in [0, 1]\n",
		        argv[2]);
		return 2;
	}
	if (!parse_double(argv[3], 0.1, 3600, &seconds)) {
		fprintf(stderr, "make-preset-data: SECONDS '%s' is not in [0.1, 3600]\n", argv[3]);
		return 2;
	}
	if (!parse_double(argv[4], 0, 4294967295.0, &seed)) {
		fprintf(stderr, "make-preset-data: SEED '%s' is not an integer in [0, 2^32)\n",
		        argv[4]);
		return 2;
	}
	const size_t n = (size_t)(seconds * RATE);
	float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	bool ok = x && y && guitar_take(x, n, RATE, (uint32_t)seed);
	if (!ok)
		fprintf(stderr, "make-preset-data: out of memory for %zu frames\n", n);
	if (ok) {
		device_run(kind, drive, x, y, n, RATE);
		ok = write_wav(argv[5], x, n) && write_wav(argv[6], y, n);
	}
	free(x);
	free(y);
	return ok ? 0 : 1;
}
