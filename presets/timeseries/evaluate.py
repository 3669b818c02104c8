#!/usr/bin/env python3
"""Scores a time-series model's output from recur-process against the truth.

Usage:
  evaluate.py detector TRUTH.csv OUTPUT.csv WORD [MIN_RECALL MAX_FALSE]
      WORD is the truth column (1 where the word ends) and the output column
      (probability). A detection is an output above 0.5 on the frame the word
      ends; any other frame above 0.5 is a false alarm.
  evaluate.py predictor TRUTH.csv OUTPUT.csv INPUT TARGET [WARMUP]
      Mean squared error of the output column TARGET against the truth's
      TARGET, next to repeating the last INPUT (persistence), after WARMUP rows.

Prints the figures; with limits given (detector) or always (predictor: the
model must beat persistence) exits 1 when they are not met.
"""
import csv
import sys


def column(path, name):
    with open(path, newline="") as f:
        return [float(row[name]) for row in csv.DictReader(f)]


def detector(truth, output, word, min_recall=None, max_false=None):
    marks, prob = column(truth, word), column(output, word)
    words = sum(1 for m in marks if m > 0.5)
    hits = sum(1 for m, p in zip(marks, prob) if m > 0.5 and p > 0.5)
    false = sum(1 for m, p in zip(marks, prob) if m <= 0.5 and p > 0.5)
    frames = len(marks)
    print("%s: %d of %d occurrences detected, %d false alarms in %d frames (%.4f%%)"
          % (word, hits, words, false, frames, 100.0 * false / frames))
    if min_recall is not None and (hits < float(min_recall) * words
                                   or false > float(max_false) * frames):
        sys.exit("below the stated result: recall >= %s, false alarms <= %s of frames"
                 % (min_recall, max_false))


def predictor(truth, output, inp, target, warmup="32"):
    x, t, y = column(truth, inp), column(truth, target), column(output, target)
    w = int(warmup)
    n = len(t) - w
    mse = sum((a - b) ** 2 for a, b in zip(y[w:], t[w:])) / n
    persist = sum((a - b) ** 2 for a, b in zip(x[w:], t[w:])) / n
    print("%s: model MSE %.4f, persistence MSE %.4f (%.1fx better), %d rows"
          % (target, mse, persist, persist / mse, n))
    if mse >= persist:
        sys.exit("the model does not beat persistence")


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] not in ("detector", "predictor"):
        sys.exit(__doc__)
    (detector if sys.argv[1] == "detector" else predictor)(*sys.argv[2:])
