/* The resampling fallback; the scheme is in host_resample.h. */
#include "host_resample.h"

#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Extra frames a converter may emit beyond rate * input in one call. */
#define SLACK 64

struct recur_resampler {
	SRC_STATE *down, *up; /* host -> model (n_inputs channels), model -> host (n_outputs) */
	double down_ratio, up_ratio;
	int n_in, n_out;
	int prime;        /* zeros the FIFO starts with: the latency */
	size_t model_cap; /* model frames one chunk can make */
	float *model_x;   /* model_cap * n_in */
	float *model_y;   /* model_cap * n_out */
	float *host_y;    /* host_cap * n_out: the up converter's output for one chunk */
	size_t host_cap;
	float *fifo; /* fifo_cap * n_out, a ring */
	size_t fifo_cap, fifo_head, fifo_fill;
	unsigned long underruns;
};

static void set_err(recur_error *err, const char *what, int code)
{
	if (err)
		snprintf(err->msg, sizeof err->msg, "resampler: %s%s%s", what, code ? ": " : "",
		         code ? src_strerror(code) : "");
}

static void fifo_push(recur_resampler *rs, const float *y, size_t frames)
{
	const size_t no = (size_t)rs->n_out;
	for (size_t t = 0; t < frames && rs->fifo_fill < rs->fifo_cap; t++) {
		size_t at = (rs->fifo_head + rs->fifo_fill) % rs->fifo_cap;
		memcpy(rs->fifo + at * no, y + t * no, no * sizeof *y);
		rs->fifo_fill++;
	}
}

static void fifo_pop(recur_resampler *rs, float *y, size_t frames)
{
	const size_t no = (size_t)rs->n_out;
	for (size_t t = 0; t < frames; t++) {
		if (!rs->fifo_fill) {
			memset(y + t * no, 0, no * sizeof *y);
			rs->underruns++;
			continue;
		}
		memcpy(y + t * no, rs->fifo + rs->fifo_head * no, no * sizeof *y);
		rs->fifo_head = (rs->fifo_head + 1) % rs->fifo_cap;
		rs->fifo_fill--;
	}
}

/* One chunk (frames <= RECUR_RESAMPLE_CHUNK) into the FIFO. m NULL: the
 * model is replaced by a copy of input 0 to every output (set-up only). */
static void chunk_in(recur_resampler *rs, recur_model *m, const float *x, size_t frames)
{
	SRC_DATA d = {.data_in = x,
	              .data_out = rs->model_x,
	              .input_frames = (long)frames,
	              .output_frames = (long)rs->model_cap,
	              .src_ratio = rs->down_ratio};
	src_process(rs->down, &d);
	size_t made = (size_t)d.output_frames_gen;
	if (m)
		recur_process(m, rs->model_x, rs->model_y, made);
	else
		for (size_t t = 0; t < made; t++)
			for (int o = 0; o < rs->n_out; o++)
				rs->model_y[t * (size_t)rs->n_out + (size_t)o] =
				    rs->model_x[t * (size_t)rs->n_in];
	SRC_DATA u = {.data_in = rs->model_y,
	              .data_out = rs->host_y,
	              .input_frames = (long)made,
	              .output_frames = (long)rs->host_cap,
	              .src_ratio = rs->up_ratio};
	src_process(rs->up, &u);
	fifo_push(rs, rs->host_y, (size_t)u.output_frames_gen);
}

static void run_chain(recur_resampler *rs, recur_model *m, const float *x, float *y, size_t frames)
{
	const size_t ni = (size_t)rs->n_in, no = (size_t)rs->n_out;
	for (size_t done = 0; done < frames;) {
		size_t n =
		    frames - done < RECUR_RESAMPLE_CHUNK ? frames - done : RECUR_RESAMPLE_CHUNK;
		chunk_in(rs, m, x + done * ni, n);
		fifo_pop(rs, y + done * no, n);
		done += n;
	}
}

void recur_resampler_reset(recur_resampler *rs)
{
	src_reset(rs->down);
	src_reset(rs->up);
	rs->fifo_head = 0;
	rs->fifo_fill = 0;
	memset(rs->fifo, 0, rs->fifo_cap * (size_t)rs->n_out * sizeof *rs->fifo);
	rs->fifo_fill = (size_t)rs->prime;
	rs->underruns = 0;
}

void recur_resampler_process(recur_resampler *rs, recur_model *m, const float *x, float *y,
                             size_t frames)
{
	run_chain(rs, m, x, y, frames);
}

int recur_resampler_latency(const recur_resampler *rs)
{
	return rs->prime;
}

void recur_resampler_free(recur_resampler *rs)
{
	if (!rs)
		return;
	if (rs->down)
		src_delete(rs->down);
	if (rs->up)
		src_delete(rs->up);
	free(rs->model_x);
	free(rs->model_y);
	free(rs->host_y);
	free(rs->fifo);
	free(rs);
}

/* The largest shortfall of the FIFO, with no priming, over a few seconds of
 * the block patterns that strain it most (single frames, whole chunks, odd
 * sizes), from the start of a stream. */
