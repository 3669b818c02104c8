#!/usr/bin/env python3
"""Float64 reference for the CV plugin, independent of the C code.

Usage: cv_reference.py ENGINE_TESTS_DIR OUT_DIR

Writes into OUT_DIR random models in recur's JSON format, an 8-channel CV input
and, per case, the outputs the plugin must produce on its 8 CV outputs and its
gate, computed here: the cells by tests/engine/reference.py's equations, the
stepping rule of a model at its own rate (docs/cv.md) from its closed form:

    H / M = host rate / model rate in milli-hertz, reduced
    step k (k = 0, 1, ...) ends on sample ceil((k + 1) H / M) - 1 and its input
    is the mean of the samples since the previous step ended
    after sample n, s(n) = floor((n + 1) M / H) steps have ended and the
    phase is (n + 1) M mod H
    hold:        out(n) = y[s(n) - 1]                    (0 when s(n) = 0)
    interpolate: out(n) = y[s-2] + phase / H (y[s-1] - y[s-2])  (0 for y[-1], y[-2])

Files: input.f32 (FRAMES x 8, frame-major), <case>.f32 (FRAMES x 9: out1..8 and
gate), all little-endian float32; cases.txt lists "case model interpolate".
"""
import json
import math
import os
import sys

import numpy as np

FRAMES = 8192
CHANNELS = 8  # CV inputs and outputs of the plugin
HOST_RATE = 48000
GATE_THRESHOLD = 0.5
GATE_HYSTERESIS = 0.05


def random_model(rng, cell, n_in, n_out, hidden, layers, act, rate):
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    f32 = lambda *shape: rng.uniform(-0.6, 0.6, shape).astype(np.float32)
    spec = {"cell": cell, "act": act, "rate": rate, "layers": []}
    size = n_in
    for _ in range(layers):
        spec["layers"].append({"w_ih": f32(gates * hidden, size), "w_hh": f32(gates * hidden, hidden),
                               "b_ih": f32(gates * hidden), "b_hh": f32(gates * hidden)})
        size = hidden
    spec["w_out"] = f32(n_out, hidden)
    spec["b_out"] = f32(n_out)
    spec.update(n_in=n_in, n_out=n_out, hidden=hidden)
    return spec


def to_json(spec, names_in, names_out):
    lst = lambda a: [[float(v) for v in row] for row in a] if a.ndim == 2 else [float(v) for v in a]
    return {
        "format": "recur-model", "version": 1, "cell": spec["cell"],
        "n_inputs": spec["n_in"], "n_outputs": spec["n_out"], "hidden": spec["hidden"],
        "n_layers": len(spec["layers"]), "skip": False, "output_activation": spec["act"],
        "sample_rate": spec["rate"],
        "inputs": [{"name": n, "min": -1, "max": 1, "default": 0} for n in names_in],
        "outputs": [{"name": n} for n in names_out],
        "layers": [{"weight_ih": lst(l["w_ih"]), "weight_hh": lst(l["w_hh"]),
                    "bias_ih": lst(l["b_ih"]), "bias_hh": lst(l["b_hh"])} for l in spec["layers"]],
        "head": {"weight": lst(spec["w_out"]), "bias": lst(spec["b_out"])},
    }


def run_steps(ref, spec, xs):
    """The network over a list of input frames, float64 from float32 values."""
    f64 = lambda a: a.astype(np.float64)
    params = [{k: f64(v) for k, v in l.items()} for l in spec["layers"]]
    h = [np.zeros(spec["hidden"]) for _ in params]
    c = [np.zeros(spec["hidden"]) for _ in params]
    ys = []
    for x in xs:
        v = np.asarray(x, dtype=np.float64)
        for i, p in enumerate(params):
            h[i], c[i] = ref.layer_step(spec["cell"], p, v, h[i], c[i])
            v = h[i]
        ys.append(ref.head(spec["act"], False, f64(spec["w_out"]), f64(spec["b_out"]), v, x))
    return ys


