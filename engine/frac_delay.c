/* Fractional-delay filter design: Lagrange and minimax weights (the
 * definitions are in frac_delay.h). */
#include "frac_delay.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Lawson's iterations stop when the largest error has not improved by this
 * much (relative) for STALL iterations, or after MAX_ITER. */
#define MAX_ITER 4000
#define STALL    300
#define IMPROVED 1e-9

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

double frac_delay_error(double M, int n, const int *d, const double *w, double bw, int points)
{
	double worst = 0.0;
	for (int i = 0; i <= points; i++) {
		double om = M_PI * bw * i / points;
		double re = -cos(om * M), im = sin(om * M);
		for (int k = 0; k < n; k++) {
			re += w[k] * cos(om * d[k]);
			im -= w[k] * sin(om * d[k]);
		}
		worst = fmax(worst, hypot(re, im));
	}
	return worst;
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

/* Solves a x = b in place (x in b) for an n x n system, n <= MAX_TAPS + 1,
 * by Gaussian elimination with partial pivoting. False when singular. */
static bool solve(int n, double a[][FRAC_DELAY_MAX_TAPS + 1], double *b)
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
	double a[FRAC_DELAY_MAX_TAPS + 1][FRAC_DELAY_MAX_TAPS + 1] = {{0}};
	double x[FRAC_DELAY_MAX_TAPS + 1] = {0};
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

double frac_delay_minimax(double M, int n, const int *d, double bw, double *w)
{
	static const double uniform = 1.0 / (FRAC_DELAY_GRID + 1);
	grid g;
	double v[FRAC_DELAY_GRID + 1], e[FRAC_DELAY_GRID + 1];
	double trial[FRAC_DELAY_MAX_TAPS];
	grid_init(&g, M, n, d, bw);
	for (int i = 0; i <= FRAC_DELAY_GRID; i++)
		v[i] = uniform;
	/* Lagrange is the fallback should the very first system be singular. */
	frac_delay_lagrange(M, n, d, w);
	double best = grid_errors(&g, w, e);
	for (int it = 0, since = 0; it < MAX_ITER && since < STALL && best > 1e-15; it++) {
		if (!weighted_ls(&g, v, trial))
			break;
		double worst = grid_errors(&g, trial, e);
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
	return best;
}
