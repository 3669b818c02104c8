/* What version 2 of recur's format added (dense stacks, initial states,
 * gains, the check block) is refused with a message naming the field when it
 * is malformed or out of limits, and refused in a version-1 file; the
 * engine's own limits (recur_model_new_dense, recur_model_set_check) name
 * theirs. Each file case starts from a valid printed model and breaks one
 * thing. */
#include "mutate.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *dense0(cJSON *root)
{
	return cJSON_GetArrayItem(at(root, "dense"), 0);
}

static void replace(cJSON *obj, const char *key, cJSON *v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
}

static void version_gate(void)
{
	const char *added[] = {"dense", "initial_state", "input_gain", "output_gain", "check"};
	for (int k = 0; k < 5; k++) {
		cJSON *r = base();
		replace(r, "version", cJSON_CreateNumber(1));
		char want[96];
		snprintf(want, sizeof want, "%s: not part of format version 1 (version 2 adds it)",
		         added[k]);
		/* Keep only the field under test, so its message is the one given. */
		for (int j = 0; j < 5; j++)
			if (j != k)
				cJSON_DeleteItemFromObjectCaseSensitive(r, added[j]);
		if (k != 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(r, "dense");
			replace(at(r, "head"), "weight", cJSON_Parse("[[1, 2, 3]]"));
		}
		EXPECT_FAILS(r, want);
	}
	cJSON *r = base();
	replace(r, "version", cJSON_CreateNumber(1));
	for (int j = 0; j < 5; j++)
		cJSON_DeleteItemFromObjectCaseSensitive(r, added[j]);
	replace(at(r, "head"), "weight", cJSON_Parse("[[1, 2]]"));
	replace(r, "output_activation", cJSON_CreateString("elu"));
	EXPECT_FAILS(r, "output_activation: \"elu\" needs format version 2");
}

static void dense(void)
{
	cJSON *r = base();
	cJSON *list = at(r, "dense");
	cJSON_AddItemToArray(list, cJSON_Duplicate(dense0(r), true));
	cJSON_AddItemToArray(list, cJSON_Duplicate(dense0(r), true));
	EXPECT_FAILS(r, "dense: 3 layers; 1 to 2 may come before the output layer");

	r = base();
	replace(r, "dense", cJSON_CreateArray());
	EXPECT_FAILS(r, "dense: 0 layers");

	r = base();
	replace(r, "dense", cJSON_CreateObject());
	EXPECT_FAILS(r, "dense: expected an array");

	r = base();
	replace(dense0(r), "width", cJSON_CreateNumber(129));
	EXPECT_FAILS(r, "dense[0].width: 129 is out of range (1..128)");

	r = base();
	replace(dense0(r), "width", cJSON_CreateNumber(0));
	EXPECT_FAILS(r, "dense[0].width: 0 is out of range (1..128)");

	r = base();
	replace(dense0(r), "activation", cJSON_CreateString("softmax"));
	EXPECT_FAILS(r, "dense[0].activation: \"softmax\" is not allowed here (linear, tanh, "
	                "sigmoid, relu, elu; softmax only as output_activation)");

	r = base();
	replace(dense0(r), "activation", cJSON_CreateString("swish"));
	EXPECT_FAILS(r, "dense[0].activation: \"swish\" is not allowed here");

	r = base();
	cJSON_AddNumberToObject(dense0(r), "units", 3);
	EXPECT_FAILS(r, "dense[0].units: unknown field");

	r = base();
	cJSON_DeleteItemFromObjectCaseSensitive(dense0(r), "bias");
	EXPECT_FAILS(r, "missing field \"dense[0].bias\"");

	/* The width says 3: weight has 3 rows of hidden (2) inputs. */
	r = base();
	replace(dense0(r), "weight", cJSON_Parse("[[1, 2], [3, 4]]"));
	EXPECT_FAILS(r, "dense[0].weight: expected 3 rows");

	r = base();
	replace(dense0(r), "weight", cJSON_Parse("[[1, 2], [3, 4], [5, 6, 7]]"));
	EXPECT_FAILS(r, "dense[0].weight[2]");

	/* The output layer reads the dense layer's 3 outputs, not the 2 units. */
	r = base();
	replace(at(r, "head"), "weight", cJSON_Parse("[[1, 2]]"));
	EXPECT_FAILS(r, "head.weight[0]");
}

