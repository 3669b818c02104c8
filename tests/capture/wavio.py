"""Mono PCM WAV files for the capture tests, with the standard library's wave
module and numpy: 24- and 32-bit PCM in, 32-bit PCM out."""
import wave

import numpy as np


def read(path):
    """(float64 samples in [-1, 1), rate) of a mono PCM WAV file."""
    with wave.open(path, "rb") as w:
        width, rate, n = w.getsampwidth(), w.getframerate(), w.getnframes()
        assert w.getnchannels() == 1, path
        raw = np.frombuffer(w.readframes(n), dtype=np.uint8)
    if width == 3:
        b = raw.reshape(-1, 3).astype(np.int32)
        v = (b[:, 0] << 8) | (b[:, 1] << 16) | (b[:, 2] << 24)
        return v.astype(np.float64) / 2.0**31, rate
    if width == 4:
        return np.frombuffer(raw.tobytes(), dtype="<i4").astype(np.float64) / 2.0**31, rate
    if width == 2:
        return np.frombuffer(raw.tobytes(), dtype="<i2").astype(np.float64) / 2.0**15, rate
    raise ValueError(f"{path}: {width * 8}-bit samples")


def write(path, x, rate):
    """x (floats in [-1, 1)) as 32-bit PCM; values beyond full scale clip."""
    v = np.clip(np.round(np.asarray(x, dtype=np.float64) * 2.0**31), -(2.0**31), 2.0**31 - 1)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(4)
        w.setframerate(rate)
        w.writeframes(v.astype("<i4").tobytes())
