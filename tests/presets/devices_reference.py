#!/usr/bin/env python3
"""The benchmark devices against their equations in presets/README.md.

Runs make-preset-data for the amplifier and the slow compressor on a short
take, computes each device again in float64 from the documented equations
(written here from the README, not from devices.c) on the take it wrote,
and compares with the device output it wrote. Also checks that the same
arguments write the same bytes twice (the recipes must be deterministic).

usage: devices_reference.py MAKE_PRESET_DATA
"""
import math
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

RATE = 48000
SECONDS = "1.5"
SEED = "77"


def read_wav(path):
    """Mono float32 WAV samples (the format make-preset-data writes)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        tag, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if tag == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif tag == b"data":
            samples = np.frombuffer(body, dtype="<f4")
        pos += 8 + size + (size & 1)
    assert fmt is not None and fmt[0] == 3 and fmt[1] == 1 and fmt[2] == RATE, (path, fmt)
    return samples.astype(np.float64)


def highpass(f):
    a = math.exp(-2 * math.pi * f / RATE)
    state = [0.0, 0.0]  # u[n-1], h[n-1]

    def step(u):
        state[1] = a * (state[1] + u - state[0])
        state[0] = u
        return state[1]
    return step


def lowpass(f):
    c = 1 - math.exp(-2 * math.pi * f / RATE)
    state = [0.0]

    def step(u):
        state[0] += c * (u - state[0])
        return state[0]
    return step


def peaking(f, q, gain_db):
    big_a = 10 ** (gain_db / 40)
    w = 2 * math.pi * f / RATE
    alpha = math.sin(w) / (2 * q)
    b = (1 + alpha * big_a, -2 * math.cos(w), 1 - alpha * big_a)
    a = (1 + alpha / big_a, -2 * math.cos(w), 1 - alpha / big_a)
    u1 = u2 = y1 = y2 = 0.0

    def step(u):
        nonlocal u1, u2, y1, y2
        y = (b[0] * u + b[1] * u1 + b[2] * u2 - a[1] * y1 - a[2] * y2) / a[0]
        u2, u1, y2, y1 = u1, u, y1, y
        return y
    return step


def smoother(rise_s, fall_s):
    k_rise, k_fall = 1 - math.exp(-1 / (rise_s * RATE)), 1 - math.exp(-1 / (fall_s * RATE))
    state = [0.0]

    def step(u):
        state[0] += (k_rise if u > state[0] else k_fall) * (u - state[0])
        return state[0]
    return step


def tube_curve(u):
    return math.tanh(u) if u >= 0 else math.tanh(1.5 * u) / 1.5 + 0.2 * u / (1 + u * u)


def amp(x):
    hp_in, hp_bright, hp_inter = highpass(40), highpass(800), highpass(120)
    lp_miller, lp_bass, hp_treble = lowpass(5000), lowpass(250), highpass(2000)
    current = smoother(0.010, 0.100)
    hp_cone, resonance = highpass(60), peaking(110, 2, 8)
    lp_cone1, lp_cone2 = lowpass(4000), lowpass(4000)
    y = np.empty_like(x)
    for n, u in enumerate(x):
        p = hp_in(u) + 1.5 * hp_bright(u)
        a1 = tube_curve(0.3 + 10 * p) - tube_curve(0.3)
        m = lp_miller(hp_inter(a1))
        a2 = tube_curve(0.4) - tube_curve(0.4 - 4 * m)
        low, high = lp_bass(a2), hp_treble(a2)
        t = low + 0.4 * (a2 - low - high) + 0.8 * high
        s = 1 - 0.3 * current(abs(math.tanh(2 * t)))
        o = s * math.tanh(2 * t / s)
        y[n] = 0.3 * lp_cone2(lp_cone1(resonance(hp_cone(o))))
    return y


def compressor(x):
    power = smoother(0.010, 0.100)
    y = np.empty_like(x)
    for n, u in enumerate(x):
        over = 10 * math.log10(power(u * u) + 1e-12) + 24
        y[n] = u * 10 ** ((6 - max(over, 0) * (1 - 1 / 4)) / 20)
    return y


def main():
    tool = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="recur-devices-") as tmp:
        for name, model in (("amp", amp), ("compressor", compressor)):
            paths = [os.path.join(tmp, f"{name}-{k}.wav") for k in ("in", "out", "in2", "out2")]
            for pair in (paths[:2], paths[2:]):
                subprocess.run([tool, name, "0", SECONDS, SEED] + pair, check=True)
            x, y = read_wav(paths[0]), read_wav(paths[1])
            want = model(x)
            err = np.max(np.abs(y - want)) / np.max(np.abs(want))
            rms = np.sqrt(np.mean(y ** 2))
            print(f"{name}: {len(x)} frames, output rms {rms:.4f}, "
                  f"max |error| / peak {err:.2e}")
            if not (len(x) == int(float(SECONDS) * RATE) and rms > 0.01 and err < 1e-5):
                print(f"FAIL: {name} differs from its equations", file=sys.stderr)
                failures += 1
            for a, b in ((paths[0], paths[2]), (paths[1], paths[3])):
                with open(a, "rb") as fa, open(b, "rb") as fb:
                    if fa.read() != fb.read():
                        print(f"FAIL: {name}: the same recipe wrote different bytes",
                              file=sys.stderr)
                        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
