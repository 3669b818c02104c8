/* libFuzzer target: arbitrary bytes through recur_model_parse, the reader of
 * every model format (recur JSON, AIDA-X / RTNeural, Automated-GuitarAmp-
 * Modelling). Besides "never crash", it checks two promises of the model-file
 * API: a refusal always says why, and any model that loads can be printed and
 * read back (parameters, initial state, gains, check block), then run for one
 * frame. */
#include "recur.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_parse((const char *)data, size, &err);
	if (!m) {
		if (!err.msg[0])
			abort(); /* refused without a message */
		return 0;
	}
	float x[RECUR_MAX_IO], y[RECUR_MAX_IO];
	for (int i = 0; i < RECUR_MAX_IO; i++)
		x[i] = 0.5f - 0.125f * (float)i;
	recur_reset(m);
	recur_step(m, x, y);

	char *text = recur_model_print(m, &err);
	if (!text)
		abort(); /* loaded but cannot be saved */
	recur_model *again = recur_model_parse(text, strlen(text), &err);
	if (!again || again->n_params != m->n_params ||
	    memcmp(again->params, m->params, m->n_params * sizeof(float)) != 0 ||
	    memcmp(again->init, m->init, m->n_state * sizeof(float)) != 0 ||
	    memcmp(&again->in_gain, &m->in_gain, sizeof(float)) != 0 ||
	    memcmp(&again->out_gain, &m->out_gain, sizeof(float)) != 0 ||
	    !again->check != !m->check || (m->check && again->check->frames != m->check->frames))
		abort(); /* the printed text does not give the same model back */
	recur_model_free(again);
	free(text);
	recur_model_free(m);
	return 0;
}
