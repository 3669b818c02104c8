#!/usr/bin/env python3
"""Writes the seed corpora in corpus/TARGET/, one folder per fuzz target:
  model  small valid files of the three model formats and a few broken ones
  csv    small tables, valid and broken, in the accepted dialect's variants
  audio  tiny WAV, AIFF and FLAC files in several sample formats, and broken ones
  osc    OSC packets for every address recur answers, and near misses
The model corpus needs a python3 with numpy:
  /usr/bin/python3 tests/fuzz/make_corpus.py [TARGET...]"""
import json
import math
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))


def out_path(target, name):
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def write(name, model, compact=True):
    text = json.dumps(model, separators=(",", ":")) if compact else json.dumps(model, indent=1)
    with open(out_path("model", name), "w") as f:
        f.write(text)
    return text


def model_corpus():
    import numpy as np

    sys.path.insert(0, os.path.join(here, "..", "format"))
    import import_cases as ic

    rng = np.random.default_rng(99)
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
    with open(out_path("model", "recur_truncated.json"), "w") as f:
        f.write(text[: len(text) * 2 // 3])
    text = json.dumps(ic.recur_case(rng, "gru", 1, 1, 2, 1, False, "linear")[0])
    first = text.index("\"bias_ih\": [") + len("\"bias_ih\": [")
    with open(out_path("model", "recur_bad_inf.json"), "w") as f:
        f.write(text[:first] + "1e999, " + text[first:])
    recur_v2_seeds(np.random.default_rng(2026))


def recur_v2_case(rng, cell, n_in, n_out, hidden, layers, inner, act, init, gains, frames):
    """A version-2 recur model: inner dense layers, initial state, gains, check block."""
    import numpy as np

    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]

    def arr(*shape):
        return np.round(rng.uniform(-0.5, 0.5, shape), 6).tolist()
    m = {"format": "recur-model", "version": 2, "cell": cell, "n_inputs": n_in,
         "n_outputs": n_out, "hidden": hidden, "n_layers": layers, "skip": n_out == 1,
         "output_activation": act, "sample_rate": 48000,
         "inputs": [{"name": "in%d" % j, "min": -1, "max": 1, "default": 0} for j in range(n_in)],
         "outputs": [{"name": "out%d" % o} for o in range(n_out)],
         "layers": [{"weight_ih": arr(gates * hidden, n_in if l == 0 else hidden),
                     "weight_hh": arr(gates * hidden, hidden),
                     "bias_ih": arr(gates * hidden), "bias_hh": arr(gates * hidden)}
                    for l in range(layers)]}
    fan_in = hidden
    if inner:
        m["dense"] = []
        for width, dact in inner:
            m["dense"].append({"width": width, "activation": dact, "weight": arr(width, fan_in),
                               "bias": arr(width)})
            fan_in = width
    m["head"] = {"weight": arr(n_out, fan_in), "bias": arr(n_out)}
    if init:
        m["initial_state"] = [dict({"h": arr(hidden)}, **({"c": arr(hidden)} if cell == "lstm" else {}))
                              for _ in range(layers)]
    if gains:
        m["input_gain"], m["output_gain"] = gains
    if frames:
        m["check"] = {"input": arr(frames, n_in), "output": arr(frames, n_out)}
    return m


def recur_v2_seeds(rng):
    write("recur_v2_stack.json", recur_v2_case(rng, "gru", 1, 1, 4, 1, [(6, "tanh"), (3, "elu")],
                                               "linear", False, None, 0), False)
    write("recur_v2_lstm_init.json", recur_v2_case(rng, "lstm", 1, 1, 3, 2, [], "linear", True,
                                                   (1.4125376, 0.5), 4))
    write("recur_v2_rnn_relu.json", recur_v2_case(rng, "rnn", 2, 3, 2, 1, [(5, "relu")], "softmax",
                                                  True, (1, 2), 3))
    bad = recur_v2_case(rng, "gru", 1, 1, 2, 1, [(2, "sigmoid")], "elu", True, None, 2)
    bad["dense"][0]["activation"] = "softmax"
    write("recur_v2_bad_softmax.json", bad)
    bad = recur_v2_case(rng, "lstm", 1, 1, 2, 1, [], "linear", True, None, 2)
    bad["version"] = 1
    write("recur_v2_bad_version.json", bad)


def write_bytes(target, name, data):
    with open(out_path(target, name), "wb") as f:
        f.write(data)


def csv_corpus():
    write_bytes("csv", "plain.csv", b"time,x,y\n0,0.5,-1\n0.01,1e-3,2.5\n0.02,-0,3E+2\n")
    write_bytes("csv", "dialect.csv",
                b'\xef\xbb\xbf"in 1", \t"out"\r\n 1 ,\t2\r\n.5,-7.25e-3\r\n\r\n\n')
    letters = ["time,a,b,o,r,v,bravo"]
    for t, ch in enumerate("bravobravx"):
        hot = ["1" if ch == c else "0" for c in "aborv"]
        letters.append("%g,%s,%d" % (t / 100, ",".join(hot), t in (4, 9)))
    write_bytes("csv", "letters.csv", ("\n".join(letters) + "\n").encode())
    write_bytes("csv", "bad_fields.csv", b"a,b\n1,2\n3\n")
    write_bytes("csv", "bad_number.csv", b"a,b\n1,nan\n")
    write_bytes("csv", "bad_blank.csv", b"a\n1\n\n2\n")
    write_bytes("csv", "bad_header.csv", b"1,2\n3,4\n")
    write_bytes("csv", "bad_names.csv", b'a,"a"\n1,2\n')
    write_bytes("csv", "bad_empty_name.csv", b'"", x\n1,2\n')


def wav(fmt_tag, channels, rate, bits, data, declared=None):
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * block, block, bits)
    size = len(data) if declared is None else declared
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def sine(n, channels):
    return [[0.5 * math.sin(0.3 * i + c) for c in range(channels)] for i in range(n)]


