/*
 * Truncated back-propagation through time over the engine's forward pass.
 * The cell equations are PyTorch's (see recur.h); each cell's backward below
 * reads the record recur_layer_step leaves in work (RECUR_WORK_FLOATS).
 */
#include "bptt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hot functions are compiled for AVX-512, AVX2 and the baseline, and the
 * loader picks the best the CPU has (GCC function multi-versioning), as the
 * engine picks its kernels. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2,fma", "default")))
#else
#define MULTIVERSION
#endif

/* Helpers of the backward pass are inlined into it, so they are compiled for
 * each of its instruction sets too. */
#define INLINE inline __attribute__((always_inline))

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

bool bptt_ws_init(bptt_ws *ws, const recur_model *m, int max_frames, recur_error *err)
{
	memset(ws, 0, sizeof *ws);
	if (max_frames < 1) {
		snprintf(err->msg, sizeof err->msg, "segment length must be at least 1 frame");
		return false;
	}
	const int rows_p = m->layer[0].rows_p;
	ws->max_frames = max_frames;
	ws->layers = m->shape.layers;
	ws->hidden_p = m->hidden_p;
	ws->out_p = m->out_p;
	ws->rows_p = rows_p;
	ws->layer_work = round_up(RECUR_WORK_FLOATS(rows_p, m->hidden_p), RECUR_PAD);
	ws->state_stride = (size_t)ws->layers * 2 * m->hidden_p;
	ws->work_stride = (size_t)ws->layers * ws->layer_work;

	const size_t f = (size_t)max_frames;
	const size_t n_state = (f + 1) * ws->state_stride;
	const size_t n_work = f * ws->work_stride;
	const size_t n_y = f * m->out_p;
	const size_t n_dh = (size_t)ws->layers * m->hidden_p;
	const size_t total =
	    n_state + n_work + 2 * n_y + 2 * n_dh + 2 * (size_t)rows_p + (size_t)m->hidden_p;
	ws->block = aligned_alloc(64, total * sizeof(float));
	if (!ws->block) {
		snprintf(err->msg, sizeof err->msg, "out of memory for %d-frame segments",
		         max_frames);
		return false;
	}
	memset(ws->block, 0, total * sizeof(float));
	float *p = ws->block;
	ws->state = p, p += n_state;
	ws->work = p, p += n_work;
	ws->y = p, p += n_y;
	ws->dy = p, p += n_y;
	ws->dh = p, p += n_dh;
	ws->dc = p, p += n_dh;
	ws->g_x = p, p += rows_p;
	ws->g_h = p, p += rows_p;
	ws->tmp = p;
	return true;
}

void bptt_ws_free(bptt_ws *ws)
{
	free(ws->block);
	memset(ws, 0, sizeof *ws);
}

static float *state_h(const bptt_ws *ws, int t, int l)
{
	return ws->state + (size_t)t * ws->state_stride + (size_t)l * 2 * ws->hidden_p;
}

static float *state_c(const bptt_ws *ws, int t, int l)
{
	return state_h(ws, t, l) + ws->hidden_p;
}

static float *work_of(const bptt_ws *ws, int t, int l)
{
	return ws->work + (size_t)t * ws->work_stride + (size_t)l * ws->layer_work;
}

void bptt_forward(bptt_ws *ws, const recur_model *m, const float *x, int frames)
{
	const int n_in = m->shape.n_inputs;
	memset(ws->state, 0, ws->state_stride * sizeof(float));
	for (int t = 0; t < frames; t++) {
		const float *xt = x + (size_t)t * n_in;
		/* The step updates state in place: copy the previous frame's state
		 * forward first, so state[t] survives for the backward pass. */
		memcpy(state_h(ws, t + 1, 0), state_h(ws, t, 0), ws->state_stride * sizeof(float));
		const float *in = xt;
		for (int l = 0; l < ws->layers; l++) {
			float *h = state_h(ws, t + 1, l);
			recur_layer_step(&m->layer[l], in, h, state_c(ws, t + 1, l),
			                 work_of(ws, t, l));
			in = h;
		}
		recur_head_step(m, xt, state_h(ws, t + 1, ws->layers - 1),
		                ws->y + (size_t)t * ws->out_p);
	}
}

