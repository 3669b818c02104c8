/* Every cell against the float64 numpy reference (reference.py), on every
 * kernel path this CPU has: random models of many shapes, 300 steps each,
 * outputs within 2e-6. Usage: test-engine-reference <python> <reference.py> */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "recur.h"

#define TOL 2e-6 /* docs/engine.md: the largest error measured is 6.0e-7 */

static const char *const paths[] = {"generic", "sse2", "avx2", "avx512"};
#define N_PATHS 4
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
	int cases = 0;
	char cell[16], act[16];
	recur_shape s;
	int skip, steps;
	while (fscanf(f, " case %15s %d %d %d %d %d %15s %d", cell, &s.n_inputs, &s.n_outputs,
	              &s.hidden, &s.layers, &skip, act, &steps) == 8) {
		s.cell = cell_of(cell);
		s.out_act = act_of(act);
		s.skip = skip != 0;
		char label[128];
		snprintf(label, sizeof label, "%s in %d out %d hidden %d layers %d skip %d %s",
		         cell, s.n_inputs, s.n_outputs, s.hidden, s.layers, skip, act);
		run_case(f, &s, steps, label);
		cases++;
	}
	int status = pclose(f);
	CHECK(status == 0, "reference script exited with status %d", status);
	CHECK(cases >= 30, "only %d reference cases read", cases);
	printf("%d reference cases\n", cases);
	for (int p = 0; p < N_PATHS; p++)
		if (recur_kernel_select(paths[p]))
			printf("%-8s largest output error %.3g\n", paths[p], worst_of_path[p]);
	recur_kernel_select(first);
	return check_exit();
}
