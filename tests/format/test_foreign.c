/* How the readers of other projects' files treat what those projects write
 * loosely: metadata keys that differ only in case, rates given as strings or
 * not at all, and the messages that name the format a file was read as. */
#include "check.h"
#include "recur.h"
#include "recur_import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LSTM1                                                                                      \
	"{\"type\": \"lstm\", \"shape\": [null, null, 1], \"weights\": [[[0, 0, 0, 0]], [[0, 0, "  \
	"0, 0]], [0, 0, 0, 0]]}"
#define DENSE                                                                                      \
	"{\"type\": \"dense\", \"activation\": \"\", \"shape\": [null, null, 1], \"weights\": "    \
	"[[[1]], [0]]}"
/* A minimal AIDA-X file with `extra` members before its layers. */
#define AIDAX(extra) "{\"in_shape\": [null, null, 1], " extra "\"layers\": [" LSTM1 ", " DENSE "]}"

static recur_model *parse(const char *text, recur_error *err)
{
	return recur_model_parse(text, strlen(text), err);
}

static bool has(const recur_model *m, const char *fragment)
{
	return m && m->metadata_json && strstr(m->metadata_json, fragment);
}

/* JSON keys are case-sensitive: "Name" and "name" are two fields, both kept. */
static void metadata_case(void)
{
	recur_error err = {{0}};
	recur_model *m =
	    parse(AIDAX("\"Name\": \"a\", \"name\": \"b\", \"metadata\": {\"NAME\": \"c\", "
	                "\"name\": \"d\"}, "),
	          &err);
	CHECK(m != NULL, "keys differing in case: %s", err.msg);
	CHECK(has(m, "\"Name\":\"a\"") && has(m, "\"name\":\"b\"") && has(m, "\"NAME\":\"c\""),
	      "every key kept: %s", m && m->metadata_json ? m->metadata_json : "(none)");
	recur_model_free(m);
}

static void expect_rate(const char *text, double hz, const char *assumed, int line)
{
	recur_error err = {{0}};
	recur_model *m = parse(text, &err);
	CHECK(m != NULL, "line %d: %s", line, err.msg);
	if (!m)
		return;
	char why[256] = "";
	bool was_assumed = recur_model_rate_assumed(m, why, sizeof why);
	CHECK(m->sample_rate == hz, "line %d: rate %g, expected %g", line, m->sample_rate, hz);
	CHECK(was_assumed == (assumed != NULL), "line %d: assumed %d (%s)", line, was_assumed, why);
	if (assumed)
		CHECK_MSG(why, assumed);
	/* The rate lives in the model, not a second time in its metadata. */
	CHECK(!has(m, "\"samplerate\":") && !has(m, "\"sample_rate\":"), "line %d: metadata %s",
	      line, m->metadata_json);
	recur_model_free(m);
}

#define GAAM(unit, extra)                                                                          \
	"{" extra "\"model_data\": {\"unit_type\": \"" unit "\", \"input_size\": 1, "              \
	"\"output_size\": 1, \"hidden_size\": 1}, \"state_dict\": {\"rec.weight_ih_l0\": [[0]], "  \
	"\"rec.weight_hh_l0\": [[0]], \"rec.bias_ih_l0\": [0], \"rec.bias_hh_l0\": [0], "          \
	"\"lin.weight\": [[1]], \"lin.bias\": [0]}}"
/* One LSTM layer of one unit: W [4][2], b [4], h0, c0, head w, head b. */
#define NAM(arch, extra) NAM_H(arch, "1", extra)
#define NAM_H(arch, hidden, extra)                                                                 \
	"{\"version\": \"0.5.4\", \"architecture\": \"" arch                                       \
	"\", \"config\": {\"input_size\": 1, "                                                     \
	"\"hidden_size\": " hidden ", \"num_layers\": 1}, \"weights\": [0, 0, 0, 0, 0, 0, 0, 0, "  \
	"0, 0, 0, 0, 0.5, -0.25, 1, 0]" extra "}"

/* The rate as a number, a numeric string (AIDA-X's own files), or missing
 * or unreadable: then the rate the file's ecosystem assumes, said so. */
