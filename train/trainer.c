/*
 * The training loop. One step: draw a batch of segments, share them out
 * over the threads (thread k takes segments k, k + n, ...), each thread adds
 * its segments' gradients into its own block, the blocks are summed in
 * thread order (so a seed and a thread count give the same run every time),
 * clipped, and Adam moves the parameters.
 */
#include "trainer.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bptt.h"
#include "output.h"

#define MAX_THREADS 64
#define MAX_BATCH   4096

typedef struct {
	trainer *tr;
	int index;
	pthread_t thread;
	bptt_ws ws;
	recur_model *grad; /* same shape as the model: gradients at its offsets */
	double loss;
} worker;

struct trainer {
	recur_model *m;
	train_split data;
	train_config cfg;
	size_t n_params;
	int frames; /* warmup + segment */

	int n_threads;
	worker workers[MAX_THREADS];
	pthread_barrier_t start, done;
	bool quit;

	/* the batch being worked on */
	int n_batch;
	int seq[MAX_BATCH];
	size_t off[MAX_BATCH];
	loss_norm norm;

	float *grad;        /* summed over workers, n_params */
	float *best_params; /* n_params */
	adam_state adam;
	float *scratch; /* outputs of the longest validation or test sequence */
	double *starts; /* cumulative count of segment starts per training sequence */

	uint64_t rng;
	int epoch;
	int epoch_step;    /* steps of the current epoch already taken */
	double epoch_loss; /* their summed batch loss */
	float lr;
	double best_val;
	int best_epoch;
	int since_best;
	int since_lr_change;
	double last_progress; /* when the progress bar was last drawn */
	double cpu_t0;        /* process CPU seconds when trainer_run began */
};

uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double rng_uniform(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the whole process: a budget in it gives the same training on
 * an idle machine and on a loaded one, where wall time does not. */
static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void train_config_defaults(train_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->loss = (loss_spec){.kind = LOSS_ESR, .preemph = 0.95f, .dc = true};
	/* Many small steps: on every device and network of the benchmark
	 * (docs/training.md, "Harder devices") these reach a lower ESR in two CPU
	 * minutes, and stop at a lower one, than 16 segments of 2048 frames at
	 * half the rate (the defaults until December 2026). */
	cfg->adam = (adam_config){
	    .lr = 1e-2f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .weight_decay = 0.0f};
	cfg->segment = 1024;
	cfg->warmup = 512;
	cfg->batch = 8;
	cfg->epochs = 200;
	cfg->threads = 2;
	cfg->seed = 1;
	cfg->clip = 1.0f;
	cfg->plateau = 4;
	cfg->patience = 12;
	cfg->min_lr = 1e-5f;
}

/* ---- parameters --------------------------------------------------------- */

static void fill_uniform(float *w, int cols, int rows, int stride, float k, uint64_t *rng)
{
	for (int j = 0; j < cols; j++)
		for (int r = 0; r < rows; r++)
			w[(size_t)j * stride + r] = (float)((2.0 * rng_uniform(rng) - 1.0) * k);
}

void trainer_init_params(recur_model *m, uint64_t seed)
{
	uint64_t rng = seed ^ 0x5eedf00dull;
	const float k = 1.0f / sqrtf((float)m->shape.hidden);
	memset(m->params, 0, m->n_params * sizeof(float));
	for (int l = 0; l < m->shape.layers; l++) {
		const recur_layer *L = &m->layer[l];
		fill_uniform(L->w_x, L->in, L->rows, L->rows_p, k, &rng);
		fill_uniform(L->w_h, L->hidden, L->rows, L->rows_p, k, &rng);
		fill_uniform(L->b_x, 1, L->rows, L->rows_p, k, &rng);
		fill_uniform(L->b_h, 1, L->rows, L->rows_p, k, &rng);
	}
	fill_uniform(m->w_out, m->shape.n_outputs, m->shape.hidden, m->hidden_p, k, &rng);
}

/* ---- one batch over the threads ----------------------------------------- */

static double run_segment(trainer *tr, worker *w, int seq, size_t off)
{
	const recur_model *m = tr->m;
	const train_seq *s = &tr->data.train[seq];
	const int warm = tr->cfg.warmup, frames = tr->frames, op = m->out_p;
	const float *x = s->x + off * (size_t)m->shape.n_inputs;
	const float *t = s->t + (off + (size_t)warm) * (size_t)m->shape.n_outputs;
	bptt_forward(&w->ws, m, x, frames);
	const double loss = loss_segment(&tr->cfg.loss, &tr->norm, w->ws.y + (size_t)warm * op, op,
	                                 t, tr->cfg.segment, w->ws.dy + (size_t)warm * op);
	bptt_backward(&w->ws, m, w->grad, x, warm, frames, loss_grad_is_preact(tr->cfg.loss.kind));
	return loss;
}

static void worker_batch(worker *w)
{
	trainer *tr = w->tr;
	memset(w->grad->params, 0, tr->n_params * sizeof(float));
	w->loss = 0.0;
	for (int i = w->index; i < tr->n_batch; i += tr->n_threads)
		w->loss += run_segment(tr, w, tr->seq[i], tr->off[i]);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	for (;;) {
		pthread_barrier_wait(&w->tr->start);
		if (w->tr->quit)
			return NULL;
		worker_batch(w);
		pthread_barrier_wait(&w->tr->done);
	}
}

/* Loss and summed gradient (into tr->grad) of the batch in tr->seq/off. */
static double batch_loss_grad(trainer *tr)
{
	const int n_out = tr->m->shape.n_outputs;
	loss_norm_clear(&tr->norm, n_out);
	for (int i = 0; i < tr->n_batch; i++) {
		const train_seq *s = &tr->data.train[tr->seq[i]];
		loss_norm_add(&tr->cfg.loss, &tr->norm,
		              s->t + (tr->off[i] + (size_t)tr->cfg.warmup) * n_out,
		              tr->cfg.segment);
	}
	if (tr->n_threads > 1)
		pthread_barrier_wait(&tr->start);
	worker_batch(&tr->workers[0]);
	if (tr->n_threads > 1)
		pthread_barrier_wait(&tr->done);
	double loss = 0.0;
	memcpy(tr->grad, tr->workers[0].grad->params, tr->n_params * sizeof(float));
	loss += tr->workers[0].loss;
	for (int k = 1; k < tr->n_threads; k++) {
		const float *g = tr->workers[k].grad->params;
		for (size_t i = 0; i < tr->n_params; i++)
			tr->grad[i] += g[i];
		loss += tr->workers[k].loss;
	}
	return loss;
}

static void draw_batch(trainer *tr)
{
	const double total = tr->starts[tr->data.n_train];
	tr->n_batch = tr->cfg.batch;
	for (int i = 0; i < tr->n_batch; i++) {
		double u = rng_uniform(&tr->rng) * total;
		int s = 0;
		while (s + 1 < tr->data.n_train && u >= tr->starts[s + 1])
			s++;
		tr->seq[i] = s;
		size_t off = (size_t)(u - tr->starts[s]);
		const size_t last = tr->data.train[s].frames - (size_t)tr->frames;
		tr->off[i] = off > last ? last : off;
	}
}

double trainer_step(trainer *tr)
{
	draw_batch(tr);
	const double loss = batch_loss_grad(tr);
	clip_grad_norm(tr->grad, tr->n_params, tr->cfg.clip);
	adam_config a = tr->cfg.adam;
	a.lr = tr->lr;
	adam_step(&tr->adam, &a, tr->m->params, tr->grad);
	return loss;
}

double trainer_loss_grad(trainer *tr, const int *seqs, const size_t *offsets, int n,
                         float *grad_out)
{
	tr->n_batch = n;
	memcpy(tr->seq, seqs, (size_t)n * sizeof *seqs);
	memcpy(tr->off, offsets, (size_t)n * sizeof *offsets);
	const double loss = batch_loss_grad(tr);
	if (grad_out)
		memcpy(grad_out, tr->grad, tr->n_params * sizeof(float));
	return loss;
}

/* ---- set-up -------------------------------------------------------------- */

/* What backprop (bptt.c) covers: one dense layer with a linear, tanh,
 * sigmoid or softmax output, unit gains and a zero initial state. */
static bool model_trainable(const recur_model *m, recur_error *err)
{
	const char *why = NULL;
	if (m->inner.n > 0)
		why = "dense layers before the output layer";
	else if (m->shape.out_act == RECUR_ACT_RELU || m->shape.out_act == RECUR_ACT_ELU)
		why = "a relu or elu output activation";
	else if (m->in_gain != 1.0f || m->out_gain != 1.0f)
		why = "an input or output gain other than 1";
	for (size_t i = 0; !why && i < m->n_state; i++)
		if (m->init[i] != 0.0f)
			why = "a non-zero initial state";
	if (why)
		snprintf(err->msg, sizeof err->msg,
		         "the trainer cannot train a model with %s (it trains one dense layer, "
		         "linear/tanh/sigmoid/softmax, unit gains, zero initial state)",
		         why);
	return why == NULL;
}

/* All targets of seqs zero (n > 0): nothing for an ESR to be relative to. */
static bool silent(const train_seq *seqs, int n, int n_out)
{
	for (int s = 0; s < n; s++)
		for (size_t i = 0; i < seqs[s].frames * (size_t)n_out; i++)
			if (seqs[s].t[i] != 0.0f)
				return false;
	return n > 0;
}

static bool check_config(const recur_model *m, const train_split *d, const train_config *c,
                         recur_error *err)
{
	if (c->segment < 1 || c->warmup < 0 || c->batch < 1 || c->batch > MAX_BATCH) {
		snprintf(err->msg, sizeof err->msg,
		         "need --segment >= 1, --warmup >= 0 and --batch in 1..%d", MAX_BATCH);
		return false;
	}
	if (c->threads < 1 || c->threads > MAX_THREADS) {
		snprintf(err->msg, sizeof err->msg, "--threads must be in 1..%d", MAX_THREADS);
		return false;
	}
	if (d->n_train < 1) {
		snprintf(err->msg, sizeof err->msg, "no training data");
		return false;
	}
	size_t longest = 0;
	for (int s = 0; s < d->n_train; s++)
		longest = d->train[s].frames > longest ? d->train[s].frames : longest;
	if (longest < (size_t)c->segment + (size_t)c->warmup) {
		snprintf(err->msg, sizeof err->msg,
		         "training data too short: the longest stretch has %zu frames, a segment "
		         "needs --warmup + --segment = %d",
		         longest, c->segment + c->warmup);
		return false;
	}
	const int n_out = m->shape.n_outputs;
	if (c->loss.kind == LOSS_ESR &&
	    (silent(d->train, d->n_train, n_out) || silent(d->val, d->n_val, n_out))) {
		snprintf(err->msg, sizeof err->msg,
		         "the %s target is silent (every sample 0): its error-to-signal ratio is "
		         "undefined; give a target with signal, or --loss mse",
		         silent(d->train, d->n_train, n_out) ? "training" : "validation");
		return false;
	}
	return model_trainable(m, err) && loss_check(&c->loss, m->shape.out_act, err);
}

static size_t longest_eval(const train_split *d)
{
	size_t n = 0;
	for (int s = 0; s < d->n_val; s++)
		n = d->val[s].frames > n ? d->val[s].frames : n;
	for (int s = 0; s < d->n_test; s++)
		n = d->test[s].frames > n ? d->test[s].frames : n;
	return n;
}

trainer *trainer_new(recur_model *m, const train_split *data, const train_config *cfg,
                     recur_error *err)
{
	if (!check_config(m, data, cfg, err))
		return NULL;
	trainer *tr = calloc(1, sizeof *tr);
	if (!tr) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return NULL;
	}
	tr->m = m;
	tr->data = *data;
	tr->cfg = *cfg;
	tr->n_params = m->n_params;
	tr->frames = cfg->segment + cfg->warmup;
	tr->n_threads = cfg->threads;
	tr->rng = cfg->seed;
	tr->lr = cfg->adam.lr;
	tr->best_val = INFINITY;
	tr->best_epoch = -1;
	bool ok = adam_init(&tr->adam, tr->n_params);
	tr->grad = aligned_alloc(64, (tr->n_params * sizeof(float) + 63) / 64 * 64);
	tr->best_params = malloc(tr->n_params * sizeof(float));
	tr->scratch = malloc((longest_eval(data) + 1) * (size_t)m->out_p * sizeof(float));
	tr->starts = malloc(((size_t)data->n_train + 1) * sizeof(double));
	ok = ok && tr->grad && tr->best_params && tr->scratch && tr->starts;
	for (int k = 0; ok && k < tr->n_threads; k++) {
		worker *w = &tr->workers[k];
		w->tr = tr;
		w->index = k;
		w->grad = recur_model_clone(m, err);
		ok = w->grad && bptt_ws_init(&w->ws, m, tr->frames, err);
	}
	if (!ok) {
		if (!err->msg[0])
			snprintf(err->msg, sizeof err->msg, "out of memory");
		trainer_free(tr);
		return NULL;
	}
	memcpy(tr->best_params, m->params, tr->n_params * sizeof(float));
	tr->starts[0] = 0.0;
	for (int s = 0; s < data->n_train; s++) {
		const size_t f = data->train[s].frames;
		const size_t n = f >= (size_t)tr->frames ? f - (size_t)tr->frames + 1 : 0;
		tr->starts[s + 1] = tr->starts[s] + (double)n;
	}
	if (tr->n_threads > 1) {
		pthread_barrier_init(&tr->start, NULL, (unsigned)tr->n_threads);
		pthread_barrier_init(&tr->done, NULL, (unsigned)tr->n_threads);
		for (int k = 1; k < tr->n_threads; k++)
			pthread_create(&tr->workers[k].thread, NULL, worker_main, &tr->workers[k]);
	}
	return tr;
}

