/*
 * recur's standard capture signal: the reamp file a user plays through a
 * device and records back, so the trainer knows what it is looking at.
 *
 * The signal is a fixed sequence of segments (docs/capture.md has the
 * table); their lengths are given in seconds and rounded to frames at the
 * chosen rate, so every rate has the same layout in time. Everything is
 * deterministic: a rate gives the same samples on every machine, which lets
 * the trainer recognise the signal by its first second even when a DAW has
 * dropped the file's metadata.
 *
 * The layout is stored in the WAV file's comment (LIST/INFO ICMT) as JSON:
 *   {"recur_capture":1,"rate":48000,"frames":N,
 *    "segments":[{"name":"lead_in","start":0,"frames":24000},...],
 *    "blips":[36000,60000,...]}
 * start and frames count frames from the beginning of the file; blips are
 * the centre frames of the calibration pulses, two near the start and two
 * near the end.
 */
#ifndef RECUR_CAPTURE_STANDARD_SIGNAL_H
#define RECUR_CAPTURE_STANDARD_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>

#define CAPTURE_VERSION      1
#define CAPTURE_MAX_SEGMENTS 24
#define CAPTURE_BLIPS        4
#define CAPTURE_NAME_LEN     24
/* Peak of a calibration pulse; its spectrum is flat to 0.4 of the rate. */
#define CAPTURE_BLIP_PEAK 0.5
/* Half-width in frames of a calibration pulse. */
#define CAPTURE_BLIP_HALF 24
/* The default rate of recur-capture. */
#define CAPTURE_DEFAULT_RATE 48000

typedef struct {
	char name[CAPTURE_NAME_LEN];
	size_t start, frames;
} capture_segment;

typedef struct {
	int version;
	int rate;
	size_t frames;
	int n_segments;
	capture_segment seg[CAPTURE_MAX_SEGMENTS];
	size_t blip[CAPTURE_BLIPS]; /* centre frames: [0], [1] at the start, [2], [3] at the end */
} capture_layout;

/* The standard layout at `rate` frames per second (8000..384000). */
void capture_layout_make(int rate, capture_layout *l);

/* Renders the segments that start before frame `upto` (l->frames for the
 * whole signal) into x[0..l->frames); frames of segments not rendered are
 * zero. False if memory runs out. l must come from capture_layout_make. */
bool capture_signal_render(const capture_layout *l, float *x, size_t upto);

/* The segment called name, or NULL. */
const capture_segment *capture_find(const capture_layout *l, const char *name);

/* The layout as the JSON above (malloc'd), NULL if memory runs out. */
char *capture_layout_json(const capture_layout *l);

/* Parses and checks JSON written by capture_layout_json. */
bool capture_layout_parse(const char *json, capture_layout *l, char *err, size_t err_len);

/* Reads the layout from an audio file's comment: 1 found, 0 the file has
 * none (not a capture signal, or its metadata was lost), -1 the file cannot
 * be read or its layout is damaged (err says which). */
int capture_layout_read(const char *path, capture_layout *l, char *err, size_t err_len);

/* Whether x (rate frames/s) starts with the standard signal's first
 * calibration pulses, within a tolerance that survives 16-bit export; if so,
 * l gets the standard layout at that rate. */
bool capture_signal_recognise(const float *x, size_t n, int rate, capture_layout *l);

#endif
