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

static void run_at_host_rate(recur_host_rate *host, size_t n_in, size_t n_out, const run_input *in,
                             float *y, size_t reset_every)
{
	recur_host_rate_reset(host);
	for (size_t done = 0; done < in->frames;) {
		if (reset_every && done && done % reset_every == 0)
			recur_host_rate_reset(host);
		size_t len = block_length(done, in->frames, reset_every);
		if (in->x)
			recur_host_rate_process(host, in->x + done * n_in, y + done * n_out, len);
		else
			recur_host_rate_process_mono(host, in->mono + done, y + done, len,
			                             in->cond);
		done += len;
	}
}

void run_model(recur_model *m, const run_input *in, float *y, size_t reset_every)
{
	size_t n_in = (size_t)m->shape.n_inputs, n_out = (size_t)m->shape.n_outputs;
	recur_rate clock;
	if (in->stream_rate > 0)
		recur_rate_init(&clock, m, in->stream_rate);
	if (in->host) {
		run_at_host_rate(in->host, n_in, n_out, in, y, reset_every);
		return;
	}
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
