/* Malformed, out-of-limit and non-finite model files are refused with a
 * message naming the field, and unusable paths with the reason. Each case
 * starts from a valid printed model and breaks one thing. */
#include "mutate.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static cJSON *layer(cJSON *root, int l, const char *key)
{
	return at(cJSON_GetArrayItem(at(root, "layers"), l), key);
}

static void set_number(cJSON *root, const char *key, double v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(root, key, cJSON_CreateNumber(v));
}

static void set_string(cJSON *root, const char *key, const char *v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(root, key, cJSON_CreateString(v));
}

static void fields(void)
{
	cJSON *r = base();
	set_number(r, "hidden", 1e9);
	EXPECT_FAILS(r, "hidden: 1000000000 is out of range (1..128)");

	r = base();
	cJSON_DeleteItemFromObject(r, "hidden");
	EXPECT_FAILS(r, "missing field \"hidden\"");

	r = base();
	set_string(r, "hidden", "16");
	EXPECT_FAILS(r, "hidden: expected an integer, found a string");

	r = base();
	set_number(r, "hidden", 2.5);
	EXPECT_FAILS(r, "hidden: expected an integer, found 2.5");

	r = base();
	set_number(r, "n_layers", 0);
	EXPECT_FAILS(r, "n_layers: 0 is out of range (1..4)");

	r = base();
	set_string(r, "cell", "foo");
	EXPECT_FAILS(r, "cell: unknown cell type \"foo\" (rnn, gru, lstm)");

	r = base();
	set_string(r, "output_activation", "relu");
	EXPECT_FAILS(r, "output_activation: \"relu\" needs format version 2");

	r = base();
	set_string(r, "output_activation", "gelu");
	EXPECT_FAILS(r, "output_activation: unknown activation \"gelu\"");

	r = base();
	set_number(r, "version", 3);
	EXPECT_FAILS(r, "version: 3 is not supported (this build reads versions 1 to 2)");

	r = base();
	set_string(r, "format", "keras");
	EXPECT_FAILS(r, "format: \"keras\" is not \"recur-model\"");

	r = base();
	cJSON_ReplaceItemInObjectCaseSensitive(r, "skip", cJSON_CreateNumber(1));
	EXPECT_FAILS(r, "skip: expected true or false, found a number");

	r = base();
	cJSON_AddNumberToObject(r, "hidden", 4);
	EXPECT_FAILS(r, "hidden: given more than once");

	r = base();
	cJSON_AddNumberToObject(r, "hiden", 4);
	EXPECT_FAILS(r, "hiden: unknown field");

	r = base();
	set_number(r, "sample_rate", -1);
	EXPECT_FAILS(r, "sample_rate: -1 is out of range");

	r = base();
	cJSON_ReplaceItemInObjectCaseSensitive(r, "metadata", cJSON_CreateString("x"));
	EXPECT_FAILS(r, "metadata: expected an object");
}

static void ports(void)
{
	cJSON *r = base();
	cJSON_DeleteItemFromArray(at(r, "inputs"), 1);
	EXPECT_FAILS(r, "inputs: expected 2 entries (n_inputs), found 1");

	r = base();
	set_string(cJSON_GetArrayItem(at(r, "outputs"), 0), "name",
	           "a name much too long for any port label");
	EXPECT_FAILS(r, "outputs[0].name: must be 1 to 31 bytes long, found 39");

	r = base();
	set_number(cJSON_GetArrayItem(at(r, "inputs"), 1), "default", 5);
	EXPECT_FAILS(r, "inputs[1]: default 5 is outside [0, 1]");

	r = base();
	set_number(cJSON_GetArrayItem(at(r, "inputs"), 1), "min", 2);
	EXPECT_FAILS(r, "inputs[1]: min 2 is greater than max 1");

	r = base();
	cJSON_DeleteItemFromObject(cJSON_GetArrayItem(at(r, "inputs"), 0), "max");
	EXPECT_FAILS(r, "missing field \"inputs[0].max\"");
}

