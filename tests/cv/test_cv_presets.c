/*
 * The CV plugin's presets in the bundle load their shipped model through the
 * same state machinery as the audio plugin's, set their controls, and run it
 * at its own rate.
 */
#include "cv_test.h"

#include <lv2/presets/presets.h>

#define FRAMES 48000

int main(void)
{
	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;
	static float x[FRAMES * CV_CHANNELS], y[FRAMES * CV_TRACKS];
	for (size_t t = 0; t < FRAMES; t++)
		x[t * CV_CHANNELS + (t / 480) % CV_CHANNELS] = 1.0f; /* one letter per step */

	LilvNode *preset_class = lilv_new_uri(h.world, LV2_PRESETS__Preset);
	LilvNodes *presets = lilv_plugin_get_related(h.plugin, preset_class);
	int count = 0;
	LILV_FOREACH(nodes, i, presets)
	{
		const LilvNode *preset = lilv_nodes_get(presets, i);
		const char *uri = lilv_node_as_uri(preset);
		count++;
		lilv_world_load_resource(h.world, preset);
		LilvState *state = lilv_state_new_from_world(h.world, &h.map, preset);
		CHECK(state != NULL, "preset %s does not load", uri);
		if (!state)
			continue;
		host_set(&h, "interpolate", 0.5f); /* neither: the preset must set it */
		host_restore_state(&h, state, false);
		cv_run(&h, x, y, FRAMES, 256);
		bool interp = strstr(uri, "temperature") != NULL;
		CHECK(host_get(&h, "interpolate") == (interp ? 1.0f : 0.0f),
		      "preset %s: interpolate %g", uri, host_get(&h, "interpolate"));
		CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE, "preset %s: status %g", uri,
		      host_get(&h, "status"));
		CHECK(host_get(&h, "step_rate") == 100.0f, "preset %s: step rate %g", uri,
		      host_get(&h, "step_rate"));
		bool finite = true, moving = false;
		for (size_t t = 0; t < FRAMES; t++) {
			finite &= isfinite(y[t * CV_TRACKS]);
			moving |= y[t * CV_TRACKS] != y[0];
		}
		CHECK(finite && moving, "preset %s: out1 is %s", uri,
		      finite ? "constant" : "not finite");
		lilv_state_free(state);
	}
	lilv_nodes_free(presets);
	lilv_node_free(preset_class);
	CHECK(count == 3, "%d presets for recur-cv in the bundle, expected 3", count);
	host_close(&h);
	host_close_world(&h);
	return check_exit();
}
