/* recur-process --check: a model file's report on itself. */
#ifndef RECUR_PROCESS_CHECK_MODEL_H
#define RECUR_PROCESS_CHECK_MODEL_H

#include "recur.h"

/* Prints where the model came from, its rate (and whether it was assumed)
 * and every check it carries on stdout; 0 when each is within
 * RECUR_CHECK_TOLERANCE or there is none, EXIT_CHECK otherwise. */
int check_model(recur_model *m);

#endif