void trainer_free(trainer *tr)
{
	if (!tr)
		return;
	if (tr->n_threads > 1 && tr->workers[1].thread) {
		tr->quit = true;
		pthread_barrier_wait(&tr->start);
		for (int k = 1; k < tr->n_threads; k++)
			pthread_join(tr->workers[k].thread, NULL);
		pthread_barrier_destroy(&tr->start);
		pthread_barrier_destroy(&tr->done);
	}
	for (int k = 0; k < tr->n_threads; k++) {
		recur_model_free(tr->workers[k].grad);
		bptt_ws_free(&tr->workers[k].ws);
	}
	adam_free(&tr->adam);
	free(tr->grad);
	free(tr->best_params);
	free(tr->scratch);
	free(tr->starts);
	free(tr);
}

/* ---- evaluation ---------------------------------------------------------- */

double esr_of(recur_model *m, const train_seq *seqs, int n, float *scratch)
{
	const int n_out = m->shape.n_outputs;
	double err = 0.0, energy = 0.0;
	for (int s = 0; s < n; s++) {
		recur_reset(m);
		recur_process(m, seqs[s].x, scratch, seqs[s].frames);
		const size_t count = seqs[s].frames * (size_t)n_out;
		for (size_t i = 0; i < count; i++) {
			const double t = seqs[s].t[i], e = t - scratch[i];
			err += e * e;
			energy += t * t;
		}
	}
	recur_reset(m);
	return energy > 0.0 ? err / energy : (err > 0.0 ? INFINITY : 0.0);
}

