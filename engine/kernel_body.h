/*
 * The cell kernels, written once against a small vector vocabulary and
 * compiled once per instruction set. The including file defines, for its
 * instruction set:
 *
 *   vf, vmask                       a vector of VLEN floats and a lane mask
 *   VLEN, MAX_BLOCK                 lanes per vector; row vectors in one block
 *   ACC_BUDGET                      accumulator registers a block may use
 *   vf_load/loadu/store/storeu/set1/zero/add/sub/mul/div/fma/min/max
 *   vf_exponent_bits(t)             the bits of t shifted left by 23
 *   vf_hsum(v)                      sum of the lanes
 *   vm_units_below(u, limit)        lanes l with u + l < limit
 *   vf_keep(v, m)                   v in the lanes of m, +0 elsewhere
 *   vf_store_lanes(p, v, m)         writes only the lanes of m (unaligned)
 *   KFN(name), KERNEL_NAME, KERNEL_TABLE
 *
 * Layout facts the code relies on (recur.h): every array is 64-byte aligned
 * and padded with zeros to RECUR_PAD floats, so whole vectors never need a
 * scalar tail; the gate pre-activations are one column-major matrix-vector
 * product; row k*hidden + u is unit u of gate k, so gates of one unit sit
 * hidden rows apart and are read with unaligned loads, one vector of units at
 * a time. Lanes past `hidden` compute garbage that is masked off before any
 * store that matters; the masks keep every padding float zero (the RNN's
 * fused path gets its zeros from tanh(0) of the all-zero padding rows).
 */

/* ---- activations ---------------------------------------------------------
 * Both come from e = exp(-k x) (k = 1 for sigmoid, 2 for tanh), written as
 * 2^n p(r) with n = round(-k x / ln 2) and r = -k x - n ln 2, |r| <= ln 2 / 2.
 * p is a degree-5 polynomial with p(0) = 1 exactly, fitted for minimax
 * relative error of exp on that interval (1.7e-7 in float arithmetic).
 *
 * Latency is what counts here (every sample waits on the previous one's
 * activations), hence:
 *  - n is rounded and placed in the exponent field in one step: adding
 *    1.5 * 2^23 + 127 leaves n + 127 in the low mantissa bits, and shifting
 *    those bits left by 23 gives the float 2^n;
 *  - r is computed as s = x + n ln2 / k with the sign and the factor k
 *    folded into the coefficients (q(s) = p(-k s)), one FMA; rounding ln 2
 *    to float adds a relative error of |n| * 2e-9 to e, and large |n| means
 *    the result is within 2^-|n| of 0 or 1, so the absolute error stays tiny;
 *  - the polynomial is evaluated by Estrin's scheme (three FMA levels);
 *  - tanh = (1 - e) / (1 + e): one division, both operands in parallel.
 * Inputs are clamped so n + 127 stays in 1..254 (no overflow, no denormal
 * scale); beyond the clamp the results are already 0, 1 or -1 in float.
 * tests/engine/test_kernels.c measures the error against libm. */
#define RECUR_EXP_MAGIC 12583039.0f /* 1.5 * 2^23 + 127 */

static inline vf KFN(poly5)(vf s, float c0, float c1, float c2, float c3, float c4, float c5)
{
	vf s2 = vf_mul(s, s);
	vf a = vf_fma(vf_set1(c1), s, vf_set1(c0));
	vf b = vf_fma(vf_set1(c3), s, vf_set1(c2));
	vf c = vf_fma(vf_set1(c5), s, vf_set1(c4));
	return vf_fma(vf_fma(c, s2, b), s2, a);
}

static inline vf KFN(sigmoid_v)(vf x)
{
	x = vf_max(vf_min(x, vf_set1(87.0f)), vf_set1(-87.0f));
	vf t = vf_fma(x, vf_set1(-1.44269504088896341f), vf_set1(RECUR_EXP_MAGIC));
	vf n = vf_sub(t, vf_set1(RECUR_EXP_MAGIC));
	vf s = vf_fma(n, vf_set1(0.693147180559945309f), x);
	vf p = KFN(poly5)(s, 1.0f, -9.999997020e-01f, 4.999915063e-01f, -1.666763574e-01f,
	                  4.189793020e-02f, -8.290315047e-03f);
	vf e = vf_mul(p, vf_exponent_bits(t));
	return vf_div(vf_set1(1.0f), vf_add(vf_set1(1.0f), e));
}

static inline vf KFN(tanh_v)(vf x)
{
	x = vf_max(vf_min(x, vf_set1(43.0f)), vf_set1(-43.0f));
	vf t = vf_fma(x, vf_set1(-2.88539008177792681f), vf_set1(RECUR_EXP_MAGIC));
	vf n = vf_sub(t, vf_set1(RECUR_EXP_MAGIC));
	vf s = vf_fma(n, vf_set1(0.346573590279972655f), x);
	vf p = KFN(poly5)(s, 1.0f, -1.999999404e+00f, 1.999966025e+00f, -1.333410859e+00f,
	                  6.703668833e-01f, -2.652900815e-01f);
	vf e = vf_mul(p, vf_exponent_bits(t));
	return vf_div(vf_sub(vf_set1(1.0f), e), vf_add(vf_set1(1.0f), e));
}

/* exp(x) itself, for ELU: the same scheme with k = -1 (no sign folding). */
static inline vf KFN(exp_v)(vf x)
{
	x = vf_max(vf_min(x, vf_set1(87.0f)), vf_set1(-87.0f));
	vf t = vf_fma(x, vf_set1(1.44269504088896341f), vf_set1(RECUR_EXP_MAGIC));
	vf n = vf_sub(t, vf_set1(RECUR_EXP_MAGIC));
	vf s = vf_fma(n, vf_set1(-0.693147180559945309f), x);
	vf p = KFN(poly5)(s, 1.0f, 9.999997020e-01f, 4.999915063e-01f, 1.666763574e-01f,
	                  4.189793020e-02f, 8.290315047e-03f);
	return vf_mul(p, vf_exponent_bits(t));
}

