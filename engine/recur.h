/*
 * recur engine: recurrent networks (vanilla RNN, GRU, LSTM) that advance one
 * frame at a time, real-time safe, and the model file format.
 *
 * The LV2 plugins, recur-process and recur-train all run the network through
 * the functions declared here, so every forward pass in the project is the
 * same code.
 *
 * Threading: a recur_model is used by one thread at a time. Loading, saving
 * and freeing allocate and do I/O; recur_step, recur_process, recur_reset and
 * recur_layer_step never do, and take bounded time.
 */
#ifndef RECUR_H
#define RECUR_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RECUR_FORMAT_VERSION 1
#define RECUR_MAX_HIDDEN     128
#define RECUR_MAX_LAYERS     4
#define RECUR_MAX_IO         16 /* inputs and outputs, each */
#define RECUR_NAME_LEN       32 /* bytes, including the terminating NUL */
#define RECUR_MAX_FILE_BYTES (32u * 1024u * 1024u)

/* Every parameter and state array starts on a 64-byte boundary and its
 * length is padded to a multiple of RECUR_PAD floats (one AVX-512 vector), so
 * kernels never need a scalar tail. Padding is always zero. */
#define RECUR_PAD 16

typedef enum { RECUR_CELL_RNN, RECUR_CELL_GRU, RECUR_CELL_LSTM } recur_cell;

typedef enum {
	RECUR_ACT_LINEAR,
	RECUR_ACT_TANH,
	RECUR_ACT_SIGMOID,
	RECUR_ACT_SOFTMAX
} recur_activation;

/* What a network looks like; everything else follows from it. */
typedef struct {
	recur_cell cell;
	int n_inputs;  /* 1..RECUR_MAX_IO: input 0 is the signal, the rest conditioning */
	int n_outputs; /* 1..RECUR_MAX_IO */
	int hidden;    /* 1..RECUR_MAX_HIDDEN, the same in every layer */
	int layers;    /* 1..RECUR_MAX_LAYERS */
	bool skip;     /* y[0] += x[0] before the output activation */
	recur_activation out_act;
} recur_shape;

/* A named input or output. For conditioning inputs, [min, max] is the range
 * the model was trained on and def the value used when nothing drives it. */
typedef struct {
	char name[RECUR_NAME_LEN];
	float min, max, def;
} recur_port;

/*
 * One recurrent layer's parameters, as views into the model's block.
 *
 * Gates per cell: RNN 1, GRU 3 (r, z, n), LSTM 4 (i, f, g, o); the gate order
 * is PyTorch's. rows = gates * hidden; rows_p = rows rounded up to RECUR_PAD.
 * Row k*hidden + u is unit u of gate k.
 *
 *   w_x [in][rows_p]      column-major: w_x[j*rows_p + r] = PyTorch weight_ih[r][j]
 *   w_h [hidden][rows_p]  column-major: w_h[j*rows_p + r] = PyTorch weight_hh[r][j]
 *   b_x [rows_p]          PyTorch bias_ih
 *   b_h [rows_p]          PyTorch bias_hh
 *
 * Column-major storage makes the gate pre-activations one fused
 * matrix-vector product: for each input j, add v[j] times a contiguous,
 * aligned column to all gate rows at once.
 */
typedef struct {
	recur_cell cell;
	int in; /* inputs to this layer: n_inputs for layer 0, hidden above */
	int hidden;
	int rows;
	int rows_p;
	float *w_x;
	float *w_h;
	float *b_x;
	float *b_h;
} recur_layer;

/*
 * A loaded model. Created by recur_model_new or a loader; one allocation
 * holds this struct, every parameter, the state and the scratch space, so
 * freeing is one call and nothing is allocated afterwards.
 *
 * params (n_params floats, 64-byte aligned), in this order:
 *   for each layer l: layer[l].w_x, w_h, b_x, b_h (layout above)
 *   w_out [n_outputs][hidden_p]   row-major dense head over the top layer's h
 *   b_out [out_p]
 * state (n_state floats): for each layer l: h[l] [hidden_p], c[l] [hidden_p]
 *   (c unused by RNN and GRU, kept zero).
 * work (RECUR_WORK_FLOATS(rows_p, hidden_p) floats): scratch of recur_step.
 *
 * hidden_p = hidden rounded up to RECUR_PAD; out_p = n_outputs rounded up.
 * A second model of the same shape has the same layout, which is how the
 * trainer keeps gradients and Adam moments: same offsets, other block.
 */