/* ---- checkpoints ---------------------------------------------------------- */

/* Binary, native byte order (a checkpoint resumes a run on the machine that
 * wrote it; the model file is the portable result):
 *   "RECURCK2", uint64 n_params, recur_shape, int32 epoch, best_epoch,
 *   since_best, since_lr_change, epoch_step, int64 adam steps, uint64 rng,
 *   float lr, double best_val, epoch_loss, then float arrays params, adam m,
 *   adam v, best params. epoch_step > 0: written inside epoch + 1, after
 *   that many of its steps, whose batch losses sum to epoch_loss. */
typedef struct {
	char magic[8];
	uint64_t n_params;
	recur_shape shape;
	int32_t epoch, best_epoch, since_best, since_lr_change, epoch_step;
	int64_t adam_t;
	uint64_t rng;
	float lr;
	double best_val, epoch_loss;
} checkpoint_header;

#define CHECKPOINT_MAGIC "RECURCK2"

static bool write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static bool checkpoint_write(const trainer *tr, const char *path, recur_error *err)
{
	output_file out;
	char why[400];
	if (!output_open(&out, path, why, sizeof why)) {
		snprintf(err->msg, sizeof err->msg, "%.100s: cannot write checkpoint: %.120s", path,
		         why);
		return false;
	}
	checkpoint_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, CHECKPOINT_MAGIC, 8);
	h.n_params = tr->n_params;
	h.shape = tr->m->shape;
	h.epoch = tr->epoch;
	h.best_epoch = tr->best_epoch;
	h.since_best = tr->since_best;
	h.since_lr_change = tr->since_lr_change;
	h.epoch_step = tr->epoch_step;
	h.adam_t = tr->adam.t;
	h.rng = tr->rng;
	h.lr = tr->lr;
	h.best_val = tr->best_val;
	h.epoch_loss = tr->epoch_loss;
	const size_t bytes = tr->n_params * sizeof(float);
	FILE *f = output_stream(&out);
	bool ok = f && write_all(f, &h, sizeof h) && write_all(f, tr->m->params, bytes) &&
	          write_all(f, tr->adam.m, bytes) && write_all(f, tr->adam.v, bytes) &&
	          write_all(f, tr->best_params, bytes);
	if (!ok) {
		snprintf(err->msg, sizeof err->msg,
		         "%.150s: cannot write checkpoint: %s; the file there is unchanged", path,
		         strerror(errno));
		output_abort(&out);
		return false;
	}
	if (!output_commit(&out, why, sizeof why)) {
		snprintf(err->msg, sizeof err->msg, "checkpoint %.240s", why);
		return false;
	}
	return true;
}

