/* Block loop over the engine: nothing here allocates. */
#include "run.h"

#include "rate.h"

static size_t block_length(size_t done, size_t frames, size_t reset_every)
{
	size_t len = frames - done < RUN_BLOCK ? frames - done : RUN_BLOCK;
	if (reset_every) {
		size_t left = reset_every - done % reset_every;
		if (left < len)
			len = left;
	}
	return len;
}

void run_model(recur_model *m, const run_input *in, float *y, size_t reset_every)
{
	size_t n_in = (size_t)m->shape.n_inputs, n_out = (size_t)m->shape.n_outputs;
	recur_rate clock;
	if (in->stream_rate > 0)
		recur_rate_init(&clock, m, in->stream_rate);
	recur_reset(m);
	for (size_t done = 0; done < in->frames;) {
		if (reset_every && done && done % reset_every == 0) {
			recur_reset(m);
			if (in->stream_rate > 0)
				recur_rate_reset(&clock);
		}
		size_t len = block_length(done, in->frames, reset_every);
		if (in->x && in->stream_rate > 0)
			recur_rate_process(&clock, m, in->x + done * n_in, y + done * n_out, len,
			                   in->interpolate);
		else if (in->x)
			recur_process(m, in->x + done * n_in, y + done * n_out, len);
		else
			recur_process_mono(m, in->mono + done, y + done, len, in->cond);
		done += len;
	}
}
