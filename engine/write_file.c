/* Atomic whole-file writes (write_file.h). */
#include "write_file.h"

#include "format_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool write_all(int fd, const char *text, size_t len)
{
	size_t n = 0;
	while (n < len) {
		ssize_t w = write(fd, text + n, len - n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		n += (size_t)w;
	}
	return true;
}

/* "<folder>/.<name>.XXXXXX": hidden, in the target's own folder so that the
 * final rename stays on one file system and is atomic. */
static char *temp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	const char *name = path + dir_len;
	size_t n = strlen(path) + 9;
	char *t = malloc(n);
	if (t)
		snprintf(t, n, "%.*s.%s.XXXXXX", (int)dir_len, path, name);
	return t;
}

static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* durability of the rename only; the data is already safe */
		close(fd);
	}
	free(dir);
}

/* The new file gets the old one's permissions, or rw-r--r-- if there was none. */
static void copy_mode(int fd, const char *path)
{
	struct stat st;
	mode_t mode = 0644;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	fchmod(fd, mode);
}

bool recur_write_file_atomic(const char *path, const char *text, recur_error *err)
{
	char *tmp = temp_template(path);
	if (!tmp) {
		fj_fail(err, "out of memory");
		return false;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fj_fail(err, "cannot create a file next to \"%.150s\": %s", path, strerror(errno));
		free(tmp);
		return false;
	}
	copy_mode(fd, path);
	const char *step = "write";
	bool ok = write_all(fd, text, strlen(text));
	if (ok && (step = "sync", fsync(fd) != 0))
		ok = false;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
		step = "close";
	}
	if (ok && (step = "rename", rename(tmp, path) != 0)) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		fj_fail(err, "cannot save \"%.150s\" (%s): %s", path, step, strerror(saved));
		unlink(tmp);
	} else {
		sync_folder(path);
	}
	free(tmp);
	return ok;
}
