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
import shlex
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
    if name == "relu":
        return np.maximum(v, 0.0)
    if name == "elu":  # Keras' and RTNeural's, alpha 1
        return np.where(v > 0, v, np.exp(np.minimum(v, 0.0)) - 1.0)
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


def aidax_case(rng, cell, n_in, hidden, layers, skip, act="", n_out=1, out_gain_db=None,
               in_gain_db=None, dense=(), rate=48000, batch=0):
    """An AIDA-X / RTNeural file: `dense` lists (width, activation) of the dense
    layers before the output layer; rate is a number, a string (as AIDA-X's
    own files write it, in "metadata") or None; batch > 0 embeds that many
    frames of AIDA-X's test data (input_batch / output_batch)."""
    gates = 4 if cell == "lstm" else 3
    file_layers, weights = [], []
    for l in range(layers):
        inp = n_in if l == 0 else hidden
        s = 1 / np.sqrt(hidden)
        kernel = rand(rng, inp, gates * hidden, scale=s)
        rec = rand(rng, hidden, gates * hidden, scale=s)
        # Keras GRU with reset_after=True keeps two bias rows (input, recurrent).
        bias = rand(rng, gates * hidden) if cell == "lstm" else rand(rng, 2, gates * hidden)
        weights.append((kernel, rec, bias))
        file_layers.append({"type": cell, "activation": "tanh", "shape": [None, None, hidden],
                            "weights": [lst(kernel), lst(rec), lst(bias)]})
    stack, width = [], hidden
    for w, a in list(dense) + [(n_out, act)]:
        k, b = rand(rng, width, w), rand(rng, w)
        stack.append((k, b, a))
        file_layers.append({"type": "dense", "activation": a, "shape": [None, None, w],
                            "weights": [lst(k), lst(b)]})
        width = w
    model = {"in_shape": [None, None, n_in], "in_skip": int(skip), "layers": file_layers}
    if isinstance(rate, str):
        model["metadata"] = {"name": "case", "samplerate": rate}
    elif rate is not None:
        model["samplerate"] = rate
    in_gain = out_gain = 1.0
    if out_gain_db is not None:
        model["out_gain"] = out_gain_db
        out_gain = 10 ** (out_gain_db / 20)
    if in_gain_db is not None:
        model["in_gain"] = in_gain_db
        in_gain = 10 ** (in_gain_db / 20)

    step = keras_lstm_step if cell == "lstm" else keras_gru_step

    def forward(x, in_gain, out_gain):
        h = [np.zeros(hidden) for _ in range(layers)]
        c = [np.zeros(hidden) for _ in range(layers)]
        y = np.zeros((len(x), n_out))
        for t in range(len(x)):
            u = x[t].copy()
            u[0] *= in_gain  # in_gain scales the signal, not the conditioning inputs
            v = u
            for l in range(layers):
                h[l], c[l] = step(weights[l], v, h[l], c[l])
                v = h[l]
            for k, b, a in stack:
                v = activation(a, v @ k + b)
            # AIDA-X: out_gain * (u + net(u)) with in_skip, out_gain * net(u) without
            if skip:
                v = v.copy()
                v[0] += u[0]
            y[t] = out_gain * v
        return y

    if batch:
        # AIDA-X tests a file with both levels at 0 dB and conditioning at 0.
        xb = np.zeros((batch, n_in))
        xb[:, 0] = rand(rng, batch, scale=1.0)
        model["input_batch"] = lst(xb[:, 0])
        model["output_batch"] = lst(forward(xb, 1.0, 1.0)[:, 0].astype(np.float32))
    x = rand(rng, FRAMES, n_in, scale=1.0)
    return model, x, forward(x, in_gain, out_gain)


# ---- NAM (NeuralAmpModelerCore's NAM/lstm.cpp) -------------------------------

