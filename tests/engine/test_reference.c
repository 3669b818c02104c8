/* Every cell against the float64 numpy reference (reference.py), on every
 * kernel path this CPU has: random models of many shapes, 300 steps each,
 * outputs within 2e-6; then whole models with dense stacks, initial states
 * and gains within 1e-6, through recur_step (after recur_reset),
 * recur_process_mono and recur_head_step.
 * Usage: test-engine-reference <python> <reference.py> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "recur.h"

#define TOL       2e-6 /* docs/engine.md: the largest error measured is 6.0e-7 */
#define STACK_TOL 1e-6

static const char *const paths[] = {"generic", "sse2", "avx2", "avx512", "neon"};
#define N_PATHS 5
static double worst_of_path[N_PATHS];

static int read_floats(FILE *f, float *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fscanf(f, "%f", &dst[i]) != 1)
			return 0;
	return 1;
}

static recur_cell cell_of(const char *s)
{
	return s[0] == 'l' ? RECUR_CELL_LSTM : s[0] == 'g' ? RECUR_CELL_GRU : RECUR_CELL_RNN;
}

static recur_activation act_of(const char *s)
{
	return s[0] == 't'                  ? RECUR_ACT_TANH
	       : s[0] == 's' && s[1] == 'i' ? RECUR_ACT_SIGMOID
	       : s[0] == 's'                ? RECUR_ACT_SOFTMAX
	       : s[0] == 'r'                ? RECUR_ACT_RELU
	       : s[0] == 'e'                ? RECUR_ACT_ELU
	                                    : RECUR_ACT_LINEAR;
}

/* PyTorch row-major [rows][cols] into recur's column-major [cols][rows_p]. */
static int read_matrix(FILE *f, float *dst, int rows, int cols, int rows_p)
{
	for (int r = 0; r < rows; r++)
		for (int j = 0; j < cols; j++)
			if (fscanf(f, "%f", &dst[(size_t)j * rows_p + r]) != 1)
				return 0;
	return 1;
}

static recur_model *read_model(FILE *f, const recur_shape *s)
{
	recur_error err;
	recur_model *m = recur_model_new(s, &err);
	CHECK(m != NULL, "%s", err.msg);
	if (!m)
		return NULL;
	for (int l = 0; l < s->layers; l++) {
		recur_layer *L = &m->layer[l];
		int ok = read_matrix(f, L->w_x, L->rows, L->in, L->rows_p) &&
		         read_matrix(f, L->w_h, L->rows, L->hidden, L->rows_p) &&
		         read_floats(f, L->b_x, (size_t)L->rows) &&
		         read_floats(f, L->b_h, (size_t)L->rows);
		CHECK(ok, "short read in layer %d", l);
	}
	for (int o = 0; o < s->n_outputs; o++)
		CHECK(read_floats(f, m->w_out + (size_t)o * m->hidden_p, (size_t)s->hidden),
		      "short read in w_out");
	CHECK(read_floats(f, m->b_out, (size_t)s->n_outputs), "short read in b_out");
	return m;
}

static void run_case(FILE *f, const recur_shape *s, int steps, const char *label)
{
	recur_model *m = read_model(f, s);
	if (!m)
		exit(1);
	size_t nx = (size_t)steps * s->n_inputs, ny = (size_t)steps * s->n_outputs;
	float *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
	double *want = malloc(ny * sizeof *want);
	CHECK(read_floats(f, x, nx), "short read in inputs");
	for (size_t i = 0; i < ny; i++)
		CHECK(fscanf(f, "%lf", &want[i]) == 1, "short read in expected outputs");

	for (int p = 0; p < N_PATHS; p++) {
		if (!recur_kernel_select(paths[p]))
			continue;
		recur_reset(m);
		for (int t = 0; t < steps; t++)
			recur_step(m, x + (size_t)t * s->n_inputs, y + (size_t)t * s->n_outputs);
		double worst = 0.0;
		size_t at = 0;
		for (size_t i = 0; i < ny; i++) {
			double d = fabs((double)y[i] - want[i]);
			if (!(d <= worst)) {
				worst = d;
				at = i;
			}
		}
		if (worst > worst_of_path[p])
			worst_of_path[p] = worst;
		CHECK(worst <= TOL, "%s on %s: output %zu (step %zu) off by %.3g (%.9g vs %.9g)",
		      label, paths[p], at % s->n_outputs, at / s->n_outputs, worst, y[at],
		      want[at]);
	}
	free(x);
	free(y);
	free(want);
	recur_model_free(m);
}

