"""Known answers for recur-train's latency, polarity and drift measurement.

The standard capture signal (recur-capture) goes through a synthetic device
(synthetic.device), and the device's output is recorded with a known
latency, polarity and clock drift (synthetic.record). recur-train --check
must find each within 0.1 frame, at the start pulses and at the end pulses.

Usage: test_latency.py RECUR_CAPTURE RECUR_TRAIN"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic  # noqa: E402
import wavio  # noqa: E402

TOLERANCE = 0.1  # frames

# name, delay (frames), sign, clock drift (eps)
CASES = [
    ("delay 0", 0.0, 1.0, 0.0),
    ("delay 1", 1.0, 1.0, 0.0),
    ("delay 37.5", 37.5, 1.0, 0.0),
    ("delay 480", 480.0, 1.0, 0.0),
    ("delay 4000", 4000.0, 1.0, 0.0),
    ("delay 480, inverted", 480.0, -1.0, 0.0),
    ("delay 480, clocks 20 ppm apart", 480.0, 1.0, 20e-6),
]


def check(recur_train, signal, target):
    run = subprocess.run([recur_train, "--check", "--quiet", "--input", signal,
                          "--target", target], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"recur-train --check failed ({run.returncode}): {run.stderr}")
    return json.loads(run.stdout)[0]


def main():
    recur_capture, recur_train = sys.argv[1:3]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        signal, layout, x, rate = synthetic.capture_signal(recur_capture, tmp)
        z = synthetic.device(x)
        blips = layout["blips"]
        p_start, p_end = (blips[0] + blips[1]) / 2, (blips[2] + blips[3]) / 2
        print("| recording | true latency at start / end | measured at start / end "
              "| polarity | drift ppm true / measured |")
        print("|---|---|---|---|---|")
        for name, delay, sign, eps in CASES:
            target = os.path.join(tmp, "target.wav")
            frames = len(z) + int(np.ceil(delay)) + 2000
            wavio.write(target, synthetic.record(z, frames, delay, sign, eps), rate)
            r = check(recur_train, signal, target)
            true0 = synthetic.latency(p_start, delay, eps)
            true1 = synthetic.latency(p_end, delay, eps)
            true_ppm = (true1 - true0) / (p_end - p_start) * 1e6
            got0, got1 = r["latency_frames"], r["latency_end_frames"]
            print(f"| {name} | {true0:.3f} / {true1:.3f} | {got0:.3f} / {got1:.3f} "
                  f"| {r['polarity']} | {true_ppm:+.2f} / {r['drift_ppm']:+.2f} |")
            bad = []
            if r["latency_method"] != "calibration pulses":
                bad.append(f"method {r['latency_method']}")
            if abs(got0 - true0) > TOLERANCE or abs(got1 - true1) > TOLERANCE:
                bad.append("latency")
            if (r["polarity"] == "inverted") != (sign < 0):
                bad.append("polarity")
            if r["problems"]:
                bad.append(f"problems {r['problems']}")
            if bad:
                failures += 1
                print(f"FAIL {name}: {', '.join(bad)}")
    print("all cases within %.1f frame" % TOLERANCE if not failures else f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
