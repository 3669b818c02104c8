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

/* The newest version of recur's format this build reads and writes. The
 * writer uses the oldest version that holds the model (1 unless it has
 * inner dense layers, a relu or elu output, an initial state, level gains or
 * a check block), so files of the models earlier builds knew stay readable
 * by them. */
#define RECUR_FORMAT_VERSION   2
#define RECUR_MAX_HIDDEN       128
#define RECUR_MAX_LAYERS       4
#define RECUR_MAX_DENSE        3  /* dense layers after the recurrent ones, output layer included */
#define RECUR_MAX_IO           16 /* inputs and outputs, each */
#define RECUR_NAME_LEN         32 /* bytes, including the terminating NUL */
#define RECUR_MAX_FILE_BYTES   (32u * 1024u * 1024u)
#define RECUR_MAX_CHECK_FRAMES 65536

/* Every parameter and state array starts on a 64-byte boundary and its
 * length is padded to a multiple of RECUR_PAD floats (one AVX-512 vector), so
 * kernels never need a scalar tail. Padding is always zero. */
#define RECUR_PAD 16

typedef enum { RECUR_CELL_RNN, RECUR_CELL_GRU, RECUR_CELL_LSTM } recur_cell;

/* Softmax acts over a whole layer and is allowed on the output layer only;
 * ELU is Keras' and RTNeural's with alpha 1: x > 0 ? x : exp(x) - 1. */
typedef enum {
	RECUR_ACT_LINEAR,
	RECUR_ACT_TANH,
	RECUR_ACT_SIGMOID,
	RECUR_ACT_SOFTMAX,
	RECUR_ACT_RELU,
	RECUR_ACT_ELU
} recur_activation;

/* What a network looks like; everything else follows from it (with the
 * dense layers of recur_inner, kept apart so that shapes written as
 * positional initialisers stay complete). */
typedef struct {
	recur_cell cell;
	int n_inputs;  /* 1..RECUR_MAX_IO: input 0 is the signal, the rest conditioning */
	int n_outputs; /* 1..RECUR_MAX_IO */
	int hidden;    /* 1..RECUR_MAX_HIDDEN, the same in every layer */
	int layers;    /* 1..RECUR_MAX_LAYERS */
	bool skip;     /* y[0] += (gained) x[0] before the output activation */
	recur_activation out_act;
} recur_shape;

/* A dense layer between the top recurrent layer and the output layer. */
typedef struct {
	int width;            /* 1..RECUR_MAX_HIDDEN */
	recur_activation act; /* any but softmax */
} recur_dense;

/* After the recurrent layers comes a stack of 1..RECUR_MAX_DENSE dense
 * layers: layer[0 .. n-1] ("inner" layers), then the output layer
 * (n_outputs wide, out_act). n = 0, what a zero-initialised recur_inner
 * gives, is the single dense layer (the "head") of every version-1 model. */
typedef struct {
	int n; /* 0..RECUR_MAX_DENSE - 1 */
	recur_dense layer[RECUR_MAX_DENSE - 1];
} recur_inner;

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
	/* The model is small enough for the 8-lane path to outrun the 16-lane
	 * one (recur_shape_prefers_narrow): set with the layout, read by the
	 * kernel choice of every step, so a model's steps all take one path. */
	bool narrow;
} recur_layer;

/* An inner dense layer's parameters, as views into the model's block:
 *
 *   w [width][in_p]   row-major: w[o*in_p + j] = Keras/PyTorch weight[o][j]
 *   b [width_p]
 *
 * in is hidden for dense[0] and the previous inner layer's width above it;
 * in_p and width_p are them rounded up to RECUR_PAD. */
typedef struct {
	int in, in_p;
	int width, width_p;
	recur_activation act;
	float *w;
	float *b;
} recur_dense_layer;

/* A check block: a short input and the output the model's writer computed
 * from it with recur_step, starting from the initial state. It lets a model
 * show on any machine that it runs as it did where it was made. Held in one
 * allocation of its own (struct, then input, then output), owned by the
 * model, outside the real-time block. */
typedef struct {
	size_t frames; /* 1..RECUR_MAX_CHECK_FRAMES */
	float *input;  /* frames * n_inputs, interleaved */
	float *output; /* frames * n_outputs, interleaved */
} recur_check;