/* ---- the dense head and output activation ------------------------------ */

/* d loss / d (pre-activation) from d loss / d y, in place. */
static INLINE void activation_backward(recur_activation act, const float *y, float *d, int n)
{
	switch (act) {
	case RECUR_ACT_LINEAR:
		break;
	case RECUR_ACT_TANH:
		for (int o = 0; o < n; o++)
			d[o] *= 1.0f - y[o] * y[o];
		break;
	case RECUR_ACT_SIGMOID:
		for (int o = 0; o < n; o++)
			d[o] *= y[o] * (1.0f - y[o]);
		break;
	case RECUR_ACT_SOFTMAX: {
		float dot = 0.0f;
		for (int o = 0; o < n; o++)
			dot += d[o] * y[o];
		for (int o = 0; o < n; o++)
			d[o] = y[o] * (d[o] - dot);
		break;
	}
	case RECUR_ACT_RELU:
	case RECUR_ACT_ELU:
		break; /* refused by trainer_new */
	}
}

/* dz: gradient at the head's pre-activation; adds into the head's parameter
 * gradients and into dh_top (the skip term has no parameters). */
static INLINE void head_backward(const recur_model *m, recur_model *grad, const float *h_top,
                                 const float *dz, float *dh_top)
{
	const int hp = m->hidden_p;
	for (int o = 0; o < m->shape.n_outputs; o++) {
		const float d = dz[o];
		const float *w = m->w_out + (size_t)o * hp;
		float *gw = grad->w_out + (size_t)o * hp;
		for (int j = 0; j < hp; j++) {
			gw[j] += d * h_top[j];
			dh_top[j] += d * w[j];
		}
		grad->b_out[o] += d;
	}
}

/* ---- cells: gradient at the gate pre-activations ------------------------ */

/* Each fills the gradient at the gate pre-activations (rows_p, padding zero)
 * from dh (d loss / d h_new): one array g for RNN and LSTM, where the x and h
 * sides share their pre-activation, two (g_x, g_h) for GRU, where they do not.
 * keep[u] is the part of d loss / d h_prev that does not pass through W_h.
 * No two arrays overlap (restrict), which lets the compiler vectorise. */

static INLINE float dsigmoid(float s)
{
	return s * (1.0f - s);
}

static INLINE float dtanh(float t)
{
	return 1.0f - t * t;
}

static INLINE void rnn_gates_backward(int H, const float *restrict work, const float *restrict dh,
                                      float *restrict g, float *restrict keep)
{
	for (int u = 0; u < H; u++) {
		g[u] = dh[u] * dtanh(work[u]);
		keep[u] = 0.0f;
	}
}

/* r, z, n = gates; n = tanh(W_in x + b_in + r * hn), hn = W_hn h + b_hn;
 * h' = (1 - z) n + z h. */
static INLINE void gru_gates_backward(int H, int rows_p, const float *restrict work,
                                      const float *restrict h_prev, const float *restrict dh,
                                      float *restrict g_x, float *restrict g_h,
                                      float *restrict keep)
{
	const float *restrict hn = work + rows_p + 2 * H;
	for (int u = 0; u < H; u++) {
		const float r = work[u], z = work[H + u], n = work[2 * H + u];
		const float dn = dh[u] * (1.0f - z);
		const float dz = dh[u] * (h_prev[u] - n);
		const float an = dn * dtanh(n);
		g_x[2 * H + u] = an;
		g_h[2 * H + u] = an * r;
		g_x[u] = g_h[u] = an * hn[u] * dsigmoid(r);
		g_x[H + u] = g_h[H + u] = dz * dsigmoid(z);
		keep[u] = dh[u] * z;
	}
}

/* i, f, g, o = gates; c' = f c + i g; h' = o tanh(c'). dc: d loss / d c'
 * on entry, d loss / d c on return. */
