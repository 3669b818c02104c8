/*
 * The shipped letter-sequence detector (presets/timeseries/arbor-detector.json,
 * trained by presets/timeseries/train.sh) through the CV plugin: letters a, b,
 * o, r one-hot on in1..in4, 100 letters per second, each held for 480 samples
 * of a 48 kHz host. In a long uniform random stream the gate opens once per
 * occurrence of "arbor", within one model step of its last letter (two when
 * interpolating), and nowhere else.
 *
 * With arguments MODEL N it checks another detector (cv_retrain trains one in
 * seconds) and lets the gate open N times where no occurrence ended.
 */
#include "cv_test.h"

#define LETTERS    30000
#define PER_LETTER 480 /* 48000 / 100 */
#define BLOCK      4096

static const char alphabet[] = "abor";
static const char word[] = "arbor";

/* A fixed-seed xorshift, so the stream is the same everywhere. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* The detector's input one letter at a time, BLOCK samples per run, and the
 * samples where the gate opens. */
static size_t gate_rises(test_host *h, const char *letters, size_t *rise, size_t max_rises)
{
	static float x[BLOCK * CV_CHANNELS], y[BLOCK * CV_TRACKS];
	size_t total = (size_t)LETTERS * PER_LETTER, n_rises = 0;
	float before = 0.0f;
	for (size_t done = 0; done < total; done += BLOCK) {
		uint32_t n = total - done < BLOCK ? (uint32_t)(total - done) : BLOCK;
		for (uint32_t t = 0; t < n; t++) {
			char c = letters[(done + t) / PER_LETTER];
			for (int k = 0; k < CV_CHANNELS; k++)
				x[t * CV_CHANNELS + k] = alphabet[k] == c ? 1.0f : 0.0f;
		}
		cv_run(h, x, y, n, n);
		for (uint32_t t = 0; t < n; t++) {
			float g = y[t * CV_TRACKS + CV_CHANNELS];
			if (g > 0.5f && before <= 0.5f && n_rises < max_rises)
				rise[n_rises++] = done + t;
			before = g;
		}
	}
	return n_rises;
}

/* Every occurrence has exactly one rise within `window` samples from the
 * sample its last letter's step ends on; returns the other rises. */
static size_t check_detections(const char *letters, const size_t *rise, size_t n_rises,
                               size_t window, const char *mode)
{
	size_t found = 0, r = 0, occurrences = 0, stray = 0;
	const char *p = letters;
	while ((p = strstr(p, word)) != NULL) {
		size_t last = (size_t)(p - letters) + strlen(word) - 1;
		size_t from = (last + 1) * PER_LETTER - 1;
		occurrences++;
		for (; r < n_rises && rise[r] < from; r++, stray++)
			printf("%s: the gate opened at sample %zu (letter %zu), not after an "
			       "occurrence\n",
			       mode, rise[r], rise[r] / PER_LETTER);
		if (r < n_rises && rise[r] < from + window) {
			found++;
			r++;
		} else {
			CHECK(false, "%s: occurrence ending at letter %zu missed", mode, last);
		}
		p++;
	}
	stray += n_rises - r;
	CHECK(occurrences > 15, "only %zu occurrences in the stream", occurrences);
	CHECK(found == occurrences, "%s: %zu of %zu occurrences detected", mode, found,
	      occurrences);
	printf("%s: %zu of %zu occurrences detected, %zu gate openings\n", mode, found, occurrences,
	       n_rises);
	return stray;
}

int main(int argc, char **argv)
{
	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: %s [MODEL STRAY_OPENINGS_ALLOWED]\n", argv[0]);
		return 1;
	}
	char model[2048];
	if (argc == 3)
		snprintf(model, sizeof model, "%s", argv[1]);
	else
		snprintf(model, sizeof model, "%s/arbor-detector.json",
		         getenv("RECUR_PRESETS") ? getenv("RECUR_PRESETS") : "presets/timeseries");
	size_t allowed = argc == 3 ? (size_t)atoi(argv[2]) : 0;
	static char letters[LETTERS + 1];
	uint32_t seed = 2463534242u;
	for (size_t i = 0; i < LETTERS; i++)
		letters[i] = alphabet[next_random(&seed) % 4];

	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;
	static size_t rise[LETTERS];
	host_set(&h, "gate_threshold", 0.5f);
	host_set(&h, "gate_hysteresis", 0.1f);

	host_set(&h, "interpolate", 0.0f);
	cv_load(&h, model);
	size_t n = gate_rises(&h, letters, rise, LETTERS);
	CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE, "status %g", host_get(&h, "status"));
	size_t stray = check_detections(letters, rise, n, PER_LETTER, "hold");

	host_set(&h, "interpolate", 1.0f);
	cv_load(&h, model);
	n = gate_rises(&h, letters, rise, LETTERS);
	stray += check_detections(letters, rise, n, 2 * PER_LETTER, "interpolate");
	CHECK(stray <= allowed, "the gate opened %zu times where no occurrence ended (%zu allowed)",
	      stray, allowed);

	host_close(&h);
	host_close_world(&h);
	return check_exit();
}
