/* Audio at another rate than the model's; see host.h. */
#include "host.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_resample.h"
#include "rate.h"

static bool rates_differ(const recur_model *m, const model_feed *f)
{
	double model = m->sample_rate, host = (double)f->rate;
	return f->rate > 0 && model > 0 &&
	       fabs(model - host) > RECUR_RATE_TOLERANCE * fmax(model, host);
}

bool host_offline_wanted(const recur_model *m, const process_options *o, const model_feed *f)
{
	return o->resample && rates_differ(m, f);
}

int host_prepare(recur_model *m, const process_options *o, model_feed *f)
{
	f->run.host = NULL;
	if (!rates_differ(m, f))
		return -1;
	if (o->resample) {
		if (!o->quiet)
			fprintf(stderr,
			        "recur-process: %s is %d Hz, the model %g Hz: resampled offline "
			        "(best sinc) to the model's rate and back\n",
			        o->input, f->rate, m->sample_rate);
		return -1;
	}
	recur_error err = {{0}};
	f->run.host = recur_host_rate_new(m, (double)f->rate, &o->host, &err);
	if (!f->run.host) {
		fprintf(stderr, "recur-process: %s at %d Hz: %s\n", o->input, f->rate, err.msg);
		return EXIT_RUNTIME;
	}
	if (!o->quiet)
		fprintf(stderr, "recur-process: %s is %d Hz, the model %g Hz: %s\n", o->input,
		        f->rate, m->sample_rate, recur_host_rate_plan(f->run.host)->why);
	return -1;
}

/* The model's input frames at the host rate, interleaved. */
static float *host_frames(const recur_model *m, const model_feed *f)
{
	const size_t ni = (size_t)m->shape.n_inputs, frames = f->run.frames;
	float *x = malloc((frames ? frames : 1) * ni * sizeof *x);
	if (!x)
		return NULL;
	if (f->run.x) {
		memcpy(x, f->run.x, frames * ni * sizeof *x);
		return x;
	}
	for (size_t t = 0; t < frames; t++) {
		x[t * ni] = f->run.mono[t];
		for (size_t j = 1; j < ni; j++)
			x[t * ni + j] = f->run.cond ? f->run.cond[j - 1] : m->inputs[j].def;
	}
	return x;
}

bool host_run_offline(recur_model *m, const model_feed *f, float *y)
{
	const int ni = m->shape.n_inputs, no = m->shape.n_outputs;
	const double host = (double)f->rate;
	recur_error err = {{0}};
	size_t n_model = 0, n_back = 0;
	float *x = host_frames(m, f);
	float *xm =
	    x ? recur_resample_offline(x, f->run.frames, ni, host, m->sample_rate, &n_model, &err)
	      : NULL;
	float *ym = xm ? malloc((n_model ? n_model : 1) * (size_t)no * sizeof *ym) : NULL;
	float *yh = NULL;
	if (ym) {
		recur_reset(m);
		recur_process(m, xm, ym, n_model);
		yh = recur_resample_offline(ym, n_model, no, m->sample_rate, host, &n_back, &err);
	}
	if (yh) {
		size_t keep = n_back < f->run.frames ? n_back : f->run.frames;
		memcpy(y, yh, keep * (size_t)no * sizeof *y);
		memset(y + keep * (size_t)no, 0, (f->run.frames - keep) * (size_t)no * sizeof *y);
	} else {
		fprintf(stderr, "recur-process: %s\n", err.msg[0] ? err.msg : "out of memory");
	}
	bool ok = yh != NULL;
	free(x);
	free(xm);
	free(ym);
	free(yh);
	return ok;
}

void host_free(model_feed *f)
{
	recur_host_rate_free(f->run.host);
	f->run.host = NULL;
}
