#!/usr/bin/env python3
"""recur-convert's files mean, in their own formats, the network they came from.

Writes random models in recur's format, converts each with recur-convert to
a NAM .nam file and to AIDA-X JSON, and runs each written file through this
script's own float64 forward pass written from that format's definition:

  NAM .nam LSTM   NeuralAmpModelerCore's lstm.cpp: per layer one weight
                  matrix over [x, h] (4H rows, gates i, f, g, o), one bias,
                  the initial h and c; then a linear head.
  AIDA-X JSON     RTNeural's Keras layout (kernel [in][gates*H], LSTM gates
                  i, f, c, o, GRU z, r, h with the reset_after bias pair)
                  and the AIDA-X plugins' rule
                  y = out_gain * (in_skip ? g x + net(g x) : net(g x)).

Each must give what PyTorch's equations give for the recur file (the
engine's float64 reference, tests/engine/reference.py) within 1e-6, and an
AIDA-X file's input_batch must give its output_batch as the plugins test it.
Refusals are checked as the program's exit status, message and absence of
the output file.

  convert_cases.py RECUR_CONVERT
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
from reference import head, layer_step  # noqa: E402

FRAMES = 600
TOLERANCE = 1e-6
GATES = {"rnn": 1, "gru": 3, "lstm": 4}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, file=sys.stderr)


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


# ---- recur's format, PyTorch equations -------------------------------------

def random_recur_model(rng, cell, layers, hidden, n_in, skip, cond_range=(0.0, 1.0), levels=False,
                       initial_state=False):
    g = GATES[cell] * hidden
    scale = 1.5 / np.sqrt(hidden)
    m = {
        "format": "recur-model", "version": 1, "cell": cell,
        "n_inputs": n_in, "n_outputs": 1, "hidden": hidden, "n_layers": layers,
        "skip": skip, "output_activation": "linear", "sample_rate": 48000,
        "inputs": [{"name": "in", "min": -1, "max": 1, "default": 0}] + [
            {"name": "knob%d" % j, "min": cond_range[0], "max": cond_range[1],
             "default": cond_range[0]} for j in range(1, n_in)],
        "outputs": [{"name": "out"}],
        "layers": [], "head": {},
        "metadata": {"name": "test %s" % cell, "modeled_by": "convert_cases.py",
                     "loudness": -20.5},
    }
    for l in range(layers):
        inputs = n_in if l == 0 else hidden
        m["layers"].append({
            "weight_ih": f32(rng.uniform(-scale, scale, (g, inputs))).tolist(),
            "weight_hh": f32(rng.uniform(-scale, scale, (g, hidden))).tolist(),
            "bias_ih": f32(rng.uniform(-0.5, 0.5, g)).tolist(),
            "bias_hh": f32(rng.uniform(-0.5, 0.5, g)).tolist(),
        })
    m["head"] = {"weight": f32(rng.uniform(-scale, scale, (1, hidden))).tolist(),
                 "bias": f32(rng.uniform(-0.1, 0.1, 1)).tolist()}
    if levels or initial_state:
        m["version"] = 2
    if levels:
        m["input_gain"], m["output_gain"] = 1.75, 0.625
    if initial_state:
        m["initial_state"] = [
            dict(h=f32(rng.uniform(-0.3, 0.3, hidden)).tolist(),
                 **({"c": f32(rng.uniform(-0.3, 0.3, hidden)).tolist()} if cell == "lstm" else {}))
            for _ in range(layers)]
    return m


def recur_forward(m, x):
    layers = [{"w_ih": np.array(L["weight_ih"]), "w_hh": np.array(L["weight_hh"]),
               "b_ih": np.array(L["bias_ih"]), "b_hh": np.array(L["bias_hh"])}
              for L in m["layers"]]
    H = m["hidden"]
    init = m.get("initial_state", [{} for _ in layers])
    h = [np.array(s.get("h", np.zeros(H)), dtype=np.float64) for s in init]
    c = [np.array(s.get("c", np.zeros(H)), dtype=np.float64) for s in init]
    g_in, g_out = m.get("input_gain", 1.0), m.get("output_gain", 1.0)
    w_out, b_out = np.array(m["head"]["weight"]), np.array(m["head"]["bias"])
    y = np.zeros((len(x), 1))
    for t, frame in enumerate(np.atleast_2d(np.asarray(x, dtype=np.float64))):
        frame = frame.copy()
        frame[0] *= g_in  # the network and the skip see the gained input
        v = frame
        for l, p in enumerate(layers):
            h[l], c[l] = layer_step(m["cell"], p, v, h[l], c[l])
            v = h[l]
        y[t] = g_out * head(m["output_activation"], m["skip"], w_out, b_out, v, frame)
    return y[:, 0]


# ---- NAM .nam LSTM ----------------------------------------------------------

def nam_forward(nam, x):
    """As NAM's plugins play it with their default normalised output: the
    network's output times 10^((-18 - loudness) / 20) when the file states
    its loudness."""
    cfg = nam["config"]
    L, n_in, H = cfg["num_layers"], cfg["input_size"], cfg["hidden_size"]
    w = np.array(nam["weights"], dtype=np.float64)
    at = 0

    def take(n):
        nonlocal at
        at += n
        return w[at - n:at]

    cells = []
    for layer in range(L):
        inputs = n_in if layer == 0 else H
        W = take(4 * H * (inputs + H)).reshape(4 * H, inputs + H)
        b = take(4 * H)
        h0, c0 = take(H), take(H)
        cells.append([W, b, h0.copy(), c0.copy()])
    head_w, head_b = take(H), take(1)
    if at != len(w):
        fail("nam: %d weights left over" % (len(w) - at))
    y = np.zeros(len(x))
    for t, sample in enumerate(x):
        v = np.array([sample])
        for cell in cells:
            W, b, h, c = cell
            z = W @ np.concatenate([v, h]) + b
            i, f = sigmoid(z[:H]), sigmoid(z[H:2 * H])
            g, o = np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            cell[2], cell[3] = h, c
            v = h
        y[t] = head_w @ v + head_b[0]
    loudness = nam.get("metadata", {}).get("loudness")
    return y if loudness is None else y * 10 ** ((-18 - loudness) / 20)


# ---- AIDA-X JSON --------------------------------------------------------------

def aidax_forward(a, x, knobs, with_gains=True):
    rec, dense = a["layers"]
    kernel, recurrent, bias = (np.array(v, dtype=np.float64) for v in rec["weights"])
    H = recurrent.shape[0]
    dk, db = (np.array(v, dtype=np.float64) for v in dense["weights"])
    g_in = 10 ** (a.get("in_gain", 0) / 20) if with_gains else 1.0
    g_out = 10 ** (a.get("out_gain", 0) / 20) if with_gains else 1.0
    h, c = np.zeros(H), np.zeros(H)
    y = np.zeros(len(x))
    for t, sample in enumerate(x):
        s = g_in * sample
        v = np.concatenate([[s], knobs])
        if rec["type"] == "lstm":
            z = v @ kernel + h @ recurrent + bias
            i, f = sigmoid(z[:H]), sigmoid(z[H:2 * H])
            cc, o = np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
            c = f * c + i * cc
            h = o * np.tanh(c)
        else:
            xz = v @ kernel + bias[0]
            hz = h @ recurrent + bias[1]
            z = sigmoid(xz[:H] + hz[:H])
            r = sigmoid(xz[H:2 * H] + hz[H:2 * H])
            hh = np.tanh(xz[2 * H:] + r * hz[2 * H:])
            h = z * h + (1 - z) * hh
        net = (h @ dk + db)[0]
        y[t] = g_out * (s + net if a.get("in_skip", 0) else net)
    return y


# ---- the cases ------------------------------------------------------------------

def run(cmd):
    # In a cross build meson names the program that runs the built tools (the
    # cross file's exe_wrapper, qemu-user for aarch64).
    wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
    return subprocess.run(wrapper + cmd, capture_output=True, text=True)


def compare(what, got, want, tol):
    worst = float(np.max(np.abs(got - want)))
    print("%-44s max |difference| %.3g" % (what, worst))
    if not worst <= tol:
        fail("%s: differs by %g (tolerance %g)" % (what, worst, tol))


def converted(tool, folder, m, name, fmt):
    src = os.path.join(folder, name + ".json")
    with open(src, "w") as f:
        json.dump(m, f)
    out = os.path.join(folder, name + {"nam": ".nam", "aidax": "-aidax.json"}.get(fmt, "-out.json"))
    r = run([tool, "-q", "--to", fmt, src, out])
    if r.returncode != 0:
        fail("%s -> %s: exit %d: %s" % (name, fmt, r.returncode, r.stderr.strip()))
        return None
    with open(out) as f:
        return json.load(f)


def nam_case(tool, folder, rng, layers, hidden, levels=False):
    m = random_recur_model(rng, "lstm", layers, hidden, 1, False, levels=levels,
                           initial_state=levels)
    name = "nam-lstm-%dx%d%s" % (layers, hidden, "-levels" if levels else "")
    nam = converted(tool, folder, m, name, "nam")
    if nam is None:
        return
    for key, want in (("version", "0.5.4"), ("architecture", "LSTM"), ("sample_rate", 48000)):
        if nam.get(key) != want:
            fail("%s: %s is %r, not %r" % (name, key, nam.get(key), want))
    if nam["config"] != {"num_layers": layers, "input_size": 1, "hidden_size": hidden}:
        fail("%s: config %r" % (name, nam["config"]))
    meta = nam.get("metadata", {})
    # loudness is written only for an output gain, never copied
    if ("loudness" in meta) != levels or meta.get("modeled_by") != "convert_cases.py":
        fail("%s: metadata %r" % (name, meta))
    x = f32(rng.uniform(-0.8, 0.8, FRAMES))
    compare(name, nam_forward(nam, x), recur_forward(m, x[:, None]), TOLERANCE)


def aidax_case(tool, folder, rng, cell, hidden, n_in, skip, levels=False):
    m = random_recur_model(rng, cell, 1, hidden, n_in, skip, levels=levels)
    name = "aidax-%s-%d-in%d%s%s" % (cell, hidden, n_in, "-skip" if skip else "",
                                     "-levels" if levels else "")
    a = converted(tool, folder, m, name, "aidax")
    if a is None:
        return
    if a["in_shape"][-1] != n_in or a["layers"][0]["shape"][-1] != hidden:
        fail("%s: in_shape %r, layer shape %r" % (name, a["in_shape"], a["layers"][0]["shape"]))
    if a.get("metadata", {}).get("samplerate") != 48000:
        fail("%s: metadata.samplerate %r" % (name, a.get("metadata")))
    x = f32(rng.uniform(-0.8, 0.8, FRAMES))
    knobs = f32(rng.uniform(0, 1, n_in - 1))
    frames = np.column_stack([x] + [np.full(FRAMES, k) for k in knobs])
    compare(name, aidax_forward(a, x, knobs), recur_forward(m, frames), TOLERANCE)
    # the plugins' self-test: gains at 0 dB, knobs at 0
    xb, yb = np.array(a["input_batch"]), np.array(a["output_batch"])
    compare(name + " self-test", aidax_forward(a, xb, np.zeros(n_in - 1), False), yb, 1e-5)


def check_block_case(tool, folder, rng, cell):
    """recur's format gets a check block: the input documented in
    docs/model-format.md and the output for it, which PyTorch's equations
    must reproduce."""
    m = random_recur_model(rng, cell, 2, 10, 2, True, cond_range=(-2.0, 3.0), levels=True,
                           initial_state=True)
    name = "check-%s" % cell
    out = converted(tool, folder, m, name, "recur")
    if out is None:
        return
    check = out.get("check")
    if not check:
        fail("%s: no check block" % name)
        return
    x, y = np.array(check["input"], dtype=np.float64), np.array(check["output"], dtype=np.float64)
    if x.shape != (512, 2) or y.shape != (512, 1):
        fail("%s: check block shapes %s, %s" % (name, x.shape, y.shape))
        return
    if not (abs(x[:, 0]).max() < 0.5 and x[0, 1] == -2.0 and x[-1, 1] == 3.0):
        fail("%s: check input is not the documented one" % name)
    compare(name + " block", recur_forward(m, x), y[:, 0], 1e-5)


def refusal_case(tool, folder, rng, m, fmt, fragment):
    name = "refused-%s-%s" % (fmt, m["cell"])
    src = os.path.join(folder, name + ".json")
    with open(src, "w") as f:
        json.dump(m, f)
    out = os.path.join(folder, name + (".nam" if fmt == "nam" else ".aidax"))
    r = run([tool, src, out])
    if r.returncode != 1 or fragment not in r.stderr or os.path.exists(out):
        fail("%s: exit %d, wrote %s, said %r (wanted %r)"
             % (name, r.returncode, os.path.exists(out), r.stderr.strip(), fragment))
    else:
        print("%-44s refused: %s" % (name, r.stderr.strip()[:90]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tool = sys.argv[1]
    rng = np.random.default_rng(20261202)
    with tempfile.TemporaryDirectory() as folder:
        for layers, hidden, levels in ((1, 3, False), (1, 16, True), (2, 8, False), (3, 5, True),
                                       (4, 12, False)):
            nam_case(tool, folder, rng, layers, hidden, levels)
        for cell in ("lstm", "gru"):
            for hidden, n_in, skip, levels in ((8, 1, True, True), (16, 1, False, False),
                                               (12, 2, True, False), (20, 3, False, True)):
                aidax_case(tool, folder, rng, cell, hidden, n_in, skip, levels)
            check_block_case(tool, folder, rng, cell)
        refusal_case(tool, folder, rng, random_recur_model(rng, "gru", 1, 8, 1, False), "nam",
                     "NAM cannot run this model: the cell is gru")
        refusal_case(tool, folder, rng, random_recur_model(rng, "lstm", 2, 8, 1, False), "aidax",
                     "AIDA-X cannot run this model: it has 2 recurrent layers")
        refusal_case(tool, folder, rng, random_recur_model(rng, "rnn", 1, 8, 1, False), "aidax",
                     "the cell is rnn")
    if failures:
        print("%d failures" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("all cases passed")


if __name__ == "__main__":
    main()
