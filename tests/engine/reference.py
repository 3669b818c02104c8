#!/usr/bin/env python3
"""Float64 reference for recur's cells, independent of the C engine.

Generates random models and inputs from a fixed seed, runs them through the
PyTorch cell equations in numpy float64 and prints, per case:

    case <cell> <n_inputs> <n_outputs> <hidden> <layers> <skip> <act> <steps>
    then for each layer: weight_ih (rows x in), weight_hh (rows x hidden),
    bias_ih (rows), bias_hh (rows), in PyTorch layout, row by row;
    w_out (n_outputs x hidden), b_out (n_outputs); inputs (steps x n_inputs);
    expected outputs (steps x n_outputs).

Every number is whitespace separated. Weights and inputs are float32 values
(printed exactly with %.9g) so the C side holds the very numbers used here.
"""
import sys

import numpy as np

GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def layer_step(cell, p, x, h, c):
    gx = p["w_ih"] @ x + p["b_ih"]
    gh = p["w_hh"] @ h + p["b_hh"]
    if cell == "rnn":
        return np.tanh(gx + gh), c
    n_h = len(h)
    if cell == "gru":
        r = sigmoid(gx[:n_h] + gh[:n_h])
        z = sigmoid(gx[n_h:2 * n_h] + gh[n_h:2 * n_h])
        n = np.tanh(gx[2 * n_h:] + r * gh[2 * n_h:])
        return (1.0 - z) * n + z * h, c
    g = gx + gh
    i = sigmoid(g[:n_h])
    f = sigmoid(g[n_h:2 * n_h])
    gg = np.tanh(g[2 * n_h:3 * n_h])
    o = sigmoid(g[3 * n_h:])
    c = f * c + i * gg
    return o * np.tanh(c), c


def head(act, skip, w_out, b_out, h, x):
    y = w_out @ h + b_out
    if skip:
        y[0] += x[0]
    if act == "tanh":
        return np.tanh(y)
    if act == "sigmoid":
        return sigmoid(y)
    if act == "softmax":
        e = np.exp(y - y.max())
        return e / e.sum()
    return y


def f32(a):
    return a.astype(np.float32).astype(np.float64)


def emit(out, arr):
    out.write(" ".join("%.9g" % v for v in np.ravel(arr)))
    out.write("\n")


def run_case(rng, out, cell, n_in, n_out, hidden, layers, skip, act, steps):
    rows = GATES[cell] * hidden
    scale = 1.5 / np.sqrt(hidden)
    params = []
    for l in range(layers):
        fan_in = n_in if l == 0 else hidden
        params.append({
            "w_ih": f32(rng.uniform(-scale, scale, (rows, fan_in))),
            "w_hh": f32(rng.uniform(-scale, scale, (rows, hidden))),
            "b_ih": f32(rng.uniform(-scale, scale, rows)),
            "b_hh": f32(rng.uniform(-scale, scale, rows)),
        })
    w_out = f32(rng.uniform(-scale, scale, (n_out, hidden)))
    b_out = f32(rng.uniform(-0.2, 0.2, n_out))
    t = np.arange(steps)
    xs = np.empty((steps, n_in))
    xs[:, 0] = 0.8 * np.sin(2 * np.pi * t * rng.uniform(0.005, 0.05)) + rng.uniform(-0.2, 0.2, steps)
    if n_in > 1:
        xs[:, 1:] = rng.uniform(0, 1, (steps, n_in - 1))
    xs = f32(xs)

    hs = [np.zeros(hidden) for _ in range(layers)]
    cs = [np.zeros(hidden) for _ in range(layers)]
    ys = np.empty((steps, n_out))
    for s in range(steps):
        v = xs[s]
        for l in range(layers):
            hs[l], cs[l] = layer_step(cell, params[l], v, hs[l], cs[l])
            v = hs[l]
        ys[s] = head(act, skip, w_out, b_out, v, xs[s])

    out.write("case %s %d %d %d %d %d %s %d\n" % (cell, n_in, n_out, hidden, layers, skip, act, steps))
    for p in params:
        for key in ("w_ih", "w_hh", "b_ih", "b_hh"):
            emit(out, p[key])
    emit(out, w_out)
    emit(out, b_out)
    emit(out, xs)
    out.write(" ".join("%.17g" % v for v in np.ravel(ys)))
    out.write("\n")


def main():
    rng = np.random.default_rng(20261122)
    out = sys.stdout
    steps = 300
    cases = []
    for cell in ("rnn", "gru", "lstm"):
        for hidden in (1, 3, 8, 16, 40, 128):
            layers = 1 if hidden == 128 else 1 + (hidden % 4)
            cases.append((cell, 1, 1, hidden, layers, hidden % 2 == 0, "linear"))
        for layers in (1, 2, 3, 4):
            cases.append((cell, 1 + 2 * layers, 1 + layers, 20, layers, layers % 2 == 1, "linear"))
        cases.append((cell, 16, 16, 33, 2, True, "softmax"))
        cases.append((cell, 3, 2, 12, 1, True, "tanh"))
        cases.append((cell, 2, 4, 24, 2, False, "sigmoid"))
        cases.append((cell, 5, 3, 64, 1, False, "softmax"))
    for cell, n_in, n_out, hidden, layers, skip, act in cases:
        run_case(rng, out, cell, n_in, n_out, hidden, layers, int(skip), act, steps)


if __name__ == "__main__":
    main()
