/*
 * Writing a user's files so that no mistake or fault destroys one.
 *
 * Before any long work, output_check() refuses a path that is one of the
 * run's inputs or other outputs (the same device and inode, through any
 * symbolic or hard link), that holds a file of another kind than the one
 * about to be written (an audio recording given as a model's --out), that
 * is not a regular file, or whose folder takes no new file.
 *
 * Then every output goes to a temporary file in its own folder, named
 * "NAME.partial-XXXXXX" so that one left by a killed process says what it
 * is, and is renamed over NAME only once it is whole and synced: a full
 * disk or a crash leaves the previous NAME as it was.
 */
#ifndef RECUR_FILEIO_OUTPUT_H
#define RECUR_FILEIO_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What an output holds: a file already at its path must hold the same. */
typedef enum {
	OUTPUT_AUDIO,      /* anything libsndfile writes (WAV, FLAC, AIFF) */
	OUTPUT_JSON,       /* a model, an export, a JSON-lines log */
	OUTPUT_TEXT,       /* CSV, Turtle: text that is not JSON */
	OUTPUT_CHECKPOINT, /* recur-train's binary checkpoint */
} output_kind;

/* A file the run reads or writes, and how the command line named it
 * ("INPUT", "--target"), for messages. */
typedef struct {
	const char *path;
	const char *role;
} file_use;

/* Whether writing `out` (of kind `kind`) is safe, before the work starts:
 * false and a message naming out's role and the reason otherwise. `others`
 * are the run's inputs and its other outputs; NULL paths are skipped. */
bool output_check(file_use out, output_kind kind, const file_use *others, size_t n_others,
                  char *err, size_t err_len);

/* An output being written: the temporary file, until commit or abort. */
typedef struct {
	char *path; /* where it goes */
	char *temp; /* where it is written */
	int fd;
	FILE *stream; /* from output_stream, or NULL */
} output_file;

/* Creates the temporary file beside path, with the permissions of the file
 * it will replace (rw-r--r-- for a new one). */
bool output_open(output_file *f, const char *path, char *err, size_t err_len);
/* The temporary file as a stdio stream (owned by f). NULL when out of memory. */
FILE *output_stream(output_file *f);
/* Flushes, syncs and renames over path; on failure the temporary file is
 * removed and path keeps what it held. f is finished either way. */
bool output_commit(output_file *f, char *err, size_t err_len);
/* Removes the temporary file; path is left as it was. */
void output_abort(output_file *f);

/* All of text, written through the above. */
bool output_write_all(const char *path, const void *data, size_t len, char *err, size_t err_len);

/* SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the temporary files being
 * written, then end the process as the signal would have. */
void output_clean_up_on_signals(void);

#endif
