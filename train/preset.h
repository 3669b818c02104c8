/* An LV2 preset of recur's plugin that loads a trained model file. */
#ifndef RECUR_TRAIN_PRESET_H
#define RECUR_TRAIN_PRESET_H

#include "recur.h"

#define RECUR_PLUGIN_URI      "https://recur.dev/plugins/recur"
#define RECUR_MODEL_PARAM_URI "https://recur.dev/plugins/recur#model"

/* A pset:Preset whose state points the plugin's model parameter at
 * model_path (made absolute). Written atomically. */
bool write_preset(const char *preset_path, const char *model_path, recur_error *err);

#endif
