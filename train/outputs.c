/* recur-train's outputs: the checks before training, and saving the model. */
#include "outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define MAX_USES (2 * DATA_MAX_FILES + 8)

/* Every file the run reads, then every file it writes. */
static size_t list_uses(const train_paths *p, const data_set *d, file_use *uses)
{
	size_t n = 0;
	for (int i = 0; i < d->n_files; i++) {
		const data_file *f = &d->files[i];
		bool csv = !f->target_path;
		uses[n++] = (file_use){f->input_path, csv         ? "--csv"
		                                      : f->is_val ? "--val-input"
		                                                  : "--input"};
		if (f->target_path)
			uses[n++] =
			    (file_use){f->target_path, f->is_val ? "--val-target" : "--target"};
	}
	uses[n++] = (file_use){p->resume, "--resume"};
	return n;
}

typedef struct {
	const char *path;
	const char *role;
	output_kind kind;
} planned_output;

bool outputs_check(const train_paths *p, const data_set *d, recur_error *err)
{
	const planned_output outs[] = {
	    {p->out, "--out", OUTPUT_JSON},
	    {p->log, "--log", OUTPUT_JSON},
	    {p->checkpoint, "--checkpoint", OUTPUT_CHECKPOINT},
	    {p->aidax, "--export aidax", OUTPUT_JSON},
	    {p->preset, "--preset", OUTPUT_TEXT},
	};
	const size_t n_outs = sizeof outs / sizeof outs[0];
	file_use uses[MAX_USES];
	size_t n_reads = list_uses(p, d, uses);
	for (size_t i = 0; i < n_outs; i++) {
		if (!outs[i].path)
			continue;
		/* the others: every input, and the outputs before this one */
		size_t n = n_reads;
		for (size_t k = 0; k < i; k++)
			uses[n++] = (file_use){outs[k].path, outs[k].role};
		/* a checkpoint is read whole before it is replaced: resuming
		 * from the checkpoint path itself is the usual way */
		if (outs[i].kind == OUTPUT_CHECKPOINT)
			uses[n_reads - 1].path = NULL;
		bool ok = output_check((file_use){outs[i].path, outs[i].role}, outs[i].kind, uses,
		                       n, err->msg, sizeof err->msg);
		uses[n_reads - 1].path = p->resume;
		if (!ok)
			return false;
	}
	return true;
}

bool model_save_or_rescue(const recur_model *m, const char *path, char *where, size_t where_len,
                          recur_error *err)
{
	where[0] = '\0';
	char *text = recur_model_print(m, err);
	if (!text)
		return false;
	bool ok = output_write_all(path, text, strlen(text), err->msg, sizeof err->msg);
	if (ok) {
		snprintf(where, where_len, "%s", path);
	} else {
		size_t n = strlen(path) + sizeof ".rescued.json";
		char *rescue = malloc(n);
		char why[200];
		if (rescue) {
			snprintf(rescue, n, "%s.rescued.json", path);
			if (output_write_all(rescue, text, strlen(text), why, sizeof why))
				snprintf(where, where_len, "%s", rescue);
		}
		free(rescue);
	}
	free(text);
	return ok;
}
