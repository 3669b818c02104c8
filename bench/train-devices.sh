#!/bin/bash
# Test ESR and time of recur-train on the benchmark devices (docs/training.md,
# "Quality on harder devices"): for each case of bench/train-devices.txt,
# makes its training pair with make-preset-data (presets/recipes/data.txt),
# trains on one thread under `nice` with the case's --cpu-budget (CPU seconds,
# so a loaded machine gives the same figures as an idle one), and adds a
# line to OUT_DIR/results.tsv: case, pair, settings, test ESR, validation ESR,
# epochs, best epoch, wall seconds, CPU seconds (user + system).
#
# usage: bench/train-devices.sh MAKE_PRESET_DATA RECUR_TRAIN OUT_DIR [CASE...]
#   (no CASE: every case, one after the other)
# Two runs with disjoint CASE lists may share OUT_DIR once the pairs exist
# (`--pairs-only` makes them): results.tsv gets whole lines.
set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: train-devices.sh MAKE_PRESET_DATA RECUR_TRAIN OUT_DIR [CASE...]" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
make_data=$(realpath "$1")
recur_train=$(realpath "$2")
out=$3
shift 3
mkdir -p "$out"
cases=$root/bench/train-devices.txt
results=$out/results.tsv
[ -e "$results" ] || printf 'case\tpair\tsettings\ttest_esr\tval_esr\tepochs\tbest_epoch\twall_s\tcpu_s\n' >"$results"

# pair NAME: OUT_DIR/NAME-in.wav and NAME-out.wav, once
pair() {
	[ -e "$out/$1-out.wav" ] && return
	local args
	args=$(awk -v name="$1" '$1 == name {print $2, $3, $4, $5}' "$root/presets/recipes/data.txt")
	if [ -z "$args" ]; then
		echo "train-devices.sh: no pair '$1' in presets/recipes/data.txt" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # four plain words
	"$make_data" $args "$out/$1-in.wav" "$out/$1-out.wav"
}

# metadata MODEL: test ESR, validation ESR, epochs and best epoch, tab-separated
metadata() {
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))["metadata"]
print("\t".join(str(m[k]) for k in ("test_esr", "val_esr", "epochs", "best_epoch")))' "$1"
}

# run CASE PAIR BUDGET ARGS...
run() {
	local name=$1 data=$2 budget=$3
	shift 3
	pair "$data"
	echo "== $name: $data $*"
	local TIMEFORMAT='%R %U %S' times
	times=$({ time nice -n 10 "$recur_train" \
		--input "$out/$data-in.wav" --target "$out/$data-out.wav" \
		--threads 1 --cpu-budget "$budget" --quiet "$@" --out "$out/$name.json" \
		--checkpoint "$out/$name.ckpt" --log "$out/$name.jsonl" 2>"$out/$name.err"; } 2>&1)
	rm -f "$out/$name.ckpt"
	local wall user sys
	read -r wall user sys <<<"$times"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$data" "$*" "$(metadata "$out/$name.json")" \
		"$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.1f", u + s}')" >>"$results"
	tail -n 1 "$results"
}

if [ "${1:-}" = --pairs-only ]; then
	for data in $(awk '$1 !~ /^#/ && NF > 2 {print $2}' "$cases" | sort -u); do pair "$data"; done
	exit 0
fi

found=0
while read -r name data budget args; do
	case $name in '#'* | '') continue ;; esac
	if [ $# -gt 0 ]; then
		want=0
		for c in "$@"; do [ "$c" = "$name" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	found=1
	# shellcheck disable=SC2086 # the settings are plain words
	run "$name" "$data" "$budget" $args
done <"$cases"
if [ $found = 0 ]; then
	echo "train-devices.sh: no such case in $cases: $*" >&2
	exit 2
fi