static void KFN(sigmoid_array)(const float *x, float *y, int n)
{
	for (int i = 0; i < n; i += VLEN)
		vf_store(y + i, KFN(sigmoid_v)(vf_load(x + i)));
}

static void KFN(tanh_array)(const float *x, float *y, int n)
{
	for (int i = 0; i < n; i += VLEN)
		vf_store(y + i, KFN(tanh_v)(vf_load(x + i)));
}

/* ---- gate pre-activations -------------------------------------------------
 * out = b1 (+ b2) + wa a + wb b over NB vectors of rows starting at the given
 * pointers. Each block width is its own function with one named variable per
 * accumulator, so the accumulators stay in registers for the whole column
 * loop whatever the compiler's unrolling heuristics. When the block is small
 * there are registers to spare, and consecutive columns go to up to four
 * accumulator sets, so the FMA chains (the latency every sample waits for)
 * are a fraction of the column count long. */
#define RECUR_REP1(M)  M(0)
#define RECUR_REP2(M)  RECUR_REP1(M) M(1)
#define RECUR_REP3(M)  RECUR_REP2(M) M(2)
#define RECUR_REP4(M)  RECUR_REP3(M) M(3)
#define RECUR_REP5(M)  RECUR_REP4(M) M(4)
#define RECUR_REP6(M)  RECUR_REP5(M) M(5)
#define RECUR_REP7(M)  RECUR_REP6(M) M(6)
#define RECUR_REP8(M)  RECUR_REP7(M) M(7)
#define RECUR_REP9(M)  RECUR_REP8(M) M(8)
#define RECUR_REP10(M) RECUR_REP9(M) M(9)
#define RECUR_REP11(M) RECUR_REP10(M) M(10)
#define RECUR_REP12(M) RECUR_REP11(M) M(11)
#define RECUR_REP13(M) RECUR_REP12(M) M(12)
#define RECUR_REP14(M) RECUR_REP13(M) M(13)
#define RECUR_REP15(M) RECUR_REP14(M) M(14)
#define RECUR_REP16(M) RECUR_REP15(M) M(15)

/* Accumulator sets per row vector: as many as the register budget allows,
 * at most four, so each FMA chain is a quarter of the columns long. */
#define RECUR_SETS(NB)                                                                             \
	(4 * (NB) <= ACC_BUDGET ? 4 : 3 * (NB) <= ACC_BUDGET ? 3 : 2 * (NB) <= ACC_BUDGET ? 2 : 1)

#define RECUR_ACC_INIT(k)                                                                          \
	vf acc##k = vf_load(b1 + k * VLEN), acc2##k = vf_zero(), acc3##k = vf_zero(),              \
	   acc4##k = vf_zero();
#define RECUR_ACC_BIAS2(k) acc##k = vf_add(acc##k, vf_load(b2 + k * VLEN));
#define RECUR_ACC_FMA1(k)  acc##k = vf_fma(vf_load(w0 + k * VLEN), s0, acc##k);
/* One set, two columns an iteration: half the loop overhead. */
#define RECUR_ACC_FMA1x2(k)                                                                        \
	RECUR_ACC_FMA1(k) acc##k = vf_fma(vf_load(w0 + rows_p + k * VLEN), s1, acc##k);
#define RECUR_ACC_FMA2(k)                                                                          \
	RECUR_ACC_FMA1(k) acc2##k = vf_fma(vf_load(w0 + rows_p + k * VLEN), s1, acc2##k);
#define RECUR_ACC_FMA3(k)                                                                          \
	RECUR_ACC_FMA2(k) acc3##k = vf_fma(vf_load(w0 + 2 * rows_p + k * VLEN), s2, acc3##k);
#define RECUR_ACC_FMA4(k)                                                                          \
	RECUR_ACC_FMA3(k) acc4##k = vf_fma(vf_load(w0 + 3 * rows_p + k * VLEN), s3, acc4##k);
/* Only the sets in use are added: x + 0.0f is not x in IEEE arithmetic (for
 * x = -0), so the compiler would keep every add of an unused zero set, and
 * they sit between the last FMA and the activation on every sample's critical
 * path. `sets` is the block's constant RECUR_SETS(NB). */
