/* Turning recur-process's INPUT and options into the model's input frames. */
#ifndef RECUR_PROCESS_FEED_H
#define RECUR_PROCESS_FEED_H

#include "csv.h"
#include "options.h"
#include "recur.h"
#include "run.h"

/* The model's input frames and what they came from; owns its buffers. */
typedef struct {
	run_input run;
	int rate;                   /* audio INPUT's frames per second; 0 for CSV */
	float values[RECUR_MAX_IO]; /* held value of each input that has no column */
	float *mono;                /* audio: the chosen channel */
	float *x;                   /* frames * n_inputs interleaved, or NULL */
	csv_table table;            /* CSV INPUT, kept for --keep-columns */
} model_feed;

/* Reads INPUT and fills f. Returns -1 on success, otherwise the exit status
 * after printing why. */
int feed_prepare(const recur_model *m, const process_options *o, model_feed *f);
void feed_free(model_feed *f);

#endif
