#!/usr/bin/env python3
"""Float64 reference for recur's cells, independent of the C engine.

Generates random models and inputs from a fixed seed, runs them through the
PyTorch cell equations in numpy float64 and prints, per case:

    case <cell> <n_inputs> <n_outputs> <hidden> <layers> <skip> <act> <steps>
    then for each layer: weight_ih (rows x in), weight_hh (rows x hidden),
    bias_ih (rows), bias_hh (rows), in PyTorch layout, row by row;
    w_out (n_outputs x hidden), b_out (n_outputs); inputs (steps x n_inputs);
    expected outputs (steps x n_outputs).

Then cases of the whole model as docs/engine.md states it (dense stack,
initial state, input and output gains):

    stack <cell> <n_inputs> <n_outputs> <hidden> <layers> <skip> <act> <steps>
          <n_inner> <width0> <act0> <width1> <act1> <has_init> <in_gain> <out_gain>
    then the layers as above; per inner dense layer weight (width x in), bias;
    w_out (n_outputs x its inputs), b_out; if has_init, per layer h0 and (LSTM)
    c0; inputs (steps x n_inputs, inputs 1.. held constant); expected outputs.

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


def activate(act, y):
    if act == "tanh":
        return np.tanh(y)
    if act == "sigmoid":
        return sigmoid(y)
    if act == "softmax":
        e = np.exp(y - y.max())
        return e / e.sum()
    if act == "relu":
        return np.maximum(y, 0.0)
    if act == "elu":
        return np.where(y > 0, y, np.expm1(np.minimum(y, 0.0)))
    return y


def head(act, skip, w_out, b_out, h, x):
    y = w_out @ h + b_out
    if skip:
        y[0] += x[0]
    return activate(act, y)


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


def run_stack_case(rng, out, cell, n_in, n_out, hidden, layers, skip, act, steps, inner,
                   has_init, in_gain, out_gain):
    """u = in_gain x[0]; layers from (h0, c0); each inner layer a = act_k(W a + b);
    z = W_out a + b_out, z[0] += u if skip; y = out_gain act(z)."""
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
    dense = []
    fan_in = hidden
    for width, dact in inner:
        k = 2.0 / np.sqrt(fan_in)
        dense.append((f32(rng.uniform(-k, k, (width, fan_in))), f32(rng.uniform(-0.5, 0.5, width)), dact))
        fan_in = width
    k = 1.5 / np.sqrt(fan_in)
    w_out = f32(rng.uniform(-k, k, (n_out, fan_in)))
    b_out = f32(rng.uniform(-0.2, 0.2, n_out))
    h0 = [f32(rng.uniform(-0.6, 0.6, hidden)) if has_init else np.zeros(hidden) for _ in range(layers)]
    c0 = [f32(rng.uniform(-0.9, 0.9, hidden)) if has_init and cell == "lstm" else np.zeros(hidden)
          for _ in range(layers)]
    t = np.arange(steps)
    xs = np.empty((steps, n_in))
    xs[:, 0] = 0.8 * np.sin(2 * np.pi * t * rng.uniform(0.005, 0.05)) + rng.uniform(-0.2, 0.2, steps)
    if n_in > 1:
        xs[:, 1:] = rng.uniform(0, 1, n_in - 1)
    xs = f32(xs)

    hs = [h.copy() for h in h0]
    cs = [c.copy() for c in c0]
    ys = np.empty((steps, n_out))
    for s in range(steps):
        u = in_gain * xs[s][0]
        v = np.concatenate(([u], xs[s][1:]))
        for l in range(layers):
            hs[l], cs[l] = layer_step(cell, params[l], v, hs[l], cs[l])
            v = hs[l]
        for w, b, dact in dense:
            v = activate(dact, w @ v + b)
        z = w_out @ v + b_out
        if skip:
            z[0] += u
        ys[s] = out_gain * activate(act, z)

    slots = list(inner) + [(0, "linear")] * (2 - len(inner))
    out.write("stack %s %d %d %d %d %d %s %d %d %d %s %d %s %d %.9g %.9g\n" % (
        cell, n_in, n_out, hidden, layers, skip, act, steps, len(inner),
        slots[0][0], slots[0][1], slots[1][0], slots[1][1], has_init, in_gain, out_gain))
    for p in params:
        for key in ("w_ih", "w_hh", "b_ih", "b_hh"):
            emit(out, p[key])
    for w, b, _ in dense:
        emit(out, w)
        emit(out, b)
    emit(out, w_out)
    emit(out, b_out)
    if has_init:
        for l in range(layers):
            emit(out, h0[l])
            if cell == "lstm":
                emit(out, c0[l])
    emit(out, xs)
    out.write(" ".join("%.17g" % v for v in np.ravel(ys)))
    out.write("\n")


def stack_cases():
    """Every inner and output activation, 1 to 3 dense layers, initial states
    and gains with and without skip, on every cell."""
    inner_acts = ("linear", "tanh", "sigmoid", "relu", "elu")
    out_acts = ("linear", "tanh", "sigmoid", "softmax", "relu", "elu")
    gains = ((1.0, 1.0), (1.7, 0.5), (0.3, 2.25), (1.0, 0.75), (2.0, 1.0))
    cases = []
    for cell in ("rnn", "gru", "lstm"):
        for i, dact in enumerate(inner_acts):
            width = (5, 16, 17, 3, 40)[i]
            g = gains[i]
            cases.append((cell, 1 + i % 3, 1 + i % 2, (4, 8, 16, 20, 33)[i], 1 + i % 2, i % 2 == 0,
                          out_acts[i], [(width, dact)], i % 2 == 1, g[0], g[1]))
        for i, (a0, a1) in enumerate((("tanh", "relu"), ("elu", "sigmoid"), ("relu", "linear"))):
            cases.append((cell, 1 + i, 3 - i, 12 + 10 * i, 1 + i, i != 1, out_acts[(i + 3) % 6],
                          [((8, 32, 1)[i], a0), ((16, 7, 128)[i], a1)], i != 2, *gains[i + 1]))
        # single dense layer: initial state and gains, with and without skip
        for i, hidden in enumerate((8, 64)):
            cases.append((cell, 1, 1, hidden, 1 + i, True, "linear", [], True, 1.7, 0.5))
            cases.append((cell, 2, 1, hidden, 1, False, "linear", [], i == 0, 0.3, 2.25))
        cases.append((cell, 1, 1, 128, 1, True, "elu", [(128, "tanh"), (128, "elu")], True, 1.25, 0.8))
    return cases


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
    srng = np.random.default_rng(20261202)
    for cell, n_in, n_out, hidden, layers, skip, act, inner, init, g_in, g_out in stack_cases():
        run_stack_case(srng, out, cell, n_in, n_out, hidden, layers, int(skip), act, steps, inner,
                       int(init), float(np.float32(g_in)), float(np.float32(g_out)))


if __name__ == "__main__":
    main()