bool trainer_resume(trainer *tr, const char *path, recur_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err->msg, sizeof err->msg, "%.150s: cannot open checkpoint: %s", path,
		         strerror(errno));
		return false;
	}
	checkpoint_header h;
	const size_t bytes = tr->n_params * sizeof(float);
	bool ok = fread(&h, sizeof h, 1, f) == 1 && memcmp(h.magic, CHECKPOINT_MAGIC, 8) == 0;
	if (!ok) {
		snprintf(err->msg, sizeof err->msg, "%s: not a checkpoint of this recur-train",
		         path);
	} else if (h.n_params != tr->n_params ||
	           memcmp(&h.shape, &tr->m->shape, sizeof h.shape) != 0) {
		snprintf(err->msg, sizeof err->msg,
		         "%s: checkpoint is of another network shape than the one asked for", path);
		ok = false;
	} else {
		ok = fread(tr->m->params, 1, bytes, f) == bytes &&
		     fread(tr->adam.m, 1, bytes, f) == bytes &&
		     fread(tr->adam.v, 1, bytes, f) == bytes &&
		     fread(tr->best_params, 1, bytes, f) == bytes;
		if (!ok)
			snprintf(err->msg, sizeof err->msg, "%s: checkpoint is truncated", path);
	}
	fclose(f);
	if (!ok)
		return false;
	tr->epoch = h.epoch;
	tr->best_epoch = h.best_epoch;
	tr->since_best = h.since_best;
	tr->since_lr_change = h.since_lr_change;
	tr->epoch_step = h.epoch_step;
	tr->epoch_loss = h.epoch_loss;
	tr->adam.t = h.adam_t;
	tr->rng = h.rng;
	tr->lr = h.lr;
	tr->best_val = h.best_val;
	return true;
}

/* ---- the loop ------------------------------------------------------------ */