static void rates(void)
{
	expect_rate(AIDAX("\"metadata\": {\"samplerate\": \"48000\"}, "), 48000, NULL, __LINE__);
	expect_rate(AIDAX("\"samplerate\": 44100, "), 44100, NULL, __LINE__);
	expect_rate(AIDAX("\"metadata\": {\"samplerate\": \" 96000 \"}, "), 96000, NULL, __LINE__);
	expect_rate(AIDAX(""), 48000,
	            "the file states no sample rate; 48000 Hz assumed, as AIDA-X does", __LINE__);
	expect_rate(AIDAX("\"metadata\": {\"samplerate\": \"fast\"}, "), 48000,
	            "metadata.samplerate \"fast\" is not a rate; 48000 Hz assumed", __LINE__);
	expect_rate(AIDAX("\"samplerate\": -5, "), 48000, "samplerate -5 is not a rate", __LINE__);
	/* AIDA-X looks in metadata first; an unreadable one there does not hide
	 * a good one outside. */
	expect_rate(AIDAX("\"metadata\": {\"samplerate\": null}, \"samplerate\": 32000, "), 32000,
	            NULL, __LINE__);
	expect_rate(GAAM("RNN", ""), 44100, "44100 Hz assumed, as GuitarML's plugins do", __LINE__);
	expect_rate(GAAM("RNN", "\"samplerate\": \"48000\", "), 48000, NULL, __LINE__);
	expect_rate(NAM("LSTM", ", \"sample_rate\": 44100"), 44100, NULL, __LINE__);
	expect_rate(NAM("LSTM", ""), 48000, "48000 Hz assumed, as NAM's plugin does", __LINE__);
}

static void expect_refused(const char *text, const char *fragment, int line)
{
	recur_error err = {{0}};
	recur_model *m = parse(text, &err);
	CHECK(m == NULL, "line %d: accepted, expected \"%s\"", line, fragment);
	CHECK_MSG(err.msg, fragment);
	recur_model_free(m);
}

/* Each refusal says what recur took the file for, the field and what loads. */
static void messages(void)
{
	expect_refused(
	    NAM("WaveNet", ""),
	    "NAM model: architecture: \"WaveNet\" is not supported (recur reads NAM files "
	    "of architecture LSTM",
	    __LINE__);
	expect_refused(NAM_H("LSTM", "2", ""),
	               "NAM model: weights: expected 39 numbers for 1 LSTM layer(s) of 2 units",
	               __LINE__);
	expect_refused(
	    "{\"name\": \"x\", \"layers\": []}",
	    "JSON, but not a model file recur knows: tried recur (\"format\"), AIDA-X / "
	    "RTNeural (\"in_shape\"), Automated-GuitarAmpModelling (\"model_data\") and NAM "
	    "(\"architecture\")",
	    __LINE__);
	expect_refused(
	    "{\"in_shape\": [null, null, 1], \"layers\": [" LSTM1 ", " DENSE ", " DENSE ", " DENSE
	    ", " DENSE "]}",
	    "AIDA-X / RTNeural model: layers[4]: more than 3 dense layers (recur reads lstm "
	    "or gru layers, then 1 to 3 dense layers)",
	    __LINE__);
	expect_refused("{\"in_shape\": [null, null, 1], \"layers\": [" LSTM1 ", {\"type\": "
	               "\"conv1d\", \"shape\": [null, null, 1]}, " DENSE "]}",
	               "layers[1].type: \"conv1d\" is not supported here (recur reads lstm or gru "
	               "layers, then 1 to 3 dense layers)",
	               __LINE__);
	expect_refused(GAAM("TCN", ""), "Automated-GuitarAmpModelling model: model_data.unit_type",
	               __LINE__);
	/* A loudness no capture has: its gain would not fit a float (found by
	 * fuzzing: the model loaded with an infinite output gain). */
	expect_refused(NAM("LSTM", ", \"metadata\": {\"loudness\": -3045}"),
	               "NAM model: metadata.loudness: -3045 dB would need an output gain of +3027 "
	               "dB (NAM plays every model at -18 dB; at most 200 dB either way)",
	               __LINE__);
	expect_refused(NAM("LSTM", ", \"metadata\": {\"loudness\": 500}"),
	               "metadata.loudness: 500 dB would need an output gain of -518 dB", __LINE__);
	recur_error err = {{0}};
	recur_model *m = parse(NAM("LSTM", ", \"metadata\": {\"loudness\": -218}"), &err);
	CHECK(m && m->out_gain == (float)pow(10.0, 10.0), "loudness -218 dB (+200 dB): %s",
	      m ? "wrong gain" : err.msg);
	recur_model_free(m);
}

