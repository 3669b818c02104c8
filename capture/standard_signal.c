/* The standard capture signal: see standard_signal.h. */
#include "standard_signal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../presets/recipes/guitar_take.h"

typedef enum { PART_SILENCE, PART_BLIPS, PART_SWEEP, PART_NOISE, PART_GUITAR } part_kind;

/* One segment of the standard signal. level: peak amplitude of a sweep, RMS
 * of a noise burst; seed: the guitar take's. Sweeps and bursts are followed
 * by `rest` seconds of silence inside their segment so the device settles. */
typedef struct {
	const char *name;
	part_kind kind;
	double seconds, level, rest;
	unsigned seed;
} part;

static const part parts[] = {
    {"lead_in", PART_SILENCE, 0.5, 0, 0, 0},
    {"blips_start", PART_BLIPS, 1.0, 0, 0, 0},
    {"noise_floor", PART_SILENCE, 3.0, 0, 0, 0},
    {"repeat_a", PART_GUITAR, 10.0, 0, 0, 7},
    {"gap_a", PART_SILENCE, 0.5, 0, 0, 0},
    {"sweep_-30dB", PART_SWEEP, 5.5, 0.0316, 0.5, 0},
    {"sweep_-18dB", PART_SWEEP, 5.5, 0.126, 0.5, 0},
    {"sweep_-9dB", PART_SWEEP, 5.5, 0.355, 0.5, 0},
    {"sweep_-3dB", PART_SWEEP, 5.5, 0.708, 0.5, 0},
    {"noise_-40dB", PART_NOISE, 4.5, 0.01, 0.5, 11},
    {"noise_-28dB", PART_NOISE, 4.5, 0.0398, 0.5, 12},
    {"noise_-18dB", PART_NOISE, 4.5, 0.126, 0.5, 13},
    {"noise_-12dB", PART_NOISE, 4.5, 0.2, 0.5, 14},
    {"guitar", PART_GUITAR, 110.0, 0, 0, 1},
    {"gap_b", PART_SILENCE, 3.0, 0, 0, 0},
    {"repeat_b", PART_GUITAR, 10.0, 0, 0, 7},
    {"gap_c", PART_SILENCE, 1.0, 0, 0, 0},
    {"blips_end", PART_BLIPS, 1.0, 0, 0, 0},
    {"tail", PART_SILENCE, 0.5, 0, 0, 0},
};
#define N_PARTS (sizeof parts / sizeof parts[0])

/* Where the two pulses of a blips segment sit, in seconds from its start. */
static const double blip_at[2] = {0.25, 0.75};

void capture_layout_make(int rate, capture_layout *l)
{
	memset(l, 0, sizeof *l);
	l->version = CAPTURE_VERSION;
	l->rate = rate;
	double t = 0;
	int nb = 0;
	for (size_t i = 0; i < N_PARTS; i++) {
		capture_segment *s = &l->seg[l->n_segments++];
		snprintf(s->name, sizeof s->name, "%s", parts[i].name);
		s->start = (size_t)llround(t * rate);
		t += parts[i].seconds;
		s->frames = (size_t)llround(t * rate) - s->start;
		if (parts[i].kind == PART_BLIPS)
			for (int k = 0; k < 2; k++)
				l->blip[nb++] = s->start + (size_t)llround(blip_at[k] * rate);
	}
	l->frames = (size_t)llround(t * rate);
}

/* A pulse whose spectrum is flat to 0.4 of the rate: a sinc, Hann-windowed
 * over CAPTURE_BLIP_HALF frames each side. */
static void render_blip(float *x, size_t centre)
{
	for (int k = -CAPTURE_BLIP_HALF; k <= CAPTURE_BLIP_HALF; k++) {
		const double a = 0.8 * M_PI * k;
		const double sinc = k == 0 ? 1.0 : sin(a) / a;
		const double hann = 0.5 + 0.5 * cos(M_PI * k / (CAPTURE_BLIP_HALF + 1));
		x[(long)centre + k] = (float)(CAPTURE_BLIP_PEAK * sinc * hann);
	}
}

/* Fades of `ramp` frames at both ends, so no part starts with a click. */
static void fade(float *x, size_t n, size_t ramp)
{
	for (size_t i = 0; i < ramp && i < n / 2; i++) {
		const float g = (float)(0.5 - 0.5 * cos(M_PI * (double)i / (double)ramp));
		x[i] *= g;
		x[n - 1 - i] *= g;
	}
}

