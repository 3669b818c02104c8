#!/usr/bin/env python3
"""Known-answer cases for the model-file readers.

Writes random model files in three formats (AIDA-X / RTNeural Keras JSON,
Automated-GuitarAmpModelling PyTorch JSON, recur's own format) and, for each,
the outputs the network should give for a random input. The expected outputs
come from this file's own numpy forward passes, written from each format's
definition (Keras' LSTM and reset_after GRU on the file's Keras-layout arrays;
PyTorch's LSTM, GRU and RNN on the state_dict arrays), never from recur.

  import_cases.py run TEST_EXE        write the cases to a temporary folder and
                                      run TEST_EXE on its manifest
  import_cases.py fixtures DIR        write the small committed fixtures
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

# PyTorch's cell equations live once, in the engine's known-answer reference;
# the Keras ones below are this file's own, as only the importer needs them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
from reference import layer_step  # noqa: E402

FRAMES = 48


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def activation(name, v):
    if name in ("", "linear"):
        return v
    if name == "tanh":
        return np.tanh(v)
    if name == "sigmoid":
        return sigmoid(v)
    if name == "softmax":
        e = np.exp(v - v.max())
        return e / e.sum()
    raise ValueError(name)


def rand(rng, *shape, scale=0.5):
    """float32 values, so the file holds exactly what numpy computes with."""
    return (rng.uniform(-scale, scale, size=shape)).astype(np.float32).astype(np.float64)


def lst(a):
    return a.tolist()


# ---- Keras semantics (AIDA-X / RTNeural) ----------------------------------

def keras_lstm_step(w, x, h, c):
    kernel, rec, bias = w
    H = rec.shape[0]
    z = x @ kernel + h @ rec + bias
    i, f = sigmoid(z[:H]), sigmoid(z[H:2 * H])
    g, o = np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
    c = f * c + i * g
    return o * np.tanh(c), c


def keras_gru_step(w, x, h, c):
    kernel, rec, bias = w
    H = rec.shape[0]
    xz = x @ kernel + bias[0]
    hz = h @ rec + bias[1]
    z = sigmoid(xz[:H] + hz[:H])
    r = sigmoid(xz[H:2 * H] + hz[H:2 * H])
    hh = np.tanh(xz[2 * H:] + r * hz[2 * H:])
    return z * h + (1 - z) * hh, c


def aidax_case(rng, cell, n_in, hidden, layers, skip, act="", n_out=1, out_gain_db=None):
    gates = 4 if cell == "lstm" else 3
    file_layers, weights = [], []
    for l in range(layers):
        inp = n_in if l == 0 else hidden
        s = 1 / np.sqrt(hidden)
        kernel = rand(rng, inp, gates * hidden, scale=s)
        rec = rand(rng, hidden, gates * hidden, scale=s)
        bias = rand(rng, gates * hidden) if cell == "lstm" else rand(rng, 2, gates * hidden)
        weights.append((kernel, rec, bias))
        file_layers.append({"type": cell, "activation": "", "shape": [None, None, hidden],
                            "weights": [lst(kernel), lst(rec), lst(bias)]})
    dk, db = rand(rng, hidden, n_out), rand(rng, n_out)
    file_layers.append({"type": "dense", "activation": act, "shape": [None, None, n_out],
                        "weights": [lst(dk), lst(db)]})
    model = {"in_shape": [None, None, n_in], "in_skip": int(skip), "layers": file_layers,
             "samplerate": 48000}
    gain = 1.0
    if out_gain_db is not None:
        model["out_gain"] = out_gain_db
        gain = 10 ** (out_gain_db / 20)

    step = keras_lstm_step if cell == "lstm" else keras_gru_step
    x = rand(rng, FRAMES, n_in, scale=1.0)
    h = [np.zeros(hidden) for _ in range(layers)]
    c = [np.zeros(hidden) for _ in range(layers)]
    y = np.zeros((FRAMES, n_out))
    for t in range(FRAMES):
        v = x[t]
        for l in range(layers):
            h[l], c[l] = step(weights[l], v, h[l], c[l])
            v = h[l]
        # AIDA-X: out = in + model(in) * 10^(out_gain / 20)
        y[t] = activation(act, v @ dk + db) * gain
        if skip:
            y[t] += x[t, 0]
    return model, x, y


# ---- PyTorch semantics (Automated-GuitarAmpModelling, recur) ---------------

def torch_step(cell, w, x, h, c):
    w_ih, w_hh, b_ih, b_hh = w
    return layer_step(cell, {"w_ih": w_ih, "w_hh": w_hh, "b_ih": b_ih, "b_hh": b_hh}, x, h, c)


def torch_weights(rng, cell, n_in, hidden, layers):
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    s = 1 / np.sqrt(hidden)
    out = []
    for l in range(layers):
        inp = n_in if l == 0 else hidden
        out.append((rand(rng, gates * hidden, inp, scale=s), rand(rng, gates * hidden, hidden, scale=s),
                    rand(rng, gates * hidden, scale=s), rand(rng, gates * hidden, scale=s)))
    return out


def torch_run(cell, weights, lin_w, lin_b, x, skip_before_act, act="", skip_after=False):
    layers, hidden = len(weights), weights[0][1].shape[1]
    h = [np.zeros(hidden) for _ in range(layers)]
    c = [np.zeros(hidden) for _ in range(layers)]
    y = np.zeros((len(x), lin_w.shape[0]))
    for t in range(len(x)):
        v = x[t]
        for l in range(layers):
            h[l], c[l] = torch_step(cell, weights[l], v, h[l], c[l])
            v = h[l]
        pre = lin_w @ v + lin_b
        if skip_before_act:
            pre[0] += x[t, 0]
        y[t] = activation(act, pre)
        if skip_after:
            y[t] += x[t, 0]
    return y


def gaam_case(rng, cell, n_in, hidden, layers, skip, lin_bias=True):
    weights = torch_weights(rng, cell, n_in, hidden, layers)
    lin_w, lin_b = rand(rng, 1, hidden), rand(rng, 1)
    state = {}
    for l, (w_ih, w_hh, b_ih, b_hh) in enumerate(weights):
        state[f"rec.weight_ih_l{l}"] = lst(w_ih)
        state[f"rec.weight_hh_l{l}"] = lst(w_hh)
        state[f"rec.bias_ih_l{l}"] = lst(b_ih)
        state[f"rec.bias_hh_l{l}"] = lst(b_hh)
    state["lin.weight"] = lst(lin_w)
    if lin_bias:
        state["lin.bias"] = lst(lin_b)
    else:
        lin_b = np.zeros(1)
    model = {"model_data": {"model": "SimpleRNN", "input_size": n_in, "skip": int(skip),
                            "output_size": 1, "unit_type": cell.upper(), "num_layers": layers,
                            "hidden_size": hidden, "bias_fl": lin_bias},
             "state_dict": state}
    x = rand(rng, FRAMES, n_in, scale=1.0)
    # SimpleRNN: lin(rec(x)) + x[..., 0:skip]; no output activation.
    return model, x, torch_run(cell, weights, lin_w, lin_b, x, False, skip_after=skip)


def recur_case(rng, cell, n_in, n_out, hidden, layers, skip, act):
    weights = torch_weights(rng, cell, n_in, hidden, layers)
    head_w, head_b = rand(rng, n_out, hidden), rand(rng, n_out)
    model = {
        "format": "recur-model", "version": 1, "cell": cell,
        "n_inputs": n_in, "n_outputs": n_out, "hidden": hidden, "n_layers": layers,
        "skip": skip, "output_activation": act, "sample_rate": 100,
        "inputs": [{"name": f"x{i}", "min": -1, "max": 1, "default": 0} for i in range(n_in)],
        "outputs": [{"name": f"y{i}"} for i in range(n_out)],
        "layers": [{"weight_ih": lst(a), "weight_hh": lst(b), "bias_ih": lst(c), "bias_hh": lst(d)}
                   for a, b, c, d in weights],
        "head": {"weight": lst(head_w), "bias": lst(head_b)},
        "metadata": {"units": "none"},
    }
    x = rand(rng, FRAMES, n_in, scale=1.0)
    # recur adds the skip before the output activation.
    return model, x, torch_run(cell, weights, head_w, head_b, x, skip, act)


def all_cases():
    rng = np.random.default_rng(20261122)
    cases = []
    for cell in ("lstm", "gru"):
        for layers in (1, 2):
            for skip in (False, True):
                cases.append((f"aidax_{cell}_l{layers}_s{int(skip)}",
                              aidax_case(rng, cell, 1, 6, layers, skip)))
                cases.append((f"gaam_{cell}_l{layers}_s{int(skip)}",
                              gaam_case(rng, cell, 1, 5, layers, skip)))
    cases.append(("aidax_lstm_cond_tanh", aidax_case(rng, "lstm", 3, 7, 1, False, "tanh")))
    cases.append(("aidax_gru_2out_sigmoid", aidax_case(rng, "gru", 2, 4, 2, False, "sigmoid", 2)))
    cases.append(("aidax_lstm_out_gain", aidax_case(rng, "lstm", 1, 5, 1, True, out_gain_db=-6.5)))
    cases.append(("gaam_rnn_l2_s1", gaam_case(rng, "rnn", 1, 6, 2, True)))
    cases.append(("gaam_lstm_cond_nobias", gaam_case(rng, "lstm", 2, 4, 1, True, lin_bias=False)))
    cases.append(("recur_lstm_skip_tanh", recur_case(rng, "lstm", 2, 1, 5, 2, True, "tanh")))
    cases.append(("recur_gru_softmax", recur_case(rng, "gru", 3, 3, 17, 1, False, "softmax")))
    cases.append(("recur_rnn_sigmoid", recur_case(rng, "rnn", 1, 2, 4, 3, True, "sigmoid")))
    return cases


def write_case(folder, name, case):
    model, x, y = case
    path = os.path.join(folder, name + ".json")
    with open(path, "w") as f:
        json.dump(model, f)
    x.astype("<f4").tofile(os.path.join(folder, name + ".in"))
    y.astype("<f8").tofile(os.path.join(folder, name + ".out"))
    return f"{path} {os.path.join(folder, name)} {len(x)} {x.shape[1]} {y.shape[1]}\n"


def run(test_exe):
    with tempfile.TemporaryDirectory() as folder:
        manifest = os.path.join(folder, "manifest.txt")
        with open(manifest, "w") as f:
            for name, case in all_cases():
                f.write(write_case(folder, name, case))
        return subprocess.call([test_exe, manifest])


def fixtures(folder):
    """Small files committed so the readers are checked even without numpy."""
    rng = np.random.default_rng(7)
    chosen = [("aidax_lstm", aidax_case(rng, "lstm", 1, 3, 1, True)),
              ("gaam_gru", gaam_case(rng, "gru", 1, 3, 1, False))]
    for name, (model, x, y) in chosen:
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump(model, f, indent=1)
        io = {"input": lst(x[:16]), "output": [[float("%.9g" % v) for v in row] for row in y[:16]]}
        with open(os.path.join(folder, name + ".expected.json"), "w") as f:
            json.dump(io, f)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
        sys.exit(0)
    print(__doc__, file=sys.stderr)
    sys.exit(2)
