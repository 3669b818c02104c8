/*
 * The fallback of engine/host_rate.h: a model at its own rate between two
 * libsamplerate sinc converters, host -> model rate -> host, with a fixed
 * latency.
 *
 * Host frames go through in chunks of at most RECUR_RESAMPLE_CHUNK; the
 * converters' output per chunk varies by a few frames, so the host output
 * comes from a FIFO primed with `prime` zeros, enough (found at set-up by
 * running the converters over worst-case chunk patterns) that it never runs
 * dry. The latency (prime plus the converters' own delay) is measured at
 * set-up from an impulse sent through the same chain, and is exact for any
 * block pattern after that.
 *
 * recur_resampler_new allocates (converters, buffers); _process and _reset
 * do not (libsamplerate's src_process and src_reset only touch what src_new
 * allocated).
 */
#ifndef RECUR_HOST_RESAMPLE_H
#define RECUR_HOST_RESAMPLE_H

#include "recur.h"

#include <stddef.h>

#define RECUR_RESAMPLE_CHUNK 256

typedef struct recur_resampler recur_resampler;

/* For model m at host_rate; converter is a libsamplerate converter type. */
recur_resampler *recur_resampler_new(const recur_model *m, double host_rate, int converter,
                                     recur_error *err);
void recur_resampler_free(recur_resampler *rs);
int recur_resampler_latency(const recur_resampler *rs);
void recur_resampler_reset(recur_resampler *rs);
/* x: frames * n_inputs, y: frames * n_outputs, interleaved, at the host rate. */
void recur_resampler_process(recur_resampler *rs, recur_model *m, const float *x, float *y,
                             size_t frames);

/* Offline, whole signals (allocating): n_in frames of `channels` interleaved
 * floats at rate `from` to rate `to`, time-aligned (the converter's delay
 * removed), with libsamplerate's best sinc converter. *n_out set; NULL and
 * err set on failure. Caller frees. */
float *recur_resample_offline(const float *x, size_t n_in, int channels, double from, double to,
                              size_t *n_out, recur_error *err);

#endif
