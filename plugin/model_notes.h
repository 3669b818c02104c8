/* The model slot's notes on a freshly loaded model (Worker only). */
#ifndef RECUR_PLUGIN_MODEL_NOTES_H
#define RECUR_PLUGIN_MODEL_NOTES_H

#include "recur.h"

#include <lv2/log/logger.h>
#include <stdbool.h>

/* Logs an assumed sample rate (note) and a model that disagrees with its
 * file's test data or its own check block (warning); returns whether the
 * rate was assumed. Allocates and runs the model: Worker or restore only. */
bool model_notes_log(recur_model *m, const char *path, LV2_Log_Logger *log);

#endif