static void initial_state(void)
{
	cJSON *r = base();
	cJSON_AddItemToArray(at(r, "initial_state"), cJSON_Parse("{\"h\": [0, 0]}"));
	EXPECT_FAILS(r, "initial_state: expected 1 entries (n_layers), found 2");

	r = base();
	cJSON_AddItemToObject(cJSON_GetArrayItem(at(r, "initial_state"), 0), "c",
	                      cJSON_Parse("[0, 0]"));
	EXPECT_FAILS(r, "initial_state[0].c: only LSTM layers have a cell state");

	r = base();
	replace(cJSON_GetArrayItem(at(r, "initial_state"), 0), "h", cJSON_Parse("[0.5]"));
	EXPECT_FAILS(r, "initial_state[0].h: expected 2");

	r = base();
	replace(cJSON_GetArrayItem(at(r, "initial_state"), 0), "h", cJSON_Parse("[0.5, 1e39]"));
	EXPECT_FAILS(r, "initial_state[0].h[1]: not a finite number");

	r = base();
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(at(r, "initial_state"), 0), "h");
	EXPECT_FAILS(r, "missing field \"initial_state[0].h\"");

	/* An LSTM needs both. */
	r = base();
	replace(r, "cell", cJSON_CreateString("lstm"));
	cJSON *layer = cJSON_GetArrayItem(at(r, "layers"), 0);
	const char *keys[] = {"weight_ih", "weight_hh"}, *row[] = {"[0]", "[0, 0]"};
	for (int k = 0; k < 2; k++) {
		cJSON *rows = cJSON_CreateArray();
		for (int i = 0; i < 8; i++)
			cJSON_AddItemToArray(rows, cJSON_Parse(row[k]));
		replace(layer, keys[k], rows);
	}
	replace(layer, "bias_ih", cJSON_Parse("[0, 0, 0, 0, 0, 0, 0, 0]"));
	replace(layer, "bias_hh", cJSON_Parse("[0, 0, 0, 0, 0, 0, 0, 0]"));
	EXPECT_FAILS(r, "missing field \"initial_state[0].c\"");
}

static void gains_and_check(void)
{
	cJSON *r = base();
	replace(r, "input_gain", cJSON_CreateString("6 dB"));
	EXPECT_FAILS(r, "input_gain: expected a number, found a string");

	r = base();
	replace(r, "output_gain", cJSON_CreateNumber(1e39));
	EXPECT_FAILS(r, "output_gain: not a finite number");

	r = base();
	replace(at(r, "check"), "output", cJSON_Parse("[[1]]"));
	EXPECT_FAILS(r, "check.output: 1 frames, check.input has 2");

	r = base();
	replace(at(r, "check"), "input", cJSON_CreateArray());
	EXPECT_FAILS(r, "check.input: 0 frames (1..65536)");

	r = base();
	replace(at(r, "check"), "input", cJSON_Parse("[[1], [2, 3]]"));
	EXPECT_FAILS(r, "check.input[1]");

	r = base();
	replace(at(r, "check"), "input", cJSON_CreateNumber(3));
	EXPECT_FAILS(r, "check.input: expected an array of frames");

	r = base();
	cJSON_DeleteItemFromObjectCaseSensitive(at(r, "check"), "output");
	EXPECT_FAILS(r, "missing field \"check.output\"");

	r = base();
	cJSON_AddNumberToObject(at(r, "check"), "tolerance", 1e-6);
	EXPECT_FAILS(r, "check.tolerance: unknown field");
}

static void refused_inner(recur_inner inner, const char *fragment)
{
	recur_shape s = {
	    .cell = RECUR_CELL_RNN, .n_inputs = 1, .n_outputs = 1, .hidden = 4, .layers = 1};
	recur_error err = {{0}};
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	CHECK(m == NULL, "accepted, expected \"%s\"", fragment);
	CHECK_MSG(err.msg, fragment);
	recur_model_free(m);
}