/* A "stack" case: layers, inner dense layers, output layer, initial state. */
static recur_model *read_stack_model(FILE *f, const recur_shape *s, const recur_inner *inner,
                                     int has_init)
{
	recur_error err;
	recur_model *m = recur_model_new_dense(s, inner, &err);
	CHECK(m != NULL, "%s", err.msg);
	if (!m)
		return NULL;
	for (int l = 0; l < s->layers; l++) {
		recur_layer *L = &m->layer[l];
		int ok = read_matrix(f, L->w_x, L->rows, L->in, L->rows_p) &&
		         read_matrix(f, L->w_h, L->rows, L->hidden, L->rows_p) &&
		         read_floats(f, L->b_x, (size_t)L->rows) &&
		         read_floats(f, L->b_h, (size_t)L->rows);
		CHECK(ok, "short read in layer %d", l);
	}
	int in = s->hidden;
	for (int k = 0; k < inner->n; k++) {
		recur_dense_layer *D = &m->dense[k];
		for (int o = 0; o < D->width; o++)
			CHECK(read_floats(f, D->w + (size_t)o * D->in_p, (size_t)D->in),
			      "short read in dense %d", k);
		CHECK(read_floats(f, D->b, (size_t)D->width), "short read in dense %d bias", k);
		in = D->width;
	}
	for (int o = 0; o < s->n_outputs; o++)
		CHECK(read_floats(f, m->w_out + (size_t)o * m->head_in_p, (size_t)in),
		      "short read in w_out");
	CHECK(read_floats(f, m->b_out, (size_t)s->n_outputs), "short read in b_out");
	for (int l = 0; has_init && l < s->layers; l++) {
		float *h0 = m->init + (size_t)l * 2 * m->hidden_p;
		CHECK(read_floats(f, h0, (size_t)s->hidden), "short read in h0");
		if (s->cell == RECUR_CELL_LSTM)
			CHECK(read_floats(f, h0 + m->hidden_p, (size_t)s->hidden),
			      "short read in c0");
	}
	return m;
}

static double worst_diff(const float *y, size_t stride, const double *want, size_t want_stride,
                         size_t n_rows, size_t n_cols, size_t *at)
{
	double worst = 0.0;
	for (size_t t = 0; t < n_rows; t++)
		for (size_t o = 0; o < n_cols; o++) {
			double d = fabs((double)y[t * stride + o] - want[t * want_stride + o]);
			if (!(d <= worst)) {
				worst = isnan(d) ? INFINITY : d;
				*at = t;
			}
		}
	return worst;
}

/* recur_step from the initial state (the run before leaves the state
 * elsewhere, so recur_reset must bring it back), recur_process_mono (inputs
 * 1.. are held), and recur_head_step over the top layer's state. */
