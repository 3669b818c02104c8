/*
 * The CV plugin, loaded by URI through lilv, against a float64 numpy
 * reference (cv_reference.py): a 3-in 4-out softmax GRU per sample, a 2-in
 * sigmoid LSTM at its own rate of 700 steps per second (48000 / 700 is not a
 * whole number of samples), a 4-in 2-out RNN and an 8-in 8-out RNN (every CV
 * port) at 1000, each with hold and interpolation, whatever the split into
 * blocks. Also: the ports agree with
 * the Turtle, unused outputs are 0, softmax outputs sum to 1, the gate, the
 * status and step rate, the port mapping logged on load, refusal of a model
 * with too many outputs while the previous one keeps running, and bypass.
 *
 * Arguments: PYTHON3_WITH_NUMPY ENGINE_TESTS_DIR SCRIPT
 */
#include "cv_test.h"

#include "recur.h"

#include <unistd.h>

/* float32 engine against a float64 reference. */
#define REF_TOL 2e-5

static char dir[] = "/tmp/recur-cv-golden-XXXXXX";
static float got[8192 * CV_TRACKS];

static const char *in_dir(const char *name)
{
	static char buf[4][1200];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void check_port_indices(const test_host *h)
{
	static const char *const symbols[] = RECUR_CV_PORT_SYMBOLS;
	CHECK(sizeof symbols / sizeof symbols[0] == CV_PORT_COUNT, "symbol table size");
	CHECK(lilv_plugin_get_num_ports(h->plugin) == CV_PORT_COUNT,
	      "%u ports in recur_cv.ttl, %d in C", lilv_plugin_get_num_ports(h->plugin),
	      (int)CV_PORT_COUNT);
	for (uint32_t i = 0; i < CV_PORT_COUNT; i++) {
		LilvNode *sym = lilv_new_string(h->world, symbols[i]);
		const LilvPort *port = lilv_plugin_get_port_by_symbol(h->plugin, sym);
		lilv_node_free(sym);
		CHECK(port && lilv_port_get_index(h->plugin, port) == i,
		      "port %s is not at index %u in recur_cv.ttl", symbols[i], i);
	}
}

static void check_case(test_host *h, const char *name, const char *model, int interpolate,
                       const float *x, uint32_t n)
{
	char file[128];
	snprintf(file, sizeof file, "%s.f32", name);
	uint32_t count = 0;
	float *want = host_read_f32(in_dir(file), &count);
	CHECK(want && count == n * CV_TRACKS, "%s: reference has %u values", name, count);
	if (!want || count != n * CV_TRACKS)
		return;
	host_set(h, "interpolate", (float)interpolate);
	static const uint32_t blocks[] = {1, 7, 64, 4096, 0};
	for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
		cv_load(h, in_dir(model)); /* a swapped-in model starts from a reset state */
		cv_run(h, x, got, n, blocks[b]);
		double d = cv_max_diff(got, want, (size_t)n * CV_TRACKS);
		CHECK(d <= REF_TOL, "%s, blocks of %u (0 = random): differs from numpy by %g", name,
		      blocks[b], d);
	}
	free(want);
}

static void check_softmax_sums(uint32_t n)
{
	double worst = 0;
	for (uint32_t t = 0; t < n; t++) {
		double sum = 0;
		for (int c = 0; c < CV_CHANNELS; c++)
			sum += got[(size_t)t * CV_TRACKS + c];
		worst = fmax(worst, fabs(sum - 1.0));
	}
	CHECK(worst < 1e-5, "softmax outputs do not sum to 1 (off by %g)", worst);
}

/* A 9-output model cannot be carried by 8 CV outputs: refused, logged, and
 * the running model goes on undisturbed. */
