#!/usr/bin/env python3
"""Float64 reference for the state-delay method, independent of the C engine.

From Carson, Wright, Chowdhury, Valimaki and Bilbao (DAFx 2024): a recurrent
network trained at rate F_model, run at F_host = M F_model, reads the state
of M host samples ago instead of the previous one,

    h_l[n] = cell_l(x_l[n], s_l[n - M])       x_0 = x, x_l = h_{l-1}[n]
    y[n]   = W_out h_top[n] + b_out (+ x[n] with skip)

(s = h, and c for an LSTM). For integer M the delay is exact; otherwise
s_l[n - M] is an order-N Lagrange fractional delay over N + 1 past states
(Carson, Wright and Bilbao, ICASSP 2025, for M < 1: extrapolation from
s[n-1] .. s[n-N-1]):

    s~ = sum_k s[n - d_k] prod_{j != k} (M - d_j) / (d_k - d_j)

with the taps d_k as docs/plugin.md documents them: N + 1 consecutive
integers starting at floor(M) - (N - 1) // 2 (odd N) or round(M) - N / 2
(even N), never below 1. States before the first sample are zero.

Writes each case's model as a recur-format JSON file into the folder given as
argv[1] and prints on stdout, per case:

    case <file> <model_rate> <host_rate> <order> <steps>
    inputs (steps floats, exactly representable in float32)
    expected outputs (steps floats)
"""
import json
import math
import os
import sys

import numpy as np

# The PyTorch cell equations live once, in tests/engine/reference.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
from reference import GATES, layer_step as cell_step  # noqa: E402


def taps(M, order):
    if order == 0:
        return [int(round(M))], [1.0]
    if order % 2:
        first = math.floor(M) - (order - 1) // 2
    else:
        first = int(round(M)) - order // 2
    first = max(first, 1)
    d = [first + k for k in range(order + 1)]
    w = []
    for k in range(order + 1):
        prod = 1.0
        for j in range(order + 1):
            if j != k:
                prod *= (M - d[j]) / (d[k] - d[j])
        w.append(prod)
    return d, w


def run(model, x, M, order):
    cell, layers, hidden = model["cell"], model["layers"], model["hidden"]
    d, w = taps(M, order)
    hist_h = []  # hist_h[n][l]: h of layer l after sample n
    hist_c = []
    zero = np.zeros(hidden)
    y = []
    for n in range(len(x)):
        inp = np.array([x[n]])
        new_h, new_c = [], []
        for l in range(layers):
            h_read = np.zeros(hidden)
            c_read = np.zeros(hidden)
            for dk, wk in zip(d, w):
                if n - dk >= 0:
                    h_read += wk * hist_h[n - dk][l]
                    c_read += wk * hist_c[n - dk][l]
            h, c = cell_step(cell, model["p"][l], inp, h_read, c_read)
            if cell != "lstm":
                c = zero
            new_h.append(h)
            new_c.append(c)
            inp = h
        hist_h.append(new_h)
        hist_c.append(new_c)
        out = model["w_out"] @ new_h[-1] + model["b_out"]
        y.append(out[0] + (x[n] if model["skip"] else 0.0))
    return y


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def make_model(rng, cell, hidden, layers, skip):
    rows = GATES[cell] * hidden
    k = 1.0 / math.sqrt(hidden)
    p = []
    for l in range(layers):
        n_in = 1 if l == 0 else hidden
        p.append({
            "w_ih": f32(rng.uniform(-k, k, (rows, n_in)) * 2.0),
            "w_hh": f32(rng.uniform(-k, k, (rows, hidden))),
            "b_ih": f32(rng.uniform(-k, k, rows)),
            "b_hh": f32(rng.uniform(-k, k, rows)),
        })
    return {"cell": cell, "hidden": hidden, "layers": layers, "skip": skip, "p": p,
            "w_out": f32(rng.uniform(-k, k, (1, hidden))),
            "b_out": f32(rng.uniform(-0.1, 0.1, 1))}


def write_model(model, path, rate):
    lst = lambda a: [[float(v) for v in row] for row in a]
    doc = {
        "format": "recur-model", "version": 1, "cell": model["cell"],
        "n_inputs": 1, "n_outputs": 1, "hidden": model["hidden"],
        "n_layers": model["layers"], "skip": model["skip"],
        "output_activation": "linear", "sample_rate": rate,
        "inputs": [{"name": "in", "min": -1, "max": 1, "default": 0}],
        "outputs": [{"name": "out"}],
        "layers": [{"weight_ih": lst(p["w_ih"]), "weight_hh": lst(p["w_hh"]),
                    "bias_ih": [float(v) for v in p["b_ih"]],
                    "bias_hh": [float(v) for v in p["b_hh"]]} for p in model["p"]],
        "head": {"weight": lst(model["w_out"]),
                 "bias": [float(v) for v in model["b_out"]]},
    }
    with open(path, "w") as f:
        json.dump(doc, f)


def main():
    folder = sys.argv[1]
    rng = np.random.default_rng(20241013)
    # (model rate, host rate, order): integer M exact, then fractional
    # interpolation and extrapolation with the orders recur chooses from.
    rates = [(48000, 96000, 0), (48000, 192000, 0), (44100, 132300, 0),
             (48000, 88200, 3), (48000, 88200, 2), (48000, 88200, 1),
             (44100, 96000, 3), (48000, 44100, 2), (48000, 44100, 1),
             (48000, 22050, 3), (44100, 48000, 2)]
    shapes = [("rnn", 8, 1, False), ("gru", 12, 2, True), ("lstm", 16, 1, True),
              ("lstm", 5, 3, False), ("gru", 1, 1, False)]
    steps = 300
    case = 0
    for cell, hidden, layers, skip in shapes:
        for model_rate, host_rate, order in rates:
            model = make_model(rng, cell, hidden, layers, skip)
            t = np.arange(steps)
            x = f32(0.6 * np.sin(2 * np.pi * 440.0 * t / host_rate)
                    + 0.2 * rng.standard_normal(steps))
            path = os.path.join(folder, "case%03d.json" % case)
            write_model(model, path, model_rate)
            y = run(model, x, host_rate / model_rate, order)
            print("case", path, model_rate, host_rate, order, steps)
            print(" ".join("%.9g" % v for v in x))
            print(" ".join("%.17g" % v for v in y))
            case += 1


if __name__ == "__main__":
    main()
