/*
 * Every trained preset, loaded the way a host loads it: the plugin found by
 * URI on LV2_PATH, the preset read by lilv (lilv_state_new_from_world) and
 * restored into the running instance, then a held-out take (a seed no
 * training set used) processed in blocks. The output must be finite, not
 * silent, and close to the captured device's own output, computed here from
 * its equations (presets/recipes/devices.c):
 *
 *   ESR(plugin, device) < 1.5 * test ESR recorded in the model + 0.002
 *
 * The recorded test ESR is the trainer's measure on audio it never trained
 * on; the held-out take measured here lands within 1.2 times it, so half as
 * much again plus 0.002 leaves room for a different take while failing a
 * much worse model: each check also plays a deliberately worse one, the
 * same model 20% too quiet (out_gain -1.94 dB, about 0.04 more ESR), and
 * confirms that it and the dry input fall outside the tolerance. The conditioned preset is checked
 * at each drive it was trained on, through its Condition 1 knob, and its output must be outside the
 * tolerance of the device at the farthest other drive.
 *
 * usage: test_trained PRESETS_MODELS_DIR   (with LV2_PATH set)
 */
#include "check.h"
#include "devices.h"
#include "guitar_take.h"
#include "host.h"
#include "recur.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_URI  "https://recur.dev/plugins/recur"
#define RATE        48000
#define FRAMES      (3 * RATE)
#define HELD_OUT    90017u /* guitar_take seed; training used 101..301 */
#define MAX_DRIVES  3
#define MAX_PRESETS 16

/* What a preset captures, and at which drive settings to check it. */
typedef struct {
	const char *name;
	device_kind device;
	int n_drives; /* 0: the device has no drive knob */
	double drives[MAX_DRIVES];
} capture;

static const capture captures[] = {
    {"diode-overdrive", DEVICE_DIODE, 0, {0}},
    {"tube-drive", DEVICE_TUBE, 3, {0.0, 0.5, 1.0}},
    {"fuzz", DEVICE_FUZZ, 0, {0}},
};
#define N_CAPTURES (sizeof captures / sizeof captures[0])

static float input[FRAMES], expected[FRAMES], output[FRAMES];

static double esr(const float *target, const float *y, size_t n)
{
	double err = 0, sig = 0;
	for (size_t i = 0; i < n; i++) {
		double d = (double)target[i] - y[i];
		err += d * d;
		sig += (double)target[i] * target[i];
	}
	return sig > 0 ? err / sig : INFINITY;
}

/* The test ESR the trainer stored in the model's metadata; NAN if absent. */
static double recorded_test_esr(const char *model_path)
{
	recur_error err;
	recur_model *m = recur_model_load(model_path, &err);
	if (!m) {
		fprintf(stderr, "%s\n", err.msg);
		return NAN;
	}
	double v = NAN;
	cJSON *meta = m->metadata_json ? cJSON_Parse(m->metadata_json) : NULL;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(meta, "test_esr");
	if (cJSON_IsNumber(t))
		v = t->valuedouble;
	cJSON_Delete(meta);
	recur_model_free(m);
	return v;
}

static const capture *find_capture(const char *name)
{
	for (size_t i = 0; i < N_CAPTURES; i++)
		if (!strcmp(captures[i].name, name))
			return &captures[i];
	return NULL;
}

static bool restore_preset(test_host *h, const char *name)
{
	char uri[256];
	snprintf(uri, sizeof uri, "%s#preset-%.63s", PLUGIN_URI, name);
	LilvNode *node = lilv_new_uri(h->world, uri);
	lilv_world_load_resource(h->world, node);
	LilvState *state = lilv_state_new_from_world(h->world, &h->map, node);
	lilv_node_free(node);
	CHECK(state != NULL, "preset %s is not on LV2_PATH", uri);
	if (!state)
		return false;
	host_restore_state(h, state, false);
	lilv_state_free(state);
	/* The plugin takes the restored model over in run(). */
	host_run(h, NULL, NULL, 0);
	host_service_worker(h);
	host_run(h, NULL, NULL, 0);
	float status = host_get(h, "status");
	CHECK(status == 1.0f, "preset %s: status %g, its model is not running", name, status);
	return status == 1.0f;
}

/* The held-out take through the plugin, from rest: the reset trigger clears
 * the state at the start of the first block, as the device starts. */
static void play(test_host *h)
{
	host_set(h, "reset", 1.0f);
	host_process(h, input, output, FRAMES, 256);
	host_set(h, "reset", 0.0f);
	host_run(h, NULL, NULL, 0);
}