/* AIDA-X's test data is run as AIDA-X runs it, reported, and not kept as
 * metadata; a file that disagrees with it still loads, with the figure. */
static void self_test(void)
{
	/* One LSTM unit whose weights are all 0: h stays 0 and the dense layer
	 * gives its bias, 0; with in_skip the output is the input. */
	recur_error err = {{0}};
	recur_model *m = parse(AIDAX("\"in_skip\": 1, \"input_batch\": [0.5, -0.25, 1], "
	                             "\"output_batch\": [0.5, -0.25, 1], "),
	                       &err);
	double d = -1;
	size_t frames = 0;
	CHECK(m && recur_model_file_check(m, &d, &frames) && frames == 3 && d == 0,
	      "agreeing test data: %s frames %zu diff %g", err.msg, frames, d);
	CHECK(m && m->check && m->check->frames == 3, "the test data becomes the check block");
	CHECK(m && !has(m, "\"input_batch\":") && !has(m, "\"output_batch\":"),
	      "batches not in metadata: %s", m ? m->metadata_json : "");
	recur_model_free(m);

	m = parse(AIDAX("\"in_skip\": 1, \"input_batch\": [0.5, -0.25], \"output_batch\": [0.5, "
	                "0.75], "),
	          &err);
	CHECK(m && recur_model_file_check(m, &d, &frames) && fabs(d - 1.0) < 1e-7,
	      "disagreeing test data loads and reports 1: %s diff %g", err.msg, d);
	recur_model_free(m);

	/* Levels are not part of AIDA-X's test; the check block then holds the
	 * output with them. */
	m = parse(
	    AIDAX("\"in_skip\": 1, \"in_gain\": 6, \"out_gain\": -90, \"input_batch\": [0.5], "
	          "\"output_batch\": [0.5], "),
	    &err);
	CHECK(m && recur_model_file_check(m, &d, &frames) && d == 0, "levels left out: %s %g",
	      err.msg, d);
	CHECK(m && m->check && m->check->output[0] == 0.0f, "check block with out_gain -90 dB: 0");
	recur_model_free(m);

	expect_refused(AIDAX("\"input_batch\": [0.5, 1], \"output_batch\": [0.5], "),
	               "output_batch: 1 samples for 2 inputs", __LINE__);
}

/* The plugin's knobs start in the middle of a conditioning input's range;
 * imported models default there too, so every tool runs them alike. */
static void condition_default(void)
{
	recur_error err = {{0}};
	recur_model *m = parse(
	    "{\"in_shape\": [null, null, 2], \"layers\": [{\"type\": \"lstm\", \"shape\": [null, "
	    "null, 1], \"weights\": [[[0, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0]], [0, 0, 0, "
	    "0]]}, " DENSE "]}",
	    &err);
	CHECK(m && m->inputs[1].def == 0.5f, "conditioning default %g: %s",
	      m ? m->inputs[1].def : -1, err.msg);
	recur_model_free(m);
}

/* RTNeural also writes an activation as a layer of its own after a dense
 * layer without one; it applies to that dense layer. */
static void activation_layer(void)
{
	recur_error err = {{0}};
	recur_model *m = parse("{\"in_shape\": [null, null, 1], \"layers\": [" LSTM1 ", " DENSE
	                       ", {\"type\": \"activation\", \"activation\": \"tanh\", \"shape\": "
	                       "[null, null, 1], \"weights\": []}]}",
	                       &err);
	CHECK(m && m->shape.out_act == RECUR_ACT_TANH && m->inner.n == 0,
	      "dense, then activation tanh: %s", err.msg);
	recur_model_free(m);
	expect_refused("{\"in_shape\": [null, null, 1], \"layers\": [" LSTM1
	               ", {\"type\": \"activation\", \"activation\": \"tanh\"}, " DENSE "]}",
	               "layers[1].type: \"activation\" is not supported here", __LINE__);
}

int main(void)
{
	metadata_case();
	rates();
	messages();
	self_test();
	condition_default();
	activation_layer();
	return check_exit();
}