static void run_stack_case(FILE *f, const recur_shape *s, const recur_inner *inner, int has_init,
                           float in_gain, float out_gain, int steps, const char *label)
{
	recur_model *m = read_stack_model(f, s, inner, has_init);
	if (!m)
		exit(1);
	m->in_gain = in_gain;
	m->out_gain = out_gain;
	const size_t ni = (size_t)s->n_inputs, no = (size_t)s->n_outputs;
	size_t nx = (size_t)steps * ni, ny = (size_t)steps * no;
	float *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
	float *mono = malloc((size_t)steps * sizeof *mono), *yh = malloc(ny * sizeof *yh);
	double *want = malloc(ny * sizeof *want);
	CHECK(read_floats(f, x, nx), "short read in inputs");
	for (size_t i = 0; i < ny; i++)
		CHECK(fscanf(f, "%lf", &want[i]) == 1, "short read in expected outputs");
	float *in0 = malloc((size_t)steps * sizeof *in0);
	for (int t = 0; t < steps; t++)
		in0[t] = x[(size_t)t * ni];

	for (int p = 0; p < N_PATHS; p++) {
		if (!recur_kernel_select(paths[p]))
			continue;
		for (int run = 0; run < 2; run++) {
			recur_reset(m);
			for (int t = 0; t < steps; t++) {
				recur_step(m, x + (size_t)t * ni, y + (size_t)t * no);
				recur_head_step(m, x + (size_t)t * ni, m->h[s->layers - 1],
				                yh + (size_t)t * no);
			}
		}
		size_t at = 0;
		double worst = worst_diff(y, no, want, no, (size_t)steps, no, &at);
		CHECK(worst <= STACK_TOL, "%s on %s: recur_step off by %.3g at step %zu", label,
		      paths[p], worst, at);
		double head = worst_diff(yh, no, want, no, (size_t)steps, no, &at);
		CHECK(head <= STACK_TOL, "%s on %s: recur_head_step off by %.3g at step %zu", label,
		      paths[p], head, at);
		recur_reset(m);
		recur_process_mono(m, in0, mono, (size_t)steps, ni > 1 ? x + 1 : NULL);
		double mw = worst_diff(mono, 1, want, no, (size_t)steps, 1, &at);
		CHECK(mw <= STACK_TOL, "%s on %s: recur_process_mono off by %.3g at step %zu",
		      label, paths[p], mw, at);
		worst = worst > mw ? worst : mw;
		if (worst > worst_of_path[p])
			worst_of_path[p] = worst;
	}
	free(x);
	free(y);
	free(mono);
	free(yh);
	free(in0);
	free(want);
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <python-with-numpy> <reference.py>\n", argv[0]);
		return 2;
	}
	if (!argv[1][0]) {
		printf("no python3 with numpy: skipped\n");
		return 77;
	}
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' '%s'", argv[1], argv[2]);
	FILE *f = popen(cmd, "r");
	if (!f) {
		perror("popen");
		return 1;
	}
	const char *first = recur_kernel_name();
	int cases = 0, stacks = 0;
	char kind[16], cell[16], act[16];
	recur_shape s;
	int skip, steps;
	while (fscanf(f, " %15s %15s %d %d %d %d %d %15s %d", kind, cell, &s.n_inputs, &s.n_outputs,
	              &s.hidden, &s.layers, &skip, act, &steps) == 9) {
		s.cell = cell_of(cell);
		s.out_act = act_of(act);
		s.skip = skip != 0;
		char label[192];
		int n =
		    snprintf(label, sizeof label, "%s in %d out %d hidden %d layers %d skip %d %s",
		             cell, s.n_inputs, s.n_outputs, s.hidden, s.layers, skip, act);
		if (strcmp(kind, "case") == 0) {
			run_case(f, &s, steps, label);
			cases++;
			continue;
		}
		recur_inner inner = {0};
		char a0[16], a1[16];
		int has_init;
		float g_in, g_out;
		CHECK(strcmp(kind, "stack") == 0, "unknown case kind %s", kind);
		if (fscanf(f, "%d %d %15s %d %15s %d %f %f", &inner.n, &inner.layer[0].width, a0,
		           &inner.layer[1].width, a1, &has_init, &g_in, &g_out) != 8)
			break;
		inner.layer[0].act = act_of(a0);
		inner.layer[1].act = act_of(a1);
		snprintf(label + n, sizeof label - (size_t)n,
		         " dense %d (%d %s, %d %s) init %d gains %g %g", inner.n,
		         inner.layer[0].width, a0, inner.layer[1].width, a1, has_init, g_in, g_out);
		run_stack_case(f, &s, &inner, has_init, g_in, g_out, steps, label);
		stacks++;
	}
	int status = pclose(f);
	CHECK(status == 0, "reference script exited with status %d", status);
	CHECK(cases >= 30, "only %d reference cases read", cases);
	CHECK(stacks >= 30, "only %d dense-stack reference cases read", stacks);
	printf("%d reference cases, %d with dense stacks, initial states and gains\n", cases,
	       stacks);
	for (int p = 0; p < N_PATHS; p++)
		if (recur_kernel_select(paths[p]))
			printf("%-8s largest output error %.3g\n", paths[p], worst_of_path[p]);
	recur_kernel_select(first);
	return check_exit();
}
