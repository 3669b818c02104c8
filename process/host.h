/* Audio at another sample rate than the model's: the plugin's real-time
 * method (engine/host_rate.h) or, with --resample, the offline best. */
#ifndef RECUR_PROCESS_HOST_H
#define RECUR_PROCESS_HOST_H

#include <stdbool.h>

#include "feed.h"
#include "options.h"
#include "recur.h"

/* For audio INPUT at another rate than m's, without --resample: sets
 * f->run.host to the plugin's method for INPUT's rate and prints what was
 * chosen and why. Returns -1 to go on, otherwise the exit status. */
int host_prepare(recur_model *m, const process_options *o, model_feed *f);
/* True when --resample applies: the rates differ and it was asked for. */
bool host_offline_wanted(const recur_model *m, const process_options *o, const model_feed *f);
/* --resample: INPUT converted to m's rate with the best sinc converter, run
 * from a reset state, converted back; y gets f->run.frames frames. */
bool host_run_offline(recur_model *m, const model_feed *f, float *y);
void host_free(model_feed *f);

#endif
