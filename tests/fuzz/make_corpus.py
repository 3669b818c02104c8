#!/usr/bin/env python3
"""Writes the seed corpus in corpus/: small valid files of the three formats
and a few broken ones, each a few KB. Run with a python3 that has numpy:
  /usr/bin/python3 tests/fuzz/make_corpus.py"""
import json
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "format"))
import import_cases as ic  # noqa: E402


def write(name, model, compact=True):
    text = json.dumps(model, separators=(",", ":")) if compact else json.dumps(model, indent=1)
    with open(os.path.join(here, "corpus", name), "w") as f:
        f.write(text)
    return text


def main():
    rng = np.random.default_rng(99)
    os.makedirs(os.path.join(here, "corpus"), exist_ok=True)
    write("aidax_lstm.json", ic.aidax_case(rng, "lstm", 1, 3, 1, True)[0])
    write("aidax_gru.json", ic.aidax_case(rng, "gru", 2, 2, 2, False, "tanh")[0])
    bad = ic.aidax_case(rng, "lstm", 1, 2, 1, False)[0]
    bad["layers"].insert(0, {"type": "conv1d", "shape": [None, None, 2], "weights": []})
    write("aidax_bad_stack.json", bad)
    write("gaam_gru.json", ic.gaam_case(rng, "gru", 1, 3, 1, False)[0])
    write("gaam_lstm2.json", ic.gaam_case(rng, "lstm", 1, 2, 2, True)[0])
    write("gaam_rnn.json", ic.gaam_case(rng, "rnn", 2, 3, 1, True, lin_bias=False)[0])
    bad = ic.gaam_case(rng, "lstm", 1, 2, 1, True)[0]
    bad["state_dict"]["rec.weight_hh_l0"].pop()
    write("gaam_bad_shape.json", bad)
    write("recur_gru.json", ic.recur_case(rng, "gru", 2, 2, 3, 2, False, "softmax")[0], False)
    write("recur_lstm.json", ic.recur_case(rng, "lstm", 1, 1, 3, 1, True, "linear")[0])
    m = ic.recur_case(rng, "rnn", 3, 1, 2, 1, False, "sigmoid")[0]
    m["metadata"] = {"name": "meta \"quoted\"", "list": [1, 2.5, None, True], "nested": {"a": {}}}
    write("recur_rnn_meta.json", m)
    text = write("recur_truncated.json", ic.recur_case(rng, "lstm", 1, 1, 2, 1, True, "tanh")[0])
    with open(os.path.join(here, "corpus", "recur_truncated.json"), "w") as f:
        f.write(text[: len(text) * 2 // 3])
    text = json.dumps(ic.recur_case(rng, "gru", 1, 1, 2, 1, False, "linear")[0])
    first = text.index("\"bias_ih\": [") + len("\"bias_ih\": [")
    with open(os.path.join(here, "corpus", "recur_bad_inf.json"), "w") as f:
        f.write(text[:first] + "1e999, " + text[first:])


if __name__ == "__main__":
    main()
