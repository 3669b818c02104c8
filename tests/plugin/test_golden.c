/*
 * The plugin, loaded by URI through lilv, reproduces the golden outputs the
 * engine computed offline (gen_data.c) for RNN, GRU, LSTM and a conditioned
 * model, at gains 0 dB, mix 1, enabled, whatever the split into blocks.
 */
#include "common.h"
#include "recur_audio_ports.h"

static float out[8192];

/* Loads the model afresh (a swapped-in model starts from a reset state) and
 * runs the whole input in blocks of `block` frames (0: random sizes). */
static void run_split(test_host *h, const char *model, const float *in, uint32_t n, uint32_t block)
{
	load_model(h, data_path(model));
	if (block) {
		host_process(h, in, out, n, block);
		return;
	}
	srand(1234);
	for (uint32_t done = 0; done < n;) {
		uint32_t b = 1 + (uint32_t)rand() % 700;
		if (b > n - done)
			b = n - done;
		host_run(h, in + done, out + done, b);
		host_service_worker(h);
		done += b;
	}
}

static void check_model(test_host *h, const char *name, const float *in, uint32_t n,
                        float expect_status)
{
	char model[64], golden_name[64], what[128];
	snprintf(model, sizeof model, "%s.json", name);
	snprintf(golden_name, sizeof golden_name, "%s.golden.f32", name);
	uint32_t gn = 0;
	float *golden = load_f32(golden_name, &gn);
	CHECK(gn == n, "%s: golden has %u frames, input %u", name, gn, n);

	static const uint32_t blocks[] = {4800, 1, 7, 64, 4096, 0};
	static float whole[8192];
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		run_split(h, model, in, n, blocks[b]);
		snprintf(what, sizeof what, "%s, blocks of %u (0 = random)", name, blocks[b]);
		CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "%s: differs from golden by %g", what,
		      max_diff(out, golden, n));
		if (b == 0)
			memcpy(whole, out, n * sizeof *out);
		else
			CHECK(max_diff(out, whole, n) <= GOLDEN_TOL,
			      "%s: differs from one block by %g", what, max_diff(out, whole, n));
	}
	CHECK(host_get(h, "status") == expect_status, "%s: status %g, expected %g", name,
	      host_get(h, "status"), expect_status);
	CHECK(strstr(h->notified_path, model) != NULL, "%s: notify said \"%s\"", name,
	      h->notified_path);
	free(golden);
}

/* The C enum and the Turtle agree on every port. */
static void check_port_indices(const test_host *h)
{
	static const char *const symbols[] = RECUR_AUDIO_PORT_SYMBOLS;
	CHECK(sizeof symbols / sizeof symbols[0] == PORT_COUNT, "symbol table size");
	CHECK(lilv_plugin_get_num_ports(h->plugin) == PORT_COUNT, "%u ports in recur.ttl, %d in C",
	      lilv_plugin_get_num_ports(h->plugin), (int)PORT_COUNT);
	for (uint32_t i = 0; i < PORT_COUNT; i++) {
		LilvNode *sym = lilv_new_string(h->world, symbols[i]);
		const LilvPort *port = lilv_plugin_get_port_by_symbol(h->plugin, sym);
		lilv_node_free(sym);
		CHECK(port && lilv_port_get_index(h->plugin, port) == i,
		      "port %s is not at index %u in recur.ttl", symbols[i], i);
	}
}

int main(void)
{
	uint32_t n = 0;
	float *in = load_f32("input.f32", &n);
	test_host h;
	if (!host_open(&h, PLUGIN_URI, RATE))
		return 1;
	check_port_indices(&h);
	CHECK(host_get(&h, "status") == 0.0f, "status before any model: %g",
	      host_get(&h, "status"));

	check_model(&h, "gru", in, n, 1.0f);
	check_model(&h, "lstm", in, n, 1.0f);
	check_model(&h, "cond", in, n, 1.0f);
	/* Trained at 44.1 kHz, run at 48 kHz: converted (status 2). The golden
	 * output is the model run as if trained at 48 kHz, which the plugin does
	 * when told to (tests/rate compares the converted output itself). */
	setenv("RECUR_RATE_METHOD", "naive", 1);
	check_model(&h, "rnn", in, n, 2.0f);
	unsetenv("RECUR_RATE_METHOD");

	/* The conditioning knobs, off their default, map onto the model's ranges. */
	uint32_t gn = 0;
	float *golden = load_f32("cond_knobs.golden.f32", &gn);
	host_set(&h, "cond1", 0.25f);
	host_set(&h, "cond2", 1.0f);
	run_split(&h, "cond.json", in, n, 256);
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "cond with knobs: differs by %g",
	      max_diff(out, golden, n));
	/* An unused knob does nothing. */
	host_set(&h, "cond3", 0.9f);
	run_split(&h, "cond.json", in, n, 256);
	CHECK(max_diff(out, golden, n) <= GOLDEN_TOL, "cond3 changed the output by %g",
	      max_diff(out, golden, n));
	free(golden);

	/* patch:Get is answered with the current path. */
	int before = h.notifications;
	h.notified_path[0] = '\0';
	host_send_get(&h);
	host_run(&h, NULL, NULL, 0);
	CHECK(h.notifications == before + 1, "patch:Get unanswered");
	CHECK(strstr(h.notified_path, "cond.json") != NULL, "patch:Get answered \"%s\"",
	      h.notified_path);

	host_close(&h);
	host_close_world(&h);
	free(in);
	return check_exit();
}
