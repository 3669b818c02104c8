/* libFuzzer target: arbitrary bytes as an audio file, read through
 * audio_read_channel (libsndfile underneath) as recur-process and recur-train
 * read their inputs. Besides "never crash", it checks that a refusal names
 * the file, that an accepted clip has a positive rate, at least one channel
 * and as many samples as it says, and (through libFuzzer's malloc limit) that
 * a small file cannot make the reader allocate for a frame count its header
 * merely claims. */
#include "audio_io.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

/* One scratch file per process, rewritten for every input and removed at exit. */
static void remove_scratch(void)
{
	unlink(path);
}

static bool write_scratch(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/recur-fuzz-audio-%ld", dir && dir[0] ? dir : "/tmp",
		         (long)getpid());
		atexit(remove_scratch);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return false;
	bool ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok;
}

static void check_read(int channel)
{
	audio_clip clip;
	char err[512] = "";
	if (!audio_read_channel(path, channel, &clip, err, sizeof err)) {
		if (strncmp(err, path, strlen(path)) != 0)
			abort(); /* a refusal that does not name the file */
		if (clip.samples || clip.frames)
			abort();
		return;
	}
	if (clip.rate <= 0 || clip.channels < 1 || channel >= clip.channels ||
	    (clip.frames && !clip.samples))
		abort();
	/* every promised sample is readable (ASan reports it otherwise) */
	float sum = 0;
	for (size_t i = 0; i < clip.frames; i++)
		sum += clip.samples[i];
	volatile float keep = sum;
	(void)keep;
	int channels = clip.channels;
	audio_clip_free(&clip);
	if (channel == 0 && channels > 1)
		check_read(channels - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!write_scratch(data, size))
		abort();
	check_read(0);
	return 0;
}