/* Exponential sine sweep from 20 Hz to 20 kHz (or 0.45 of the rate). */
static void render_sweep(float *x, size_t n, double rate, double peak)
{
	const double f0 = 20, f1 = fmin(20000, 0.45 * rate);
	const double k = log(f1 / f0), dur = (double)n / rate;
	for (size_t i = 0; i < n; i++) {
		const double t = (double)i / rate;
		x[i] = (float)(peak * sin(2 * M_PI * f0 * dur / k * (exp(t / dur * k) - 1)));
	}
	fade(x, n, (size_t)(0.01 * rate));
}

/* Gaussian white noise of the given RMS, its rare peaks beyond 3.5 sigma
 * clipped so the loudest burst stays below full scale. */
static void render_noise(float *x, size_t n, double rate, double rms, unsigned seed)
{
	uint64_t s = 0x9e3779b97f4a7c15ull * (seed + 1);
	for (size_t i = 0; i < n; i++) {
		double u[2];
		for (int k = 0; k < 2; k++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
			u[k] = ((double)(s >> 11) + 0.5) / 9007199254740992.0;
		}
		const double g = sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
		x[i] = (float)(rms * fmax(-3.5, fmin(3.5, g)));
	}
	fade(x, n, (size_t)(0.005 * rate));
}

bool capture_signal_render(const capture_layout *l, float *x, size_t upto)
{
	memset(x, 0, l->frames * sizeof *x);
	int nb = 0;
	for (int i = 0; i < l->n_segments && i < (int)N_PARTS; i++) {
		const part *p = &parts[i];
		const capture_segment *s = &l->seg[i];
		const size_t body = s->frames - (size_t)llround(p->rest * l->rate);
		if (s->start >= upto)
			break;
		switch (p->kind) {
		case PART_SILENCE:
			break;
		case PART_BLIPS:
			render_blip(x, l->blip[nb++]);
			render_blip(x, l->blip[nb++]);
			break;
		case PART_SWEEP:
			render_sweep(x + s->start, body, l->rate, p->level);
			break;
		case PART_NOISE:
			render_noise(x + s->start, body, l->rate, p->level, p->seed);
			break;
		case PART_GUITAR:
			if (!guitar_take(x + s->start, body, l->rate, p->seed))
				return false;
			fade(x + s->start, body, (size_t)(0.01 * l->rate));
			break;
		}
	}
	return true;
}

const capture_segment *capture_find(const capture_layout *l, const char *name)
{
	for (int i = 0; i < l->n_segments; i++)
		if (strcmp(l->seg[i].name, name) == 0)
			return &l->seg[i];
	return NULL;
}

char *capture_layout_json(const capture_layout *l)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "recur_capture", l->version);
	cJSON_AddNumberToObject(j, "rate", l->rate);
	cJSON_AddNumberToObject(j, "frames", (double)l->frames);
	cJSON *segs = cJSON_AddArrayToObject(j, "segments");
	for (int i = 0; i < l->n_segments; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", l->seg[i].name);
		cJSON_AddNumberToObject(s, "start", (double)l->seg[i].start);
		cJSON_AddNumberToObject(s, "frames", (double)l->seg[i].frames);
		cJSON_AddItemToArray(segs, s);
	}
	cJSON *blips = cJSON_AddArrayToObject(j, "blips");
	for (int i = 0; i < CAPTURE_BLIPS; i++)
		cJSON_AddItemToArray(blips, cJSON_CreateNumber((double)l->blip[i]));
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

/* A whole number in [0, max] from a JSON item. */
static bool get_count(const cJSON *item, double max, size_t *v)
{
	if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0 && item->valuedouble <= max) ||
	    item->valuedouble != floor(item->valuedouble))
		return false;
	*v = (size_t)item->valuedouble;
	return true;
}

