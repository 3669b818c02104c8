/* Every kernel path against the cell equations in double precision, with
 * no numpy needed: random GRU, LSTM and RNN models of 16 to 33 units (whole
 * vectors and ragged tails on every path), a few layers, 64 steps through
 * recur_step; every output and every layer's state within 1e-6. The
 * reference is the PyTorch equations written out here with libm, on the
 * weights the model holds (rounded to float), so only the engine's
 * arithmetic is being measured. Cross builds run this where numpy can't. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "recur.h"

#define TOL    1e-6
#define STEPS  64
#define MAX_H  40
#define MAX_IN 4
#define MAX_L  3
#define N_OUT  2

static const char *const paths[] = {"generic", "sse2", "avx2", "avx512", "neon"};
#define N_PATHS (int)(sizeof paths / sizeof paths[0])

static uint32_t rng_state;

static float uniform(float lo, float hi)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return lo + (hi - lo) * (float)(rng_state >> 8) / 16777216.0f;
}

static double sig(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* NaN counts as the largest error. */
static double worse(double worst, double d)
{
	return d > worst || d != d ? d : worst;
}

static int gates_of(recur_cell cell)
{
	return cell == RECUR_CELL_LSTM ? 4 : cell == RECUR_CELL_GRU ? 3 : 1;
}

/* The reference's copy of one layer, row r = gate * hidden + unit. */
typedef struct {
	double wx[4 * MAX_H][MAX_H], wh[4 * MAX_H][MAX_H], bx[4 * MAX_H], bh[4 * MAX_H];
	double h[MAX_H], c[MAX_H];
} ref_layer;

static ref_layer ref[MAX_L];

static void ref_step(recur_cell cell, ref_layer *R, const double *x, int in, int H)
{
	double ax[4 * MAX_H], ah[4 * MAX_H];
	for (int r = 0; r < gates_of(cell) * H; r++) {
		ax[r] = R->bx[r];
		ah[r] = R->bh[r];
		for (int j = 0; j < in; j++)
			ax[r] += R->wx[r][j] * x[j];
		for (int j = 0; j < H; j++)
			ah[r] += R->wh[r][j] * R->h[j];
	}
	double hn[MAX_H];
	for (int u = 0; u < H; u++) {
		switch (cell) {
		case RECUR_CELL_RNN:
			hn[u] = tanh(ax[u] + ah[u]);
			break;
		case RECUR_CELL_GRU: {
			double r = sig(ax[u] + ah[u]);
			double z = sig(ax[H + u] + ah[H + u]);
			double n = tanh(ax[2 * H + u] + r * ah[2 * H + u]);
			hn[u] = (1.0 - z) * n + z * R->h[u];
			break;
		}
		case RECUR_CELL_LSTM: {
			double i = sig(ax[u] + ah[u]);
			double f = sig(ax[H + u] + ah[H + u]);
			double g = tanh(ax[2 * H + u] + ah[2 * H + u]);
			double o = sig(ax[3 * H + u] + ah[3 * H + u]);
			R->c[u] = f * R->c[u] + i * g;
			hn[u] = o * tanh(R->c[u]);
			break;
		}
		}
	}
	memcpy(R->h, hn, (size_t)H * sizeof hn[0]);
}

/* Random weights into the model and the reference alike; zero state. */
static void fill(recur_model *m)
{
	const int H = m->shape.hidden;
	const float scale = 1.5f / sqrtf((float)H);
	for (int l = 0; l < m->shape.layers; l++) {
		recur_layer *L = &m->layer[l];
		ref_layer *R = &ref[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				R->wx[r][j] = L->w_x[(size_t)j * L->rows_p + r] =
				    uniform(-scale, scale);
			for (int j = 0; j < H; j++)
				R->wh[r][j] = L->w_h[(size_t)j * L->rows_p + r] =
				    uniform(-scale, scale);
			R->bx[r] = L->b_x[r] = uniform(-0.5f, 0.5f);
			R->bh[r] = L->b_h[r] = uniform(-0.5f, 0.5f);
		}
	}
	for (int o = 0; o < N_OUT; o++) {
		for (int u = 0; u < H; u++)
			m->w_out[(size_t)o * m->hidden_p + u] = uniform(-scale, scale);
		m->b_out[o] = uniform(-0.5f, 0.5f);
	}
}

static double run(const char *path, recur_cell cell, int in, int H, int layers)
{
	recur_shape s = {.cell = cell,
	                 .n_inputs = in,
	                 .n_outputs = N_OUT,
	                 .hidden = H,
	                 .layers = layers,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "%s", err.msg);
	if (!m)
		return INFINITY;
	memset(ref, 0, sizeof ref);
	fill(m);
	recur_reset(m);
	double worst = 0.0;
	for (int t = 0; t < STEPS; t++) {
		float x[MAX_IN], y[N_OUT];
		double xd[MAX_IN];
		for (int j = 0; j < in; j++)
			xd[j] = x[j] = uniform(-1.0f, 1.0f);
		recur_step(m, x, y);
		const double *v = xd;
		int vin = in;
		for (int l = 0; l < layers; l++) {
			ref_step(cell, &ref[l], v, vin, H);
			v = ref[l].h;
			vin = H;
		}
		for (int o = 0; o < N_OUT; o++) {
			double want = m->b_out[o];
			for (int u = 0; u < H; u++)
				want += (double)m->w_out[(size_t)o * m->hidden_p + u] * v[u];
			worst = worse(worst, fabs(y[o] - want));
		}
		/* The top RNN layer of recur_step keeps its h too, so every
		 * layer's state is comparable. */
		for (int l = 0; l < layers; l++) {
			for (int u = 0; u < H; u++) {
				worst = worse(worst, fabs(m->h[l][u] - ref[l].h[u]));
				if (cell == RECUR_CELL_LSTM)
					worst = worse(worst, fabs(m->c[l][u] - ref[l].c[u]));
			}
		}
	}
	CHECK(worst <= TOL, "%s %s in %d hidden %d layers %d: off by %.3g", path,
	      recur_cell_name(cell), in, H, layers, worst);
	recur_model_free(m);
	return worst;
}

int main(void)
{
	const char *first = recur_kernel_name();
	const int hiddens[] = {16, 17, 32, 33};
	int n_run = 0;
	for (int p = 0; p < N_PATHS; p++) {
		if (!recur_kernel_select(paths[p]))
			continue;
		n_run++;
		double worst = 0.0;
		uint32_t model = 0;
		for (int cell = 0; cell < 3; cell++)
			for (size_t k = 0; k < sizeof hiddens / sizeof hiddens[0]; k++)
				for (int layers = 1; layers <= 2; layers++) {
					/* the same models and inputs on every path */
					rng_state = 2024u + 7919u * model++;
					worst =
					    worse(worst, run(paths[p], (recur_cell)cell,
					                     1 + (int)k % 3, hiddens[k], layers));
				}
		printf("%-8s largest error against the float64 equations %.3g\n", paths[p], worst);
	}
	CHECK(n_run >= 1, "no kernel path could be selected");
	CHECK(recur_kernel_select(first), "reselecting %s", first);
	return check_exit();
}
