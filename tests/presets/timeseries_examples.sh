#!/bin/sh
# The shipped time-series models give the results presets/timeseries/README.md
# states on the shipped example CSVs, run with recur-process.
# Usage: timeseries_examples.sh RECUR_PROCESS PYTHON3 SOURCE_ROOT
set -eu
process=$1
python=$2
ts=$3/presets/timeseries
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for word in arbor bravo; do
	"$process" -q "$ts/$word-detector.json" "$ts/example-$word.csv" "$out/$word.csv"
	# every occurrence found, false alarms on at most 0.1% of frames
	"$python" "$ts/evaluate.py" detector "$ts/example-$word.csv" "$out/$word.csv" "$word" 1.0 0.001
done
"$process" -q "$ts/temperature-next.json" "$ts/example-temperature.csv" "$out/temperature.csv"
"$python" "$ts/evaluate.py" predictor "$ts/example-temperature.csv" "$out/temperature.csv" \
	temperature next