static void progress(trainer *tr, int step, int steps, double t0, double epoch_t0)
{
	if (now_seconds() - tr->last_progress < 0.2 && step < steps)
		return;
	tr->last_progress = now_seconds();
	const double done = (double)step / steps;
	const double el = now_seconds() - epoch_t0;
	const double eta = done > 0 ? el / done - el : 0;
	char bar[31];
	for (int i = 0; i < 30; i++)
		bar[i] = i < (int)(done * 30) ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\repoch %d/%d [%s] %3.0f%%  epoch ETA %4.0fs  elapsed %5.0fs ",
	        tr->epoch + 1, tr->cfg.epochs, bar, 100 * done, eta, now_seconds() - t0);
	fflush(stderr);
}

static bool out_of_time(const trainer *tr, double t0)
{
	if (tr->cfg.cpu_budget > 0 && cpu_seconds() - tr->cpu_t0 >= tr->cfg.cpu_budget)
		return true;
	return tr->cfg.time_budget > 0 && now_seconds() - t0 >= tr->cfg.time_budget;
}

/* Validation (or, with none, the training loss) decides what is kept; an
 * epoch counts as progress only if it gains 0.1%, so noise does not hold the
 * learning rate up or the run alive. */
static void end_of_epoch(trainer *tr, double metric)
{
	const bool gained = !isfinite(tr->best_val) || metric < tr->best_val * (1.0 - 1e-3);
	if (metric < tr->best_val) {
		tr->best_val = metric;
		tr->best_epoch = tr->epoch;
		memcpy(tr->best_params, tr->m->params, tr->n_params * sizeof(float));
	}
	if (gained) {
		tr->since_best = 0;
		tr->since_lr_change = 0;
		return;
	}
	tr->since_best++;
	if (++tr->since_lr_change >= tr->cfg.plateau && tr->lr > tr->cfg.min_lr) {
		tr->lr = fmaxf(tr->lr * 0.5f, tr->cfg.min_lr);
		tr->since_lr_change = 0;
	}
}

static int steps_per_epoch(const trainer *tr)
{
	if (tr->cfg.steps > 0)
		return tr->cfg.steps;
	size_t frames = 0;
	for (int s = 0; s < tr->data.n_train; s++)
		frames += tr->data.train[s].frames;
	const size_t per_step = (size_t)tr->cfg.segment * (size_t)tr->cfg.batch;
	const size_t n = (frames + per_step - 1) / per_step;
	return n < 1 ? 1 : (int)n;
}

static bool stop_asked(const trainer *tr, double t0)
{
	return (tr->cfg.stop && *tr->cfg.stop) || out_of_time(tr, t0);
}

/* The checkpoint and the log of where the run is; false (and err) if either
 * could not be written. */
static bool save_progress(trainer *tr, recur_error *err)
{
	const train_config *c = &tr->cfg;
	return !c->checkpoint || checkpoint_write(tr, c->checkpoint, err);
}

/* Stopped inside an epoch: the checkpoint holds the position, so a resume
 * finishes the epoch exactly; the schedule and the best model stay as the
 * last whole epoch left them. */
static bool stopped_inside_epoch(trainer *tr, int steps, recur_error *err)
{
	const train_config *c = &tr->cfg;
	bool ok =
	    !c->log || run_log_line(c->log, err, "{\"stopped_in_epoch\":%d,\"steps\":%d,\"of\":%d}",
	                            tr->epoch + 1, tr->epoch_step, steps);
	return ok && save_progress(tr, err);
}

/* The validation loss of the parameters as they are (the training loss so
 * far without validation data). */
static double selection_loss(trainer *tr, double train_loss)
{
	return tr->data.n_val ? esr_of(tr->m, tr->data.val, tr->data.n_val, tr->scratch)
	                      : train_loss;
}

