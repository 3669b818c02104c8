/* Audio files through libsndfile: reading one channel, writing a clip. */
#ifndef RECUR_AUDIO_IO_H
#define RECUR_AUDIO_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Sample formats recur-process writes. */
typedef enum { AUDIO_FLOAT, AUDIO_PCM16, AUDIO_PCM24 } audio_sample;
/* Containers recur-process writes. */
typedef enum { AUDIO_WAV, AUDIO_FLAC, AUDIO_AIFF } audio_container;

/* One channel of a file, whole, as floats in [-1, 1] for PCM. */
typedef struct {
	float *samples; /* frames floats */
	size_t frames;
	int rate;     /* frames per second */
	int channels; /* how many the file had */
} audio_clip;

/* Reads channel `channel` (0-based) of path. err gets a message naming the
 * file and what is wrong. */
bool audio_read_channel(const char *path, int channel, audio_clip *clip, char *err, size_t err_len);
void audio_clip_free(audio_clip *clip);

/* Writes frames x channels interleaved floats, through a temporary file
 * (fileio/output.h): a failure leaves the file at path as it was. */
bool audio_write(const char *path, const float *interleaved, size_t frames, int channels, int rate,
                 audio_container container, audio_sample sample, char *err, size_t err_len);

#endif
