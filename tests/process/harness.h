/*
 * What the recur-process tests share: running the built executable and
 * capturing what it says, a scratch folder, audio and CSV files, and small
 * networks whose output the tests compute independently in double precision
 * straight from the PyTorch cell equations.
 */
#ifndef RECUR_PROCESS_HARNESS_H
#define RECUR_PROCESS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "recur.h"

/* How a run of the executable ended. */
typedef struct {
	int status; /* exit status, or 128 + signal */
	char out[16384];
	char err[16384];
} tool_result;

/* Runs the executable with args (NULL-terminated, without argv[0]). */
void tool_run(tool_result *r, const char *exe, const char *const *args);

/* A path for name inside a scratch folder removed at exit. */
const char *scratch(const char *name); /* at most 256 per run */

/* Writes text to path; false on failure. */
bool write_text(const char *path, const char *text, size_t len);

/* Mono or multichannel float WAV (frames * channels interleaved). */
bool write_wav(const char *path, const float *x, size_t frames, int channels, int rate, int format);
/* Whole file, interleaved; *frames, *channels, *rate, *format set. NULL on failure. */
float *read_audio(const char *path, size_t *frames, int *channels, int *rate, int *format);

#define NET_MAX_IN     3
#define NET_MAX_OUT    2
#define NET_MAX_HIDDEN 4
#define NET_MAX_ROWS   (4 * NET_MAX_HIDDEN)

/* One-layer network in PyTorch's terms: weights as PyTorch stores them. */
typedef struct {
	recur_cell cell;
	int n_in, n_out, hidden;
	bool skip;
	double w_ih[NET_MAX_ROWS][NET_MAX_IN];
	double w_hh[NET_MAX_ROWS][NET_MAX_HIDDEN];
	double b_ih[NET_MAX_ROWS];
	double b_hh[NET_MAX_ROWS];
	double w_out[NET_MAX_OUT][NET_MAX_HIDDEN];
	double b_out[NET_MAX_OUT];
} ref_net;

/* State of ref_net between frames. */
typedef struct {
	double h[NET_MAX_HIDDEN];
	double c[NET_MAX_HIDDEN];
} ref_state;

int ref_gates(recur_cell cell);
/* Fills every weight with a value exactly representable as a float,
 * different for every position, from seed. */
void ref_fill(ref_net *n, unsigned seed);
/* One frame of the network (x: n_in, y: n_out). */
void ref_step(const ref_net *n, ref_state *s, const double *x, double *y);
/* The same network as a recur model, ports named in_names / out_names,
 * sample rate rate, saved to path. False (and a message) on failure. */
bool ref_save(const ref_net *n, const char *const *in_names, const char *const *out_names,
              double rate, const char *path);

#endif