static INLINE void lstm_gates_backward(int H, int hidden_p, int rows_p, const float *restrict work,
                                       const float *restrict c_prev, const float *restrict dh,
                                       float *restrict dc, float *restrict g, float *restrict keep)
{
	const float *restrict tc = work + rows_p + hidden_p;
	for (int u = 0; u < H; u++) {
		const float i = work[u], f = work[H + u], gg = work[2 * H + u], o = work[3 * H + u];
		const float dct = dc[u] + dh[u] * o * dtanh(tc[u]);
		g[u] = dct * gg * dsigmoid(i);
		g[H + u] = dct * c_prev[u] * dsigmoid(f);
		g[2 * H + u] = dct * i * dtanh(gg);
		g[3 * H + u] = dh[u] * tc[u] * dsigmoid(o);
		dc[u] = dct * f;
		keep[u] = 0.0f;
	}
}

/* ---- the weights: shared by every cell ---------------------------------- */

/* One padded vector of floats (GCC vector extension): the compiler turns each
 * operation into one AVX-512, two AVX2 or four SSE instructions. Every array
 * it touches is 64-byte aligned with a length that is a multiple of it. */
typedef float v16 __attribute__((vector_size(RECUR_PAD * sizeof(float))));
typedef float v8 __attribute__((vector_size(8 * sizeof(float))));
typedef float v4 __attribute__((vector_size(4 * sizeof(float))));

/* Sum of the lanes as a tree of halves: four dependent additions instead of
 * sixteen, in a fixed order. By pointer: a vector passed by value has another
 * calling convention in each target clone of the callers (-Wpsabi). */
static INLINE float hsum(const v16 *p)
{
	const v16 v = *p;
	const v8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
	             __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
	const v4 b =
	    __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
	return (b[0] + b[2]) + (b[1] + b[3]);
}

/* Columns j0..j0+3 at once: four independent sums, so the additions do not
 * wait on each other's latency, and g is loaded once for four columns. */
static INLINE void columns4(const float *W, float *G, const float *v, int j0, const v16 *g,
                            int rows_p, v16 acc[4])
{
	const int nv = rows_p / RECUR_PAD;
	const v16 *w[4];
	v16 *gw[4];
	for (int c = 0; c < 4; c++) {
		w[c] = (const v16 *)(W + (size_t)(j0 + c) * rows_p);
		gw[c] = (v16 *)(G + (size_t)(j0 + c) * rows_p);
		acc[c] = (v16){0};
	}
	const float a0 = v[j0], a1 = v[j0 + 1], a2 = v[j0 + 2], a3 = v[j0 + 3];
	for (int i = 0; i < nv; i++) {
		const v16 gi = g[i];
		gw[0][i] += a0 * gi;
		gw[1][i] += a1 * gi;
		gw[2][i] += a2 * gi;
		gw[3][i] += a3 * gi;
		acc[0] += w[0][i] * gi;
		acc[1] += w[1][i] * gi;
		acc[2] += w[2][i] * gi;
		acc[3] += w[3][i] * gi;
	}
}

/* For each column j of a column-major [ncols][rows_p] weight block W:
 *   G[:, j] += v[j] * g                   the weight gradient (an outer product)
 *   dv[j] = keep[j] + W[:, j] . g          the gradient flowing back to v, or
 *   dv[j] += W[:, j] . g when keep is NULL
 * fused so each column is loaded once. Whole padded columns are updated: the
 * padding rows of g are zero, so the gradient's padding stays zero too. */
