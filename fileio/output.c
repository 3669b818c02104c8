/* Safe outputs: the checks before the work, and temporary file + rename. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARTIAL_SUFFIX ".partial-XXXXXX"

/* ---- temporary files a signal must remove -------------------------------- */

/* Fixed storage, so that the signal handler only reads memory and calls
 * unlink (async-signal-safe). A tool writes a handful of outputs at once. */
#define MAX_PENDING 8
static char pending_path[MAX_PENDING][PATH_MAX];
static volatile sig_atomic_t pending_used[MAX_PENDING];

static void pending_add(const char *temp)
{
	if (strlen(temp) >= PATH_MAX)
		return;
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending_used[i]) {
			memcpy(pending_path[i], temp, strlen(temp) + 1);
			pending_used[i] = 1;
			return;
		}
}

static void pending_remove(const char *temp)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending_used[i] && strcmp(pending_path[i], temp) == 0)
			pending_used[i] = 0;
}

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending_used[i])
			unlink(pending_path[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void output_clean_up_on_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- paths ---------------------------------------------------------------- */

/* Where writing `path` lands: a symbolic link's target, so that the link
 * stays a link; otherwise path itself. Allocated. */
static char *destination(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real)
			return real;
	}
	return strdup(path);
}

/* The folder part of path, "." for a bare name. Allocated. */
static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Same file: the same device and inode when both exist; for a file that
 * does not exist yet, the same name in the same folder. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	bool has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;
	if (has_a || has_b)
		return has_a && has_b && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char *da = folder_of(a), *db = folder_of(b);
	const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
	na = na ? na + 1 : a;
	nb = nb ? nb + 1 : b;
	bool same = da && db && strcmp(na, nb) == 0 && stat(da, &sa) == 0 && stat(db, &sb) == 0 &&
	            sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(da);
	free(db);
	return same;
}

/* ---- what a file holds ---------------------------------------------------- */

typedef enum {
	HOLDS_NOTHING,
	HOLDS_AUDIO,
	HOLDS_JSON,
	HOLDS_TEXT,
	HOLDS_CHECKPOINT,
	HOLDS_BINARY
} holds;

static const char *const holds_name[] = {
    "an empty file", "audio", "JSON", "text", "a recur-train checkpoint", "binary data"};
static const char *const kind_name[] = {"audio", "JSON", "text", "a checkpoint"};

static bool is_audio_magic(const unsigned char *b, size_t n)
{
	static const char *const magic[] = {"RIFF", "RIFX", "RF64", "BW64", "FORM", "fLaC",
	                                    "OggS", ".snd", "caff", "wvpk", "MThd"};
	if (n < 4)
		return false;
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (memcmp(b, magic[i], 4) == 0)
			return true;
	return false;
}

/* Sniffs the first bytes of an existing regular file. */
static holds what_it_holds(const char *path)
{
	unsigned char b[512];
	FILE *f = fopen(path, "rb");
	if (!f)
		return HOLDS_BINARY; /* unreadable: never guess it is ours to replace */
	size_t n = fread(b, 1, sizeof b, f);
	fclose(f);
	if (n == 0)
		return HOLDS_NOTHING;
	if (n >= 8 && memcmp(b, "RECURCK", 7) == 0)
		return HOLDS_CHECKPOINT;
	if (is_audio_magic(b, n))
		return HOLDS_AUDIO;
	if (memchr(b, 0, n))
		return HOLDS_BINARY;
	size_t i = n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	if (i < n && (b[i] == '{' || b[i] == '['))
		return HOLDS_JSON;
	return HOLDS_TEXT;
}

static bool kind_fits(output_kind kind, holds h)
{
	static const holds fit[] = {HOLDS_AUDIO, HOLDS_JSON, HOLDS_TEXT, HOLDS_CHECKPOINT};
	return h == HOLDS_NOTHING || h == fit[kind];
}

/* A new file can be made in path's folder: made and removed at once. */
static bool folder_takes_files(const char *path, char *err, size_t err_len, const char *role)
{
	output_file probe;
	char why[300];
	if (!output_open(&probe, path, why, sizeof why)) {
		snprintf(err, err_len, "%s %s: cannot write: %s", role, path, why);
		return false;
	}
	output_abort(&probe);
	return true;
}