static bool finish_epoch(trainer *tr, train_result *res, int steps, int taken, double e0, double t0,
                         recur_error *err)
{
	const train_config *c = &tr->cfg;
	const double secs = now_seconds() - e0;
	const double fps = (double)taken * c->batch * tr->frames / secs;
	res->train_loss = tr->epoch_loss / steps;
	tr->epoch_step = 0;
	tr->epoch_loss = 0.0;
	const double val = selection_loss(tr, res->train_loss);
	const float lr = tr->lr;
	end_of_epoch(tr, isfinite(val) ? val : INFINITY);
	tr->epoch++;
	const double el = now_seconds() - t0;
	const bool best = tr->best_epoch == tr->epoch - 1;
	if (!c->quiet)
		fprintf(stderr,
		        "epoch %3d  train loss %.5f  %s %.5f%s  lr %.2g  %.2f Mframes/s  %.1fs\n",
		        tr->epoch, res->train_loss,
		        tr->data.n_val ? "val ESR" : "(no validation data) train loss", val,
		        best ? " *" : "", (double)lr, fps * 1e-6, el);
	if (c->log && !run_log_line(c->log, err,
	                            "{\"epoch\":%d,\"steps\":%d,\"train_loss\":%.9g,\"%s\":%.9g,"
	                            "\"lr\":%.9g,\"frames_per_s\":%.6g,\"elapsed_s\":%.3f,"
	                            "\"best\":%s}",
	                            tr->epoch, steps, res->train_loss,
	                            tr->data.n_val ? "val_esr" : "selection_loss", val, (double)lr,
	                            fps, el, best ? "true" : "false"))
		return false;
	return save_progress(tr, err);
}

/* After a stop inside an epoch the parameters may already beat the best
 * whole epoch: then they are the run's result (the checkpoint, written
 * before, still resumes from the exact position). */
static void keep_better_partial(trainer *tr, train_result *res)
{
	const double partial = selection_loss(tr, tr->epoch_loss / tr->epoch_step);
	if (partial < tr->best_val) {
		res->partial_kept = true;
		res->best_val_esr = partial;
		res->best_epoch = tr->epoch + 1;
		return;
	}
	memcpy(tr->m->params, tr->best_params, tr->n_params * sizeof(float));
}

bool trainer_run(trainer *tr, train_result *res, recur_error *err)
{
	memset(res, 0, sizeof *res);
	const double t0 = now_seconds();
	tr->cpu_t0 = cpu_seconds();
	const int steps = steps_per_epoch(tr);
	const train_config *c = &tr->cfg;
	if (tr->epoch_step > steps) /* resumed with fewer steps per epoch */
		tr->epoch_step = steps;
	bool stop = false;
	while (!stop && tr->epoch < c->epochs) {
		const double e0 = now_seconds();
		const int first = tr->epoch_step;
		for (; tr->epoch_step < steps && !stop_asked(tr, t0); tr->epoch_step++) {
			tr->epoch_loss += trainer_step(tr);
			if (c->progress && !c->quiet)
				progress(tr, tr->epoch_step + 1, steps, t0, e0);
		}
		if (c->progress && !c->quiet)
			fprintf(stderr, "\r%90s\r", "");
		res->interrupted = c->stop && *c->stop;
		res->out_of_time = out_of_time(tr, t0);
		if (tr->epoch_step < steps) {
			if (tr->epoch_step > first && !stopped_inside_epoch(tr, steps, err))
				res->write_failed = true;
			break;
		}
		if (!finish_epoch(tr, res, steps, steps - first, e0, t0, err)) {
			res->write_failed = true;
			break;
		}
		res->stopped_early = c->patience > 0 && tr->since_best >= c->patience;
		stop = res->stopped_early || res->interrupted || res->out_of_time;
	}
	res->epochs = tr->epoch;
	res->best_val_esr = tr->best_val;
	res->best_epoch = tr->best_epoch + 1;
	if (tr->epoch_step > 0)
		keep_better_partial(tr, res);
	else
		memcpy(tr->m->params, tr->best_params, tr->n_params * sizeof(float));
	if (!isfinite(res->best_val_esr) && (res->epochs > 0 || res->partial_kept)) {
		snprintf(err->msg, sizeof err->msg,
		         "no epoch reached a finite %s (the model diverged); nothing written",
		         tr->data.n_val ? "validation ESR" : "training loss");
		return false;
	}
	res->test_esr =
	    tr->data.n_test ? esr_of(tr->m, tr->data.test, tr->data.n_test, tr->scratch) : NAN;
	res->seconds = now_seconds() - t0;
	return true;
}
