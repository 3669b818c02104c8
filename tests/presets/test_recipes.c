/*
 * The shipped models can be traced to their recipes: every training file a
 * model's metadata names (out/preset-data/NAME-in.wav, NAME-out.wav, with
 * the FNV-1a hashes the trainer took of their bytes) is made again by
 * make-preset-data with NAME's line of presets/recipes/data.txt, and must
 * hash the same. A change to the takes, the devices or the WAV writing that
 * would make re-training give other models fails here; so does one to the
 * pairs recipes/hashes.txt pins (the training benchmark's). Bad arguments to
 * make-preset-data are refused with a message.
 *
 * usage: test_recipes MAKE_PRESET_DATA PRESETS_DIR
 */
#include "check.h"
#include "recur.h"

#include <cjson/cJSON.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_PAIRS 32

/* One line of data.txt. */
typedef struct {
	char name[64], device[32], drive[16], seconds[16], seed[16];
} recipe;

static recipe recipes[MAX_PAIRS];
static int n_recipes;
static char scratch[] = "/tmp/recur-recipes-XXXXXX";

/* FNV-1a, 64 bits, over a file's bytes (the trainer's data hash). */
static bool hash_file(const char *path, uint64_t *h)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	*h = 0xcbf29ce484222325ull;
	int c;
	while ((c = getc(f)) != EOF)
		*h = (*h ^ (uint64_t)c) * 0x100000001b3ull;
	bool ok = !ferror(f);
	fclose(f);
	return ok;
}

static void read_recipes(const char *dir)
{
	char path[4096], line[512];
	snprintf(path, sizeof path, "%s/recipes/data.txt", dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	while (f && fgets(line, sizeof line, f) && n_recipes < MAX_PAIRS) {
		recipe *r = &recipes[n_recipes];
		if (line[0] == '#' || sscanf(line, "%63s %31s %15s %15s %15s", r->name, r->device,
		                             r->drive, r->seconds, r->seed) != 5)
			continue;
		n_recipes++;
	}
	if (f)
		fclose(f);
}

static const recipe *find_recipe(const char *name)
{
	for (int i = 0; i < n_recipes; i++)
		if (!strcmp(recipes[i].name, name))
			return &recipes[i];
	return NULL;
}

/* The NAME of ".../NAME-in.wav"; false for any other form. */
static bool pair_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len <= 7 || strcmp(base + len - 7, "-in.wav") || len - 7 >= size)
		return false;
	memcpy(name, base, len - 7);
	name[len - 7] = '\0';
	return true;
}

static uint64_t hex_hash(const cJSON *v)
{
	return cJSON_IsString(v) ? strtoull(v->valuestring, NULL, 16) : 0;
}

/* Makes pair `name` again and compares both hashes with what `model` saw. */
static void check_pair(const char *tool, const char *model, const char *name, uint64_t want_in,
                       uint64_t want_out)
{
	const recipe *r = find_recipe(name);
	CHECK(r != NULL, "%s: no recipe '%s' in presets/recipes/data.txt", model, name);
	if (!r)
		return;
	char in_path[4096], out_path[4096], cmd[9000];
	snprintf(in_path, sizeof in_path, "%s/in.wav", scratch);
	snprintf(out_path, sizeof out_path, "%s/out.wav", scratch);
	snprintf(cmd, sizeof cmd, "'%s' %s %s %s %s '%s' '%s'", tool, r->device, r->drive,
	         r->seconds, r->seed, in_path, out_path);
	int status = system(cmd);
	CHECK(status != -1 && WEXITSTATUS(status) == 0, "%s: make-preset-data failed", cmd);
	uint64_t h_in = 0, h_out = 0;
	CHECK(hash_file(in_path, &h_in) && hash_file(out_path, &h_out), "%s wrote no files", cmd);
	printf("%-20s %-16s input %016" PRIx64 " target %016" PRIx64 "\n", model, name, h_in,
	       h_out);
	CHECK(h_in == want_in, "%s: %s-in.wav hashes %016" PRIx64 ", the model saw %016" PRIx64,
	      model, name, h_in, want_in);
	CHECK(h_out == want_out, "%s: %s-out.wav hashes %016" PRIx64 ", the model saw %016" PRIx64,
	      model, name, h_out, want_out);
	remove(in_path);
	remove(out_path);
}

