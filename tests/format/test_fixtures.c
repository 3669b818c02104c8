/* The committed foreign-format fixtures in data/ (written by
 * import_cases.py, with outputs from its numpy forward pass) load and give
 * the recorded outputs. Runs without numpy. */
#include "check.h"
#include "recur.h"
#include "recur_import.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (text && fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = '\0';
	} else {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static void check_fixture(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.json", dir, name);
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	CHECK(m != NULL, "%s: %s", path, err.msg);
	snprintf(path, sizeof path, "%s/%s.expected.json", dir, name);
	char *text = slurp(path);
	cJSON *io = text ? cJSON_Parse(text) : NULL;
	CHECK(io != NULL, "%s: unreadable", path);
	if (m && io) {
		const cJSON *in = cJSON_GetObjectItem(io, "input");
		const cJSON *out = cJSON_GetObjectItem(io, "output");
		int frames = cJSON_GetArraySize(in);
		CHECK(frames > 0 && frames == cJSON_GetArraySize(out), "%s: frame counts", name);
		recur_reset(m);
		for (int t = 0; t < frames; t++) {
			float x[RECUR_MAX_IO] = {0}, y[RECUR_MAX_IO];
			const cJSON *xt = cJSON_GetArrayItem(in, t);
			const cJSON *yt = cJSON_GetArrayItem(out, t);
			CHECK(cJSON_GetArraySize(xt) == m->shape.n_inputs, "%s: input width", name);
			for (int j = 0; j < m->shape.n_inputs; j++)
				x[j] = (float)cJSON_GetArrayItem(xt, j)->valuedouble;
			recur_step(m, x, y);
			for (int o = 0; o < m->shape.n_outputs; o++)
				CHECK_NEAR(y[o], cJSON_GetArrayItem(yt, o)->valuedouble, 1e-5,
				           name);
		}
	}
	cJSON_Delete(io);
	free(text);
	recur_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	check_fixture(argv[1], "aidax_lstm");
	/* The AIDA-X fixture carries "samplerate": 48000, which becomes the
	 * model's rate, and no other extra key. */
	char path[1024];
	snprintf(path, sizeof path, "%s/aidax_lstm.json", argv[1]);
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	CHECK(m && m->sample_rate == 48000 && m->shape.skip, "aidax_lstm: %s", err.msg);
	CHECK(m && m->metadata_json &&
	          strcmp(m->metadata_json, "{\"imported_from\":\"aida-x\"}") == 0,
	      "aidax_lstm metadata %s", m && m->metadata_json ? m->metadata_json : "(none)");
	recur_model_free(m);
	check_fixture(argv[1], "gaam_gru");
	check_fixture(argv[1], "nam_lstm");
	check_fixture(argv[1], "aidax_gru_stack");
	/* Its test data (numpy's output with the levels at 0 dB and the
	 * conditioning input at 0) is run on import as AIDA-X runs it. */
	snprintf(path, sizeof path, "%s/aidax_gru_stack.json", argv[1]);
	m = recur_model_load(path, &err);
	double d = -1;
	size_t frames = 0;
	CHECK(m && recur_model_file_check(m, &d, &frames) && frames == 16 && d <= 1e-6,
	      "aidax_gru_stack: its own test data: %zu frames, %g", frames, d);
	CHECK(m && m->sample_rate == 48000 && !recur_model_rate_assumed(m, NULL, 0),
	      "aidax_gru_stack: string rate");
	recur_model_free(m);
	return check_exit();
}
