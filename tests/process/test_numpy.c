/* Multi-layer models of every cell and output activation against an
 * independent numpy implementation (numpy_ref.py) reading the same file.
 * Usage: test_numpy RECUR_PROCESS PYTHON NUMPY_REF_PY (PYTHON "" skips) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

#define ROWS 300

/* Deterministic values in [-0.5, 0.5), different at every position. */
static float next_weight(unsigned *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) % 1024u) / 1024.0f - 0.5f;
}

static recur_model *make_model(recur_cell cell, int layers, int n_out, recur_activation act,
                               bool skip, unsigned seed)
{
	recur_shape shape = {cell, 2, n_out, 5, layers, skip, act};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&shape, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	for (int l = 0; m && l < layers; l++) {
		recur_layer *L = &m->layer[l];
		for (int r = 0; r < L->rows; r++) {
			for (int j = 0; j < L->in; j++)
				L->w_x[j * L->rows_p + r] = 2 * next_weight(&seed);
			for (int j = 0; j < L->hidden; j++)
				L->w_h[j * L->rows_p + r] = next_weight(&seed);
			L->b_x[r] = next_weight(&seed);
			L->b_h[r] = next_weight(&seed);
		}
	}
	for (int o = 0; m && o < n_out; o++) {
		for (int j = 0; j < shape.hidden; j++)
			m->w_out[o * m->hidden_p + j] = 2 * next_weight(&seed);
		m->b_out[o] = next_weight(&seed);
	}
	return m;
}

static void write_input(const char *path)
{
	static char text[32768];
	size_t n = (size_t)snprintf(text, sizeof text, "in0,in1\n");
	for (int r = 0; r < ROWS; r++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%.9g,%.9g\n", sin(r * 0.1) * 0.8,
		                      r < ROWS / 2 ? 0.2 : -0.6);
	write_text(path, text, n);
}

static int read_numbers(const char *path, double *v, int max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	if (!fgets(line, sizeof line, f)) {
		fclose(f);
		return 0;
	}
	int n = 0;
	while (n < max && fscanf(f, "%lf%*[,\n]", &v[n]) == 1)
		n++;
	fclose(f);
	return n;
}

static void compare(const char *what, const char *exe, const char *python, const char *script,
                    recur_model *m)
{
	const char *model = scratch("model.json"), *in = scratch("in.csv");
	const char *out = scratch("out.csv"), *ref = scratch("ref.csv");
	recur_error err = {{0}};
	CHECK(recur_model_save(m, model, &err), "save: %s", err.msg);
	write_input(in);
	tool_result r;
	tool_run(&r, exe, (const char *[]){"-q", model, in, out, NULL});
	CHECK(r.status == 0, "%s: recur-process exit %d: %s", what, r.status, r.err);
	tool_run(&r, python, (const char *[]){script, model, in, ref, NULL});
	CHECK(r.status == 0, "%s: numpy_ref.py exit %d: %s", what, r.status, r.err);
	static double got[ROWS * 4], want[ROWS * 4];
	int n = m->shape.n_outputs * ROWS;
	CHECK(read_numbers(out, got, n) == n && read_numbers(ref, want, n) == n, "%s: values",
	      what);
	double worst = 0;
	for (int i = 0; i < n; i++)
		worst = fmax(worst, fabs(got[i] - want[i]));
	CHECK_NEAR(worst, 0, 3e-5, what);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 4) {
		fprintf(stderr, "usage: test_numpy RECUR_PROCESS PYTHON NUMPY_REF_PY\n");
		return 2;
	}
	if (!argv[2][0]) {
		printf("no python3 with numpy: skipped\n");
		return 77;
	}
	static const struct {
		const char *what;
		recur_cell cell;
		int layers, n_out;
		recur_activation act;
		bool skip;
	} cases[] = {
	    {"rnn 3 layers, sigmoid", RECUR_CELL_RNN, 3, 2, RECUR_ACT_SIGMOID, false},
	    {"gru 2 layers, tanh, skip", RECUR_CELL_GRU, 2, 1, RECUR_ACT_TANH, true},
	    {"lstm 2 layers, softmax", RECUR_CELL_LSTM, 2, 3, RECUR_ACT_SOFTMAX, false},
	    {"lstm 4 layers, linear, skip", RECUR_CELL_LSTM, 4, 2, RECUR_ACT_LINEAR, true},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		recur_model *m = make_model(cases[k].cell, cases[k].layers, cases[k].n_out,
		                            cases[k].act, cases[k].skip, 1000u + (unsigned)k);
		if (m)
			compare(cases[k].what, argv[1], argv[2], argv[3], m);
		recur_model_free(m);
	}
	return check_exit();
}
