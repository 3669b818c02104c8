#!/usr/bin/env python3
"""Linear-programming reference for the minimax fractional-delay filters,
independent of the C design (engine/frac_delay.c, Lawson's iterations).

For a delay of M samples and an order-N filter over the taps d_k (N + 1
consecutive delays centred on M, never below 1, as docs/host-rate.md
documents them), the real weights w minimising

    max over w_i of |sum_k w_k exp(-j w_i d_k) - exp(-j w_i M)|

over the grid w_i = pi bw i / 512, i = 0..512 (bw = 0.5), with sum_k w_k = 1.
The modulus is replaced by a polygon of P = 64 sides: for every angle
theta_p = 2 pi p / P, Re(exp(-j theta_p) z) <= t, so the optimum t is a lower
bound on the true minimax error (and at least cos(pi / P) of it). Solved
with scipy.optimize.linprog (HiGHS).

The polygon's weights are not yet the minimax weights: near the optimum the
largest error grows only slowly with a weight's distance from it (few
extremal frequencies, where the error's modulus is smooth in w), so a bound
within 0.1 % leaves the weights a few 1e-3 off. They are polished with
scipy's SLSQP from the polygon's solution: minimise t subject to
t^2 >= |A_i w - b_i|^2 at every grid frequency (smooth constraints, so it
converges fast) and sum w = 1; the polygon's weights are kept if that fails
or does no better.

Prints one line per case:

    case M N t64 err w_0 .. w_N

t64 the polygon's optimum (a lower bound on the minimax error over the
grid), err the largest error over the grid of the weights w printed.
"""
import math
import sys

import numpy as np
from scipy.optimize import linprog, minimize

BW = 0.5
GRID = 512
ANGLES = 64

CASES_M = [44.1 / 48, 48 / 44.1, 88.2 / 48, 22.05 / 48, 1.5, 2.5, 0.6, 4.3537, 0.75, 3.2]


def taps(M, order):
    if order % 2:
        first = math.floor(M) - (order - 1) // 2
    else:
        first = math.floor(M + 0.5) - order // 2  # lround: halves away from zero
    first = max(first, 1)
    return np.arange(first, first + order + 1, dtype=float)


def half_planes(om, theta, d, M):
    """Re(exp(-j theta) (A w - b)) <= t for frequencies om and angles theta
    (same shape): sum_k w_k cos(om d_k + theta) - t <= cos(om M + theta)."""
    a = np.cos(om[:, None] * d[None, :] + theta[:, None])
    a = np.hstack([a, -np.ones((len(om), 1))])
    return a, np.cos(om * M + theta)


def polygon(om, d, M, what):
    theta = 2 * math.pi * np.arange(ANGLES) / ANGLES
    a_ub, b_ub = half_planes(np.repeat(om, ANGLES), np.tile(theta, len(om)), d, M)
    n = len(d)
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    bounds = [(None, None)] * n + [(0, None)]
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds,
                  method="highs")
    if res.status != 0:
        sys.exit("linprog failed for %s: %s" % (what, res.message))
    return res.x[-1], res.x[:-1]


def polish(a, b, w):
    """SLSQP on x = (w, t): minimise t, t^2 - |a w - b|^2 >= 0, sum w = 1."""
    n = len(w)

    def gap(x):
        e = a @ x[:n] - b
        return x[n] ** 2 - np.abs(e) ** 2

    def gap_jac(x):
        e = a @ x[:n] - b
        dw = -2 * (e.real[:, None] * a.real + e.imag[:, None] * a.imag)
        return np.hstack([dw, 2 * x[n] * np.ones((len(b), 1))])

    unit = np.concatenate([np.ones(n), [0.0]])
    last = np.eye(n + 1)[n]
    x0 = np.concatenate([w, [np.max(np.abs(a @ w - b))]])
    res = minimize(lambda x: x[n], x0, jac=lambda x: last, method="SLSQP",
                   constraints=[{"type": "ineq", "fun": gap, "jac": gap_jac},
                                {"type": "eq", "fun": lambda x: x[:n].sum() - 1,
                                 "jac": lambda x: unit}],
                   options={"ftol": 1e-15, "maxiter": 500})
    return res.x[:n]


def minimax(M, order):
    d = taps(M, order)
    om = math.pi * BW * np.arange(GRID + 1) / GRID
    t64, w = polygon(om, d, M, "M = %r, order %d" % (M, order))
    a = np.exp(-1j * om[:, None] * d[None, :])
    b = np.exp(-1j * om * M)
    err = np.max(np.abs(a @ w - b))
    wp = polish(a, b, w)
    errp = np.max(np.abs(a @ wp - b))
    if np.all(np.isfinite(wp)) and abs(wp.sum() - 1) < 1e-12 and errp < err:
        w, err = wp, errp
    return t64, err, w


def main():
    for M in CASES_M:
        for order in range(1, 6):
            t64, err, w = minimax(M, order)
            print("case %.17g %d %.17g %.17g %s" % (M, order, t64, err, " ".join("%.17g" % x for x in w)))


if __name__ == "__main__":
    main()
