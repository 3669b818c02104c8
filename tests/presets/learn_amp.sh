#!/bin/sh
# A short learning check on the amplifier recipe: an LSTM-8 trained for 30
# short epochs (about 5 CPU seconds) on 8 s of it must reach a test ESR
# below half that of the best constant gain on the same test stretch (the
# last 10% of the take), computed here from the WAVs. The full-length
# figures are in docs/training.md (bench/train-devices.sh).
# usage: learn_amp.sh MAKE_PRESET_DATA RECUR_TRAIN PYTHON3
set -eu
make_data=$1
train=$2
python=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$make_data" amp 0 8 911 "$out/in.wav" "$out/out.wav"
"$train" --input "$out/in.wav" --target "$out/out.wav" --cell lstm --hidden 8 \
	--segment 1024 --warmup 512 --batch 8 --lr 0.01 --epochs 30 --patience 0 --threads 1 \
	--quiet --out "$out/amp.json"
"$python" - "$out" <<'PY'
import json, struct, sys
import numpy as np

def samples(path):
    data = open(path, "rb").read()
    pos = 12
    while data[pos:pos + 4] != b"data":
        pos += 8 + struct.unpack("<I", data[pos + 4:pos + 8])[0]
    size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
    return np.frombuffer(data[pos + 8:pos + 8 + size], dtype="<f4").astype(np.float64)

out = sys.argv[1]
x, y = samples(out + "/in.wav"), samples(out + "/out.wav")
test = slice(len(x) - len(x) // 10, len(x))
xs, ys = x[test], y[test]
gain = xs @ ys / (xs @ xs)
floor = ((ys - gain * xs) ** 2).sum() / (ys ** 2).sum()
esr = json.load(open(out + "/amp.json"))["metadata"]["test_esr"]
print(f"amp: test ESR {esr:.4f}, best constant gain {floor:.4f}")
sys.exit(0 if esr < 0.5 * floor else 1)
PY
