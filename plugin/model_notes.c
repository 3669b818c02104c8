/*
 * What a model file could not say for itself, logged when it is loaded on
 * the Worker: a sample rate its reader had to assume, and a file that
 * disagrees with its own test data. Runs the model's check block, so never
 * on the audio thread.
 */
#include "model_notes.h"

#include "recur_import.h"

bool model_notes_log(recur_model *m, const char *path, LV2_Log_Logger *log)
{
	char why[256];
	bool assumed = recur_model_rate_assumed(m, why, sizeof why);
	if (assumed)
		lv2_log_note(log, "recur: model \"%s\": sample rate %g Hz assumed: %s\n", path,
		             m->sample_rate, why);
	double d;
	size_t frames;
	if (recur_model_file_check(m, &d, &frames) && !(d <= RECUR_CHECK_TOLERANCE))
		lv2_log_warning(log,
		                "recur: model \"%s\" disagrees with its own test data: largest "
		                "difference %.3g over %zu frames (tolerance %g)\n",
		                path, d, frames, RECUR_CHECK_TOLERANCE);
	recur_error err = {{0}};
	if (m->check && recur_model_check(m, &d, NULL, &err) && !(d <= RECUR_CHECK_TOLERANCE))
		lv2_log_warning(
		    log,
		    "recur: model \"%s\" does not reproduce its check block here: largest "
		    "difference %.3g over %zu frames (tolerance %g)\n",
		    path, d, m->check->frames, RECUR_CHECK_TOLERANCE);
	return assumed;
}
