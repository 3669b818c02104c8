/*
 * Measurements behind the data checks that run before training: levels,
 * clipping, DC, silence, noise floor, and the error between two recordings.
 * Plain float arrays, one channel each; levels in dBFS are 20 log10 of an
 * amplitude relative to full scale (1.0).
 */
#ifndef RECUR_TRAIN_DATACHECK_H
#define RECUR_TRAIN_DATACHECK_H

#include <stdbool.h>
#include <stddef.h>

/* A sample at or above this magnitude is at full scale. */
#define DATACHECK_FULL_SCALE 0.999
/* Consecutive frames at full scale (or stuck at the peak) that count as a
 * clipped run: a waveform passes its peak in one or two frames. */
#define DATACHECK_CLIP_RUN 3
/* Blocks quieter than this are silent. */
#define DATACHECK_SILENT_DBFS -60.0

typedef struct {
	double peak_dbfs, rms_dbfs, crest_db; /* crest: peak over RMS */
	double dc;                            /* mean value */
	size_t clip_runs;    /* runs of DATACHECK_CLIP_RUN+ frames at full scale or at the peak */
	size_t clip_longest; /* frames in the longest run */
	double silent_fraction; /* of 50 ms blocks below DATACHECK_SILENT_DBFS */
} datacheck_levels;

void datacheck_measure(const float *x, size_t n, double rate, datacheck_levels *s);

/* 20 log10 of an amplitude, floored at -200 for silence. */
double datacheck_db(double amplitude);

/* RMS of x[0, n) in dBFS. */
double datacheck_rms_dbfs(const float *x, size_t n);

/* RMS of x[0, n) without its mean (DC is reported on its own), in dBFS. */
double datacheck_ac_rms_dbfs(const float *x, size_t n);

/* sum (a - b)^2 / sum a^2; NAN when a is silent. */
double datacheck_esr(const float *a, const float *b, size_t n);

/* The target's noise floor (dBFS, without DC) in the 50 ms blocks where the input and
 * the block before it are silent, taking their median; NAN when fewer than
 * 10 such blocks exist. */
double datacheck_noise_floor(const float *x, const float *y, size_t n, double rate);

#endif