static void check_refusal(test_host *h, const float *x, uint32_t n)
{
	recur_shape shape = {RECUR_CELL_GRU, 2, CV_CHANNELS + 1, 4, 1, false, RECUR_ACT_LINEAR};
	recur_error err;
	recur_model *wide = recur_model_new(&shape, &err);
	CHECK(wide && recur_model_save(wide, in_dir("wide.json"), &err), "cannot write wide.json");
	recur_model_free(wide);

	uint32_t count = 0;
	float *want = host_read_f32(in_dir("quad_hold.f32"), &count);
	host_set(h, "interpolate", 0.0f);
	cv_load(h, in_dir("quad.json"));
	uint32_t half = n / 2;
	cv_run(h, x, got, half, 256);
	int errors = h->log_errors;
	host_send_model(h, in_dir("wide.json"));
	cv_run(h, x + (size_t)half * CV_CHANNELS, got + (size_t)half * CV_TRACKS, n - half, 256);
	CHECK(h->log_errors == errors + 1, "refusal not logged as an error");
	CHECK(strstr(h->last_log, "9 outputs") && strstr(h->last_log, "8 CV outputs"),
	      "refusal message does not say why: %s", h->last_log);
	CHECK(host_get(h, "status") == CV_STATUS_LOAD_FAILED, "status %g after a refusal",
	      host_get(h, "status"));
	CHECK(want && cv_max_diff(got, want, (size_t)n * CV_TRACKS) <= REF_TOL,
	      "the previous model did not keep running through a refusal");
	free(want);
}

static void check_bypass(test_host *h, const float *x, uint32_t n)
{
	host_set(h, "enabled", 0.0f);
	cv_run(h, x, got, n, 512);
	bool through = true;
	for (uint32_t t = 0; t < n; t++) {
		for (int c = 0; c < CV_CHANNELS; c++)
			through &= got[(size_t)t * CV_TRACKS + c] == x[(size_t)t * CV_CHANNELS + c];
		through &= got[(size_t)t * CV_TRACKS + CV_CHANNELS] == 0.0f;
	}
	CHECK(through, "bypassed: out1..8 are not in1..8 with the gate closed");
	host_set(h, "enabled", 1.0f);
}

static int make_reference(char **argv)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' '%s'", argv[1], argv[3], argv[2], dir);
	return system(cmd);
}

int main(int argc, char **argv)
{
	check_skip_under_wrapper("it runs the built aarch64 programs as child processes");
	if (argc != 4) {
		fprintf(stderr, "usage: %s PYTHON3 ENGINE_TESTS_DIR cv_reference.py\n", argv[0]);
		return 1;
	}
	if (!argv[1][0]) {
		printf("no python3 with numpy: skipped\n");
		return 77;
	}
	if (!mkdtemp(dir) || make_reference(argv) != 0) {
		fprintf(stderr, "cannot make the numpy reference in %s\n", dir);
		return 1;
	}
	uint32_t count = 0;
	float *x = host_read_f32(in_dir("input.f32"), &count);
	CHECK(x != NULL, "no input.f32");
	if (!x)
		return check_exit();
	uint32_t n = count / CV_CHANNELS;

	test_host h;
	if (!cv_open(&h, CV_RATE))
		return 1;
	check_port_indices(&h);
	CHECK(host_get(&h, "status") == CV_STATUS_EMPTY, "status before any model");

	check_case(&h, "mio_hold", "mio.json", 0, x, n);
	CHECK(strstr(h.last_log, "in1 = pressure") && strstr(h.last_log, "out4 = leak"),
	      "load did not log the port mapping: %s", h.last_log);
	CHECK(host_get(&h, "status") == CV_STATUS_PER_SAMPLE, "mio status %g",
	      host_get(&h, "status"));
	CHECK(host_get(&h, "step_rate") == 48000.0f, "mio step rate %g", host_get(&h, "step_rate"));
	check_softmax_sums(n);
	check_case(&h, "mio_interp", "mio.json", 1, x, n);
	check_case(&h, "slow_hold", "slow.json", 0, x, n);
	check_case(&h, "slow_interp", "slow.json", 1, x, n);
	CHECK(host_get(&h, "status") == CV_STATUS_OWN_RATE, "slow status %g",
	      host_get(&h, "status"));
	CHECK(fabsf(host_get(&h, "step_rate") - 700.0f) < 1e-3f, "slow step rate %g",
	      host_get(&h, "step_rate"));
	check_case(&h, "quad_hold", "quad.json", 0, x, n);
	check_case(&h, "quad_interp", "quad.json", 1, x, n);
	check_case(&h, "octo_hold", "octo.json", 0, x, n);
	CHECK(strstr(h.last_log, "in8 = i8") && strstr(h.last_log, "out8 = o8"),
	      "load of an 8 x 8 model did not log in8 and out8: %s", h.last_log);
	check_case(&h, "octo_interp", "octo.json", 1, x, n);
	check_refusal(&h, x, n);
	check_bypass(&h, x, n);

	host_close(&h);
	host_close_world(&h);
	free(x);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_exit();
}