/* The mutation the tolerance must catch: the model 20% too quiet. */
static void check_worse_model_fails(test_host *h, const capture *c, double drive, double tolerance)
{
	const float gain = host_get(h, "out_gain");
	host_set(h, "out_gain", gain + 20.0f * log10f(0.8f));
	play(h);
	host_set(h, "out_gain", gain);
	double worse = esr(expected, output, FRAMES);
	printf("%-16s drive %.1f  the model 20%% too quiet: ESR %.5f\n", c->name, drive, worse);
	CHECK(worse > tolerance,
	      "%s drive %g: a model 20%% too quiet passes (ESR %g, tolerance %g)", c->name, drive,
	      worse, tolerance);
}

/* One drive setting: the plugin against the device on the held-out take. */
static void check_setting(test_host *h, const capture *c, double drive, double tolerance)
{
	if (c->n_drives)
		host_set(h, "cond1", (float)drive); /* the model's drive range is [0, 1] */
	play(h);
	device_run(c->device, drive, input, expected, FRAMES, RATE);

	double energy = 0;
	bool finite = true;
	for (size_t i = 0; i < FRAMES; i++) {
		finite = finite && isfinite(output[i]);
		energy += (double)output[i] * output[i];
	}
	double dry = esr(expected, input, FRAMES), wet = esr(expected, output, FRAMES);
	printf("%-16s drive %.1f  ESR %.5f (tolerance %.5f; dry input %.3f)\n", c->name, drive, wet,
	       tolerance, dry);
	CHECK(finite, "%s drive %g: non-finite output", c->name, drive);
	CHECK(energy / FRAMES > 1e-6, "%s drive %g: silent output (mean square %g)", c->name, drive,
	      energy / FRAMES);
	CHECK(dry > 2 * tolerance,
	      "%s drive %g: the dry input is within the tolerance, so the "
	      "check proves nothing (dry ESR %g)",
	      c->name, drive, dry);
	CHECK(wet < tolerance, "%s drive %g: ESR %g against the device, tolerance %g", c->name,
	      drive, wet, tolerance);
	if (c->n_drives > 1) {
		/* The knob must matter: the device at the farthest drive sounds
		 * different from what the plugin played at this one. */
		double far = drive < 0.5 * (c->drives[0] + c->drives[c->n_drives - 1])
		                 ? c->drives[c->n_drives - 1]
		                 : c->drives[0];
		device_run(c->device, far, input, expected, FRAMES, RATE);
		double other = esr(expected, output, FRAMES);
		printf("%-16s drive %.1f  against the device at drive %.1f: ESR %.5f\n", c->name,
		       drive, far, other);
		CHECK(other > tolerance,
		      "%s drive %g: as close to drive %g (ESR %g): the knob does nothing", c->name,
		      drive, far, other);
	}
	device_run(c->device, drive, input, expected, FRAMES, RATE);
	check_worse_model_fails(h, c, drive, tolerance);
}

static int read_names(const char *dir, char names[][64])
{
	char path[4096];
	snprintf(path, sizeof path, "%s/shipped.txt", dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	int n = 0;
	char line[256];
	while (f && n < MAX_PRESETS && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			snprintf(names[n++], 64, "%.63s", line);
	}
	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_trained PRESETS_MODELS_DIR\n");
		return 2;
	}
	static char names[MAX_PRESETS][64];
	int n = read_names(argv[1], names);
	CHECK(n >= 3, "presets/models/shipped.txt names %d presets, expected the 3 captures", n);
	CHECK(guitar_take(input, FRAMES, RATE, HELD_OUT), "no memory for the take");

	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	for (int i = 0; i < n; i++) {
		const capture *c = find_capture(names[i]);
		CHECK(c != NULL, "preset %s: this test does not know which device it captures",
		      names[i]);
		char model[4096];
		snprintf(model, sizeof model, "%s/%s.json", argv[1], names[i]);
		double test_esr = recorded_test_esr(model);
		CHECK(isfinite(test_esr), "%s records no test ESR", model);
		if (!c || !isfinite(test_esr) || !restore_preset(&h, names[i]))
			continue;
		double tolerance = 1.5 * test_esr + 0.002;
		if (c->n_drives == 0)
			check_setting(&h, c, 0, tolerance);
		for (int d = 0; d < c->n_drives; d++)
			check_setting(&h, c, c->drives[d], tolerance);
	}
	host_close(&h);
	host_close_world(&h);
	return check_exit();
}