static bool parse_segments(const cJSON *segs, capture_layout *l, char *err, size_t err_len)
{
	const int n = cJSON_GetArraySize(segs);
	if (!cJSON_IsArray(segs) || n < 1 || n > CAPTURE_MAX_SEGMENTS) {
		snprintf(err, err_len, "\"segments\": expected 1..%d segments",
		         CAPTURE_MAX_SEGMENTS);
		return false;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *s = cJSON_GetArrayItem(segs, i);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
		capture_segment *seg = &l->seg[i];
		if (!cJSON_IsString(name) || strlen(name->valuestring) >= CAPTURE_NAME_LEN ||
		    !get_count(cJSON_GetObjectItemCaseSensitive(s, "start"), (double)l->frames,
		               &seg->start) ||
		    !get_count(cJSON_GetObjectItemCaseSensitive(s, "frames"),
		               (double)(l->frames - seg->start), &seg->frames)) {
			snprintf(err, err_len,
			         "segment %d: expected a name under %d bytes and start, frames "
			         "inside the file",
			         i, CAPTURE_NAME_LEN);
			return false;
		}
		snprintf(seg->name, sizeof seg->name, "%s", name->valuestring);
	}
	l->n_segments = n;
	return true;
}

bool capture_layout_parse(const char *json, capture_layout *l, char *err, size_t err_len)
{
	memset(l, 0, sizeof *l);
	cJSON *j = cJSON_Parse(json);
	bool ok = false;
	size_t version = 0, rate = 0;
	const cJSON *blips = cJSON_GetObjectItemCaseSensitive(j, "blips");
	if (!j)
		snprintf(err, err_len, "the capture layout is not JSON");
	else if (!get_count(cJSON_GetObjectItemCaseSensitive(j, "recur_capture"), 1e6, &version) ||
	         version != CAPTURE_VERSION)
		snprintf(err, err_len, "capture layout version %zu: this recur reads version %d",
		         version, CAPTURE_VERSION);
	else if (!get_count(cJSON_GetObjectItemCaseSensitive(j, "rate"), 384000, &rate) ||
	         rate < 8000)
		snprintf(err, err_len, "\"rate\": expected 8000..384000");
	else if (!get_count(cJSON_GetObjectItemCaseSensitive(j, "frames"), 1e12, &l->frames))
		snprintf(err, err_len, "\"frames\": expected a whole number");
	else if (parse_segments(cJSON_GetObjectItemCaseSensitive(j, "segments"), l, err, err_len)) {
		ok = cJSON_IsArray(blips) && cJSON_GetArraySize(blips) == CAPTURE_BLIPS;
		for (int i = 0; ok && i < CAPTURE_BLIPS; i++)
			ok =
			    get_count(cJSON_GetArrayItem(blips, i), (double)l->frames, &l->blip[i]);
		if (!ok)
			snprintf(err, err_len, "\"blips\": expected %d frames inside the file",
			         CAPTURE_BLIPS);
	}
	l->version = (int)version;
	l->rate = (int)rate;
	cJSON_Delete(j);
	return ok;
}

int capture_layout_read(const char *path, capture_layout *l, char *err, size_t err_len)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		snprintf(err, err_len, "%s: %s", path, sf_strerror(NULL));
		return -1;
	}
	const char *comment = sf_get_string(f, SF_STR_COMMENT);
	int found = 0;
	if (comment && strstr(comment, "\"recur_capture\"")) {
		char why[200];
		found = capture_layout_parse(comment, l, why, sizeof why) ? 1 : -1;
		if (found < 0)
			snprintf(err, err_len, "%s: %s", path, why);
		else if (l->rate != info.samplerate || l->frames > (size_t)info.frames) {
			snprintf(
			    err, err_len,
			    "%s: its capture layout says %zu frames at %d Hz, the file has %lld "
			    "at %d Hz",
			    path, l->frames, l->rate, (long long)info.frames, info.samplerate);
			found = -1;
		}
	}
	sf_close(f);
	return found;
}

bool capture_signal_recognise(const float *x, size_t n, int rate, capture_layout *l)
{
	if (rate < 8000 || rate > 384000)
		return false;
	capture_layout std;
	capture_layout_make(rate, &std);
	const capture_segment *b = capture_find(&std, "blips_start");
	const size_t upto = b->start + b->frames;
	if (n < std.frames)
		return false;
	float *ref = malloc(std.frames * sizeof *ref);
	if (!ref || !capture_signal_render(&std, ref, upto)) {
		free(ref);
		return false;
	}
	/* An ESR of 1e-3 lets 16-bit export and dither through; anything else
	 * that starts with these two pulses after this silence is unlikely. */
	double err = 0, energy = 0;
	for (size_t i = 0; i < upto; i++) {
		err += (x[i] - ref[i]) * (double)(x[i] - ref[i]);
		energy += ref[i] * (double)ref[i];
	}
	free(ref);
	const bool same = err <= 1e-3 * energy;
	if (same)
		*l = std;
	return same;
}
