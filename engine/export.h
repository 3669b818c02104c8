/*
 * Writing a model in another project's format, so that a model trained or
 * converted here plays in that project's own hosts:
 *
 *   AIDA-X   the JSON the AIDA-X plugins (AidaDSP's rt-neural-generic and
 *            AIDA-X) load: one LSTM or GRU layer of a size they compile in,
 *            one linear dense output, 1 to 3 inputs.
 *   NAM      a NeuralAmpModelerCore .nam file of architecture "LSTM": LSTM
 *            layers, one input, one linear output, no skip.
 *
 * Each writer first checks that the target runs the very same network and
 * otherwise refuses with a message that names what stands in the way and
 * what the target loads; nothing is approximated. The rules are in
 * docs/model-format.md ("Writing other formats").
 */
#ifndef RECUR_EXPORT_H
#define RECUR_EXPORT_H

#include "recur.h"

#include <stdbool.h>

typedef enum { RECUR_EXPORT_RECUR, RECUR_EXPORT_AIDAX, RECUR_EXPORT_NAM } recur_export_format;

/* "recur", "aidax", "nam". */
const char *recur_export_format_name(recur_export_format f);
/* By name as above; false if unknown. */
bool recur_export_format_parse(const char *name, recur_export_format *f);

/* The file's text (free() it), or NULL with err set when the format cannot
 * express the model. The model is not changed. */
char *recur_export_aidax(const recur_model *m, recur_error *err);
char *recur_export_nam(const recur_model *m, recur_error *err);

/* Writes m in format f to path atomically (temporary file in the same
 * folder, fsync, rename); recur's own format goes through recur_model_save. */
bool recur_export_save(const recur_model *m, recur_export_format f, const char *path,
                       recur_error *err);

#endif
