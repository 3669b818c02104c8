/*
 * recur-process --check MODEL: what the model file says about itself and
 * whether it still computes what its maker recorded: the test data a
 * foreign file carried (AIDA-X's input_batch / output_batch, run when it was
 * read) and the model's own check block, each within RECUR_CHECK_TOLERANCE.
 */
#include "check_model.h"

#include "options.h"
#include "recur_import.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void print_source(const recur_model *m)
{
	cJSON *meta = m->metadata_json ? cJSON_Parse(m->metadata_json) : NULL;
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(meta, "imported_from");
	printf("read as: %s\n", cJSON_IsString(from) ? from->valuestring : "recur");
	cJSON_Delete(meta);
	const recur_shape *s = &m->shape;
	printf("network: %s, %d layer(s) of %d units, %d input(s), %d output(s)\n",
	       recur_cell_name(s->cell), s->layers, s->hidden, s->n_inputs, s->n_outputs);
}

static void print_rate(const recur_model *m)
{
	char why[256];
	if (recur_model_rate_assumed(m, why, sizeof why))
		printf("sample rate: %g Hz, assumed (%s)\n", m->sample_rate, why);
	else if (m->sample_rate > 0)
		printf("sample rate: %g Hz\n", m->sample_rate);
	else
		printf("sample rate: not stated\n");
}

/* One line per check; true when it is within the tolerance. */
static bool report(const char *what, size_t frames, double max_diff)
{
	bool ok = max_diff <= RECUR_CHECK_TOLERANCE;
	printf("%s: %zu frames, largest difference %.3g: %s (tolerance %g)\n", what, frames,
	       max_diff, ok ? "ok" : "DISAGREES", RECUR_CHECK_TOLERANCE);
	return ok;
}

int check_model(recur_model *m)
{
	print_source(m);
	print_rate(m);
	bool ok = true, any = false;
	double d;
	size_t frames;
	if (recur_model_file_check(m, &d, &frames)) {
		ok = report("file's own test data, as read", frames, d) && ok;
		any = true;
	}
	recur_error err = {{0}};
	if (m->check && recur_model_check(m, &d, NULL, &err)) {
		ok = report("check block, run now", m->check->frames, d) && ok;
		any = true;
	}
	if (!any)
		printf("no check data: the file carries no test data and no check block\n");
	return ok ? 0 : EXIT_CHECK;
}
