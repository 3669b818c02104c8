/* Audio files through libsndfile: whole-file reads of one channel, writes. */
#include "audio_io.h"

#include "output.h"

#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames read per libsndfile call: bounds the interleaved scratch buffer. */
#define READ_BLOCK 4096
/* At most this many frames are reserved up front from the header's claim:
 * a claim is believed only as far as it cannot hurt (16 MB). */
#define TRUSTED_FRAMES (1u << 22)

/* Room for at least `need` samples in clip: exactly that the first time,
 * then growing by doubling. */
static bool reserve(audio_clip *clip, size_t *cap, size_t need)
{
	if (need <= *cap)
		return true;
	size_t grown = *cap ? *cap : need;
	while (grown < need)
		grown *= 2;
	float *s = realloc(clip->samples, grown * sizeof(float));
	if (!s)
		return false;
	clip->samples = s;
	*cap = grown;
	return true;
}

/* Reads channel `channel` until the file ends or `limit` frames are in.
 * The buffer grows with what actually arrives: a header's frame count is
 * only a claim (a 200-byte FLAC can claim 2^36 frames). */
static bool read_frames(SNDFILE *f, int channels, int channel, size_t limit, audio_clip *clip)
{
	float *block = malloc((size_t)READ_BLOCK * (size_t)channels * sizeof(float));
	size_t cap = 0;
	/* + 1: an empty clip still gets a buffer, as callers expect */
	bool ok = block && reserve(clip, &cap, limit < TRUSTED_FRAMES ? limit + 1 : TRUSTED_FRAMES);
	while (ok && clip->frames < limit) {
		sf_count_t got = sf_readf_float(f, block, READ_BLOCK);
		if (got <= 0)
			break;
		size_t room = limit - clip->frames;
		size_t take = (size_t)got < room ? (size_t)got : room;
		ok = reserve(clip, &cap, clip->frames + take);
		const float *in = block + channel;
		for (size_t i = 0; ok && i < take; i++)
			clip->samples[clip->frames++] = in[i * (size_t)channels];
	}
	free(block);
	if (ok && cap > clip->frames + 1) { /* give back what doubling overshot */
		float *s = realloc(clip->samples, (clip->frames + 1) * sizeof(float));
		clip->samples = s ? s : clip->samples;
	}
	return ok;
}

bool audio_read_channel(const char *path, int channel, audio_clip *clip, char *err, size_t err_len)
{
	memset(clip, 0, sizeof *clip);
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		snprintf(err, err_len, "%s: cannot read as audio: %s", path, sf_strerror(NULL));
		return false;
	}
	bool ok = false;
	if (channel < 0 || channel >= info.channels) {
		snprintf(err, err_len, "%s has %d channel%s; channel %d does not exist", path,
		         info.channels, info.channels == 1 ? "" : "s", channel);
	} else if (info.samplerate <= 0) {
		snprintf(err, err_len, "%s: sample rate %d Hz is not positive", path,
		         info.samplerate);
	} else if (info.frames < 0 || (uint64_t)info.frames > SIZE_MAX / sizeof(float)) {
		snprintf(err, err_len, "%s: unreadable frame count", path);
	} else {
		clip->rate = info.samplerate;
		clip->channels = info.channels;
		ok = read_frames(f, info.channels, channel, (size_t)info.frames, clip);
		if (!ok)
			snprintf(err, err_len, "%s: out of memory", path);
	}
	sf_close(f);
	if (!ok)
		audio_clip_free(clip);
	return ok;
}

void audio_clip_free(audio_clip *clip)
{
	free(clip->samples);
	memset(clip, 0, sizeof *clip);
}

static int sf_format(audio_container container, audio_sample sample)
{
	int major = container == AUDIO_FLAC   ? SF_FORMAT_FLAC
	            : container == AUDIO_AIFF ? SF_FORMAT_AIFF
	                                      : SF_FORMAT_WAV;
	int minor = sample == AUDIO_PCM16   ? SF_FORMAT_PCM_16
	            : sample == AUDIO_PCM24 ? SF_FORMAT_PCM_24
	                                    : SF_FORMAT_FLOAT;
	return major | minor;
}

bool audio_write(const char *path, const float *interleaved, size_t frames, int channels, int rate,
                 audio_container container, audio_sample sample, char *err, size_t err_len)
{
	SF_INFO info = {
	    .samplerate = rate, .channels = channels, .format = sf_format(container, sample)};
	if (!sf_format_check(&info)) {
		snprintf(err, err_len,
		         "%s: %s cannot hold %s samples; choose --format pcm24 or pcm16", path,
		         container == AUDIO_FLAC ? "FLAC" : "this container",
		         sample == AUDIO_FLOAT ? "32-bit float" : "these");
		return false;
	}
	output_file out;
	char why[400];
	if (!output_open(&out, path, why, sizeof why)) {
		snprintf(err, err_len, "%s: cannot write: %s", path, why);
		return false;
	}
	SNDFILE *f = sf_open_fd(out.fd, SFM_WRITE, &info, SF_FALSE);
	if (!f) {
		snprintf(err, err_len, "%s: cannot write: %s; the file there is unchanged", path,
		         sf_strerror(NULL));
		output_abort(&out);
		return false;
	}
	/* Clipping PCM instead of wrapping keeps loud outputs recognisable. */
	sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
	sf_count_t put = sf_writef_float(f, interleaved, (sf_count_t)frames);
	bool ok = put == (sf_count_t)frames;
	if (!ok)
		snprintf(err, err_len, "%s: write failed: %s; the file there is unchanged", path,
		         sf_strerror(f));
	if (sf_close(f) != 0 && ok) {
		snprintf(err, err_len, "%s: write failed on close; the file there is unchanged",
		         path);
		ok = false;
	}
	if (!ok) {
		output_abort(&out);
		return false;
	}
	return output_commit(&out, err, err_len);
}
