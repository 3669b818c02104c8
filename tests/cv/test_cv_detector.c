/*
 * A shipped letter-sequence detector (presets/timeseries, trained by
 * presets/timeseries/train.sh) through the CV plugin: the alphabet's letters
 * one-hot on in1, in2, ..., 100 letters per second, each held for 480 samples
 * of a 48 kHz host. In a long uniform random stream with the word planted
 * every few seconds, the gate opens once per occurrence of the word, within
 * one model step of its last letter (two when interpolating), and nowhere
 * else.
 *
 * Arguments: [MODEL WORD ALPHABET [STRAY_OPENINGS_ALLOWED]]; without any, the
 * "arbor" detector over "abor". A MODEL without a '/' is taken from
 * $RECUR_PRESETS. cv_retrain passes a detector trained in seconds and lets its
 * gate open a few times where no occurrence ended.
 */
#include "cv_test.h"

#define LETTERS    30000
#define PER_LETTER 480 /* 48000 / 100 */
#define BLOCK      4096
/* The word is written over the random stream once in every PLANT_EVERY
 * letters: uniform letters alone hold a five-letter word too rarely. */
#define PLANT_EVERY 500

/* Which detector, on which letters: alphabet[k] is one-hot on in(k + 1). */
typedef struct {
	const char *model;
	const char *word;
	const char *alphabet;
	size_t stray_allowed;
} detector_case;

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
static size_t gate_rises(test_host *h, const char *alphabet, const char *letters, size_t *rise,
                         size_t max_rises)
{
	static float x[BLOCK * CV_CHANNELS], y[BLOCK * CV_TRACKS];
	size_t total = (size_t)LETTERS * PER_LETTER, n_rises = 0, n_letters = strlen(alphabet);
	float before = 0.0f;
	for (size_t done = 0; done < total; done += BLOCK) {
		uint32_t n = total - done < BLOCK ? (uint32_t)(total - done) : BLOCK;
		for (uint32_t t = 0; t < n; t++) {
			char c = letters[(done + t) / PER_LETTER];
			for (size_t k = 0; k < CV_CHANNELS; k++)
				x[t * CV_CHANNELS + k] =
				    k < n_letters && alphabet[k] == c ? 1.0f : 0.0f;
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
static size_t check_detections(const char *word, const char *letters, const size_t *rise,
                               size_t n_rises, size_t window, const char *mode)
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
	CHECK(occurrences >= LETTERS / PLANT_EVERY, "only %zu occurrences in the stream",
	      occurrences);
	CHECK(found == occurrences, "%s: %zu of %zu occurrences detected", mode, found,
	      occurrences);
	printf("%s: %zu of %zu occurrences detected, %zu gate openings\n", mode, found, occurrences,
	       n_rises);
	return stray;
}

/* Uniform random letters from a fixed seed, with the word planted at a
 * random place in every PLANT_EVERY letters. */
static void make_stream(const detector_case *dc, char *letters)
{
	uint32_t seed = 2463534242u;
	size_t n_letters = strlen(dc->alphabet), len = strlen(dc->word);
	for (size_t i = 0; i < LETTERS; i++)
		letters[i] = dc->alphabet[next_random(&seed) % n_letters];
	for (size_t at = 0; at + PLANT_EVERY <= LETTERS; at += PLANT_EVERY)
		memcpy(letters + at + next_random(&seed) % (PLANT_EVERY - len), dc->word, len);
	letters[LETTERS] = '\0';
}

static void run_case(const detector_case *dc)
{
	static char letters[LETTERS + 1];
	make_stream(dc, letters);

	test_host h;
	if (!cv_open(&h, CV_RATE)) {
		CHECK(false, "cannot open the CV plugin");
		return;
	}
	static size_t rise[LETTERS];
	host_set(&h, "gate_threshold", 0.5f);
	host_set(&h, "gate_hysteresis", 0.1f);

	host_set(&h, "interpolate", 0.0f);
	cv_load(&h, dc->model);
	size_t n = gate_rises(&h, dc->alphabet, letters, rise, LETTERS);
	CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE, "status %g", host_get(&h, "status"));
	size_t stray = check_detections(dc->word, letters, rise, n, PER_LETTER, "hold");

	host_set(&h, "interpolate", 1.0f);
	cv_load(&h, dc->model);
	n = gate_rises(&h, dc->alphabet, letters, rise, LETTERS);
	stray += check_detections(dc->word, letters, rise, n, 2 * PER_LETTER, "interpolate");
	CHECK(stray <= dc->stray_allowed,
	      "%s: the gate opened %zu times where no occurrence ended (%zu allowed)", dc->word,
	      stray, dc->stray_allowed);

	host_close(&h);
	host_close_world(&h);
}

int main(int argc, char **argv)
{
	if (argc != 1 && argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s [MODEL WORD ALPHABET [STRAY_OPENINGS_ALLOWED]]\n",
		        argv[0]);
		return 1;
	}
	detector_case dc = {"arbor-detector.json", "arbor", "abor", 0};
	if (argc >= 4) {
		dc.model = argv[1];
		dc.word = argv[2];
		dc.alphabet = argv[3];
		dc.stray_allowed = argc == 5 ? (size_t)atoi(argv[4]) : 0;
	}
	size_t len = strlen(dc.word);
	if (len == 0 || len >= PLANT_EVERY || strlen(dc.alphabet) == 0 ||
	    strlen(dc.alphabet) > CV_CHANNELS || strspn(dc.word, dc.alphabet) != len) {
		fprintf(stderr,
		        "the word must be made of the alphabet's letters, and the alphabet "
		        "have 1..%d letters\n",
		        CV_CHANNELS);
		return 1;
	}
	char model[2048];
	const char *presets =
	    getenv("RECUR_PRESETS") ? getenv("RECUR_PRESETS") : "presets/timeseries";
	if (strchr(dc.model, '/'))
		snprintf(model, sizeof model, "%s", dc.model);
	else
		snprintf(model, sizeof model, "%s/%s", presets, dc.model);
	dc.model = model;
	run_case(&dc);
	return check_exit();
}
