/*
 * Chrono initialisation (Tallec and Ollivier, "Can recurrent neural networks
 * warp time?", ICLR 2018) for devices whose output depends on a slow
 * envelope: a compressor's level detector, an amplifier's supply sag.
 *
 * A freshly initialised LSTM or GRU forgets within a few frames (its gates
 * sit near 0.5), and gradient descent needs thousands of steps to move a
 * gate bias to the 6-9 a memory of thousands of frames at 48 kHz takes.
 * This sets, in every layer, each unit's keep-gate bias to log(u), u drawn
 * uniformly from [1, frames - 1], so the units start with time constants
 * spread from one frame to `frames`: for an LSTM the forget gate's bias is
 * log(u) and the input gate's -log(u); for a GRU the update gate z (which
 * keeps the state: h' = (1 - z) n + z h) gets log(u). The recurrent biases of
 * those gates are set to 0, so the sum the cell sees is exactly that. A
 * vanilla RNN has no gate and is left as it is.
 */
#ifndef RECUR_TRAIN_MEMORY_INIT_H
#define RECUR_TRAIN_MEMORY_INIT_H

#include "recur.h"

#include <stdint.h>

/* frames >= 2; the draw is deterministic for a seed. */
void memory_init(recur_model *m, double frames, uint64_t seed);

#endif
