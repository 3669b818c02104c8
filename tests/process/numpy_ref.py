"""Independent reference for recur-process: runs a model in recur's JSON
format over a CSV with numpy, straight from PyTorch's cell equations, and
writes the outputs as CSV.

Usage: numpy_ref.py MODEL.json INPUT.csv OUTPUT.csv
"""
import json
import os
import sys

import numpy as np

# The PyTorch cell equations live once, in the engine's known-answer reference.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
from reference import head, layer_step  # noqa: E402


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
        rows.append(head(m["output_activation"], m["skip"], w_out, b_out, v, x))
    header = ",".join(p["name"] for p in m["outputs"])
    np.savetxt(output_path, np.array(rows), delimiter=",", fmt="%.17g", header=header,
               comments="")


if __name__ == "__main__":
    main()
