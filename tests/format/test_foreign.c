/* How the readers of other projects' files treat what those projects write
 * loosely: metadata keys that differ only in case, rates given as strings or
 * not at all, and the messages that name the format a file was read as. */
#include "check.h"
#include "recur.h"

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

int main(void)
{
	metadata_case();
	return check_exit();
}
