#!/bin/sh
# Trains a small "arbor" detector in a few seconds with recur-train, as
# presets/timeseries/train.sh does at full size, and checks it through the
# CV plugin. A detector trained this briefly may open its gate once or twice
# on the network's start-up transient; every occurrence must be found.
# Usage: retrain_detector.sh RECUR_TRAIN TEST_CV_DETECTOR MAKE_LETTERS_PY
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$3" "$work/letters.csv" 100000 3 100
"$1" --csv "$work/letters.csv" --inputs a,b,o,r --targets arbor --cell gru --hidden 16 \
	--out-act sigmoid --loss bce --no-skip --segment 128 --warmup 0 --epochs 100 \
	--patience 100 --time-budget 60 --threads 1 --seed 1 --out "$work/arbor.json" --quiet
python3 - "$work/arbor.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["sample_rate"] = 100
json.dump(m, open(sys.argv[1], "w"))
PY
# Not exec: the shell must stay to run the trap that removes $work.
"$2" "$work/arbor.json" arbor abor 2