static void engine_limits(void)
{
	refused_inner((recur_inner){3, {{4, RECUR_ACT_TANH}, {4, RECUR_ACT_TANH}}},
	              "inner.n: 3 is out of range (0..2)");
	refused_inner((recur_inner){-1, {{4, RECUR_ACT_TANH}}},
	              "inner.n: -1 is out of range (0..2)");
	refused_inner((recur_inner){1, {{0, RECUR_ACT_TANH}}},
	              "inner[0].width: 0 is out of range (1..128)");
	refused_inner((recur_inner){2, {{4, RECUR_ACT_TANH}, {129, RECUR_ACT_TANH}}},
	              "inner[1].width: 129 is out of range (1..128)");
	refused_inner((recur_inner){2, {{4, RECUR_ACT_TANH}, {4, RECUR_ACT_SOFTMAX}}},
	              "inner[1].act: softmax is not allowed before the output layer");

	recur_shape s = {
	    .cell = RECUR_CELL_GRU, .n_inputs = 2, .n_outputs = 1, .hidden = 3, .layers = 1};
	recur_error err = {{0}};
	s.out_act = (recur_activation)6;
	CHECK(recur_model_new(&s, &err) == NULL, "out_act 6 accepted");
	CHECK_MSG(err.msg, "out_act: 6 is not one of linear (0), tanh (1), sigmoid (2), softmax "
	                   "(3), relu (4), elu (5)");
	s.out_act = RECUR_ACT_ELU;
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "elu output: %s", err.msg);
	if (!m)
		return;
	float x[4] = {0, 1, 2, NAN}, y[2] = {0, 0};
	CHECK(!recur_model_set_check(m, x, y, 2, &err), "a NaN input accepted");
	CHECK_MSG(err.msg, "check: the input holds a value that is not a finite number");
	x[3] = 3;
	y[1] = INFINITY;
	CHECK(!recur_model_set_check(m, x, y, 2, &err), "an infinite output accepted");
	CHECK_MSG(err.msg, "check: the output holds a value that is not a finite number");
	CHECK(!recur_model_set_check(m, x, y, RECUR_MAX_CHECK_FRAMES + 1, &err),
	      "too many frames accepted");
	CHECK_MSG(err.msg, "check: 65537 frames (at most 65536)");
	CHECK(!recur_model_check(m, &(double){0}, NULL, &err), "checked without a check block");
	CHECK_MSG(err.msg, "check: the model has no check block");
	recur_model_free(m);
}

int main(void)
{
	recur_shape s = {.cell = RECUR_CELL_GRU,
	                 .n_inputs = 1,
	                 .n_outputs = 1,
	                 .hidden = 2,
	                 .layers = 1,
	                 .skip = true,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_inner inner = {1, {{3, RECUR_ACT_TANH}}};
	recur_error err = {{0}};
	recur_model *m = recur_model_new_dense(&s, &inner, &err);
	CHECK(m != NULL, "recur_model_new_dense: %s", err.msg);
	if (!m)
		return check_exit();
	m->init[1] = 0.5f;
	m->in_gain = 2.0f;
	m->out_gain = 0.5f;
	const float x[2] = {0.25f, -0.5f}, y[2] = {0.125f, 0.0f};
	CHECK(recur_model_set_check(m, x, y, 2, &err), "set_check: %s", err.msg);
	base_text = recur_model_print(m, &err);
	CHECK(base_text != NULL, "print: %s", err.msg);
	recur_model *ok = base_text ? recur_model_parse(base_text, strlen(base_text), &err) : NULL;
	CHECK(ok != NULL, "the unbroken model must load: %s", err.msg);
	recur_model_free(ok);
	if (ok) {
		version_gate();
		dense();
		initial_state();
		gains_and_check();
	}
	engine_limits();
	free(base_text);
	recur_model_free(m);
	return check_exit();
}
