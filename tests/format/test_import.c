/* Runs the known-answer cases written by import_cases.py: each model file is
 * loaded through recur_model_load and driven with the case's input; the
 * outputs must match the script's own forward pass within 1e-5. */
#include "check.h"
#include "recur.h"

#include <stdio.h>
#include <stdlib.h>

#define TOLERANCE 1e-5

static void *read_binary(const char *path, size_t bytes)
{
	FILE *f = fopen(path, "rb");
	void *buf = malloc(bytes);
	bool ok = f && buf && fread(buf, 1, bytes, f) == bytes;
	if (f)
		fclose(f);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void run_case(const char *model_path, const char *stem, int frames, int n_in, int n_out)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_load(model_path, &err);
	CHECK(m != NULL, "%s: %s", model_path, err.msg);
	if (!m)
		return;
	CHECK(m->shape.n_inputs == n_in && m->shape.n_outputs == n_out, "%s: %d in, %d out",
	      model_path, m->shape.n_inputs, m->shape.n_outputs);
	char path[1100];
	snprintf(path, sizeof path, "%.1000s.in", stem);
	float *x = read_binary(path, sizeof(float) * (size_t)frames * n_in);
	snprintf(path, sizeof path, "%.1000s.out", stem);
	double *want = read_binary(path, sizeof(double) * (size_t)frames * n_out);
	float *y = calloc((size_t)frames * n_out, sizeof(float));
	CHECK(x && want && y, "%s: cannot read the case's data", stem);
	if (x && want && y && m->shape.n_inputs == n_in && m->shape.n_outputs == n_out) {
		recur_reset(m);
		recur_process(m, x, y, (size_t)frames);
		double worst = 0;
		size_t worst_at = 0;
		for (size_t i = 0; i < (size_t)frames * n_out; i++) {
			double d = fabs((double)y[i] - want[i]);
			if (!(d <= worst)) {
				worst = d;
				worst_at = i;
			}
		}
		CHECK(worst <= TOLERANCE, "%s: frame %zu output %zu is %.9g, expected %.9g", stem,
		      worst_at / n_out, worst_at % n_out, y[worst_at], want[worst_at]);
		printf("%-40s max |error| %.3g\n", stem, worst);
	}
	free(x);
	free(want);
	free(y);
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s MANIFEST\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char model[1024], stem[1024];
	int frames, n_in, n_out, cases = 0;
	while (fscanf(f, "%1023s %1023s %d %d %d", model, stem, &frames, &n_in, &n_out) == 5) {
		run_case(model, stem, frames, n_in, n_out);
		cases++;
	}
	fclose(f);
	CHECK(cases >= 10, "only %d cases in the manifest", cases);
	return check_exit();
}
