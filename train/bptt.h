/*
 * Forward and backward pass of one segment through a recur_model, for
 * truncated back-propagation through time.
 *
 * The forward pass is the engine's own (recur_layer_step, recur_head_step),
 * so a trained model behaves in recur-process and the plugin exactly as it
 * did during training. What this file adds is the record of every frame
 * the backward pass needs, and the backward pass itself.
 */
#ifndef RECUR_TRAIN_BPTT_H
#define RECUR_TRAIN_BPTT_H

#include "recur.h"

/*
 * Everything one segment's passes need, allocated once per thread for the
 * longest segment (max_frames), so a training step never allocates.
 *
 * With S = 2 * hidden_p (one layer's state: h then c), Lw = the engine's
 * RECUR_WORK_FLOATS(rows_p, hidden_p) for the widest layer, O = out_p:
 *   state [max_frames + 1][layers][S]  state[t] is the state before frame t;
 *                                      state[t + 1] the state frame t leaves
 *   work  [max_frames][layers][Lw]     the record each layer step leaves
 *   y     [max_frames][O]              outputs after the activation
 *   dy    [max_frames][O]              d loss / d y, or d loss / d (pre-activation)
 *                                      when the loss says so (see loss.h)
 *   dh, dc [layers][hidden_p]          gradient flowing back into each layer's state
 *   g_x, g_h [rows_p]                  gradient at the gate pre-activations, the
 *                                      x side and the h side (they differ for GRU)
 *   tmp   [hidden_p]                   the new dh while the old one is still read
 * All arrays are 64-byte aligned and their padding stays zero.
 */
typedef struct {
	int max_frames;
	int layers;
	int hidden_p;
	int out_p;
	int rows_p;
	size_t state_stride; /* floats per frame in state: layers * S */
	size_t work_stride;  /* floats per frame in work: layers * Lw */
	size_t layer_work;   /* Lw */
	float *state;
	float *work;
	float *y;
	float *dy;
	float *dh;
	float *dc;
	float *g_x;
	float *g_h;
	float *tmp;
	float *block; /* the one allocation the arrays above live in */
} bptt_ws;

bool bptt_ws_init(bptt_ws *ws, const recur_model *m, int max_frames, recur_error *err);
void bptt_ws_free(bptt_ws *ws);

/* Runs frames of x (frames * n_inputs floats, interleaved) from a zero
 * state, keeping the record; outputs land in ws->y (stride out_p). */
void bptt_forward(bptt_ws *ws, const recur_model *m, const float *x, int frames);

/* Back-propagates ws->dy over frames [first, frames) (the frames before
 * `first` are warm-up: they set the state, nothing flows back into them) and
 * adds the parameter gradients into grad, a model of the same shape.
 * dy_is_preact: ws->dy already holds d loss / d (pre-activation output), as
 * sigmoid + binary cross-entropy and softmax + cross-entropy give it. */
void bptt_backward(bptt_ws *ws, const recur_model *m, recur_model *grad, const float *x, int first,
                   int frames, bool dy_is_preact);

#endif