typedef struct recur_model {
	recur_shape shape;
	double sample_rate; /* frames per second the model was trained at; 0 = unknown */
	recur_port inputs[RECUR_MAX_IO];
	recur_port outputs[RECUR_MAX_IO];
	char *metadata_json; /* free-form JSON object text, or NULL; owned */

	int hidden_p;
	int out_p;
	recur_layer layer[RECUR_MAX_LAYERS];
	float *w_out;
	float *b_out;
	float *params;
	size_t n_params;
	float *h[RECUR_MAX_LAYERS];
	float *c[RECUR_MAX_LAYERS];
	float *state;
	size_t n_state;
	float *work;
	size_t n_work;
} recur_model;

/* Scratch one layer step needs (and, for training, the record it leaves):
 *   [0, rows_p)            gates after their activations
 *   [rows_p, 2 rows_p)     GRU: W_h h + b_h before activation (the n rows are
 *                          what backprop needs); LSTM: new c in the first
 *                          hidden_p floats, tanh(new c) in the next hidden_p
 */
#define RECUR_WORK_FLOATS(rows_p, hidden_p) (2 * (rows_p) + 2 * (hidden_p))

typedef struct {
	char msg[256];
} recur_error;

/* ---- lifetime (allocating: never on the audio thread) ------------------ */

/* A model with every parameter zero, ports named "in0".. / "out0"..,
 * conditioning ranges [0, 1] default 0. NULL and err set if the shape is out
 * of limits. */
recur_model *recur_model_new(const recur_shape *shape, recur_error *err);
void recur_model_free(recur_model *m);
/* A deep copy (parameters, state, names, metadata). */
recur_model *recur_model_clone(const recur_model *m, recur_error *err);
const char *recur_cell_name(recur_cell c);
const char *recur_activation_name(recur_activation a);

/* ---- model files -------------------------------------------------------- */

/* Reads recur's own format, AIDA-X / RTNeural Keras JSON or
 * Automated-GuitarAmpModelling JSON, told apart by their top-level keys.
 * Refuses anything malformed, out of limits, non-finite or larger than
 * RECUR_MAX_FILE_BYTES with a message that names the field. */
recur_model *recur_model_load(const char *path, recur_error *err);
recur_model *recur_model_parse(const char *text, size_t len, recur_error *err);
/* Writes recur's format atomically (temporary file in the same folder,
 * fsync, rename). Floats are written so that load gives them back bit-exact. */
bool recur_model_save(const recur_model *m, const char *path, recur_error *err);
/* The JSON text of recur's format; caller frees with free(). */
char *recur_model_print(const recur_model *m, recur_error *err);

/* ---- real-time (no allocation, no locks, bounded time) ------------------ */

void recur_reset(recur_model *m);
/* x: n_inputs floats, y: n_outputs floats. */
void recur_step(recur_model *m, const float *x, float *y);
/* x: frames * n_inputs floats interleaved; y: frames * n_outputs. */
void recur_process(recur_model *m, const float *x, float *y, size_t frames);
/* Mono signal through input 0 and output 0, with inputs 1.. held at cond[]
 * (n_inputs - 1 floats, may be NULL when n_inputs == 1). in and out may alias. */
void recur_process_mono(recur_model *m, const float *in, float *out, size_t frames,
                        const float *cond);

/* One layer, one frame: reads x (L->in floats) and the state h, c (hidden_p
 * floats each; c unused except by LSTM), writes the new state in place and
 * leaves the record described at RECUR_WORK_FLOATS in work. The trainer calls
 * this for its forward pass. h, c and work must be 64-byte aligned and padded
 * to RECUR_PAD floats with zeros, as the model's own arrays are: the kernels
 * use aligned full-width vector loads. */
void recur_layer_step(const recur_layer *L, const float *x, float *h, float *c, float *work);
/* The dense head, skip and output activation: y from the top layer's h and
 * the frame's input x. */
void recur_head_step(const recur_model *m, const float *x, const float *h, float *y);

/* Name of the instruction-set path in use ("avx512", "avx2", "sse2"); the
 * fastest the CPU supports is chosen on first use. recur_kernel_select forces
 * one (tests and benchmarks compare the paths); false if the CPU lacks it or
 * the name is unknown. The environment variable RECUR_KERNEL does the same
 * at start-up. Not thread-safe: call before any model runs. */
const char *recur_kernel_name(void);
bool recur_kernel_select(const char *name);

#ifdef __cplusplus
}
#endif
#endif
