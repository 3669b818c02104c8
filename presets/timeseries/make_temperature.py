#!/usr/bin/env python3
"""A seasonal temperature series for the next-step predictor.

Usage: make_temperature.py OUT.csv ROWS RATE SEED

Columns: time (seconds, ROWS rows at RATE per second), temperature (degrees C:
a slow season of 4 s, a faster ripple of 0.37 s and sensor noise) and next
(the temperature one row later, the training target; the last row repeats).
"""
import math
import random
import sys


def temperature(t, rng):
    return (18.0 + 6.0 * math.sin(2 * math.pi * t / 4.0)
            + 1.5 * math.sin(2 * math.pi * t / 0.37 + 1.0)
            + rng.gauss(0.0, 0.1))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    out, rows, rate, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    temps = [temperature(n / rate, rng) for n in range(rows)]
    with open(out, "w") as f:
        f.write("time,temperature,next\n")
        for n in range(rows):
            nxt = temps[min(n + 1, rows - 1)]
            f.write("%.9g,%.6f,%.6f\n" % (n / rate, temps[n], nxt))


if __name__ == "__main__":
    main()