def aiff(channels, rate, frames):
    # 80-bit extended rate, as AIFF stores it
    exp, mant = 16383 + rate.bit_length() - 1, rate << (64 - rate.bit_length())
    comm = struct.pack(">hIh", channels, len(frames), 16) + struct.pack(">HQ", exp, mant)
    data = b"".join(struct.pack(">h", int(v * 32767)) for f in frames for v in f)
    ssnd = struct.pack(">II", 0, 0) + data
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm
    body += b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body


# 256 frames of 16-bit mono FLAC as libsndfile 1.2 writes it (libFLAC 1.4.2).
FLAC_256 = bytes.fromhex(
    "664c6143000000221000100000005f00005f0bb800f00000010023faf8a69932a0a671c764dd919f8ca98400"
    "0028200000007265666572656e6365206c6962464c414320312e342e3220323032323130323200000000fff8"
    "8a0800ae15008002287e1fe1fe1fe603c0222222203fc3fc3fcc0780444444407f87f87f980f0088888880ff"
    "0ff0ff301e0111111101fe1fe1fe603c0222222203fc3fc3fcc0780444444407f87f87f980f0088888880ff0"
    "ff0ff0cb51"
)


def audio_corpus():
    mono, stereo = sine(32, 1), sine(24, 2)
    pcm16 = b"".join(struct.pack("<h", int(v * 32767)) for f in mono for v in f)
    write_bytes("audio", "pcm16_mono.wav", wav(1, 1, 48000, 16, pcm16))
    f32 = b"".join(struct.pack("<f", v) for f in stereo for v in f)
    write_bytes("audio", "float_stereo.wav", wav(3, 2, 44100, 32, f32))
    pcm24 = b"".join(struct.pack("<i", int(v * 8388607))[:3] for f in mono for v in f)
    write_bytes("audio", "pcm24_mono.wav", wav(1, 1, 96000, 24, pcm24))
    write_bytes("audio", "pcm16_stereo.aiff", aiff(2, 48000, stereo))
    write_bytes("audio", "claims_more.wav", wav(1, 1, 48000, 16, pcm16, declared=0x7FFFFFF0))
    write_bytes("audio", "truncated.wav", wav(1, 1, 48000, 16, pcm16)[:50])
    write_bytes("audio", "zero_rate.wav", wav(1, 1, 0, 16, pcm16))
    write_bytes("audio", "mono.flac", FLAC_256)
    # STREAMINFO's 36-bit total-samples field (bytes 21-25) claiming 2^36 - 1
    claims = bytearray(FLAC_256)
    claims[21] |= 0x0F
    claims[22:26] = b"\xff" * 4
    write_bytes("audio", "claims_more.flac", bytes(claims))


def osc_string(s):
    b = s.encode() + b"\0"
    return b + b"\0" * (-len(b) % 4)


def osc(path, types="", *args):
    packet = osc_string(path) + osc_string("," + types)
    for t, a in zip(types, args):
        packet += struct.pack(">i", a) if t == "i" else struct.pack(">f", a) if t == "f" \
            else osc_string(a)
    return packet


def osc_corpus():
    write_bytes("osc", "reset_all", osc("/recur/reset"))
    write_bytes("osc", "reset_one", osc("/recur/1/reset"))
    write_bytes("osc", "bypass", osc("/recur/2/bypass", "i", 1))
    write_bytes("osc", "load", osc("/recur/1/load", "s", "/tmp/model.json"))
    write_bytes("osc", "list_port", osc("/recur/list", "i", 9000))
    write_bytes("osc", "stats", osc("/recur/stats"))
    write_bytes("osc", "leading_zero", osc("/recur/01/reset"))
    write_bytes("osc", "bypass_float", osc("/recur/3/bypass", "f", 1.0))
    write_bytes("osc", "load_two", osc("/recur/1/load", "ss", "/a", "/b"))
    write_bytes("osc", "bundle", b"#bundle\0" + struct.pack(">II", 0, 1) +
                struct.pack(">I", 16) + osc("/recur/reset"))
    write_bytes("osc", "port", b"9870")


def main():
    corpora = {"model": model_corpus, "csv": csv_corpus, "audio": audio_corpus,
               "osc": osc_corpus}
    for name in sys.argv[1:] or corpora:
        corpora[name]()


if __name__ == "__main__":
    main()
