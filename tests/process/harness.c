/* Shared by the recur-process tests: see harness.h. */
#define _XOPEN_SOURCE 700
#include "harness.h"

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char scratch_dir[256];

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_scratch(void)
{
	if (scratch_dir[0])
		nftw(scratch_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void make_scratch_dir(void)
{
	if (!scratch_dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(scratch_dir, sizeof scratch_dir, "%s/recur-process-test-XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch_dir)) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(remove_scratch);
	}
}

const char *scratch(const char *name)
{
	static char paths[256][512]; /* every path stays valid until exit */
	static int next;
	make_scratch_dir();
	if (next == 256) {
		fprintf(stderr, "scratch: more than 256 paths\n");
		exit(1);
	}
	char *p = paths[next++];
	snprintf(p, 512, "%s/%s", scratch_dir, name);
	return p;
}

static void slurp_fd(int fd, char *buf, size_t len)
{
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

static int capture_file(const char *what)
{
	char path[600];
	make_scratch_dir();
	snprintf(path, sizeof path, "%s/%s", scratch_dir, what);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	unlink(path);
	return fd;
}

void tool_run(tool_result *r, const char *exe, const char *const *args)
{
	const char *argv[64] = {exe};
	int n = 1;
	while (args[n - 1] && n < 63) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	int out = capture_file(".stdout"), err = capture_file(".stderr");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		execv(exe, (char *const *)argv);
		perror(exe);
		_exit(127);
	}
	int ws = 0;
	waitpid(pid, &ws, 0);
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	slurp_fd(out, r->out, sizeof r->out);
	slurp_fd(err, r->err, sizeof r->err);
}

bool write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

bool write_wav(const char *path, const float *x, size_t frames, int channels, int rate, int format)
{
	SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	if (!f)
		return false;
	bool ok = sf_writef_float(f, x, (sf_count_t)frames) == (sf_count_t)frames;
	return sf_close(f) == 0 && ok;
}

float *read_audio(const char *path, size_t *frames, int *channels, int *rate, int *format)
{
	SF_INFO info = {0};
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	float *x = malloc((size_t)(info.frames + 1) * (size_t)info.channels * sizeof(float));
	if (x && sf_readf_float(f, x, info.frames) != info.frames) {
		free(x);
		x = NULL;
	}
	sf_close(f);
	*frames = (size_t)info.frames;
	*channels = info.channels;
	*rate = info.samplerate;
	*format = info.format;
	return x;
}

int ref_gates(recur_cell cell)
{
	return cell == RECUR_CELL_GRU ? 3 : cell == RECUR_CELL_LSTM ? 4 : 1;
}

/* Multiples of 1/256 in (-0.6, 0.6): exact in float, varied enough that a
 * transposed or shifted weight changes the output. */
static double weight(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (double)((int)((*state >> 16) % 301u) - 150) / 256.0;
}

void ref_fill(ref_net *n, unsigned seed)
{
	int rows = ref_gates(n->cell) * n->hidden;
	for (int r = 0; r < rows; r++) {
		for (int j = 0; j < n->n_in; j++)
			n->w_ih[r][j] = 2 * weight(&seed);
		for (int j = 0; j < n->hidden; j++)
			n->w_hh[r][j] = weight(&seed);
		n->b_ih[r] = weight(&seed) / 2;
		n->b_hh[r] = weight(&seed) / 2;
	}
	for (int o = 0; o < n->n_out; o++) {
		for (int j = 0; j < n->hidden; j++)
			n->w_out[o][j] = 2 * weight(&seed);
		n->b_out[o] = weight(&seed) / 4;
	}
}

static double sigmoid(double v)
{
	return 1 / (1 + exp(-v));
}

/* Row r's pre-activation parts: input side and recurrent side. */
static void pre(const ref_net *n, const ref_state *s, const double *x, int r, double *ix,
                double *hh)
{
	*ix = n->b_ih[r];
	*hh = n->b_hh[r];
	for (int j = 0; j < n->n_in; j++)
		*ix += n->w_ih[r][j] * x[j];
	for (int j = 0; j < n->hidden; j++)
		*hh += n->w_hh[r][j] * s->h[j];
}

void ref_step(const ref_net *n, ref_state *s, const double *x, double *y)
{
	int H = n->hidden;
	double h[NET_MAX_HIDDEN], c[NET_MAX_HIDDEN];
	for (int u = 0; u < H; u++) {
		double ix[4], hh[4];
		for (int g = 0; g < ref_gates(n->cell); g++)
			pre(n, s, x, g * H + u, &ix[g], &hh[g]);
		if (n->cell == RECUR_CELL_RNN) {
			h[u] = tanh(ix[0] + hh[0]);
		} else if (n->cell == RECUR_CELL_GRU) {
			double r = sigmoid(ix[0] + hh[0]), z = sigmoid(ix[1] + hh[1]);
			double nn = tanh(ix[2] + r * hh[2]);
			h[u] = (1 - z) * nn + z * s->h[u];
		} else {
			double i = sigmoid(ix[0] + hh[0]), f = sigmoid(ix[1] + hh[1]);
			double g = tanh(ix[2] + hh[2]), o = sigmoid(ix[3] + hh[3]);
			c[u] = f * s->c[u] + i * g;
			h[u] = o * tanh(c[u]);
		}
	}
	for (int u = 0; u < H; u++) {
		s->h[u] = h[u];
		if (n->cell == RECUR_CELL_LSTM)
			s->c[u] = c[u];
	}
	for (int o = 0; o < n->n_out; o++) {
		y[o] = n->b_out[o] + (n->skip && o == 0 ? x[0] : 0);
		for (int j = 0; j < H; j++)
			y[o] += n->w_out[o][j] * s->h[j];
	}
}

static void set_params(const ref_net *n, recur_model *m)
{
	recur_layer *L = &m->layer[0];
	for (int r = 0; r < L->rows; r++) {
		for (int j = 0; j < n->n_in; j++)
			L->w_x[j * L->rows_p + r] = (float)n->w_ih[r][j];
		for (int j = 0; j < n->hidden; j++)
			L->w_h[j * L->rows_p + r] = (float)n->w_hh[r][j];
		L->b_x[r] = (float)n->b_ih[r];
		L->b_h[r] = (float)n->b_hh[r];
	}
	for (int o = 0; o < n->n_out; o++) {
		for (int j = 0; j < n->hidden; j++)
			m->w_out[o * m->hidden_p + j] = (float)n->w_out[o][j];
		m->b_out[o] = (float)n->b_out[o];
	}
}

bool ref_save(const ref_net *n, const char *const *in_names, const char *const *out_names,
              double rate, const char *path)
{
	recur_shape shape = {n->cell, n->n_in, n->n_out, n->hidden, 1, n->skip, RECUR_ACT_LINEAR};
	recur_error err = {{0}};
	recur_model *m = recur_model_new(&shape, &err);
	if (!m) {
		fprintf(stderr, "recur_model_new: %s\n", err.msg);
		return false;
	}
	set_params(n, m);
	m->sample_rate = rate;
	for (int i = 0; i < n->n_in; i++) {
		snprintf(m->inputs[i].name, RECUR_NAME_LEN, "%s", in_names[i]);
		m->inputs[i].min = -1;
		m->inputs[i].max = 1;
		m->inputs[i].def = i ? 0.25f : 0;
	}
	for (int o = 0; o < n->n_out; o++)
		snprintf(m->outputs[o].name, RECUR_NAME_LEN, "%s", out_names[o]);
	bool ok = recur_model_save(m, path, &err);
	if (!ok)
		fprintf(stderr, "recur_model_save %s: %s\n", path, err.msg);
	recur_model_free(m);
	return ok;
}
