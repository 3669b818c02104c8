/*
 * Every preset shipped in the bundle loads and makes finite, non-silent
 * output. Skips (77) when the bundle ships none.
 */
#include "common.h"

#include <lv2/presets/presets.h>

static float out[8192];

int main(void)
{
	uint32_t n = 0;
	float *in = load_f32("input.f32", &n);
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
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
		host_restore_state(&h, state, false);
		host_run(&h, NULL, NULL, 0);
		host_service_worker(&h);
		host_process(&h, in, out, n, 256);
		double energy = 0;
		for (uint32_t k = 0; k < n; k++)
			energy += (double)out[k] * out[k];
		CHECK(all_finite_f(out, n) && energy > 1e-6, "preset %s: output energy %g", uri,
		      energy);
		float status = host_get(&h, "status");
		CHECK(status == 1.0f || status == 2.0f, "preset %s: status %g, no model running",
		      uri, status);
		lilv_state_free(state);
	}
	lilv_nodes_free(presets);
	lilv_node_free(preset_class);
	host_close(&h);
	host_close_world(&h);
	free(in);
	if (count == 0) {
		printf("recur.lv2 ships no presets: nothing to check\n");
		return 77;
	}
	return check_exit();
}
