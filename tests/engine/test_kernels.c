/* The kernel paths: vectorised sigmoid and tanh against libm in double
 * precision, and one layer step on every path the CPU has against the
 * generic C path, record and padding included; and on every path the
 * inference pass (forward, whose RNN top layer feeds the head from
 * registers) against the layer steps and head the trainer runs, and
 * against generic's. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "kernels.h"

/* Largest absolute error allowed for the cell activations; docs/engine.md
 * quotes the measured figure. */
#define ACT_TOL 3e-7

static const char *const names[] = {"generic", "sse2", "avx2", "avx512", "neon"};
#define N_NAMES (int)(sizeof names / sizeof names[0])
/* The AVX-512 path's shape in portable C (kernels_wide.c): tested on every
 * machine, whether or not it can run AVX-512. */
extern const recur_kernels recur_kernels_wide16;
static const recur_kernels *paths[N_NAMES + 1];
static int n_paths;

static bool have_path(const char *name)
{
	for (int p = 0; p < n_paths; p++)
		if (strcmp(paths[p]->name, name) == 0)
			return true;
	return false;
}

static void find_paths(void)
{
	const char *first = recur_kernel_name();
	for (int i = 0; i < N_NAMES; i++)
		if (recur_kernel_select(names[i]))
			paths[n_paths++] = recur_kernels_active();
	CHECK(recur_kernel_select(first), "reselecting %s", first);
	paths[n_paths++] = &recur_kernels_wide16;
	CHECK(n_paths >= 1 && strcmp(paths[0]->name, "generic") == 0, "generic path present");
	/* Every CPU of these architectures has these paths: one missing from the
	 * build would otherwise pass as "only generic compared". */
#if defined(__x86_64__)
	CHECK(have_path("sse2"), "x86-64 without the sse2 path");
#endif
#if defined(__aarch64__)
	CHECK(have_path("neon"), "aarch64 without the neon path");
	const char *forced = getenv("RECUR_KERNEL");
	const char *want = forced && *forced ? forced : "neon";
	CHECK(strcmp(first, want) == 0, "aarch64 starts on %s, not %s", first, want);
#endif
	CHECK(!recur_kernel_select("avx1024") && !recur_kernel_select(""), "unknown path accepted");
	CHECK(!recur_kernel_select(NULL), "NULL path accepted");
	CHECK(strcmp(recur_kernel_name(), first) == 0, "failed select changed the path");
}

/* The larger of two errors, NaN counting as the largest: fmax would drop a
 * NaN and let a path that produced one pass. (Written out, this is also not
 * a reduction gcc 12's aarch64 vectoriser crashes on, as it does on fmax.) */
static double worse(double worst, double d)
{
	return d > worst || d != d ? d : worst;
}

static void test_activations(void)
{
	enum { N = 1 << 18 };
	static float x[N] __attribute__((aligned(64)));
	static float y[N] __attribute__((aligned(64)));
	/* Dense over [-20, 20], plus the ends of the clamp and beyond. */
	for (int i = 0; i < N - 16; i++)
		x[i] = -20.0f + 40.0f * (float)i / (float)(N - 17);
	const float special[16] = {0.0f,   -0.0f, 1e-30f, -1e-30f, 1e-7f,   86.9f, -86.9f, 87.0f,
	                           -87.0f, 88.5f, -88.5f, 100.0f,  -100.0f, 1e30f, -1e30f, 0.5f};
	memcpy(x + N - 16, special, sizeof special);
	for (int p = 0; p < n_paths; p++) {
		double worst_s = 0.0, worst_t = 0.0;
		paths[p]->sigmoid(x, y, N);
		for (int i = 0; i < N; i++) {
			worst_s = worse(worst_s, fabs(y[i] - 1.0 / (1.0 + exp(-(double)x[i]))));
		}
		paths[p]->tanh(x, y, N);
		for (int i = 0; i < N; i++) {
			worst_t = worse(worst_t, fabs(y[i] - tanh((double)x[i])));
		}
		CHECK(worst_s <= ACT_TOL, "%s sigmoid error %.3g", paths[p]->name, worst_s);
		CHECK(worst_t <= ACT_TOL, "%s tanh error %.3g", paths[p]->name, worst_t);
		printf("%-8s sigmoid max abs error %.3g, tanh %.3g\n", paths[p]->name, worst_s,
		       worst_t);
	}
}

static uint32_t rng_state = 777u;

static float uniform(float lo, float hi)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(rng_state >> 8) / 16777216.0f;
}

/* A fresh model of that shape with a linear output; NULL (and a failed
 * check) if it cannot be made. */
static recur_model *new_model(recur_cell cell, int n_in, int n_out, int hidden, int layers)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = n_in,
	                 .n_outputs = n_out,
	                 .hidden = hidden,
	                 .layers = layers,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "%s", err.msg);
	return m;
}

/* One layer of a fresh model, random weights in the real rows and columns,
 * random state in the real units; then one step on each path from the same
 * start, compared float for float over the padded arrays. */
