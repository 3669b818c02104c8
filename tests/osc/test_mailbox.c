/*
 * The path mailbox: single-thread semantics, then a writer thread and a
 * reader thread (playing run()) hammering it: every message the reader takes
 * is whole (never a mix of two writes) and messages arrive in order. Neither
 * thread ever waits for the other to make progress beyond yielding the core,
 * so the test takes a bounded amount of work (20000 posts) whatever the
 * machine's load: under a second with both threads pinned to one core that a
 * busy loop also wants.
 */
#include "check.h"
#include "osc_mailbox.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define N_MESSAGES 20000

static void check_single_thread(void)
{
	static osc_mailbox mb;
	osc_mailbox_init(&mb);
	uint32_t len = 99;
	CHECK(osc_mailbox_open(&mb, &len) == NULL, "empty box gave a message");

	CHECK(osc_mailbox_try_post(&mb, "/a/first", 8), "post to an empty box failed");
	CHECK(osc_mailbox_try_post(&mb, "/b/second", 9), "replacing an unread message failed");
	const char *t = osc_mailbox_open(&mb, &len);
	CHECK(t && len == 9 && !strcmp(t, "/b/second"), "read \"%s\" (%u)", t ? t : "(null)", len);
	/* While the reader holds it, the writer must not touch it. */
	CHECK(!osc_mailbox_try_post(&mb, "/c", 2), "post while the reader holds the box");
	uint32_t len2 = 0;
	CHECK(osc_mailbox_open(&mb, &len2) == NULL, "box opened twice");
	osc_mailbox_close(&mb);
	CHECK(osc_mailbox_open(&mb, &len) == NULL, "message read twice");

	static char longest[OSC_MAILBOX_BYTES];
	memset(longest, 'x', sizeof longest);
	CHECK(!osc_mailbox_try_post(&mb, longest, OSC_MAILBOX_BYTES), "oversized text accepted");
	CHECK(!osc_mailbox_post(&mb, longest, OSC_MAILBOX_BYTES, 3), "oversized text accepted");
	CHECK(osc_mailbox_try_post(&mb, longest, OSC_MAILBOX_BYTES - 1), "longest text refused");
	t = osc_mailbox_open(&mb, &len);
	CHECK(t && len == OSC_MAILBOX_BYTES - 1 && t[len] == '\0', "longest text not intact");
	osc_mailbox_close(&mb);
}

/* Message k is "k:" followed by (k % 50 + 1) copies of the letter 'a' + k % 26:
 * the reader can tell from the text alone whether it is whole. */
static size_t make_message(char *buf, unsigned k)
{
	int n = snprintf(buf, 64, "%u:", k);
	int reps = (int)(k % 50) + 1;
	for (int i = 0; i < reps; i++)
		buf[n + i] = (char)('a' + k % 26);
	buf[n + reps] = '\0';
	return (size_t)(n + reps);
}

static osc_mailbox shared;
static atomic_bool writer_done;

static void *writer(void *arg)
{
	(void)arg;
	char buf[128];
	for (unsigned k = 1; k <= N_MESSAGES; k++) {
		size_t len = make_message(buf, k);
		/* The reader holds the box: let it run (it may share our core). */
		while (!osc_mailbox_try_post(&shared, buf, len))
			sched_yield();
		/* Now and then offers the core to the reader, so reads and writes
		 * overlap often even on one core. Never waits for the reader to
		 * take a message: on a loaded machine each such wait can cost a
		 * whole scheduler time slice, and 20000 of them minutes. */
		if (k % 16 == 0)
			sched_yield();
	}
	atomic_store(&writer_done, true);
	return NULL;
}

static void check_threads(void)
{
	osc_mailbox_init(&shared);
	atomic_store(&writer_done, false);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0, "thread");
	unsigned last = 0, taken = 0, torn = 0, out_of_order = 0;
	for (;;) {
		bool done = atomic_load(&writer_done);
		uint32_t len;
		const char *text = osc_mailbox_open(&shared, &len);
		if (text) {
			unsigned k = 0;
			char want[128];
			if (sscanf(text, "%u:", &k) != 1 || make_message(want, k) != len ||
			    strcmp(want, text))
				torn++;
			else if (k <= last)
				out_of_order++;
			else
				last = k;
			taken++;
			osc_mailbox_close(&shared);
		} else if (done) {
			break;
		} else {
			/* Nothing yet: the writer needs the core more than we do. */
			sched_yield();
		}
	}
	pthread_join(t, NULL);
	CHECK(torn == 0, "%u of %u messages were torn", torn, taken);
	CHECK(out_of_order == 0, "%u messages out of order", out_of_order);
	CHECK(last == N_MESSAGES, "the last message read was %u, not %d", last, N_MESSAGES);
	CHECK(taken >= 1, "nothing read");
	printf("reader took %u of %d messages (newer ones replace unread ones)\n", taken,
	       N_MESSAGES);
}

int main(void)
{
	check_single_thread();
	check_threads();
	return check_exit();
}
