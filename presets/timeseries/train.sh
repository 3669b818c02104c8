#!/bin/sh
# Trains the shipped time-series models from generated data, as they were
# made (two or three minutes on 2 cores):
#   arbor-detector.json      GRU 32, 4 inputs (letters a, b, o, r one-hot), one
#                            sigmoid output: the probability that "arbor" has
#                            just been completed; 100 letters per second (fits
#                            the CV plugin's four inputs)
#   bravo-detector.json      the same for the seeds' "bravo" over a, b, o, r, v
#                            (five inputs: run it with recur-process)
#   temperature-next.json    GRU 8, next-step temperature predictor, 100 frames
#                            per second; long segments, so the state it learns
#                            stays right over a long series
# Usage: presets/timeseries/train.sh BUILD_DIR [OUT_DIR]
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/make_letters.py" "$work/letters.csv" 400000 1 300
"$build/train/recur-train" --csv "$work/letters.csv" --inputs a,b,o,r --targets arbor \
	--cell gru --hidden 32 --out-act sigmoid --loss bce --no-skip \
	--segment 256 --warmup 0 --epochs 800 --patience 100 --time-budget 120 --seed 2 \
	--rate 100 --out "$out/arbor-detector.json" --quiet

python3 "$here/make_letters.py" "$work/bravo.csv" 400000 1 300 bravo aborv
"$build/train/recur-train" --csv "$work/bravo.csv" --inputs a,b,o,r,v --targets bravo \
	--cell gru --hidden 32 --out-act sigmoid --loss bce --no-skip \
	--segment 256 --warmup 0 --epochs 800 --patience 100 --time-budget 120 --seed 2 \
	--rate 100 --out "$out/bravo-detector.json" --quiet

python3 "$here/make_temperature.py" "$work/temperature.csv" 60000 100 1
"$build/train/recur-train" --csv "$work/temperature.csv" --inputs temperature --targets next \
	--cell gru --hidden 8 --loss mse --skip --segment 2048 --warmup 256 --batch 8 \
	--epochs 300 --patience 40 --time-budget 60 --seed 1 --rate 100 --out "$out/temperature-next.json" --quiet
rm -f "$out"/*.ckpt
