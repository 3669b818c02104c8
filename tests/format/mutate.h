/*
 * Refusal tests of the model reader, shared by the format tests: each case
 * starts from a valid printed model (base_text, set by the test's main),
 * breaks one thing in its JSON tree and expects the reader to refuse it with
 * a message holding a given fragment.
 */
#ifndef RECUR_TEST_MUTATE_H
#define RECUR_TEST_MUTATE_H

#include "check.h"
#include "recur.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

static char *base_text;

/* Parses len bytes of text (SIZE_MAX: up to its NUL) and expects a refusal
 * whose message holds fragment; line is the caller's, for the report. */
static void expect_text_fails(const char *text, size_t len, const char *fragment, int line)
{
	recur_error err = {{0}};
	if (len == SIZE_MAX)
		len = strlen(text);
	recur_model *m = recur_model_parse(text, len, &err);
	CHECK(m == NULL, "line %d: accepted, expected \"%s\"", line, fragment);
	CHECK_MSG(err.msg, fragment);
	recur_model_free(m);
}

/* Prints the mutated tree (and frees it) and expects the parse to fail with
 * fragment. */
static void expect_fails(cJSON *root, const char *fragment, int line)
{
	char *text = cJSON_PrintUnformatted(root);
	expect_text_fails(text, strlen(text), fragment, line);
	cJSON_free(text);
	cJSON_Delete(root);
}

#define EXPECT_FAILS(root, fragment) expect_fails((root), (fragment), __LINE__)

/* A fresh tree of the valid model. */
static cJSON *base(void)
{
	return cJSON_Parse(base_text);
}

static cJSON *at(cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

#endif