/*
 * A loaded model. Created by recur_model_new or a loader; one allocation
 * holds this struct, every parameter, the state and the scratch space, so
 * freeing is one call and nothing is allocated afterwards.
 *
 * params (n_params floats, 64-byte aligned), in this order:
 *   for each layer l: layer[l].w_x, w_h, b_x, b_h (layout above)
 *   for each inner dense layer k: dense[k].w, dense[k].b (layout above)
 *   w_out [n_outputs][head_in_p]  row-major output layer over its input: the
 *                                 top layer's h, or the last inner layer's
 *   b_out [out_p]
 * state (n_state floats): for each layer l: h[l] [hidden_p], c[l] [hidden_p]
 *   (c unused by RNN and GRU, kept zero).
 * work (RECUR_WORK_FLOATS(rows_p, hidden_p) floats): scratch of recur_step.
 * init (n_state floats, same layout as state): the initial state h0, c0
 *   that recur_reset copies into state; zero unless the model stores one
 *   (NAM LSTMs learn it). c0 of RNN and GRU is always zero.
 * history (RECUR_STATE_HISTORY * n_state floats): a ring of past states,
 *   scratch of the host-rate unit (engine/host_rate.h) when the host's rate
 *   is not the model's, so running at any rate allocates nothing more.
 *
 * hidden_p = hidden rounded up to RECUR_PAD; out_p = n_outputs rounded up;
 * head_in_p = hidden_p without inner layers. A model without inner layers
 * has the layout of version 1; a second model of the same shape has the same
 * layout, which is how the trainer keeps gradients and Adam moments: same
 * offsets, other block.
 *
 * Levels (1 = none, so a model without them is computed bit for bit as
 * before), as AIDA-X applies its in_gain and out_gain:
 *   u    = in_gain * x[0]; the network sees u as input 0, inputs 1.. as given
 *   z    = the output layer's products; z[0] += u if skip
 *   y[o] = out_gain * act(z)[o] for every output o
 */
typedef struct recur_model {
	recur_shape shape;
	recur_inner inner;  /* the dense layers before the output layer */
	double sample_rate; /* frames per second the model was trained at; 0 = unknown */
	recur_port inputs[RECUR_MAX_IO];
	recur_port outputs[RECUR_MAX_IO];
	char *metadata_json; /* free-form JSON object text, or NULL; owned */
	recur_check *check;  /* or NULL; owned (recur_model_set_check) */
	float in_gain;       /* factor on input 0 before the network; 1 = none */
	float out_gain;      /* factor on every output after the activation; 1 = none */

	int hidden_p;
	int out_p;
	int head_in_p;
	recur_layer layer[RECUR_MAX_LAYERS];
	recur_dense_layer dense[RECUR_MAX_DENSE - 1];
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
	float *init;    /* n_state floats */
	float *history; /* RECUR_STATE_HISTORY * n_state floats */
} recur_model;

/* States the history ring holds: enough for a delay of 10 samples (a host
 * at 10 times the model's rate) and a fifth-order filter around it. */
#define RECUR_STATE_HISTORY 16

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

/* A model with every parameter and the initial state zero, gains 1, no
 * check block, ports named "in0".. / "out0".., conditioning ranges [0, 1]
 * default 0. NULL and err set if the shape is out of limits (the message
 * names the field). */
recur_model *recur_model_new(const recur_shape *shape, recur_error *err);
/* The same with inner dense layers before the output layer (inner may be
 * NULL: none). Limits are named as "inner[1].width", "inner[0].act". */
recur_model *recur_model_new_dense(const recur_shape *shape, const recur_inner *inner,
                                   recur_error *err);
void recur_model_free(recur_model *m);
/* A deep copy (parameters, initial state, state, gains, names, metadata,
 * check block). */
recur_model *recur_model_clone(const recur_model *m, recur_error *err);
/* Copies frames of input (frames * n_inputs) and the expected output
 * (frames * n_outputs) into the model's check block, replacing any; frames 0
 * removes it. Refuses more than RECUR_MAX_CHECK_FRAMES and non-finite values. */
bool recur_model_set_check(recur_model *m, const float *input, const float *output, size_t frames,
                           recur_error *err);
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

/* ---- checks (no allocation; the model's state is reset before and after) */

/* Runs input (frames * n_inputs) through recur_step from the initial state
 * and returns the largest |y - expected| over every output of every frame
 * (expected: frames * n_outputs); infinity if an output is not finite. The
 * frame where it occurs goes to *worst_frame when not NULL. */
double recur_model_run_check(recur_model *m, const float *input, const float *expected,
                             size_t frames, size_t *worst_frame);
/* The same over the model's own check block; false (err set) without one. */
bool recur_model_check(recur_model *m, double *max_diff, size_t *worst_frame, recur_error *err);

/* ---- real-time (no allocation, no locks, bounded time) ------------------ */

/* Back to the initial state (zero unless the model stores one). */
void recur_reset(recur_model *m);
/* x: n_inputs floats, y: n_outputs floats; the equations are at struct
 * recur_model. */
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
/* The dense stack, skip, output activation and output gain: y from the top
 * layer's h and the frame's input x (as given to recur_step: the skip adds
 * in_gain * x[0]). */
void recur_head_step(const recur_model *m, const float *x, const float *h, float *y);

/* Name of the instruction-set path in use ("avx512", "avx2", "sse2"); the
 * fastest the CPU supports is chosen on first use. recur_kernel_select forces
 * one (tests and benchmarks compare the paths), or "auto" makes the first
 * use's choice again; false if the CPU lacks it or the name is unknown. The
 * environment variable RECUR_KERNEL does the same at start-up. Not
 * thread-safe: call before any model runs. */
const char *recur_kernel_name(void);
bool recur_kernel_select(const char *name);
/* The path this model's steps take: recur_kernel_name's, except that on a
 * CPU where AVX-512 was chosen by itself small models (up to 8 units, or 16
 * in one layer) run the AVX2 path, faster for them (docs/engine.md). */
const char *recur_model_kernel_name(const recur_model *m);

#ifdef __cplusplus
}
#endif
#endif
