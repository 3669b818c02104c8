/* Fractional-delay filter design: Lagrange and minimax weights (the
 * definitions are in frac_delay.h). */
#include "frac_delay.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Lawson's iterations stop when the largest error has not improved by this
 * much (relative) for STALL iterations, or after MAX_ITER. */
#define MAX_ITER 4000
#define STALL    300
#define IMPROVED 1e-6

/* The largest linear system: the polish's KKT system, weights, the squared
 * error, one multiplier per extremal frequency (at most one per weight) and
 * the unit-sum multiplier. */
#define SYS (2 * FRAC_DELAY_MAX_TAPS + 2)
/* Newton steps of the polish, and local maxima this close to the largest
 * error that are tried as extremal frequencies. */
#define NEWTON_STEPS 30
#define NEAR_TOP     0.05

void frac_delay_taps(double M, int order, int *delays)
{
	/* Centred on M where they fit, never closer than one sample (the state
	 * being computed is not known yet): for M < 1 that makes the filter an
	 * extrapolation from the most recent states. */
	int first = (int)floor(M) - (order - 1) / 2;
	if (order % 2 == 0)
		first = (int)lround(M) - order / 2;
	if (first < 1)
		first = 1;
	for (int k = 0; k <= order; k++)
		delays[k] = first + k;
}

void frac_delay_lagrange(double M, int n, const int *d, double *w)
{
	for (int k = 0; k < n; k++) {
		double p = 1.0;
		for (int j = 0; j < n; j++)
			if (j != k)
				p *= (M - d[j]) / (double)(d[k] - d[j]);
		w[k] = p;
	}
}

/* ---- minimax: Lawson's iteratively reweighted least squares ---------------- */

/* The problem on the grid: A_ik = e^{-j w_i d_k} = c - j s, the wanted
 * response b_i = e^{-j w_i M} = cm - j sm. */
typedef struct {
	int n;
	double c[FRAC_DELAY_GRID + 1][FRAC_DELAY_MAX_TAPS];
	double s[FRAC_DELAY_GRID + 1][FRAC_DELAY_MAX_TAPS];
	double cm[FRAC_DELAY_GRID + 1], sm[FRAC_DELAY_GRID + 1];
} grid;

static void grid_init(grid *g, double M, int n, const int *d, double bw)
{
	g->n = n;
	for (int i = 0; i <= FRAC_DELAY_GRID; i++) {
		double om = M_PI * bw * i / FRAC_DELAY_GRID;
		for (int k = 0; k < n; k++) {
			g->c[i][k] = cos(om * d[k]);
			g->s[i][k] = sin(om * d[k]);
		}
		g->cm[i] = cos(om * M);
		g->sm[i] = sin(om * M);
	}
}

/* |A_i w - b_i| at every grid point; returns the largest. */
static double grid_errors(const grid *g, const double *w, double *e)
{
	double worst = 0.0;
	for (int i = 0; i <= FRAC_DELAY_GRID; i++) {
		double re = -g->cm[i], im = g->sm[i];
		for (int k = 0; k < g->n; k++) {
			re += w[k] * g->c[i][k];
			im -= w[k] * g->s[i][k];
		}
		e[i] = hypot(re, im);
		worst = fmax(worst, e[i]);
	}
	return worst;
}

/* Solves a x = b in place (x in b) for an n x n system, n <= SYS, by
 * Gaussian elimination with partial pivoting. False when singular. */
static bool solve(int n, double a[][SYS], double *b)
{
	for (int col = 0; col < n; col++) {
		int piv = col;
		for (int r = col + 1; r < n; r++)
			if (fabs(a[r][col]) > fabs(a[piv][col]))
				piv = r;
		if (!(fabs(a[piv][col]) > 1e-300))
			return false;
		for (int j = 0; j < n; j++) {
			double t = a[col][j];
			a[col][j] = a[piv][j];
			a[piv][j] = t;
		}
		double t = b[col];
		b[col] = b[piv];
		b[piv] = t;
		for (int r = col + 1; r < n; r++) {
			double f = a[r][col] / a[col][col];
			for (int j = col; j < n; j++)
				a[r][j] -= f * a[col][j];
			b[r] -= f * b[col];
		}
	}
	for (int r = n - 1; r >= 0; r--) {
		for (int j = r + 1; j < n; j++)
			b[r] -= a[r][j] * b[j];
		b[r] /= a[r][r];
	}
	return true;
}