static int worst_shortfall(recur_resampler *rs, double host_rate)
{
	static const size_t pattern[] = {
	    1, RECUR_RESAMPLE_CHUNK, 7, 1, 1, 100, RECUR_RESAMPLE_CHUNK, 3, 64, 255, 2, 128};
	const size_t n_pattern = sizeof pattern / sizeof pattern[0];
	float x[RECUR_RESAMPLE_CHUNK * RECUR_MAX_IO] = {0};
	float y[RECUR_RESAMPLE_CHUNK * RECUR_MAX_IO];
	long worst = 0;
	size_t total = (size_t)(2.0 * host_rate);
	rs->prime = 0;
	recur_resampler_reset(rs);
	long produced = 0, consumed = 0;
	for (size_t done = 0, i = 0; done < total; i++) {
		size_t n = pattern[i % n_pattern];
		size_t before = rs->fifo_fill;
		chunk_in(rs, NULL, x, n);
		produced += (long)(rs->fifo_fill - before);
		consumed += (long)n;
		if (consumed - produced > worst)
			worst = consumed - produced;
		/* Take what is there (at most n) so the FIFO never overflows. */
		size_t take = rs->fifo_fill < n ? rs->fifo_fill : n;
		fifo_pop(rs, y, take);
		done += n;
	}
	return (int)worst;
}

/* Where an impulse comes out, in host samples (its largest sample). */
static int impulse_delay(recur_resampler *rs, int expect)
{
	size_t n = (size_t)expect + 4 * RECUR_RESAMPLE_CHUNK;
	float *x = calloc(n * (size_t)rs->n_in, sizeof *x);
	float *y = calloc(n * (size_t)rs->n_out, sizeof *y);
	int at = -1;
	if (x && y) {
		x[0] = 1.0f;
		recur_resampler_reset(rs);
		run_chain(rs, NULL, x, y, n);
		float best = 0.0f;
		for (size_t t = 0; t < n; t++) {
			float v = fabsf(y[t * (size_t)rs->n_out]);
			if (v > best) {
				best = v;
				at = (int)t;
			}
		}
	}
	free(x);
	free(y);
	return at;
}

recur_resampler *recur_resampler_new(const recur_model *m, double host_rate, int converter,
                                     recur_error *err)
{
	recur_resampler *rs = calloc(1, sizeof *rs);
	if (!rs) {
		set_err(err, "out of memory", 0);
		return NULL;
	}
	int code = 0;
	rs->n_in = m->shape.n_inputs;
	rs->n_out = m->shape.n_outputs;
	rs->down_ratio = m->sample_rate / host_rate;
	rs->up_ratio = host_rate / m->sample_rate;
	if (!src_is_valid_ratio(rs->down_ratio) || !src_is_valid_ratio(rs->up_ratio)) {
		set_err(err, "rate ratio out of range", 0);
		recur_resampler_free(rs);
		return NULL;
	}
	rs->down = src_new(converter, rs->n_in, &code);
	if (rs->down)
		rs->up = src_new(converter, rs->n_out, &code);
	rs->model_cap = (size_t)ceil(RECUR_RESAMPLE_CHUNK * rs->down_ratio) + SLACK;
	rs->host_cap = (size_t)ceil((double)rs->model_cap * rs->up_ratio) + SLACK;
	/* The priming is found below; the FIFO is sized for the most it can be. */
	rs->fifo_cap = 4 * rs->host_cap + 8192;
	rs->model_x = malloc(rs->model_cap * (size_t)rs->n_in * sizeof(float));
	rs->model_y = malloc(rs->model_cap * (size_t)rs->n_out * sizeof(float));
	rs->host_y = malloc(rs->host_cap * (size_t)rs->n_out * sizeof(float));
	rs->fifo = malloc(rs->fifo_cap * (size_t)rs->n_out * sizeof(float));
	if (!rs->down || !rs->up || !rs->model_x || !rs->model_y || !rs->host_y || !rs->fifo) {
		set_err(err, rs->down && rs->up ? "out of memory" : "converter", code);
		recur_resampler_free(rs);
		return NULL;
	}
	int prime = worst_shortfall(rs, host_rate);
	if ((size_t)prime + rs->host_cap * 2 > rs->fifo_cap) {
		set_err(err, "converter delay larger than expected", 0);
		recur_resampler_free(rs);
		return NULL;
	}
	rs->prime = prime;
	int delay = impulse_delay(rs, prime);
	/* The converters are time-aligned, so the impulse comes out after the
	 * priming; one sample either way is where a heavily band-limited
	 * impulse peaks between two samples. */
	if (abs(delay - prime) > 1) {
		char what[96];
		snprintf(what, sizeof what, "impulse came out after %d samples, expected %d", delay,
		         prime);
		set_err(err, what, 0);
		recur_resampler_free(rs);
		return NULL;
	}
	recur_resampler_reset(rs);
	return rs;
}

float *recur_resample_offline(const float *x, size_t n_in, int channels, double from, double to,
                              size_t *n_out, recur_error *err)
{
	double ratio = to / from;
	size_t cap = (size_t)ceil((double)n_in * ratio) + SLACK;
	float *y = malloc(cap * (size_t)channels * sizeof *y);
	if (!y) {
		set_err(err, "out of memory", 0);
		return NULL;
	}
	SRC_DATA d = {.data_in = x,
	              .data_out = y,
	              .input_frames = (long)n_in,
	              .output_frames = (long)cap,
	              .end_of_input = 1,
	              .src_ratio = ratio};
	int code = src_simple(&d, SRC_SINC_BEST_QUALITY, channels);
	if (code) {
		set_err(err, "offline conversion", code);
		free(y);
		return NULL;
	}
	*n_out = (size_t)d.output_frames_gen;
	return y;
}
