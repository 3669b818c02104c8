/*
 * Foreign model files in the plugin: a rate the file does not state shows as
 * status 5 (the assumed rate is the host's) or 6 (it is not, and the model is
 * converted to the host's rate), and a file
 * that disagrees with its own test data is loaded with a warning logged on
 * the Worker.
 */
#include "common.h"

#include <string.h>
#include <unistd.h>

static char folder[] = "/tmp/recur-plugin-foreign-XXXXXX";

static const char *write_model(const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ & 3];
	snprintf(p, sizeof path[0], "%s/%s", folder, name);
	FILE *f = fopen(p, "w");
	CHECK(f && fputs(text, f) >= 0, "cannot write %s", p);
	if (f)
		fclose(f);
	return p;
}

/* One LSTM unit with every weight 0 and in_skip: the output is the input. */
#define AIDAX(extra, out)                                                                          \
	"{\"in_shape\": [null, null, 1], \"in_skip\": 1, " extra "\"layers\": [{\"type\": "        \
	"\"lstm\", \"shape\": [null, null, 1], \"weights\": [[[0, 0, 0, 0]], [[0, 0, 0, 0]], [0, " \
	"0, 0, 0]]}, {\"type\": \"dense\", \"activation\": \"\", \"shape\": [null, null, 1], "     \
	"\"weights\": [[[0]], [0]]}], \"input_batch\": [0.5, -0.25], \"output_batch\": " out "}"
#define GAAM                                                                                       \
	"{\"model_data\": {\"unit_type\": \"RNN\", \"input_size\": 1, \"output_size\": 1, "        \
	"\"hidden_size\": 1, \"skip\": 1}, \"state_dict\": {\"rec.weight_ih_l0\": [[0]], "         \
	"\"rec.weight_hh_l0\": [[0]], \"rec.bias_ih_l0\": [0], \"rec.bias_hh_l0\": [0], "          \
	"\"lin.weight\": [[0]], \"lin.bias\": [0]}}"

static void expect(test_host *h, const char *name, const char *text, float status, bool warns)
{
	int warnings = h->log_warnings;
	load_model(h, write_model(name, text));
	float in[64], out[64];
	for (int i = 0; i < 64; i++)
		in[i] = 0.5f * sinf(0.1f * (float)i);
	host_run(h, in, out, 64);
	CHECK(host_get(h, "status") == status, "%s: status %g, expected %g", name,
	      host_get(h, "status"), status);
	CHECK((h->log_warnings > warnings) == warns, "%s: %d warning(s) logged", name,
	      h->log_warnings - warnings);
	CHECK(max_diff(in, out, 64) <= 1e-6, "%s: the model is not the identity (%g)", name,
	      max_diff(in, out, 64));
}

int main(void)
{
	if (!mkdtemp(folder)) {
		perror("mkdtemp");
		return 1;
	}
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	expect(&h, "string_rate.json",
	       AIDAX("\"metadata\": {\"samplerate\": \"48000\"}, ", "[0.5, -0.25]"), 1.0f, false);
	expect(&h, "no_rate.json", AIDAX("", "[0.5, -0.25]"), 5.0f, false);
	expect(&h, "guitarml.json", GAAM, 6.0f, false); /* 44.1 kHz assumed, host 48 kHz */
	expect(&h, "disagrees.json", AIDAX("\"samplerate\": 48000, ", "[0.5, 0.25]"), 1.0f, true);
	host_close(&h);
	host_close_world(&h);
	static const char *const names[] = {"string_rate.json", "no_rate.json", "guitarml.json",
	                                    "disagrees.json"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s/%s", folder, names[i]);
		unlink(p);
	}
	rmdir(folder);
	return check_exit();
}
