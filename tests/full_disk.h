/*
 * A full disk for tests of what a tool does when a write fails midway.
 *
 * full_disk_mount(): a small tmpfs over a folder, in a mount namespace of
 * this test process alone (the tools it starts share it; nothing outside
 * sees it, and it goes away with the process). Needs root (CI runs as
 * root); false where it is not available. full_disk_fill() then takes the
 * space that is left, so the next write there fails with ENOSPC.
 *
 * file_size_limit(): the fallback without root, RLIMIT_FSIZE with SIGXFSZ
 * ignored, both inherited by the tools started afterwards: a write past
 * the limit fails with EFBIG, as a full disk would fail it.
 */
#ifndef RECUR_TEST_FULL_DISK_H
#define RECUR_TEST_FULL_DISK_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

static inline bool full_disk_mount(const char *dir, const char *size)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0)
		return false;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return false;
	char opts[64];
	snprintf(opts, sizeof opts, "size=%s", size);
	return mount("recur-test-full", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) == 0;
}

/* Fills the file system of dir with dir/filler; true once it is full. */
static inline bool full_disk_fill(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/filler", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return false;
	static const char block[4096];
	ssize_t w;
	while ((w = write(fd, block, sizeof block)) > 0)
		;
	while ((w = write(fd, block, 1)) > 0) /* the last partial block */
		;
	int saved = errno;
	close(fd);
	return w < 0 && saved == ENOSPC;
}

/* Files written by processes started from now on end at `bytes`
 * (0: no limit again). */
static inline void file_size_limit(rlim_t bytes)
{
	struct rlimit r;
	getrlimit(RLIMIT_FSIZE, &r);
	r.rlim_cur = bytes ? bytes : r.rlim_max;
	setrlimit(RLIMIT_FSIZE, &r);
	signal(SIGXFSZ, bytes ? SIG_IGN : SIG_DFL);
}

#endif
