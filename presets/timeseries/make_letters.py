#!/usr/bin/env python3
"""Letter streams for the letter-sequence detectors: one letter per frame,
one-hot over the alphabet (a column per letter), and a column named after the
word that is 1 on the frame of the word's last letter and 0 elsewhere.

Usage: make_letters.py OUT.csv FRAMES SEED [PLANT [WORD ALPHABET]]

WORD and ALPHABET default to "arbor" over a, b, o, r (four letters, so the
stream fits the CV plugin's four inputs); "bravo" over a, b, o, r, v is the
seeds' example, run with recur-process.

Letters are uniform at random; with PLANT > 0 the word, or a near miss of it
(one letter doubled, dropped or changed: "arrbor", "abor", "arbar"), is also
written in at random places, about once every PLANT frames each, so training
sees enough occurrences (a uniform stream has one every 1024 frames) and the
sequences a detector confuses most. The word cannot overlap itself, so every
occurrence is marked once.
"""
import random
import sys

ALPHABET = "abor"
WORD = "arbor"
RATE = 100  # letters per second: the model's frame rate


def near_miss(rng):
    k = rng.randrange(len(WORD))
    kind = rng.randrange(3)
    if kind == 0:
        return WORD[:k + 1] + WORD[k:]
    if kind == 1:
        return WORD[:k] + WORD[k + 1:]
    return WORD[:k] + rng.choice(ALPHABET.replace(WORD[k], "")) + WORD[k + 1:]


def stream(frames, rng, plant):
    letters = []
    while len(letters) < frames:
        if plant and rng.random() < len(WORD) / plant:
            letters.extend(WORD)
        elif plant and rng.random() < len(WORD) / plant:
            letters.extend(near_miss(rng))
        else:
            letters.append(rng.choice(ALPHABET))
    return letters[:frames]


def targets(letters):
    text = "".join(letters)
    marks = [0] * len(letters)
    start = text.find(WORD)
    while start >= 0:
        marks[start + len(WORD) - 1] = 1
        start = text.find(WORD, start + 1)
    return marks


def main():
    global WORD, ALPHABET
    if len(sys.argv) not in (4, 5, 7):
        sys.exit(__doc__)
    out, frames, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    plant = int(sys.argv[4]) if len(sys.argv) >= 5 else 0
    if len(sys.argv) == 7:
        WORD, ALPHABET = sys.argv[5], sys.argv[6]
        if not set(WORD) <= set(ALPHABET):
            sys.exit("make_letters.py: the word has letters outside the alphabet")
    rng = random.Random(seed)
    letters = stream(frames, rng, plant)
    marks = targets(letters)
    with open(out, "w") as f:
        f.write("time,%s,%s\n" % (",".join(ALPHABET), WORD))
        for n, (c, m) in enumerate(zip(letters, marks)):
            hot = ",".join("1" if c == a else "0" for a in ALPHABET)
            f.write("%.9g,%s,%d\n" % (n / RATE, hot, m))


if __name__ == "__main__":
    main()