/* Minimises sum_i v_i |A_i w - b_i|^2 subject to sum_k w_k = 1: the real
 * normal equations bordered by the constraint (a KKT system). */
static bool weighted_ls(const grid *g, const double *v, double *w)
{
	const int n = g->n;
	double a[SYS][SYS] = {{0}};
	double x[SYS] = {0};
	for (int i = 0; i <= FRAC_DELAY_GRID; i++) {
		if (v[i] == 0.0)
			continue;
		for (int k = 0; k < n; k++) {
			for (int l = k; l < n; l++)
				a[k][l] +=
				    v[i] * (g->c[i][k] * g->c[i][l] + g->s[i][k] * g->s[i][l]);
			x[k] += v[i] * (g->c[i][k] * g->cm[i] + g->s[i][k] * g->sm[i]);
		}
	}
	for (int k = 0; k < n; k++) {
		for (int l = 0; l < k; l++)
			a[k][l] = a[l][k];
		a[k][n] = a[n][k] = 1.0;
	}
	a[n][n] = 0.0;
	x[n] = 1.0;
	if (!solve(n + 1, a, x))
		return false;
	memcpy(w, x, (size_t)n * sizeof *w);
	return true;
}

/* ---- minimax: the polish ------------------------------------------------- */

/* Lawson's iterations approach the optimum slowly at the end. The optimum
 * is where the largest error is reached at a few extremal frequencies x_j
 * and the squared errors f_j(w) = |A_j w - b_j|^2 there satisfy the
 * optimality (KKT) conditions of min u subject to f_j <= u, sum w = 1:
 *     sum_j l_j grad f_j + mu 1 = 0,  sum_j l_j = 1,  f_j = u,  sum w = 1
 * with l_j >= 0. Newton's method solves them from Lawson's solution in a
 * few steps; the result is the optimum when every l_j >= 0 and no other
 * frequency's error is larger. */

/* f_i's gradient with respect to w at grid point i, and f_i. */
static double sq_error(const grid *g, int i, const double *w, double *grad)
{
	double re = -g->cm[i], im = g->sm[i];
	for (int k = 0; k < g->n; k++) {
		re += w[k] * g->c[i][k];
		im -= w[k] * g->s[i][k];
	}
	for (int k = 0; k < g->n; k++)
		grad[k] = 2.0 * (re * g->c[i][k] - im * g->s[i][k]);
	return re * re + im * im;
}

/* One Newton step's system for unknowns [w (n), u, l (m), mu]; x holds them,
 * r gets minus the residuals. */
static void kkt_system(const grid *g, const int *act, int m, const double *x, double a[][SYS],
                       double *r)
{
	const int n = g->n, size = n + m + 2;
	double grad[FRAC_DELAY_MAX_TAPS];
	memset(a, 0, sizeof(double[SYS]) * (size_t)size);
	memset(r, 0, sizeof *r * (size_t)size);
	r[n] = -1.0;
	for (int j = 0; j < m; j++) {
		const int i = act[j];
		const double l = x[n + 1 + j];
		double f = sq_error(g, i, x, grad);
		for (int k = 0; k < n; k++) {
			r[k] -= l * grad[k];
			a[k][n + 1 + j] = grad[k];
			a[n + 1 + j][k] = grad[k];
			for (int q = 0; q < n; q++)
				a[k][q] +=
				    2.0 * l * (g->c[i][k] * g->c[i][q] + g->s[i][k] * g->s[i][q]);
		}
		r[n] += l;
		a[n][n + 1 + j] = -1.0;
		r[n + 1 + j] = x[n] - f;
		a[n + 1 + j][n] = -1.0;
	}
	double sum = 0.0;
	for (int k = 0; k < n; k++) {
		r[k] -= x[n + m + 1];
		a[k][n + m + 1] = 1.0;
		a[n + m + 1][k] = 1.0;
		sum += x[k];
	}
	r[n + m + 1] = 1.0 - sum;
}

