/*
 * Whether a converter may write OUTPUT: only under a name that says the
 * format being written, and then by the rules every recur tool follows
 * (fileio/output.h): never over its own INPUT (the same file under any name
 * or link), never over a file of another kind, only a regular file in a
 * folder that takes new files.
 */
#ifndef RECUR_CONVERT_OUTPUT_SAFETY_H
#define RECUR_CONVERT_OUTPUT_SAFETY_H

#include "export.h"

#include <stdbool.h>
#include <stddef.h>

/* The file name endings each format is written under: recur ".json";
 * AIDA-X ".json" or ".aidax"; NAM ".nam". */
const char *output_endings(recur_export_format f);
/* The format OUTPUT's name asks for: ".nam" NAM, ".aidax" AIDA-X, ".json"
 * recur; false for any other name. */
bool format_from_name(const char *path, recur_export_format *f);
/* False with why (a full sentence) when OUTPUT must not be written. */
bool output_allowed(const char *input, const char *output, recur_export_format f, char *why,
                    size_t why_len);

#endif
