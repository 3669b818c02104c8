"""The data check on a good capture and on deliberately bad ones.

Every capture is the standard signal (recur-capture) through a synthetic
device (synthetic.device), recorded 480 frames late; the bad ones break one
thing each. recur-train --check must pass the good one without a word, stop
each bad one with a problem (exit 3) or warn, naming what is wrong, and
--force must train anyway. The reports are printed (docs/capture.md shows
them).

Usage: test_datacheck.py RECUR_CAPTURE RECUR_TRAIN [DIR]
  DIR: make the files there, under short names, and keep them (a temporary
  folder otherwise)."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic  # noqa: E402
import wavio  # noqa: E402

LATENCY = 480
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL", msg)


def run_check(recur_train, inp, target, *extra):
    run = subprocess.run([recur_train, "--check", "--input", inp, "--target", target, *extra],
                         capture_output=True, text=True)
    print(run.stderr)
    report = json.loads(run.stdout)[0] if run.stdout.strip() else None
    return run.returncode, report, run.stderr


def expect(name, got, want_rc, problem=None, warning=None):
    rc, report, text = got
    if rc != want_rc:
        fail(f"{name}: exit {rc}, expected {want_rc}")
    if report is None:
        if problem and problem not in text:
            fail(f"{name}: the message lacks '{problem}'")
        return
    if problem and not any(problem in p for p in report["problems"]):
        fail(f"{name}: no problem mentions '{problem}': {report['problems']}")
    if warning and not any(warning in w for w in report["warnings"]):
        fail(f"{name}: no warning mentions '{warning}': {report['warnings']}")
    if not problem and report["problems"]:
        fail(f"{name}: unexpected problems {report['problems']}")
    if not problem and not warning and report["warnings"]:
        fail(f"{name}: unexpected warnings {report['warnings']}")


def main():
    recur_capture, recur_train = (os.path.abspath(p) for p in sys.argv[1:3])
    rng = np.random.default_rng(3)
    keep = sys.argv[3] if len(sys.argv) > 3 else None
    with tempfile.TemporaryDirectory() as tmp:
        if keep:
            os.makedirs(keep, exist_ok=True)
            os.chdir(keep)

        def path(name):
            return name if keep else os.path.join(tmp, name)

        signal = path("capture.wav")
        subprocess.run([recur_capture, signal], check=True, capture_output=True)
        x, rate = wavio.read(signal)
        z = synthetic.device(x)
        frames = len(x) + LATENCY + rate

        def recording(name, y, r=rate):
            wavio.write(path(name), synthetic.record(y, frames, LATENCY), r)
            return path(name)

        print("== a good capture")
        good = recording("good.wav", z)
        expect("good", run_check(recur_train, signal, good), 0)
        rc, report, _ = run_check(recur_train, signal, good)
        if report and abs(report["latency_frames"] - LATENCY) > 0.1:
            fail(f"good: latency {report['latency_frames']}")

        print("== the signal exported again without its metadata: recognised by its pulses")
        exported = path("exported.wav")
        wavio.write(exported, x, rate)
        rc, report, _ = run_check(recur_train, exported, good)
        if rc != 0 or not report["standard_signal"] or \
                report["latency_method"] != "calibration pulses":
            fail(f"exported: exit {rc}, {report}")

        print("== clipped: the recording gain 12 dB too high")
        clipped = recording("clipped.wav", np.clip(4 * z, -1, 1))
        expect("clipped", run_check(recur_train, signal, clipped), 3, problem="clips")

        print("== swapped: --input is the recording, --target the signal played")
        expect("swapped", run_check(recur_train, good, signal), 3, problem="swapped")

        print("== noisy and time-varying: hiss at -50 dBFS, a slow 8% tremolo")
        t = np.arange(len(z)) / rate
        wobbly = z * (1 + 0.08 * np.sin(2 * np.pi * 0.23 * t)) + \
            10 ** (-50 / 20) * rng.standard_normal(len(z))
        noisy = recording("noisy.wav", wobbly)
        expect("noisy", run_check(recur_train, signal, noisy), 0,
               warning="repeated segment differ")

        print("== misaligned, with --align off")
        expect("misaligned", run_check(recur_train, signal, good, "--align", "off", "--trim"),
               3, problem="--align off")

        print("== the wrong rate: the recording made at 44.1 kHz")
        expect("wrong rate", run_check(recur_train, signal, recording("rate.wav", z, 44100)),
               2, problem="sample rates differ")

        print("== a silent recording: the wrong input of the interface")
        silent = recording("silent.wav", 1e-6 * rng.standard_normal(len(z)))
        expect("silent", run_check(recur_train, signal, silent), 3, problem="target is silent")

        print("== a DC offset and a recording that stops early")
        short = path("short.wav")
        wavio.write(short, synthetic.record(z, len(x) - 10 * rate, LATENCY) + 0.02, rate)
        expect("short", run_check(recur_train, signal, short), 0, warning="stopped early")
        expect("dc", run_check(recur_train, signal, short), 0, warning="DC offset")

        print("== --force trains on a clipped capture anyway")
        model = path("model.json")
        run = subprocess.run([recur_train, "--input", signal, "--target", clipped, "--out", model,
                              "--force", "--hidden", "4", "--epochs", "1", "--quiet",
                              "--segment", "512", "--batch", "4"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"--force: exit {run.returncode}: {run.stderr}")
        else:
            with open(model) as f:
                capture = json.load(f)["metadata"]["capture"][0]
            if not any("clips" in p for p in capture["problems"]):
                fail("--force: the model's metadata lacks the problem")
        run = subprocess.run([recur_train, "--input", signal, "--target", clipped, "--out",
                              path("refused.json"), "--quiet"], capture_output=True, text=True)
        if run.returncode != 3 or os.path.exists(path("refused.json")) or \
                "--force" not in run.stderr:
            fail(f"without --force: exit {run.returncode}, {run.stderr}")
    print(f"{failures} failed" if failures else "every check named what was wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