/* Newton on the optimality conditions with extremal frequencies act, from
 * weights w and multipliers l, both updated; false for a singular system.
 * Not converging is no failure: the caller measures what it got. */
static bool newton(const grid *g, const int *act, int m, double *l, double *w)
{
	const int n = g->n, size = n + m + 2;
	double x[SYS], r[SYS], a[SYS][SYS], grad[FRAC_DELAY_MAX_TAPS];
	memcpy(x, w, (size_t)n * sizeof *x);
	x[n] = 0.0;
	for (int j = 0; j < m; j++) {
		x[n] = fmax(x[n], sq_error(g, act[j], w, grad));
		x[n + 1 + j] = l[j];
	}
	x[n + m + 1] = 0.0;
	bool converged = false;
	for (int step = 0; step < NEWTON_STEPS && !converged; step++) {
		kkt_system(g, act, m, x, a, r);
		if (!solve(size, a, r))
			return false;
		double big = 0.0;
		for (int k = 0; k < size; k++) {
			x[k] += r[k];
			big = fmax(big, fabs(r[k]));
		}
		converged = big < 1e-13;
	}
	for (int k = 0; k < size; k++)
		if (!isfinite(x[k]))
			return false;
	memcpy(w, x, (size_t)n * sizeof *w);
	memcpy(l, x + n + 1, (size_t)m * sizeof *l);
	return true;
}

/* Removes entry j of act, l and moved. */
static int drop(int *act, double *l, bool *moved, int m, int j)
{
	for (; j + 1 < m; j++) {
		act[j] = act[j + 1];
		l[j] = l[j + 1];
		moved[j] = moved[j + 1];
	}
	return m - 1;
}

/* The local maxima of e within NEAR_TOP of the largest, largest first, at
 * most max of them; l gets Lawson's weight of each one's hill (the points
 * down to the minima either side), normalised: its multiplier's estimate. */
static int extremal(const double *e, const double *v, int max, int *act, double *l)
{
	double top = 0.0;
	for (int i = 0; i <= FRAC_DELAY_GRID; i++)
		top = fmax(top, e[i]);
	int m = 0;
	for (int i = 0; i <= FRAC_DELAY_GRID; i++) {
		bool peak =
		    (i == 0 || e[i] >= e[i - 1]) && (i == FRAC_DELAY_GRID || e[i] > e[i + 1]);
		if (!peak || e[i] < (1.0 - NEAR_TOP) * top)
			continue;
		int j = m < max ? m++ : max - 1;
		if (j == max - 1 && m == max && e[i] <= e[act[j]])
			continue;
		for (; j > 0 && e[act[j - 1]] < e[i]; j--)
			act[j] = act[j - 1];
		act[j] = i;
	}
	double sum = 0.0;
	for (int j = 0; j < m; j++) {
		int lo = act[j], hi = act[j];
		while (lo > 0 && e[lo - 1] < e[lo])
			lo--;
		while (hi < FRAC_DELAY_GRID && e[hi + 1] < e[hi])
			hi++;
		l[j] = 0.0;
		for (int i = lo; i <= hi; i++)
			l[j] += v[i];
		sum += l[j];
	}
	for (int j = 0; j < m; j++)
		l[j] = sum > 0.0 ? l[j] / sum : 1.0 / m;
	return m;
}

/* An active-set search from Lawson's extremal frequencies: a frequency whose
 * multiplier comes out negative is dropped, the frequency with the largest
 * error outside the set is added, until the solution is the optimum (no
 * error above the extremal ones) or the rounds run out. Keeps the best
 * weights seen; returns their largest error. */