bool output_check(file_use out, output_kind kind, const file_use *others, size_t n_others,
                  char *err, size_t err_len)
{
	for (size_t i = 0; i < n_others; i++)
		if (others[i].path && same_file(out.path, others[i].path)) {
			snprintf(err, err_len,
			         "%s %s is the same file as %s %s; refusing to write over it",
			         out.role, out.path, others[i].role, others[i].path);
			return false;
		}
	struct stat st;
	if (stat(out.path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, err_len, "%s %s: %s, not a regular file", out.role, out.path,
			         S_ISDIR(st.st_mode) ? "a folder" : "a device or special file");
			return false;
		}
		holds h = what_it_holds(out.path);
		if (!kind_fits(kind, h)) {
			snprintf(err, err_len,
			         "%s %s holds %s, and %s would replace it; refusing (remove it or "
			         "choose another name)",
			         out.role, out.path, holds_name[h], kind_name[kind]);
			return false;
		}
	}
	return folder_takes_files(out.path, err, err_len, out.role);
}

/* ---- temporary file and rename -------------------------------------------- */

static void sync_folder(const char *path)
{
	char *dir = folder_of(path);
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		fsync(fd); /* makes the rename durable; the data is already synced */
		close(fd);
	}
	free(dir);
}

static void keep_mode(int fd, const char *path)
{
	struct stat st;
	mode_t mode = 0644;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	fchmod(fd, mode);
}

bool output_open(output_file *f, const char *path, char *err, size_t err_len)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->path = destination(path);
	size_t n = f->path ? strlen(f->path) + sizeof PARTIAL_SUFFIX : 0;
	f->temp = n ? malloc(n) : NULL;
	if (!f->temp) {
		snprintf(err, err_len, "out of memory");
		output_abort(f);
		return false;
	}
	snprintf(f->temp, n, "%s%s", f->path, PARTIAL_SUFFIX);
	/* no signal between the file's creation and its registration */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	f->fd = mkstemp(f->temp);
	if (f->fd >= 0)
		pending_add(f->temp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (f->fd < 0) {
		snprintf(err, err_len, "no file can be created in its folder: %s", strerror(errno));
		free(f->temp);
		f->temp = NULL;
		output_abort(f);
		return false;
	}
	keep_mode(f->fd, f->path);
	return true;
}

FILE *output_stream(output_file *f)
{
	if (!f->stream && f->fd >= 0)
		f->stream = fdopen(f->fd, "wb");
	return f->stream;
}

/* Data and metadata on the disk, the descriptor closed: errno on failure. */
static bool flush_and_close(output_file *f, const char **step)
{
	bool ok = true;
	int saved = 0;
	if (f->stream) {
		*step = "write";
		ok = fflush(f->stream) == 0 && !ferror(f->stream);
		saved = errno;
		if (ok && (*step = "sync", fsync(f->fd) != 0)) {
			ok = false;
			saved = errno;
		}
		if (fclose(f->stream) != 0 && ok) {
			ok = false;
			saved = errno;
			*step = "close";
		}
	} else {
		*step = "sync";
		ok = fsync(f->fd) == 0;
		saved = errno;
		if (close(f->fd) != 0 && ok) {
			ok = false;
			saved = errno;
			*step = "close";
		}
	}
	f->stream = NULL;
	f->fd = -1;
	errno = saved;
	return ok;
}

bool output_commit(output_file *f, char *err, size_t err_len)
{
	const char *step = "write";
	bool ok = flush_and_close(f, &step);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (ok && (step = "rename", rename(f->temp, f->path) != 0))
		ok = false;
	if (ok)
		pending_remove(f->temp); /* renamed: a signal must not remove it now */
	int saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	if (!ok)
		snprintf(err, err_len, "%s: cannot write (%s): %s; the file there is unchanged",
		         f->path, step, strerror(errno));
	else {
		free(f->temp);
		f->temp = NULL; /* renamed: nothing for abort to remove */
		sync_folder(f->path);
	}
	output_abort(f);
	return ok;
}

void output_abort(output_file *f)
{
	if (f->stream)
		fclose(f->stream);
	else if (f->fd >= 0)
		close(f->fd);
	if (f->temp) {
		unlink(f->temp);
		pending_remove(f->temp);
	}
	free(f->temp);
	free(f->path);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

static bool write_fully(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		p += w;
		len -= (size_t)w;
	}
	return true;
}

bool output_write_all(const char *path, const void *data, size_t len, char *err, size_t err_len)
{
	output_file f;
	char why[400];
	if (!output_open(&f, path, why, sizeof why)) {
		snprintf(err, err_len, "%s: %s", path, why);
		return false;
	}
	if (!write_fully(f.fd, data, len)) {
		snprintf(err, err_len, "%s: cannot write: %s; the file there is unchanged", path,
		         strerror(errno));
		output_abort(&f);
		return false;
	}
	return output_commit(&f, err, err_len);
}
