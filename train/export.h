/* Writing a trained model for other hosts: AIDA-X / RTNeural Keras JSON, and
 * an LV2 preset for recur's plugin that loads the model file. */
#ifndef RECUR_TRAIN_EXPORT_H
#define RECUR_TRAIN_EXPORT_H

#include "recur.h"

#define RECUR_PLUGIN_URI      "https://recur.dev/plugins/recur"
#define RECUR_MODEL_PARAM_URI "https://recur.dev/plugins/recur#model"

/* LSTM or GRU stacks only (RTNeural's Keras format has no vanilla RNN of
 * PyTorch's form); skip only with one linear output, as AIDA-X adds the input
 * after the dense layer's activation. Written atomically. */
bool export_aidax(const recur_model *m, const char *path, recur_error *err);
/* A pset:Preset whose state points the plugin's model parameter at
 * model_path (made absolute). Written atomically. */
bool write_preset(const char *preset_path, const char *model_path, recur_error *err);

#endif
