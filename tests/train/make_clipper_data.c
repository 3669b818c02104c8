/* Writes IN.wav and OUT.wav: guitar-like notes and the same through a diode
 * clipper with a tone filter (signals.h), for trying recur-train by hand and
 * for its tests. usage: make-clipper-data IN.wav OUT.wav SECONDS [RATE] */
#include <sndfile.h>
#include <stdio.h>

#include "signals.h"

static int write_wav(const char *path, const float *x, size_t n, int rate)
{
	SF_INFO info = {
	    .samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f || sf_writef_float(f, x, (sf_count_t)n) != (sf_count_t)n) {
		fprintf(stderr, "make-clipper-data: cannot write %s\n", path);
		return 1;
	}
	sf_close(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: make-clipper-data IN.wav OUT.wav SECONDS [RATE]\n");
		return 2;
	}
	const int rate = argc == 5 ? atoi(argv[4]) : 48000;
	const double secs = atof(argv[3]);
	if (rate < 1000 || !(secs > 0 && secs < 3600)) {
		fprintf(stderr, "make-clipper-data: bad SECONDS or RATE\n");
		return 2;
	}
	const size_t n = (size_t)(secs * rate);
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	pluck_notes(x, n, rate, 2026);
	diode_tone(x, y, n, rate);
	const int rc = write_wav(argv[1], x, n, rate) || write_wav(argv[2], y, n, rate);
	free(x);
	free(y);
	return rc;
}
