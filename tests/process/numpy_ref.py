"""Independent reference for recur-process: runs a model in recur's JSON
format over a CSV with numpy, straight from PyTorch's cell equations, and
writes the outputs as CSV.

Usage: numpy_ref.py MODEL.json INPUT.csv OUTPUT.csv
"""
import json
import sys

import numpy as np


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def layer_step(cell, p, x, h, c):
    gi = p["w_ih"] @ x + p["b_ih"]
    gh = p["w_hh"] @ h + p["b_hh"]
    H = h.shape[0]
    if cell == "rnn":
        return np.tanh(gi + gh), c
    if cell == "gru":
        r = sigmoid(gi[:H] + gh[:H])
        z = sigmoid(gi[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        return (1 - z) * n + z * h, c
    g = gi + gh
    i, f = sigmoid(g[:H]), sigmoid(g[H:2 * H])
    gg, o = np.tanh(g[2 * H:3 * H]), sigmoid(g[3 * H:])
    c = f * c + i * gg
    return o * np.tanh(c), c


def activate(name, y):
    if name == "tanh":
        return np.tanh(y)
    if name == "sigmoid":
        return sigmoid(y)
    if name == "softmax":
        e = np.exp(y - y.max())
        return e / e.sum()
    return y


def main():
    model_path, input_path, output_path = sys.argv[1:4]
    with open(model_path) as f:
        m = json.load(f)
    layers = [{
        "w_ih": np.array(l["weight_ih"], dtype=np.float64),
        "w_hh": np.array(l["weight_hh"], dtype=np.float64),
        "b_ih": np.array(l["bias_ih"], dtype=np.float64),
        "b_hh": np.array(l["bias_hh"], dtype=np.float64),
    } for l in m["layers"]]
    w_out = np.array(m["head"]["weight"], dtype=np.float64)
    b_out = np.array(m["head"]["bias"], dtype=np.float64)
    data = np.genfromtxt(input_path, delimiter=",", names=True)
    names = [p["name"] for p in m["inputs"]]
    x_all = np.stack([data[n] for n in names], axis=1).astype(np.float32)
    H = m["hidden"]
    h = [np.zeros(H) for _ in layers]
    c = [np.zeros(H) for _ in layers]
    rows = []
    for x in x_all.astype(np.float64):
        v = x
        for k, p in enumerate(layers):
            h[k], c[k] = layer_step(m["cell"], p, v, h[k], c[k])
            v = h[k]
        y = w_out @ v + b_out
        if m["skip"]:
            y[0] += x[0]
        rows.append(activate(m["output_activation"], y))
    header = ",".join(p["name"] for p in m["outputs"])
    np.savetxt(output_path, np.array(rows), delimiter=",", fmt="%.17g", header=header,
               comments="")


if __name__ == "__main__":
    main()
