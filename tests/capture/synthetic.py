"""Synthetic devices and recordings for the capture tests, in numpy float64,
written from the equations in docs/capture.md (not from recur's C code).

A recording of a device is its output z read on the recording interface's
clock: target[n] = sign * z(n * (1 + eps) - delay), where z between its frames
is the band-limited (Kaiser-windowed sinc) interpolation of z. At input frame
p the target lags by latency(p) = (p + delay) / (1 + eps) - p frames."""
import json
import os
import subprocess

import numpy as np

import wavio

HALF = 48  # half-width of the interpolation kernel, frames
BETA = 12.0
PHASES = 4096  # fractions tabulated, when the clocks drift
CHUNK = 32768


def device(x):
    """A static asymmetric soft clipper (a device with no delay of its own),
    heard through a recording interface's anti-alias filter: zero phase, flat
    to 0.40 of the rate, nothing above 0.45 (raised-cosine between)."""
    y = 0.6 * (np.tanh(3.0 * x + 0.2) - np.tanh(0.2))
    spectrum = np.fft.rfft(y)
    f = np.fft.rfftfreq(len(y))
    spectrum *= np.where(f <= 0.40, 1.0,
                         np.where(f >= 0.45, 0.0, 0.5 + 0.5 * np.cos(np.pi * (f - 0.40) / 0.05)))
    return np.fft.irfft(spectrum, len(y))


def kernel(frac):
    """Taps k = -HALF+1 .. HALF weighting z[base + k] for the point base + frac."""
    t = np.arange(-HALF + 1, HALF + 1) - frac
    w = np.i0(BETA * np.sqrt(np.clip(1 - (t / HALF) ** 2, 0, 1))) / np.i0(BETA)
    return np.sinc(t) * w


def record(z, frames, delay, sign=1.0, eps=0.0):
    """frames of z as the interface records it (see the module's note)."""
    n = np.arange(frames)
    if eps == 0.0 and delay == np.floor(delay):
        idx = n - int(delay)
        ok = (idx >= 0) & (idx < len(z))
        out = np.zeros(frames)
        out[ok] = z[idx[ok]]
        return sign * out
    pad = HALF + 8
    zp = np.concatenate([np.zeros(pad), z, np.zeros(pad)])
    if eps == 0.0:  # one fraction for every frame: a plain convolution
        base = int(np.floor(-delay))
        frac = -delay - base
        full = np.convolve(zp, kernel(frac)[::-1], mode="valid")  # full[i]: z(i - pad + HALF - 1 + frac)
        idx = n + base + pad - HALF + 1
        ok = (idx >= 0) & (idx < len(full))
        out = np.zeros(frames)
        out[ok] = full[idx[ok]]
        return sign * out
    # The fraction moves with the frame: kernels tabulated at 1/PHASES frame.
    table = np.array([kernel(q / PHASES) for q in range(PHASES + 1)])
    taps = np.arange(-HALF + 1, HALF + 1)
    out = np.zeros(frames)
    for n0 in range(0, frames, CHUNK):
        u = n[n0:n0 + CHUNK] * (1.0 + eps) - delay
        base = np.floor(u).astype(np.int64)
        q = np.rint((u - base) * PHASES).astype(np.int64)
        idx = np.clip(base[:, None] + taps[None, :] + pad, 0, len(zp) - 1)
        out[n0:n0 + CHUNK] = np.einsum("ij,ij->i", zp[idx], table[q])
    return sign * out


def latency(p, delay, eps=0.0):
    """Frames the recording lags the input at input frame p."""
    return (p + delay) / (1.0 + eps) - p


def capture_signal(recur_capture, folder):
    """The standard capture signal written by recur-capture into folder:
    its path, its layout (recur-capture --layout), its samples and rate."""
    path = os.path.join(folder, "capture.wav")
    subprocess.run([recur_capture, path], check=True, capture_output=True)
    layout = json.loads(subprocess.run([recur_capture, "--layout"], check=True,
                                       capture_output=True, text=True).stdout)
    x, rate = wavio.read(path)
    return path, layout, x, rate