static double polish(const grid *g, const double *v, double *w, double best)
{
	double e[FRAC_DELAY_GRID + 1], l[FRAC_DELAY_MAX_TAPS], trial[FRAC_DELAY_MAX_TAPS];
	double grad[FRAC_DELAY_MAX_TAPS], start[FRAC_DELAY_MAX_TAPS];
	int act[FRAC_DELAY_MAX_TAPS];
	bool moved[FRAC_DELAY_MAX_TAPS] = {false};
	const int n = g->n;
	grid_errors(g, w, e);
	int m = extremal(e, v, n, act, l);
	memcpy(start, w, (size_t)n * sizeof *w);
	for (int round = 0; round < 4 * n && m > 0; round++) {
		memcpy(trial, start, (size_t)n * sizeof *trial);
		if (!newton(g, act, m, l, trial))
			break;
		int low = 0;
		for (int j = 1; j < m; j++)
			low = l[j] < l[low] ? j : low;
		if (l[low] < 0.0) {
			m = drop(act, l, moved, m, low);
			continue;
		}
		double worst = grid_errors(g, trial, e);
		if (worst < best) {
			best = worst;
			memcpy(w, trial, (size_t)n * sizeof *w);
		}
		double u = sq_error(g, act[0], trial, grad);
		if (worst * worst <= u * (1.0 + 1e-9))
			break;
		int top = 0;
		for (int i = 1; i <= FRAC_DELAY_GRID; i++)
			top = e[i] > e[top] ? i : top;
		/* The same hill's peak moved to a neighbour: move the frequency,
		 * once; after that, both are extremal (the true peak is between). */
		int j = 0;
		while (j < m && (abs(act[j] - top) > 1 || moved[j]))
			j++;
		if (j < m)
			moved[j] = true;
		if (j == m && m == n)
			break;
		if (j == m) {
			moved[m] = true;
			l[m++] = 0.0;
		}
		act[j] = top;
	}
	return best;
}

double frac_delay_minimax(double M, int n, const int *d, double bw, double *w)
{
	static const double uniform = 1.0 / (FRAC_DELAY_GRID + 1);
	/* Lagrange is the fallback should memory run out or the very first
	 * system be singular. */
	frac_delay_lagrange(M, n, d, w);
	/* On the heap: about 60 kB, more than a host's worker thread may
	 * offer on its stack. */
	grid *g = malloc(sizeof *g);
	double *v = malloc(2 * (FRAC_DELAY_GRID + 1) * sizeof *v);
	if (!g || !v) {
		free(g);
		free(v);
		return HUGE_VAL;
	}
	double *e = v + FRAC_DELAY_GRID + 1;
	double trial[FRAC_DELAY_MAX_TAPS];
	grid_init(g, M, n, d, bw);
	for (int i = 0; i <= FRAC_DELAY_GRID; i++)
		v[i] = uniform;
	double best = grid_errors(g, w, e);
	for (int it = 0, since = 0; it < MAX_ITER && since < STALL && best > 1e-15; it++) {
		if (!weighted_ls(g, v, trial))
			break;
		double worst = grid_errors(g, trial, e);
		since++;
		if (worst < best) {
			if (worst < best * (1.0 - IMPROVED))
				since = 0;
			best = worst;
			memcpy(w, trial, (size_t)n * sizeof *w);
		}
		/* Lawson: weight each point by its error, so the least squares
		 * solution moves towards equal ripple. */
		double sum = 0.0;
		for (int i = 0; i <= FRAC_DELAY_GRID; i++)
			sum += v[i] *= e[i];
		if (!(sum > 0.0))
			break;
		for (int i = 0; i <= FRAC_DELAY_GRID; i++)
			v[i] /= sum;
	}
	if (best > 1e-15)
		best = polish(g, v, w, best);
	free(g);
	free(v);
	return best;
}