static void weights(void)
{
	cJSON *r = base();
	cJSON_DeleteItemFromArray(layer(r, 0, "weight_hh"), 5);
	EXPECT_FAILS(r, "layers[0].weight_hh: expected 12 rows, found 11");

	r = base();
	cJSON_DeleteItemFromArray(cJSON_GetArrayItem(layer(r, 1, "weight_ih"), 3), 0);
	EXPECT_FAILS(r, "layers[1].weight_ih[3]: expected 4 values, found 3");

	r = base();
	cJSON_ReplaceItemInArray(layer(r, 1, "bias_ih"), 3, cJSON_CreateRaw("1e999"));
	EXPECT_FAILS(r, "layers[1].bias_ih[3]: not a finite number");

	r = base();
	cJSON_ReplaceItemInArray(layer(r, 0, "bias_hh"), 0, cJSON_CreateRaw("-1e999"));
	EXPECT_FAILS(r, "layers[0].bias_hh[0]: not a finite number");

	r = base(); /* finite as a double, not as a float */
	cJSON_ReplaceItemInArray(cJSON_GetArrayItem(layer(r, 0, "weight_ih"), 2), 1,
	                         cJSON_CreateRaw("1e300"));
	EXPECT_FAILS(r, "layers[0].weight_ih[2][1]: not a finite number");

	r = base();
	cJSON_ReplaceItemInArray(layer(r, 0, "bias_hh"), 2, cJSON_CreateString("NaN"));
	EXPECT_FAILS(r, "layers[0].bias_hh[2]: expected a number, found a string");

	r = base();
	cJSON_DeleteItemFromObject(cJSON_GetArrayItem(at(r, "layers"), 1), "bias_hh");
	EXPECT_FAILS(r, "missing field \"layers[1].bias_hh\"");

	r = base();
	cJSON_DeleteItemFromArray(at(r, "layers"), 1);
	EXPECT_FAILS(r, "layers: expected 2 entries (n_layers), found 1");

	r = base();
	cJSON_ReplaceItemInObjectCaseSensitive(at(r, "head"), "weight", cJSON_CreateNumber(1));
	EXPECT_FAILS(r, "head.weight: expected an array of 3 rows, found a number");
}

static void text(void)
{
	size_t n = strlen(base_text);
	expect_text_fails(base_text, n / 2, "not valid JSON (truncated or malformed near byte",
	                  __LINE__);
	expect_text_fails("", 0, "empty file", __LINE__);
	expect_text_fails(" \n\t ", 4, "empty file", __LINE__);
	expect_text_fails("{\"a\": 1} x", SIZE_MAX, "not valid JSON", __LINE__);
	expect_text_fails("{\"a\"\0: 1}", 9, "a NUL byte at byte 4", __LINE__);
	expect_text_fails("[1, 2]", SIZE_MAX, "expected a JSON object at the top level", __LINE__);
	expect_text_fails("{\"a\": 1}", SIZE_MAX, "not a model file", __LINE__);
	expect_text_fails("{\"in_shape\": [null, null, 1], \"layers\": [{\"type\": \"conv1d\"}, "
	                  "{\"type\": \"dense\"}]}",
	                  SIZE_MAX, "layers[0].type: \"conv1d\" is not supported", __LINE__);
	expect_text_fails("{\"model_data\": {\"unit_type\": \"TCN\"}, \"state_dict\": {}}",
	                  SIZE_MAX, "model_data.unit_type: unknown cell type \"TCN\"", __LINE__);
	/* Millions of tiny values would cost cJSON gigabytes: refused unparsed. */
	size_t values = 4u * 1024 * 1024 + 8;
	char *many = malloc(2 * values + 1);
	many[0] = '[';
	for (size_t i = 0; i < values; i++)
		memcpy(many + 1 + 2 * i, i + 1 < values ? "0," : "0]", 2);
	expect_text_fails(many, 2 * values + 1, "too many JSON values", __LINE__);
	free(many);
	/* Deep nesting must not exhaust the stack. */
	size_t depth = 100000;
	char *deep = malloc(depth);
	memset(deep, '[', depth);
	expect_text_fails(deep, depth, "not valid JSON", __LINE__);
	free(deep);
}

#define LSTM1                                                                                      \
	"{\"type\": \"lstm\", \"shape\": [null, null, 1], \"weights\": [[[0, 0, 0, 0]], [[0, 0, "  \
	"0, 0]], [0, 0, 0, 0]]}"
#define GRU1                                                                                       \
	"{\"type\": \"gru\", \"shape\": [null, null, 1], \"weights\": [[[0, 0, 0]], [[0, 0, 0]], " \
	"[0, 0, 0]]}"
#define DENSE(act)                                                                                 \
	"{\"type\": \"dense\", \"activation\": \"" act                                             \
	"\", \"shape\": [null, null, 1], \"weights\": [[[1]], [0]]}"
#define AIDAX(skip, layers)                                                                        \
	"{\"in_shape\": [null, null, 1], \"in_skip\": " skip ", \"layers\": [" layers "]}"