/* A data entry of a model's metadata: its pair made again. */
static void check_entry(const char *tool, const char *model, const cJSON *entry)
{
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(entry, "input");
	char name[64];
	CHECK(cJSON_IsString(in) && pair_name(in->valuestring, name, sizeof name),
	      "%s: a data file is not out/preset-data/NAME-in.wav", model);
	if (!cJSON_IsString(in) || !pair_name(in->valuestring, name, sizeof name))
		return;
	check_pair(tool, model, name,
	           hex_hash(cJSON_GetObjectItemCaseSensitive(entry, "input_fnv1a64")),
	           hex_hash(cJSON_GetObjectItemCaseSensitive(entry, "target_fnv1a64")));
}

/* recipes/hashes.txt: pairs no shipped model records (the training
 * benchmark's), with the hashes of the data docs/training.md was measured on. */
static int check_pinned(const char *tool, const char *dir)
{
	char path[4096], line[512], name[64], in[32], out[32];
	snprintf(path, sizeof path, "%s/recipes/hashes.txt", dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%63s %31s %31s", name, in, out) != 3)
			continue;
		check_pair(tool, "hashes.txt", name, strtoull(in, NULL, 16),
		           strtoull(out, NULL, 16));
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

static void check_model(const char *tool, const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/models/%s.json", dir, name);
	recur_error err;
	recur_model *m = recur_model_load(path, &err);
	CHECK(m != NULL, "%s", err.msg);
	cJSON *meta = m && m->metadata_json ? cJSON_Parse(m->metadata_json) : NULL;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(meta, "data");
	CHECK(cJSON_GetArraySize(data) > 0, "%s: the metadata names no data files", path);
	const cJSON *entry;
	cJSON_ArrayForEach(entry, data) check_entry(tool, name, entry);
	cJSON_Delete(meta);
	recur_model_free(m);
}

/* Bad arguments: exit 2 and a message naming what is wrong. */
static void check_bad_arguments(const char *tool)
{
	static const struct {
		const char *args, *fragment;
	} cases[] = {
	    {"wah 0 1 1", "unknown device 'wah'"}, {"tube 1.5 1 1", "DRIVE '1.5'"},
	    {"tube x 1 1", "DRIVE 'x'"},           {"diode 0 0 1", "SECONDS '0'"},
	    {"diode 0 1 -3", "SEED '-3'"},
	};
	char err_path[4096], cmd[9000], text[1024];
	snprintf(err_path, sizeof err_path, "%s/stderr.txt", scratch);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(cmd, sizeof cmd, "'%s' %s '%s/a.wav' '%s/b.wav' 2>'%s'", tool,
		         cases[i].args, scratch, scratch, err_path);
		int status = system(cmd);
		CHECK(status != -1 && WEXITSTATUS(status) == 2, "make-preset-data %s: exit %d",
		      cases[i].args, status == -1 ? -1 : WEXITSTATUS(status));
		FILE *f = fopen(err_path, "r");
		size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
		text[n] = '\0';
		if (f)
			fclose(f);
		CHECK_MSG(text, cases[i].fragment);
	}
	remove(err_path);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 3) {
		fprintf(stderr, "usage: test_recipes MAKE_PRESET_DATA PRESETS_DIR\n");
		return 2;
	}
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	read_recipes(argv[2]);
	char list[4096], name[256];
	snprintf(list, sizeof list, "%s/models/shipped.txt", argv[2]);
	FILE *f = fopen(list, "r");
	CHECK(f != NULL, "cannot read %s", list);
	int models = 0;
	while (f && fscanf(f, "%255s", name) == 1) {
		check_model(argv[1], argv[2], name);
		models++;
	}
	if (f)
		fclose(f);
	CHECK(models > 0, "%s names no models", list);
	CHECK(check_pinned(argv[1], argv[2]) > 0, "recipes/hashes.txt pins no pairs");
	check_bad_arguments(argv[1]);
	remove(scratch);
	return check_exit();
}