def nam_case(rng, hidden, layers, n_out=1, rate=48000, loudness=None):
    """A .nam LSTM: per layer W [4H][in+H] over the concatenation [x, h],
    one bias, learned initial h and c; then the head. Gates i, f, g, o."""
    flat, cells = [], []
    for l in range(layers):
        inp = 1 if l == 0 else hidden
        s = 1 / np.sqrt(hidden)
        w = rand(rng, 4 * hidden, inp + hidden, scale=s)
        b = rand(rng, 4 * hidden, scale=s)
        h0, c0 = rand(rng, hidden), rand(rng, hidden)
        cells.append((w, b, h0, c0))
        flat += lst(w.reshape(-1)) + lst(b) + lst(h0) + lst(c0)
    head_w, head_b = rand(rng, n_out, hidden), rand(rng, n_out)
    flat += lst(head_w.reshape(-1)) + lst(head_b)
    config = {"input_size": 1, "hidden_size": hidden, "num_layers": layers}
    if n_out != 1:
        config.update(in_channels=1, out_channels=n_out)
    model = {"version": "0.5.4", "architecture": "LSTM", "config": config, "weights": flat,
             "metadata": {"name": "case", "input_level_dbu": 12.0, "output_level_dbu": 9.5}}
    gain = 1.0
    if loudness is not None:
        model["metadata"]["loudness"] = loudness
        gain = 10 ** ((-18 - loudness) / 20)  # NAM's plugin, output "Normalized"
    if rate is not None:
        model["sample_rate"] = rate
    x = rand(rng, FRAMES, 1, scale=1.0)
    h = [c[2].copy() for c in cells]
    c = [c[3].copy() for c in cells]
    y = np.zeros((FRAMES, n_out))
    for t in range(FRAMES):
        v = x[t]
        for l, (w, b, _, _) in enumerate(cells):
            z = w @ np.concatenate([v, h[l]]) + b
            i, f = sigmoid(z[:hidden]), sigmoid(z[hidden:2 * hidden])
            g, o = np.tanh(z[2 * hidden:3 * hidden]), sigmoid(z[3 * hidden:])
            c[l] = f * c[l] + i * g
            h[l] = o * np.tanh(c[l])
            v = h[l]
        y[t] = gain * (head_w @ v + head_b)
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
    # The shapes of published files: a string rate in "metadata" (AIDA-X's own
    # files), no rate, in_skip with both levels, conditioned LSTMs, GRU with
    # reset_after's two bias rows and a dense stack (RTNeural's test models).
    cases.append(("aidax_string_rate", aidax_case(rng, "lstm", 1, 12, 1, False, rate="48000",
                                                  batch=64)))
    cases.append(("aidax_no_rate", aidax_case(rng, "gru", 1, 8, 1, True, rate=None)))
    cases.append(("aidax_skip_levels", aidax_case(rng, "lstm", 1, 6, 1, True, out_gain_db=12.5,
                                                  in_gain_db=-4.0, batch=64)))
    cases.append(("aidax_levels_noskip", aidax_case(rng, "gru", 1, 5, 2, False, "tanh",
                                                    out_gain_db=-3.0, in_gain_db=6.0)))
    cases.append(("aidax_cond2_lstm", aidax_case(rng, "lstm", 2, 16, 1, True, batch=32)))
    cases.append(("aidax_cond3_lstm", aidax_case(rng, "lstm", 3, 8, 2, True, out_gain_db=2.0)))
    cases.append(("aidax_gru_dense_sigmoid", aidax_case(rng, "gru", 1, 8, 1, False,
                                                        dense=[(8, "sigmoid")])))
    cases.append(("aidax_lstm_dense3", aidax_case(rng, "lstm", 2, 6, 1, False, "softmax", n_out=3,
                                                  dense=[(9, "relu"), (5, "elu")])))
    cases.append(("aidax_gru_dense_tanh_skip", aidax_case(rng, "gru", 1, 7, 2, True,
                                                          dense=[(4, "tanh")])))
    cases.append(("nam_lstm_l1", nam_case(rng, 3, 1, loudness=-37.84)))
    cases.append(("nam_lstm_l2", nam_case(rng, 8, 2, rate=None)))
    cases.append(("nam_lstm_l3_2out", nam_case(rng, 5, 3, n_out=2, loudness=-20.0)))
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
        # In a cross build meson names the program that runs the test's
        # executable (the cross file's exe_wrapper, qemu-user for aarch64).
        wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
        return subprocess.call(wrapper + [test_exe, manifest])


def fixtures(folder):
    """Small files committed so the readers are checked even without numpy."""
    rng = np.random.default_rng(7)
    chosen = [("aidax_lstm", aidax_case(rng, "lstm", 1, 3, 1, True)),
              ("gaam_gru", gaam_case(rng, "gru", 1, 3, 1, False)),
              ("nam_lstm", nam_case(rng, 3, 2, loudness=-25.0)),
              ("aidax_gru_stack", aidax_case(rng, "gru", 2, 4, 1, True, out_gain_db=6.0,
                                             in_gain_db=-2.0, dense=[(3, "sigmoid")],
                                             rate="48000", batch=16))]
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