#define RECUR_ACC_SUM(k)                                                                           \
	(sets == 1   ? acc##k                                                                      \
	 : sets == 2 ? vf_add(acc##k, acc2##k)                                                     \
	 : sets == 3 ? vf_add(vf_add(acc##k, acc2##k), acc3##k)                                    \
	             : vf_add(vf_add(acc##k, acc2##k), vf_add(acc3##k, acc4##k)))
#define RECUR_ACC_STORE(k)   vf_store(out + k * VLEN, RECUR_ACC_SUM(k));
#define RECUR_ACC_TANH(k)    vf t##k = KFN(tanh_v)(RECUR_ACC_SUM(k));
#define RECUR_TANH_STORE(k)  vf_store(tanh_into + k * VLEN, t##k);
#define RECUR_TANH_RECORD(k) vf_store(out + k * VLEN, t##k);
#define RECUR_HEAD_FMA(k)    a = vf_fma(t##k, vf_load(wo + k * VLEN), a);

/* Columns in groups of RECUR_STEP_sets, one column per accumulator set (or,
 * for 1x2, two columns into the one set). Unused broadcasts are dropped by
 * the compiler. */
#define RECUR_STEP_1   1
#define RECUR_STEP_1x2 2
#define RECUR_STEP_2   2
#define RECUR_STEP_3   3
#define RECUR_STEP_4   4
#define RECUR_COLUMNS(NB, sets)                                                                    \
	for (; j + RECUR_STEP_##sets <= n; j += RECUR_STEP_##sets) {                               \
		const float *w0 = w + (size_t)j * rows_p;                                          \
		vf s0 = vf_set1(v[j]), s1 = vf_set1(v[j + (RECUR_STEP_##sets > 1)]);               \
		vf s2 = vf_set1(v[j + 2 * (RECUR_STEP_##sets > 2)]);                               \
		vf s3 = vf_set1(v[j + 3 * (RECUR_STEP_##sets > 3)]);                               \
		(void)s1;                                                                          \
		(void)s2;                                                                          \
		(void)s3;                                                                          \
		RECUR_REP##NB(RECUR_ACC_FMA##sets)                                                 \
	}

/* The dense head over units whose tanh is still in registers: the RNN's
 * top layer hands its new h to the head without reading it back. */
typedef struct {
	const float *w, *b;
	int n_out, hidden_p;
	float *y;
} KFN(head_args);

#define RECUR_DEFINE_BLOCK(NB)                                                                     \
	static inline __attribute__((always_inline)) void KFN(mv_block_##NB)(                      \
	    float *out, const float *b1, const float *b2, const float *wa, const float *a, int na, \
	    const float *wb, const float *bv, int nbc, int rows_p, float *tanh_into,               \
	    const KFN(head_args) * hd)                                                             \
	{                                                                                          \
		enum { sets = RECUR_SETS(NB) };                                                    \
		RECUR_REP##NB(RECUR_ACC_INIT);                                                     \
		if (b2) {                                                                          \
			RECUR_REP##NB(RECUR_ACC_BIAS2)                                             \
		}                                                                                  \
		for (int seg = 0; seg < 2; seg++) {                                                \
			const float *w = seg ? wb : wa;                                            \
			const float *v = seg ? bv : a;                                             \
			int n = seg ? nbc : na, j = 0;                                             \
			if (RECUR_SETS(NB) == 4)                                                   \
				RECUR_COLUMNS(NB, 4)                                               \
			else if (RECUR_SETS(NB) == 3)                                              \
				RECUR_COLUMNS(NB, 3)                                               \
			else if (RECUR_SETS(NB) == 2)                                              \
				RECUR_COLUMNS(NB, 2)                                               \
			else                                                                       \
				RECUR_COLUMNS(NB, 1x2)                                             \
			RECUR_COLUMNS(NB, 1)                                                       \
		}                                                                                  \
		if (!tanh_into) {                                                                  \
			if (out) {                                                                 \
				RECUR_REP##NB(RECUR_ACC_STORE)                                     \
			}                                                                          \
			return;                                                                    \
		}                                                                                  \
		RECUR_REP##NB(RECUR_ACC_TANH) RECUR_REP##NB(RECUR_TANH_STORE) if (out)             \
		{                                                                                  \
			RECUR_REP##NB(RECUR_TANH_RECORD)                                           \
		}                                                                                  \
		for (int o = 0; hd && o < hd->n_out; o++) {                                        \
			const float *wo = hd->w + (size_t)o * hd->hidden_p;                        \
			vf a = vf_zero();                                                          \
			RECUR_REP##NB(RECUR_HEAD_FMA) hd->y[o] = hd->b[o] + vf_hsum(a);            \
		}                                                                                  \
	}

RECUR_DEFINE_BLOCK(1)
RECUR_DEFINE_BLOCK(2)
RECUR_DEFINE_BLOCK(3)
RECUR_DEFINE_BLOCK(4)
RECUR_DEFINE_BLOCK(5)
RECUR_DEFINE_BLOCK(6)
RECUR_DEFINE_BLOCK(7)
RECUR_DEFINE_BLOCK(8)
RECUR_DEFINE_BLOCK(9)
RECUR_DEFINE_BLOCK(10)
RECUR_DEFINE_BLOCK(11)
RECUR_DEFINE_BLOCK(12)
RECUR_DEFINE_BLOCK(13)
RECUR_DEFINE_BLOCK(14)
RECUR_DEFINE_BLOCK(15)
RECUR_DEFINE_BLOCK(16)

/* Row blocks of MAX_BLOCK vectors, then one block of the remainder; widths
 * above MAX_BLOCK are never called on this path.
 *
 * out = b1 (+ b2) + wa a + wb b. With tanh_into (one block only), the tanh of
 * that goes to tanh_into and, when out is not NULL, to out; with hd, the
 * head's products of the tanh go to hd->y. */
static inline __attribute__((always_inline)) void
KFN(matvec)(float *out, const float *b1, const float *b2, const float *wa, const float *a, int na,
            const float *wb, const float *bv, int nbc, int rows_p, float *tanh_into,
            const KFN(head_args) * hd, int max_width)
{
	int nvec = rows_p / VLEN;
	for (int v = 0; v < nvec;) {
		int width = nvec - v < MAX_BLOCK ? nvec - v : MAX_BLOCK, o = v * VLEN;
		const float *b2o = b2 ? b2 + o : NULL, *wbo = wb ? wb + o : NULL;
		float *act = tanh_into ? tanh_into + o : NULL, *outo = out ? out + o : NULL;
#define RECUR_MV_CASE(k)                                                                           \
	case k:                                                                                    \
		if (k <= MAX_BLOCK && k <= max_width)                                              \
			KFN(mv_block_##k)                                                          \
		(outo, b1 + o, b2o, wa + o, a, na, wbo, bv, nbc, rows_p, act, hd);                 \
		break;
		switch (width) {
			RECUR_MV_CASE(1)
			RECUR_MV_CASE(2)
			RECUR_MV_CASE(3)
			RECUR_MV_CASE(4)
			RECUR_MV_CASE(5)
			RECUR_MV_CASE(6)
			RECUR_MV_CASE(7)
			RECUR_MV_CASE(8)
			RECUR_MV_CASE(9)
			RECUR_MV_CASE(10)
			RECUR_MV_CASE(11)
			RECUR_MV_CASE(12)
			RECUR_MV_CASE(13)
			RECUR_MV_CASE(14)
			RECUR_MV_CASE(15)
			RECUR_MV_CASE(16)
		default:
			break;
		}
#undef RECUR_MV_CASE
		v += width;
	}
}

/* ---- cells ------------------------------------------------------------------ */

/* The RNN's rows are its units, so when one block covers them the tanh is
 * applied to the accumulators in registers and h is written from there: h is
 * only read by the column loop, which has finished. The padding rows come out
 * as tanh(0) = 0 exactly. Larger layers (AVX2 and narrower paths above 64
 * units) take the product first and the tanh afterwards. */
static void KFN(rnn_step)(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	(void)c;
	const int H = L->hidden, hp = (H + RECUR_PAD - 1) / RECUR_PAD * RECUR_PAD;
	if (L->rows_p <= MAX_BLOCK * VLEN) {
		KFN(matvec)
		(work, L->b_x, L->b_h, L->w_x, x, L->in, L->w_h, h, H, L->rows_p, h, NULL,
		 MAX_BLOCK);
		return;
	}
	KFN(matvec)
	(work, L->b_x, L->b_h, L->w_x, x, L->in, L->w_h, h, H, L->rows_p, NULL, NULL, MAX_BLOCK);
	for (int u = 0; u < hp; u += VLEN) {
		vf t = vf_keep(KFN(tanh_v)(vf_load(work + u)), vm_units_below(u, H));
		vf_store(work + u, t);
		vf_store(h + u, t);
	}
}

/* One vector of GRU units from u. FULL (a constant) says every lane is a
 * unit (u + VLEN <= hidden): then the masks are all ones and are left out,
 * and the records are stored whole; the result is the same. */
static inline __attribute__((always_inline)) void KFN(gru_units)(float *gx, const float *gh,
                                                                 float *h, int H, int u, bool full)
{
	vf r = KFN(sigmoid_v)(vf_add(vf_loadu(gx + u), vf_loadu(gh + u)));
	vf z = KFN(sigmoid_v)(vf_add(vf_loadu(gx + H + u), vf_loadu(gh + H + u)));
	vf n = KFN(tanh_v)(vf_fma(r, vf_loadu(gh + 2 * H + u), vf_loadu(gx + 2 * H + u)));
	vf hn = vf_fma(z, vf_sub(vf_load(h + u), n), n);
	if (full) {
		vf_storeu(gx + u, r);
		vf_storeu(gx + H + u, z);
		vf_storeu(gx + 2 * H + u, n);
		vf_store(h + u, hn);
		return;
	}
	vmask m = vm_units_below(u, H);
	vf_store_lanes(gx + u, r, m);
	vf_store_lanes(gx + H + u, z, m);
	vf_store_lanes(gx + 2 * H + u, n, m);
	vf_store(h + u, vf_keep(hn, m));
}

/* H, n_in and rows_p are L's hidden, in and rows_p, passed apart so that a
 * caller that knows the shape (mono's fixed shapes) can pass constants and
 * have the loops and the block choice resolved at compile time. */
static inline __attribute__((always_inline)) void KFN(gru_body)(const recur_layer *L,
                                                                const float *x, float *h,
                                                                float *work, int H, int n_in,
                                                                int rows_p, int h_cols)
{
	const int hp = (H + RECUR_PAD - 1) / RECUR_PAD * RECUR_PAD;
	float *gx = work, *gh = work + rows_p;
	KFN(matvec)
	(gx, L->b_x, NULL, L->w_x, x, n_in, NULL, NULL, 0, rows_p, NULL, NULL, MAX_BLOCK);
	KFN(matvec)
	(gh, L->b_h, NULL, L->w_h, h, h_cols, NULL, NULL, 0, rows_p, NULL, NULL, MAX_BLOCK);
	/* In place over gx: a unit's gates are stored after all its inputs are
	 * read, and only valid lanes are written, so no later unit's input is
	 * overwritten. */
	int u = 0;
	for (; u + VLEN <= H; u += VLEN)
		KFN(gru_units)(gx, gh, h, H, u, true);
	for (; u < H; u += VLEN)
		KFN(gru_units)(gx, gh, h, H, u, false);
	/* Vectors with no unit: what the masked code would write (nothing to
	 * the records, +0 to h), without the gate arithmetic. */
	for (; u < hp; u += VLEN)
		vf_store(h + u, vf_zero());
}

static void KFN(gru_step)(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	(void)c;
	KFN(gru_body)(L, x, h, work, L->hidden, L->in, L->rows_p, L->hidden);
}

/* One vector of LSTM units from u; FULL as for gru_units. */
static inline __attribute__((always_inline)) void
KFN(lstm_units)(float *g, float *cn_rec, float *tc_rec, float *h, float *c, int H, int u, bool full)
{
	vf i = KFN(sigmoid_v)(vf_loadu(g + u));
	vf f = KFN(sigmoid_v)(vf_loadu(g + H + u));
	vf gg = KFN(tanh_v)(vf_loadu(g + 2 * H + u));
	vf o = KFN(sigmoid_v)(vf_loadu(g + 3 * H + u));
	vf cn = vf_fma(f, vf_load(c + u), vf_mul(i, gg));
	if (full) {
		vf tc = KFN(tanh_v)(cn);
		vf_storeu(g + u, i);
		vf_storeu(g + H + u, f);
		vf_storeu(g + 2 * H + u, gg);
		vf_storeu(g + 3 * H + u, o);
		vf_store(cn_rec + u, cn);
		vf_store(tc_rec + u, tc);
		vf_store(c + u, cn);
		vf_store(h + u, vf_mul(o, tc));
		return;
	}
	vmask m = vm_units_below(u, H);
	cn = vf_keep(cn, m);
	vf tc = vf_keep(KFN(tanh_v)(cn), m);
	vf_store_lanes(g + u, i, m);
	vf_store_lanes(g + H + u, f, m);
	vf_store_lanes(g + 2 * H + u, gg, m);
	vf_store_lanes(g + 3 * H + u, o, m);
	vf_store(cn_rec + u, cn);
	vf_store(tc_rec + u, tc);
	vf_store(c + u, cn);
	vf_store(h + u, vf_keep(vf_mul(o, tc), m));
}

/* H, n_in and rows_p as for gru_body. */
static inline __attribute__((always_inline)) void KFN(lstm_body)(const recur_layer *L,
                                                                 const float *x, float *h, float *c,
                                                                 float *work, int H, int n_in,
                                                                 int rows_p, int h_cols)
{
	const int hp = (H + RECUR_PAD - 1) / RECUR_PAD * RECUR_PAD;
	float *g = work, *cn_rec = work + rows_p, *tc_rec = cn_rec + hp;
	KFN(matvec)
	(g, L->b_x, L->b_h, L->w_x, x, n_in, L->w_h, h, h_cols, rows_p, NULL, NULL, MAX_BLOCK);
	int u = 0;
	for (; u + VLEN <= H; u += VLEN)
		KFN(lstm_units)(g, cn_rec, tc_rec, h, c, H, u, true);
	for (; u < H; u += VLEN)
		KFN(lstm_units)(g, cn_rec, tc_rec, h, c, H, u, false);
	/* Vectors with no unit: +0 to the state and its records, as the
	 * masked code would write, without the gate arithmetic. */
	for (; u < hp; u += VLEN) {
		vf_store(cn_rec + u, vf_zero());
		vf_store(tc_rec + u, vf_zero());
		vf_store(c + u, vf_zero());
		vf_store(h + u, vf_zero());
	}
}

static void KFN(lstm_step)(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	KFN(lstm_body)(L, x, h, c, work, L->hidden, L->in, L->rows_p, L->hidden);
}

/* ---- dense head ------------------------------------------------------------- */

static inline __attribute__((always_inline)) void
KFN(head_body)(const float *w, const float *b, const float *h, int n_out, int hidden_p, float *y)
{
	for (int o = 0; o < n_out; o++) {
		const float *wo = w + (size_t)o * hidden_p;
		vf acc = vf_zero(), acc2 = vf_zero();
		int j = 0;
		for (; j + 2 * VLEN <= hidden_p; j += 2 * VLEN) {
			acc = vf_fma(vf_load(wo + j), vf_load(h + j), acc);
			acc2 = vf_fma(vf_load(wo + j + VLEN), vf_load(h + j + VLEN), acc2);
		}
		for (; j < hidden_p; j += VLEN)
			acc = vf_fma(vf_load(wo + j), vf_load(h + j), acc);
		y[o] = b[o] + vf_hsum(vf_add(acc, acc2));
	}
}

static void KFN(head)(const float *w, const float *b, const float *h, int n_out, int hidden_p,
                      float *y)
{
	KFN(head_body)(w, b, h, n_out, hidden_p, y);
}

/* An inner dense layer's activation over y[0 .. width_p), padding zeroed
 * first and kept zero (sigmoid(0) is not). ELU as max(x, 0) +
 * min(exp(min(x, 0)) - 1, 0): x for x > 0, exp(x) - 1 otherwise, with no
 * lane select; exp(0) is exactly 1 here. */
static void KFN(dense_act)(recur_activation act, float *y, int width, int width_p)
{
	for (int j = width; j < width_p; j++)
		y[j] = 0.0f;
	const vf zero = vf_zero(), one = vf_set1(1.0f);
	for (int j = 0; j < width_p; j += VLEN) {
		vf v = vf_load(y + j);
		switch (act) {
		case RECUR_ACT_TANH:
			v = KFN(tanh_v)(v);
			break;
		case RECUR_ACT_SIGMOID:
			v = KFN(sigmoid_v)(v);
			break;
		case RECUR_ACT_RELU:
			v = vf_max(v, zero);
			break;
		case RECUR_ACT_ELU:
			v = vf_add(vf_max(v, zero),
			           vf_min(vf_sub(KFN(exp_v)(vf_min(v, zero)), one), zero));
			break;
		default: /* linear; softmax is refused before the output layer */
			break;
		}
		vf_store(y + j, v);
	}
	if (act == RECUR_ACT_SIGMOID)
		for (int j = width; j < width_p; j++)
			y[j] = 0.0f;
}

/* Inner dense layers (if any), then the output layer's products. Without
 * inner layers this is the head alone, as in version 1. */
static inline __attribute__((always_inline)) void KFN(stack_body)(const recur_model *m,
                                                                  const float *h, float *y)
{
	const int n = m->inner.n;
	if (n == 0) {
		KFN(head)(m->w_out, m->b_out, h, m->shape.n_outputs, m->hidden_p, y);
		return;
	}
	float buf[2][RECUR_MAX_HIDDEN] __attribute__((aligned(64)));
	const float *in = h;
	for (int k = 0; k < n; k++) {
		const recur_dense_layer *D = &m->dense[k];
		float *out = buf[k & 1];
		KFN(head)(D->w, D->b, in, D->width, D->in_p, out);
		KFN(dense_act)(D->act, out, D->width, D->width_p);
		in = out;
	}
	KFN(head)(m->w_out, m->b_out, in, m->shape.n_outputs, m->head_in_p, y);
}

static void KFN(stack)(const recur_model *m, const float *h, float *y)
{
	KFN(stack_body)(m, h, y);
}

/* Row vectors of the largest RNN layer whose product fits one block. */
#define RNN_FUSED_WIDTH (MAX_BLOCK < RECUR_MAX_HIDDEN / VLEN ? MAX_BLOCK : RECUR_MAX_HIDDEN / VLEN)

static inline void KFN(layer)(const recur_layer *L, const float *x, float *h, float *c, float *work)
{
	switch (L->cell) {
	case RECUR_CELL_RNN:
		KFN(rnn_step)(L, x, h, c, work);
		break;
	case RECUR_CELL_GRU:
		KFN(gru_step)(L, x, h, c, work);
		break;
	case RECUR_CELL_LSTM:
		KFN(lstm_step)(L, x, h, c, work);
		break;
	}
}

/* Every layer, then the output layer's products, in one call: the
 * per-sample path of recur_step without an indirect call per layer and for
 * the head, for models without inner dense layers (what the plugin runs
 * most). An RNN top layer that fits one block hands its h to the head in
 * registers and leaves no training record (inference needs none). */
static inline __attribute__((always_inline)) void KFN(forward_body)(recur_model *m, const float *x,
                                                                    float *y)
{
	const int top = m->shape.layers - 1;
	const float *in = x;
	for (int l = 0; l < top; l++) {
		KFN(layer)(&m->layer[l], in, m->h[l], m->c[l], m->work);
		in = m->h[l];
	}
	const recur_layer *L = &m->layer[top];
	if (L->cell == RECUR_CELL_RNN && L->rows_p <= RNN_FUSED_WIDTH * VLEN) {
		const KFN(head_args) hd = {m->w_out, m->b_out, m->shape.n_outputs, m->hidden_p, y};
		KFN(matvec)
		(NULL, L->b_x, L->b_h, L->w_x, in, L->in, L->w_h, m->h[top], L->hidden, L->rows_p,
		 m->h[top], &hd, RNN_FUSED_WIDTH);
		return;
	}
	KFN(layer)(L, in, m->h[top], m->c[top], m->work);
	/* One output (what the plugin runs): the head's loops inlined with
	 * n_out = 1, the same sums in the same order. */
	if (m->shape.n_outputs == 1)
		KFN(head_body)(m->w_out, m->b_out, m->h[top], 1, m->hidden_p, y);
	else
		KFN(head)(m->w_out, m->b_out, m->h[top], m->shape.n_outputs, m->hidden_p, y);
}

/* The same for models with inner dense layers: kept out of line, so the
 * path without them stays as it was. */
static __attribute__((noinline)) void KFN(forward_stacked)(recur_model *m, const float *x, float *y)
{
	const float *in = x;
	for (int l = 0; l < m->shape.layers; l++) {
		KFN(layer)(&m->layer[l], in, m->h[l], m->c[l], m->work);
		in = m->h[l];
	}
	KFN(stack_body)(m, in, y);
}

static void KFN(forward)(recur_model *m, const float *x, float *y)
{
	if (m->inner.n)
		KFN(forward_stacked)(m, x, y);
	else
		KFN(forward_body)(m, x, y);
}

#define RECUR_PADDED(n) (((n) + RECUR_PAD - 1) / RECUR_PAD * RECUR_PAD)

/* ---- a layer whose units fill one or two vectors ------------------------------
 * With H = U * VLEN for U = 1 or 2 (AVX2 at 8 and 16 units, SSE2 at 8,
 * AVX-512 at 16 and 32) and the gate rows within one block of matvec, mono's
 * fixed-shape loop keeps the gates in registers from the products to the new
 * state: no gate rows through memory, no records (inference has no backward
 * pass), and no product for the padding rows the general path computes
 * (GRU-8 on AVX2: 24 rows padded to 32). The sums are formed in exactly
 * matvec's order for the whole padded block (its accumulator sets, its
 * column groups), so the result is bit-identical to the layer steps the
 * trainer runs; tests/engine/test_kernels.c compares them on every path. */

/* A layer of H units takes the whole-vector bodies. */
#define RECUR_WHOLE_VECTORS(H, gates)                                                              \
	((H) % VLEN == 0 && (H) / VLEN <= 2 && RECUR_PADDED((gates) * (H)) / VLEN <= MAX_BLOCK)

/* acc[k] for row vectors k < NV of b1 (+ b2) + wa a + wb b, rows_p apart
 * column to column, summed as matvec sums a block of NB vectors. */
static inline __attribute__((always_inline)) void
KFN(gates_in_registers)(vf *acc, int NV, int NB, const float *b1, const float *b2, const float *wa,
                        const float *a, int na, const float *wb, const float *bv, int nbc,
                        int rows_p)
{
	const int sets = RECUR_SETS(NB);
	vf part[4][8];
#pragma GCC unroll 8
	for (int k = 0; k < NV; k++) {
		part[0][k] = vf_load(b1 + k * VLEN);
		if (b2)
			part[0][k] = vf_add(part[0][k], vf_load(b2 + k * VLEN));
		part[1][k] = part[2][k] = part[3][k] = vf_zero();
	}
#pragma GCC unroll 2
	for (int seg = 0; seg < 2; seg++) {
		const float *w = seg ? wb : wa, *v = seg ? bv : a;
		const int n = seg ? nbc : na;
		int j = 0;
#pragma GCC unroll 32
		for (; j + sets <= n; j += sets)
#pragma GCC unroll 4
			for (int s = 0; s < sets; s++) {
				const vf sv = vf_set1(v[j + s]);
#pragma GCC unroll 8
				for (int k = 0; k < NV; k++)
					part[s][k] =
					    vf_fma(vf_load(w + (size_t)(j + s) * rows_p + k * VLEN),
					           sv, part[s][k]);
			}
#pragma GCC unroll 4
		for (; j < n; j++) {
			const vf sv = vf_set1(v[j]);
#pragma GCC unroll 8
			for (int k = 0; k < NV; k++)
				part[0][k] = vf_fma(vf_load(w + (size_t)j * rows_p + k * VLEN), sv,
				                    part[0][k]);
		}
	}
#pragma GCC unroll 8
	for (int k = 0; k < NV; k++)
		acc[k] = sets == 1   ? part[0][k]
		         : sets == 2 ? vf_add(part[0][k], part[1][k])
		         : sets == 3 ? vf_add(vf_add(part[0][k], part[1][k]), part[2][k])
		                     : vf_add(vf_add(part[0][k], part[1][k]),
		                              vf_add(part[2][k], part[3][k]));
}

/* h from x for a GRU layer of U vectors of units: gru_units over registers.
 * Gate k of unit vector q is row vector k * U + q. */
static inline __attribute__((always_inline)) void
KFN(gru_whole_vectors)(const recur_layer *L, const float *x, int n_in, float *h, int rows_p, int U)
{
	vf gx[6], gh[6];
	KFN(gates_in_registers)
	(gx, 3 * U, rows_p / VLEN, L->b_x, NULL, L->w_x, x, n_in, NULL, NULL, 0, rows_p);
	KFN(gates_in_registers)
	(gh, 3 * U, rows_p / VLEN, L->b_h, NULL, L->w_h, h, U * VLEN, NULL, NULL, 0, rows_p);
#pragma GCC unroll 2
	for (int q = 0; q < U; q++) {
		vf r = KFN(sigmoid_v)(vf_add(gx[q], gh[q]));
		vf z = KFN(sigmoid_v)(vf_add(gx[U + q], gh[U + q]));
		vf n = KFN(tanh_v)(vf_fma(r, gh[2 * U + q], gx[2 * U + q]));
		vf_store(h + q * VLEN, vf_fma(z, vf_sub(vf_load(h + q * VLEN), n), n));
	}
	for (int u = U * VLEN; u < RECUR_PADDED(U * VLEN); u += VLEN)
		vf_store(h + u, vf_zero());
}

/* h and c from x for an LSTM layer of U vectors of units: lstm_units over
 * registers, gate k of unit vector q in row vector k * U + q. */
static inline __attribute__((always_inline)) void KFN(lstm_whole_vectors)(const recur_layer *L,
                                                                          const float *x, int n_in,
                                                                          float *h, float *c,
                                                                          int rows_p, int U)
{
	vf g[8];
	KFN(gates_in_registers)
	(g, 4 * U, rows_p / VLEN, L->b_x, L->b_h, L->w_x, x, n_in, L->w_h, h, U * VLEN, rows_p);
#pragma GCC unroll 2
	for (int q = 0; q < U; q++) {
		vf i = KFN(sigmoid_v)(g[q]);
		vf f = KFN(sigmoid_v)(g[U + q]);
		vf gg = KFN(tanh_v)(g[2 * U + q]);
		vf o = KFN(sigmoid_v)(g[3 * U + q]);
		vf cn = vf_fma(f, vf_load(c + q * VLEN), vf_mul(i, gg));
		vf_store(c + q * VLEN, cn);
		vf_store(h + q * VLEN, vf_mul(o, KFN(tanh_v)(cn)));
	}
	for (int u = U * VLEN; u < RECUR_PADDED(U * VLEN); u += VLEN) {
		vf_store(c + u, vf_zero());
		vf_store(h + u, vf_zero());
	}
}

/* One sample of a model of a fixed shape: LAYERS GRU or LSTM layers of H
 * units, one input, one output, no inner dense layers.
 * The same bodies as forward_body with the shape as constants, so the
 * compiler resolves the block widths and loop counts and unrolls: the
 * per-sample overhead of small models is mostly that bookkeeping. With
 * UNROLL_H false the column loop over h keeps its run-time count (the
 * same value): unrolled, the larger products have their weights loaded
 * ahead into registers and spilled. */
static inline __attribute__((always_inline)) void KFN(forward_fixed)(recur_model *m, const float *x,
                                                                     float *y, recur_cell cell,
                                                                     int H, bool unroll_h,
                                                                     int layers)
{
	const float *in = x;
	for (int l = 0; l < layers; l++) {
		const recur_layer *L = &m->layer[l];
		/* An upper layer's input columns are h's of the layer below:
		 * rolled as h's are. */
		const int h_cols = unroll_h ? H : L->hidden, n_in = l ? L->in : 1;
		if (cell == RECUR_CELL_GRU && RECUR_WHOLE_VECTORS(H, 3)) {
			KFN(gru_whole_vectors)
			(L, in, l ? H : 1, m->h[l], RECUR_PADDED(3 * H), H / VLEN);
		} else if (cell == RECUR_CELL_LSTM && RECUR_WHOLE_VECTORS(H, 4)) {
			KFN(lstm_whole_vectors)
			(L, in, l ? H : 1, m->h[l], m->c[l], RECUR_PADDED(4 * H), H / VLEN);
		} else if (cell == RECUR_CELL_GRU) {
			KFN(gru_body)
			(L, in, m->h[l], m->work, H, n_in, RECUR_PADDED(3 * H), h_cols);
		} else {
			KFN(lstm_body)
			(L, in, m->h[l], m->c[l], m->work, H, n_in, RECUR_PADDED(4 * H), h_cols);
		}
		in = m->h[l];
	}
	KFN(head_body)(m->w_out, m->b_out, in, 1, RECUR_PADDED(H), y);
}

/* The shapes mono runs through forward_fixed, with UNROLL_H. Each is a copy
 * of the cell's code, so the list is short: GRU and LSTM of 8 to 40 units,
 * each cheaper than through forward_body on avx2 and sse2 (instructions
 * per sample in docs/engine.md, e.g. LSTM-16 793 to 501, LSTM-32 1695 to
 * 1475, GRU-8 516 to 213). Only GRU-16 unrolls its h columns: LSTM-16 did
 * too and got dearer, its weights loaded ahead into registers and spilled.
 * Where the units fill one or two vectors (RECUR_WHOLE_VECTORS) that flag
 * is moot: the whole-vector bodies unroll every column. */
#if VLEN > 1
#define RECUR_FIXED_SHAPES(X)                                                                      \
	X(RECUR_CELL_GRU, 8, false)                                                                \
	X(RECUR_CELL_GRU, 16, true)                                                                \
	X(RECUR_CELL_GRU, 32, false)                                                               \
	X(RECUR_CELL_GRU, 40, false)                                                               \
	X(RECUR_CELL_LSTM, 8, false)                                                               \
	X(RECUR_CELL_LSTM, 16, false)                                                              \
	X(RECUR_CELL_LSTM, 32, false)                                                              \
	X(RECUR_CELL_LSTM, 40, false)
/* The same with two layers (LSTM-16 x2 1684 to 1223, GRU-16 x2 1353 to 910). */
#define RECUR_FIXED_SHAPES2(X) X(RECUR_CELL_GRU, 16, false) X(RECUR_CELL_LSTM, 16, false)
#else
/* The scalar path unrolls every unit, and the larger shapes came out dearer
 * there (generic LSTM-32 16337 to 24058): GRU-16 alone, as before. */
#define RECUR_FIXED_SHAPES(X) X(RECUR_CELL_GRU, 16, true)
#define RECUR_FIXED_SHAPES2(X)
#endif

/* One fixed shape's sample loop. */
static inline __attribute__((always_inline)) void KFN(fixed_loop)(recur_model *m, float *x,
                                                                  const float *in, float *out,
                                                                  size_t frames, recur_cell cell,
                                                                  int H, bool unroll_h, int layers)
{
	float y[RECUR_MAX_IO];
	const bool skip = m->shape.skip;
	for (size_t t = 0; t < frames; t++) {
		const float xt = in[t];
		x[0] = xt;
		KFN(forward_fixed)(m, x, y, cell, H, unroll_h, layers);
		out[t] = skip ? y[0] + xt : y[0];
	}
}

/* Each shape's loop is a function of its own, out of line: in one function
 * the shapes shared one register allocation, and adding a shape made the
 * others dearer (LSTM-16 501 to 510 instructions a sample on avx2). */
#define RECUR_FIXED_FN(CELL, H, UNROLL_H, LAYERS)                                                  \
	static __attribute__((noinline)) void KFN(fixed_##CELL##_##H##_##LAYERS)(                  \
	    recur_model * m, float *x, const float *in, float *out, size_t frames)                 \
	{                                                                                          \
		KFN(fixed_loop)(m, x, in, out, frames, CELL, H, UNROLL_H, LAYERS);                 \
	}
#define RECUR_FIXED_FN1(CELL, H, UNROLL_H) RECUR_FIXED_FN(CELL, H, UNROLL_H, 1)
#define RECUR_FIXED_FN2(CELL, H, UNROLL_H) RECUR_FIXED_FN(CELL, H, UNROLL_H, 2)
RECUR_FIXED_SHAPES(RECUR_FIXED_FN1)
RECUR_FIXED_SHAPES2(RECUR_FIXED_FN2)
#undef RECUR_FIXED_FN2
#undef RECUR_FIXED_FN1
#undef RECUR_FIXED_FN

/* mono's sample loop for the fixed shapes; false if m has none of them.
 * Out of line, so that its register pressure does not reach the general
 * loop in mono. */
static __attribute__((noinline)) bool KFN(mono_fixed)(recur_model *m, float *x, const float *in,
                                                      float *out, size_t frames)
{
	const recur_shape *s = &m->shape;
#define RECUR_FIXED_CASE(CELL, H, UNROLL_H, LAYERS)                                                \
	if (s->layers == LAYERS && s->cell == CELL && s->hidden == H) {                            \
		KFN(fixed_##CELL##_##H##_##LAYERS)(m, x, in, out, frames);                         \
		return true;                                                                       \
	}
#define RECUR_FIXED_CASE1(CELL, H, UNROLL_H) RECUR_FIXED_CASE(CELL, H, UNROLL_H, 1)
#define RECUR_FIXED_CASE2(CELL, H, UNROLL_H) RECUR_FIXED_CASE(CELL, H, UNROLL_H, 2)
	RECUR_FIXED_SHAPES(RECUR_FIXED_CASE1)
	RECUR_FIXED_SHAPES2(RECUR_FIXED_CASE2)
#undef RECUR_FIXED_CASE2
#undef RECUR_FIXED_CASE1
#undef RECUR_FIXED_CASE
	return false;
}

/* A block of a mono signal with the sample loop inside the kernel unit: no
 * indirect call per sample, and none at all for an RNN top layer. The input
 * gain is applied to the whole block first (into out, which may alias in),
 * and the choice of forward path is made once per block, so the per-sample
 * loop of a model without inner layers or gain is what it always was. */
static void KFN(mono)(recur_model *m, float *x, const float *in, float *out, size_t frames)
{
	float y[RECUR_MAX_IO];
	const bool skip = m->shape.skip;
	const float gain = m->in_gain;
	if (gain != 1.0f) {
		for (size_t t = 0; t < frames; t++)
			out[t] = gain * in[t];
		in = out;
	}
	if (m->inner.n) {
		for (size_t t = 0; t < frames; t++) {
			const float xt = in[t];
			x[0] = xt;
			KFN(forward_stacked)(m, x, y);
			out[t] = skip ? y[0] + xt : y[0];
		}
		return;
	}
	const recur_shape *s = &m->shape;
	if (s->layers <= 2 && s->n_inputs == 1 && s->n_outputs == 1 &&
	    KFN(mono_fixed)(m, x, in, out, frames))
		return;
	for (size_t t = 0; t < frames; t++) {
		const float xt = in[t];
		x[0] = xt;
		KFN(forward_body)(m, x, y);
		out[t] = skip ? y[0] + xt : y[0];
	}
}

const recur_kernels KERNEL_TABLE = {
    .name = KERNEL_NAME,
    .layer_step = {KFN(rnn_step), KFN(gru_step), KFN(lstm_step)},
    .head = KFN(head),
    .stack = KFN(stack),
    .forward = KFN(forward),
    .mono = KFN(mono),
    .sigmoid = KFN(sigmoid_array),
    .tanh = KFN(tanh_array),
};
