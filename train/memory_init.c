/* Chrono initialisation of the keep gates; memory_init.h says why. */
#include "memory_init.h"

#include "trainer.h"

#include <math.h>

void memory_init(recur_model *m, double frames, uint64_t seed)
{
	const recur_cell cell = m->shape.cell;
	if (cell == RECUR_CELL_RNN || frames < 2)
		return;
	uint64_t rng = seed ^ 0xc4a0f00dull;
	const int h = m->shape.hidden;
	/* PyTorch's gate order: LSTM (i, f, g, o), GRU (r, z, n). */
	const int keep = 1, input = 0;
	for (int l = 0; l < m->shape.layers; l++) {
		const recur_layer *L = &m->layer[l];
		for (int u = 0; u < h; u++) {
			const float b = (float)log(1.0 + rng_uniform(&rng) * (frames - 2.0));
			L->b_x[keep * h + u] = b;
			L->b_h[keep * h + u] = 0;
			if (cell == RECUR_CELL_LSTM) {
				L->b_x[input * h + u] = -b;
				L->b_h[input * h + u] = 0;
			}
		}
	}
}