static void compare_layer(recur_cell cell, int in, int hidden)
{
	recur_model *m = new_model(cell, in, 1, hidden, 1);
	if (!m)
		return;
	recur_layer *L = &m->layer[0];
	const float scale = 2.0f / sqrtf((float)hidden);
	for (int r = 0; r < L->rows; r++) {
		for (int j = 0; j < in; j++)
			L->w_x[(size_t)j * L->rows_p + r] = uniform(-scale, scale);
		for (int j = 0; j < hidden; j++)
			L->w_h[(size_t)j * L->rows_p + r] = uniform(-scale, scale);
		L->b_x[r] = uniform(-0.5f, 0.5f);
		L->b_h[r] = uniform(-0.5f, 0.5f);
	}
	const int hp = m->hidden_p;
	float x[RECUR_MAX_IO], h0[RECUR_MAX_HIDDEN] = {0}, c0[RECUR_MAX_HIDDEN] = {0};
	for (int j = 0; j < in; j++)
		x[j] = uniform(-1.5f, 1.5f);
	for (int u = 0; u < hidden; u++) {
		h0[u] = uniform(-1.0f, 1.0f);
		c0[u] = uniform(-2.0f, 2.0f);
	}
	size_t nw = m->n_work;
	float *ref = calloc(nw + 2 * (size_t)hp, sizeof(float));
	for (int p = 0; p < n_paths; p++) {
		memcpy(m->h[0], h0, (size_t)hp * sizeof(float));
		memcpy(m->c[0], c0, (size_t)hp * sizeof(float));
		memset(m->work, 0, nw * sizeof(float));
		paths[p]->layer_step[cell](L, x, m->h[0], m->c[0], m->work);
		for (int u = hidden; u < hp; u++)
			CHECK(m->h[0][u] == 0.0f && m->c[0][u] == 0.0f, "%s: state padding",
			      paths[p]->name);
		for (int r = L->rows; r < L->rows_p; r++)
			CHECK(m->work[r] == 0.0f, "%s %s hidden %d: gate padding row %d = %g",
			      paths[p]->name, recur_cell_name(cell), hidden, r, m->work[r]);
		if (p == 0) {
			memcpy(ref, m->work, nw * sizeof(float));
			memcpy(ref + nw, m->h[0], (size_t)hp * sizeof(float));
			memcpy(ref + nw + hp, m->c[0], (size_t)hp * sizeof(float));
			continue;
		}
		double worst = 0.0;
		for (size_t i = 0; i < nw; i++)
			worst = worse(worst, fabs(m->work[i] - ref[i]));
		for (int u = 0; u < hp; u++) {
			worst = worse(worst, fabs(m->h[0][u] - ref[nw + u]));
			worst = worse(worst, fabs(m->c[0][u] - ref[nw + hp + u]));
		}
		CHECK(worst <= 1e-5, "%s vs generic, %s in %d hidden %d: off by %.3g",
		      paths[p]->name, recur_cell_name(cell), in, hidden, worst);
	}
	free(ref);
	recur_model_free(m);
}

static void randomise(recur_model *m)
{
	for (size_t i = 0; i < m->n_params; i++)
		m->params[i] = uniform(-0.4f, 0.4f);
	/* The padding must stay zero: rebuild it from the layout. */
	for (int l = 0; l < m->shape.layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = L->rows; r < L->rows_p; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[(size_t)j * L->rows_p + r] = 0.0f;
			for (int j = 0; j < L->hidden; j++)
				L->w_h[(size_t)j * L->rows_p + r] = 0.0f;
			L->b_x[r] = L->b_h[r] = 0.0f;
		}
	}
	for (int o = 0; o < m->shape.n_outputs; o++)
		for (int u = m->shape.hidden; u < m->hidden_p; u++)
			m->w_out[(size_t)o * m->hidden_p + u] = 0.0f;
	for (int o = m->shape.n_outputs; o < m->out_p; o++)
		m->b_out[o] = 0.0f;
}

/* forward() against layer_step + head on the same path, 20 frames from a
 * zero state: outputs and state within 1e-6 (the head sums in another
 * order). */
