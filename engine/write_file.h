/*
 * Writing a whole file so that a reader never sees half of it: the text goes
 * to a temporary file in the target's folder, is synced, and is renamed over
 * the target. A failure leaves the previous file as it was. Used by
 * recur_model_save and by the writers of foreign formats.
 */
#ifndef RECUR_WRITE_FILE_H
#define RECUR_WRITE_FILE_H

#include "recur.h"

#include <stdbool.h>

/* The new file keeps the old one's permissions (rw-r--r-- for a new file). */
bool recur_write_file_atomic(const char *path, const char *text, recur_error *err);

#endif