def milli_units(host, model):
    h, m = round(host * 1000), round(model * 1000)
    g = math.gcd(h, m)
    return h // g, m // g


def outputs_at_rate(ref, spec, x, interpolate):
    n_in, n_out = spec["n_in"], spec["n_out"]
    if abs(spec["rate"] - HOST_RATE) <= 1e-4 * HOST_RATE:
        return np.array(run_steps(ref, spec, [row[:n_in] for row in x]))
    H, M = milli_units(HOST_RATE, spec["rate"])
    n_steps = (len(x) * M) // H
    step_in, start = [], 0
    for k in range(n_steps):
        end = -(-(k + 1) * H // M) - 1  # ceil((k + 1) H / M) - 1
        window = x[start:end + 1, :n_in].astype(np.float64)
        # The plugin averages in double and rounds to float once per step.
        step_in.append(window.mean(axis=0).astype(np.float32).astype(np.float64))
        start = end + 1
    ys = [np.zeros(n_out), np.zeros(n_out)] + run_steps(ref, spec, step_in)  # y[-2], y[-1], y[0].. at index +2
    out = np.zeros((len(x), n_out))
    for n in range(len(x)):
        s = ((n + 1) * M) // H
        phase = ((n + 1) * M) % H
        last, before = ys[s + 1], ys[s]
        out[n] = before + phase / H * (last - before) if interpolate else last
    return out


def gate_of(out0):
    on, g = False, np.zeros(len(out0))
    for n, v in enumerate(out0):
        if not on and v > GATE_THRESHOLD:
            on = True
        elif on and v < GATE_THRESHOLD - GATE_HYSTERESIS:
            on = False
        g[n] = 1.0 if on else 0.0
    return g


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.path.insert(0, sys.argv[1])
    import reference as ref
    out_dir = sys.argv[2]
    rng = np.random.default_rng(20261122)
    # Smooth random CV (a random walk, clipped), so averaging has work to do.
    x = np.clip(np.cumsum(rng.normal(0, 0.05, (FRAMES, CHANNELS)), axis=0), -1, 1).astype(np.float32)
    x.tofile(os.path.join(out_dir, "input.f32"))

    models = {
        # 3 in, 4 out, softmax spread over all four CV outputs, per sample.
        "mio": (random_model(rng, "gru", 3, 4, 12, 2, "softmax", 48000),
                ["pressure", "flow", "valve"], ["idle", "filling", "full", "leak"]),
        # 2 in, 1 out sigmoid at its own rate: 48000 / 700 is not a whole number.
        "slow": (random_model(rng, "lstm", 2, 1, 10, 1, "sigmoid", 700),
                 ["accel", "gyro"], ["fall"]),
        # 4 in, 2 out at 1000 steps per second (48 samples per step).
        "quad": (random_model(rng, "rnn", 4, 2, 8, 1, "tanh", 1000),
                 ["a", "b", "c", "d"], ["u", "v"]),
        # As wide as the plugin: 8 in, 8 out at 1000 steps per second.
        "octo": (random_model(rng, "rnn", 8, 8, 8, 1, "tanh", 1000),
                 ["i%d" % k for k in range(1, 9)], ["o%d" % k for k in range(1, 9)]),
    }
    cases = []
    for name, (spec, ins, outs) in models.items():
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(to_json(spec, ins, outs), f)
        for interpolate in (False, True):
            y = outputs_at_rate(ref, spec, x, interpolate)
            table = np.zeros((FRAMES, CHANNELS + 1))
            table[:, :spec["n_out"]] = y
            table[:, CHANNELS] = gate_of(y[:, 0])
            case = "%s_%s" % (name, "interp" if interpolate else "hold")
            table.astype(np.float32).tofile(os.path.join(out_dir, case + ".f32"))
            cases.append("%s %s.json %d" % (case, name, int(interpolate)))
    with open(os.path.join(out_dir, "cases.txt"), "w") as f:
        f.write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