static void compare_forward(recur_cell cell, int hidden, int layers, int n_out)
{
	recur_error err;
	recur_model *m = new_model(cell, 2, n_out, hidden, layers), *t = NULL;
	if (!m)
		return;
	randomise(m);
	t = recur_model_clone(m, &err);
	CHECK(t != NULL, "%s", err.msg);
	/* The same inputs on every path, and generic's outputs to hold the
	 * others to: a fault shared by forward and head (a lane lost in the
	 * horizontal sum) agrees with itself on its own path. Only the first
	 * frames: these random models are chaotic enough that later frames
	 * grow the paths' different summation orders past any fixed bound. */
	enum { FRAMES = 20 };
	float xs[FRAMES][2], y_generic[2][RECUR_MAX_IO];
	for (int f = 0; f < FRAMES; f++)
		xs[f][0] = uniform(-1.0f, 1.0f), xs[f][1] = uniform(-1.0f, 1.0f);
	for (int p = 0; t && p < n_paths; p++) {
		recur_reset(m);
		recur_reset(t);
		double worst = 0.0, off_generic = 0.0;
		for (int f = 0; f < FRAMES; f++) {
			const float *x = xs[f];
			float y[RECUR_MAX_IO], yt[RECUR_MAX_IO];
			paths[p]->forward(m, x, y);
			for (int o = 0; f < 2 && o < n_out; o++) {
				if (p == 0)
					y_generic[f][o] = y[o];
				off_generic = worse(off_generic, fabs(y[o] - y_generic[f][o]) /
				                                     (1.0 + fabs(y_generic[f][o])));
			}
			const float *in = x;
			for (int l = 0; l < layers; l++) {
				paths[p]->layer_step[cell](&t->layer[l], in, t->h[l], t->c[l],
				                           t->work);
				in = t->h[l];
			}
			paths[p]->head(t->w_out, t->b_out, in, n_out, t->hidden_p, yt);
			for (int o = 0; o < n_out; o++)
				worst = worse(worst, fabs(y[o] - yt[o]));
			for (int l = 0; l < layers; l++)
				for (int u = 0; u < m->hidden_p; u++)
					worst = worse(worst, fabs(m->h[l][u] - t->h[l][u]));
		}
		CHECK(worst <= 1e-6,
		      "%s forward vs layer steps, %s hidden %d layers %d outputs %d: %.3g",
		      paths[p]->name, recur_cell_name(cell), hidden, layers, n_out, worst);
		CHECK(off_generic <= 1e-5,
		      "%s forward vs generic (relative), %s hidden %d layers %d outputs %d: %.3g",
		      paths[p]->name, recur_cell_name(cell), hidden, layers, n_out, off_generic);
	}
	recur_model_free(t);
	recur_model_free(m);
}

/* mono() against generic's mono(), one input and one output (the shapes it
 * has fixed-shape loops for among them), from a zero state: the first three
 * frames, before the random models' chaos grows the paths' summation orders
 * apart (compare_forward). */
static void compare_mono(recur_cell cell, int hidden, int layers)
{
	recur_model *m = new_model(cell, 1, 1, hidden, layers);
	if (!m)
		return;
	randomise(m);
	enum { FRAMES = 3 };
	float in[FRAMES], out[FRAMES], out_generic[FRAMES], x[RECUR_MAX_IO] = {0};
	for (int f = 0; f < FRAMES; f++)
		in[f] = uniform(-1.0f, 1.0f);
	for (int p = 0; p < n_paths; p++) {
		recur_reset(m);
		float *got = p ? out : out_generic;
		paths[p]->mono(m, x, in, got, FRAMES);
		/* The fixed-shape loops against the same path's forward, bit for
		 * bit: the only check of them at the AVX-512 shape (wide16) on a
		 * machine without it. */
		recur_reset(m);
		bool same = true;
		for (int f = 0; f < FRAMES; f++) {
			float y[RECUR_MAX_IO];
			x[0] = in[f];
			paths[p]->forward(m, x, y);
			same = same && memcmp(&y[0], &got[f], sizeof y[0]) == 0;
		}
		CHECK(same, "%s mono vs its forward, %s hidden %d layers %d: not bit-identical",
		      paths[p]->name, recur_cell_name(cell), hidden, layers);
		double worst = 0.0;
		for (int f = 0; p && f < FRAMES; f++)
			worst = worse(worst,
			              fabs(out[f] - out_generic[f]) / (1.0 + fabs(out_generic[f])));
		CHECK(worst <= 1e-5, "%s mono vs generic (relative), %s hidden %d layers %d: %.3g",
		      paths[p]->name, recur_cell_name(cell), hidden, layers, worst);
	}
	recur_model_free(m);
}

int main(void)
{
	find_paths();
	test_activations();
	const int hiddens[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 40, 64, 100, 128};
	const int ins[] = {1, 2, 5, 16};
	for (int cell = 0; cell < 3; cell++)
		for (size_t i = 0; i < sizeof hiddens / sizeof hiddens[0]; i++)
			for (size_t j = 0; j < sizeof ins / sizeof ins[0]; j++)
				compare_layer((recur_cell)cell, ins[j], hiddens[i]);
	const int fwd_hiddens[] = {1, 7, 16, 33, 64, 100, 128};
	const int outs[] = {1, 3, 8};
	for (int cell = 0; cell < 3; cell++)
		for (size_t i = 0; i < sizeof fwd_hiddens / sizeof fwd_hiddens[0]; i++)
			for (int layers = 1; layers <= 3; layers++)
				for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++)
					compare_forward((recur_cell)cell, fwd_hiddens[i], layers,
					                outs[o]);
	const int mono_hiddens[] = {1, 7, 8, 16, 32, 33, 40, 64, 100, 128};
	for (int cell = 0; cell < 3; cell++)
		for (size_t i = 0; i < sizeof mono_hiddens / sizeof mono_hiddens[0]; i++)
			for (int layers = 1; layers <= 2; layers++)
				compare_mono((recur_cell)cell, mono_hiddens[i], layers);
	printf("paths compared:");
	for (int p = 0; p < n_paths; p++)
		printf(" %s", paths[p]->name);
	printf("\n");
	return check_exit();
}
