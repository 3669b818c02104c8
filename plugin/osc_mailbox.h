/*
 * A one-slot, lock-free mailbox that carries a string (a model path) from
 * one non-real-time thread to the audio thread.
 *
 * The writer is the OSC server thread (one at a time: the OSC registry lock
 * serialises writers); the reader is run(). A newer message replaces one the
 * reader has not taken yet: for a model path only the latest request
 * matters. The reader never waits: when the writer is in the middle of a
 * copy it finds the box busy and looks again at the next block. The writer
 * may find the box busy while run() reads it; it retries a bounded number of
 * times (it is not real-time and the reader holds the box only for the time
 * of one copy).
 *
 *   state  EMPTY -> WRITING -> FULL -> READING -> EMPTY
 *          (FULL -> WRITING when a newer message replaces an unread one)
 */
#ifndef RECUR_OSC_MAILBOX_H
#define RECUR_OSC_MAILBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* Bytes of text a message may carry, including the NUL. Matches the longest
 * model path the plugin accepts (SLOT_PATH_MAX). */
#define OSC_MAILBOX_BYTES 2048

enum { OSC_MAIL_EMPTY, OSC_MAIL_WRITING, OSC_MAIL_FULL, OSC_MAIL_READING };

typedef struct {
	atomic_int state;
	uint32_t len;                 /* bytes of text, without the NUL */
	char text[OSC_MAILBOX_BYTES]; /* NUL-terminated while FULL or READING */
} osc_mailbox;

static inline void osc_mailbox_init(osc_mailbox *mb)
{
	atomic_init(&mb->state, OSC_MAIL_EMPTY);
	mb->len = 0;
	mb->text[0] = '\0';
}

/* Writer side, one attempt. False when the text does not fit or the reader
 * holds the box right now. */
static inline bool osc_mailbox_try_post(osc_mailbox *mb, const char *text, size_t len)
{
	if (len >= OSC_MAILBOX_BYTES)
		return false;
	int expected = OSC_MAIL_EMPTY;
	if (!atomic_compare_exchange_strong_explicit(&mb->state, &expected, OSC_MAIL_WRITING,
	                                             memory_order_acquire, memory_order_relaxed)) {
		if (expected != OSC_MAIL_FULL || !atomic_compare_exchange_strong_explicit(
		                                     &mb->state, &expected, OSC_MAIL_WRITING,
		                                     memory_order_acquire, memory_order_relaxed))
			return false;
	}
	memcpy(mb->text, text, len);
	mb->text[len] = '\0';
	mb->len = (uint32_t)len;
	atomic_store_explicit(&mb->state, OSC_MAIL_FULL, memory_order_release);
	return true;
}

/* Writer side: retries while the reader holds the box, up to `tries` times
 * 100 µs apart. Never call it on the audio thread. */
static inline bool osc_mailbox_post(osc_mailbox *mb, const char *text, size_t len, int tries)
{
	if (len >= OSC_MAILBOX_BYTES)
		return false;
	for (int i = 0; i < tries; i++) {
		if (osc_mailbox_try_post(mb, text, len))
			return true;
		struct timespec pause = {0, 100000};
		nanosleep(&pause, NULL);
	}
	return false;
}

/* Reader side (real-time safe): the pending text and its length, or NULL.
 * The text stays valid until osc_mailbox_close. */
static inline const char *osc_mailbox_open(osc_mailbox *mb, uint32_t *len)
{
	int expected = OSC_MAIL_FULL;
	if (!atomic_compare_exchange_strong_explicit(&mb->state, &expected, OSC_MAIL_READING,
	                                             memory_order_acquire, memory_order_relaxed))
		return NULL;
	*len = mb->len;
	return mb->text;
}

static inline void osc_mailbox_close(osc_mailbox *mb)
{
	atomic_store_explicit(&mb->state, OSC_MAIL_EMPTY, memory_order_release);
}

#endif