static void foreign(void)
{
	const char *ok = AIDAX("0", LSTM1 ", " DENSE("tanh"));
	recur_error err = {{0}};
	recur_model *m = recur_model_parse(ok, strlen(ok), &err);
	CHECK(m && m->shape.out_act == RECUR_ACT_TANH, "minimal AIDA-X file: %s", err.msg);
	recur_model_free(m);

	expect_text_fails(AIDAX("1", LSTM1 ", " DENSE("tanh")), SIZE_MAX,
	                  "AIDA-X / RTNeural model: in_skip: only supported with a linear last "
	                  "dense layer",
	                  __LINE__);
	expect_text_fails(AIDAX("0", LSTM1 ", " GRU1 ", " DENSE("")), SIZE_MAX,
	                  "layers[1].type: \"gru\" after \"lstm\"", __LINE__);
	expect_text_fails(AIDAX("0", LSTM1 ", " DENSE("selu")), SIZE_MAX,
	                  "layers[1].activation: \"selu\" is not supported (linear, tanh, sigmoid, "
	                  "relu, elu, softmax on the last layer)",
	                  __LINE__);
	expect_text_fails(AIDAX("0", DENSE("") ", " LSTM1), SIZE_MAX,
	                  "layers[0].type: \"dense\" is not supported here", __LINE__);
	expect_text_fails(
	    AIDAX("0", LSTM1 ", " LSTM1 ", " LSTM1 ", " LSTM1 ", " LSTM1 ", " DENSE("")), SIZE_MAX,
	    "layers: 5 recurrent layers, at most 4", __LINE__);
	/* A reset_after=False GRU keeps one bias row; RTNeural needs two. */
	expect_text_fails(AIDAX("0", GRU1 ", " DENSE("")), SIZE_MAX,
	                  "layers[0].weights[2]: expected 2 rows, found 3", __LINE__);
	expect_text_fails(
	    "{\"out_gain\": \"-3\", \"in_shape\": [null, null, 1], \"layers\": [" LSTM1
	    ", " DENSE("sigmoid") "]}",
	    SIZE_MAX, "out_gain: expected a number, found a string", __LINE__);
	expect_text_fails(AIDAX("2", LSTM1 ", " DENSE("")), SIZE_MAX,
	                  "in_skip: expected 0, 1, true or false", __LINE__);

	const char *gaam = "{\"model_data\": {\"unit_type\": \"GRU\", \"input_size\": 1, "
	                   "\"output_size\": 1, \"hidden_size\": 1, \"num_layers\": 1}, "
	                   "\"state_dict\": {\"rec.weight_ih_l0\": [[0], [0], [0]], "
	                   "\"rec.weight_hh_l0\": [[0], [0], [0]], \"rec.bias_ih_l0\": [0, 0, 0], "
	                   "\"rec.bias_hh_l0\": [0, 0, 0], \"lin.weight\": [[1]]}}";
	expect_text_fails(gaam, SIZE_MAX, "missing field \"state_dict.lin.bias\"", __LINE__);
}

static void expect_load_fails(const char *path, const char *fragment, int line)
{
	recur_error err = {{0}};
	recur_model *m = recur_model_load(path, &err);
	CHECK(m == NULL, "line %d: %s loaded", line, path);
	CHECK_MSG(err.msg, fragment);
	recur_model_free(m);
}

static void files(void)
{
	char dir[] = "/tmp/recur-errors-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	char path[256];
	expect_load_fails(dir, "is a directory", __LINE__);
	snprintf(path, sizeof path, "%s/missing.json", dir);
	expect_load_fails(path, "No such file or directory", __LINE__);

	snprintf(path, sizeof path, "%s/empty.json", dir);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
	expect_load_fails(path, "empty file", __LINE__);

	/* 100 MB without writing 100 MB: a sparse file. The size is refused
	 * before anything is read. */
	snprintf(path, sizeof path, "%s/huge.json", dir);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 100 * 1024 * 1024) == 0, "cannot make a sparse file");
	if (fd >= 0)
		close(fd);
	expect_load_fails(path, "file is 104857600 bytes, more than the limit of 33554432",
	                  __LINE__);
	unlink(path);

	/* Root reads everything, so permissions only refuse for other users. */
	snprintf(path, sizeof path, "%s/locked.json", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(base_text, f);
		fclose(f);
	}
	chmod(path, 0);
	if (geteuid() != 0)
		expect_load_fails(path, "Permission denied", __LINE__);
	unlink(path);
	snprintf(path, sizeof path, "%s/empty.json", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	recur_shape s = {.cell = RECUR_CELL_GRU,
	                 .n_inputs = 2,
	                 .n_outputs = 3,
	                 .hidden = 4,
	                 .layers = 2,
	                 .skip = false,
	                 .out_act = RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&s, &err);
	CHECK(m != NULL, "recur_model_new: %s", err.msg);
	if (!m)
		return check_exit();
	m->metadata_json = strdup("{}");
	base_text = recur_model_print(m, &err);
	CHECK(base_text != NULL, "print: %s", err.msg);
	recur_model *ok = base_text ? recur_model_parse(base_text, strlen(base_text), &err) : NULL;
	CHECK(ok != NULL, "the unbroken model must load: %s", err.msg);
	recur_model_free(ok);
	if (ok) {
		fields();
		ports();
		weights();
		text();
		foreign();
		files();
	}
	free(base_text);
	recur_model_free(m);
	return check_exit();
}