static void MULTIVERSION columns_backward(const float *W, float *G, const float *v, int ncols,
                                          const float *g_, int rows_p, const float *keep, float *dv)
{
	const v16 *g = (const v16 *)g_;
	const int nv = rows_p / RECUR_PAD;
	int j = 0;
	for (; j + 4 <= ncols; j += 4) {
		v16 acc[4];
		columns4(W, G, v, j, g, rows_p, acc);
		if (dv)
			for (int c = 0; c < 4; c++)
				dv[j + c] = (keep ? keep[j + c] : dv[j + c]) + hsum(&acc[c]);
	}
	for (; j < ncols; j++) {
		const v16 *w = (const v16 *)(W + (size_t)j * rows_p);
		v16 *gw = (v16 *)(G + (size_t)j * rows_p);
		const float a = v[j];
		v16 acc = {0};
		for (int i = 0; i < nv; i++) {
			gw[i] += a * g[i];
			acc += w[i] * g[i];
		}
		if (dv)
			dv[j] = (keep ? keep[j] : dv[j]) + hsum(&acc);
	}
}

static INLINE void add_padded(float *y, const float *x, int n)
{
	for (int r = 0; r < n; r++)
		y[r] += x[r];
}

/* Adds the weight and bias gradients for one frame of a layer; adds
 * d loss / d x into dx (if not NULL) and writes d loss / d h_prev into
 * dh_prev. */
static INLINE void weights_backward(const recur_layer *L, const recur_layer *G, const float *x,
                                    const float *h_prev, const float *g_x, const float *g_h,
                                    const float *keep, float *dx, float *dh_prev)
{
	const int rp = L->rows_p;
	columns_backward(L->w_x, G->w_x, x, L->in, g_x, rp, NULL, dx);
	columns_backward(L->w_h, G->w_h, h_prev, L->hidden, g_h, rp, keep, dh_prev);
	add_padded(G->b_x, g_x, rp);
	add_padded(G->b_h, g_h, rp);
}

MULTIVERSION void bptt_backward(bptt_ws *ws, const recur_model *m, recur_model *grad,
                                const float *x, int first, int frames, bool dy_is_preact)
{
	const int hp = ws->hidden_p, top = ws->layers - 1;
	const int n_in = m->shape.n_inputs, n_out = m->shape.n_outputs;
	memset(ws->dh, 0, (size_t)ws->layers * hp * sizeof(float));
	memset(ws->dc, 0, (size_t)ws->layers * hp * sizeof(float));
	memset(ws->g_x, 0, (size_t)ws->rows_p * sizeof(float));
	memset(ws->g_h, 0, (size_t)ws->rows_p * sizeof(float));
	for (int t = frames - 1; t >= first; t--) {
		float *dz = ws->dy + (size_t)t * ws->out_p;
		if (!dy_is_preact)
			activation_backward(m->shape.out_act, ws->y + (size_t)t * ws->out_p, dz,
			                    n_out);
		head_backward(m, grad, state_h(ws, t + 1, top), dz, ws->dh + (size_t)top * hp);
		for (int l = top; l >= 0; l--) {
			const recur_layer *L = &m->layer[l];
			const float *work = work_of(ws, t, l);
			const float *h_prev = state_h(ws, t, l);
			float *dh = ws->dh + (size_t)l * hp;
			float *keep = ws->tmp;
			switch (L->cell) {
			case RECUR_CELL_RNN:
				rnn_gates_backward(L->hidden, work, dh, ws->g_x, keep);
				break;
			case RECUR_CELL_GRU:
				gru_gates_backward(L->hidden, L->rows_p, work, h_prev, dh, ws->g_x,
				                   ws->g_h, keep);
				break;
			case RECUR_CELL_LSTM:
				lstm_gates_backward(L->hidden, hp, L->rows_p, work,
				                    state_c(ws, t, l), dh, ws->dc + (size_t)l * hp,
				                    ws->g_x, keep);
				break;
			}
			const float *in = l ? state_h(ws, t + 1, l - 1) : x + (size_t)t * n_in;
			float *dx = l ? ws->dh + (size_t)(l - 1) * hp : NULL;
			const float *g_h = L->cell == RECUR_CELL_GRU ? ws->g_h : ws->g_x;
			/* dh is overwritten with d loss / d h_prev: the gate functions above
			 * have read all of it. */
			weights_backward(L, &grad->layer[l], in, h_prev, ws->g_x, g_h, keep, dx,
			                 dh);
		}
	}
}
