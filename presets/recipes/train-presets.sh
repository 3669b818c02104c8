#!/bin/bash
# Trains the shipped presets again: makes each one's data with its recipe
# (make-preset-data), trains it with the command line below, and writes
# presets/models/NAME.json. The data goes to out/preset-data/.
#
# usage: train-presets.sh MAKE_PRESET_DATA RECUR_TRAIN [NAME...]
#   (ninja -C build retrain-presets runs it for every shipped preset)
# RECUR_PRESET_BUDGET: seconds of training per model (default 150).
#
# With a time budget the number of epochs depends on the machine's speed;
# the model records its epochs, and the same command with --epochs N in
# place of --time-budget gives the same model bit for bit (same seed, same
# --threads).
set -euo pipefail

cd "$(dirname "$0")/../.."
if [ $# -lt 2 ]; then
	echo "usage: train-presets.sh MAKE_PRESET_DATA RECUR_TRAIN [NAME...]" >&2
	exit 2
fi
# Relative paths keep the build folder's location out of the models' metadata.
make_data=$(realpath --relative-to=. "$1")
recur_train=$(realpath --relative-to=. "$2")
shift 2
data=out/preset-data
models=presets/models
budget=${RECUR_PRESET_BUDGET:-150}
mkdir -p "$data" "$models"

# pair NAME: data/NAME-in.wav and data/NAME-out.wav, made as recipes/data.txt
# says (tests/presets/test_recipes.c checks the models' data against it).
pair() {
	local args
	args=$(awk -v name="$1" '$1 == name {print $2, $3, $4, $5}' presets/recipes/data.txt)
	if [ -z "$args" ]; then
		echo "train-presets.sh: no pair '$1' in presets/recipes/data.txt" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # four plain words
	"$make_data" $args "$data/$1-in.wav" "$data/$1-out.wav"
}

# train NAME ARGS...: recur-train ARGS with the output, log and budget
train() {
	local name=$1
	shift
	echo "== $name"
	# the settings these presets were trained with (the defaults before
	# December 2026), before the preset's own: a later option wins
	"$recur_train" --batch 16 --segment 2048 --warmup 1024 --lr 0.005 "$@" \
		--threads 2 --time-budget "$budget" \
		--out "$models/$name.json" --checkpoint "$data/$name.ckpt" --log "$data/$name.jsonl"
}

diode_overdrive() {
	pair diode-overdrive
	train diode-overdrive --cell gru --hidden 12 --seed 1 \
		--input "$data/diode-overdrive-in.wav" --target "$data/diode-overdrive-out.wav"
}

tube_drive() {
	pair tube-drive-0
	pair tube-drive-0.5
	pair tube-drive-1
	train tube-drive --cell lstm --hidden 16 --seed 1 \
		--input "$data/tube-drive-0-in.wav" --target "$data/tube-drive-0-out.wav" --cond drive=0 \
		--input "$data/tube-drive-0.5-in.wav" --target "$data/tube-drive-0.5-out.wav" --cond drive=0.5 \
		--input "$data/tube-drive-1-in.wav" --target "$data/tube-drive-1-out.wav" --cond drive=1
}

fuzz() {
	pair fuzz
	train fuzz --cell lstm --hidden 16 --seed 1 \
		--input "$data/fuzz-in.wav" --target "$data/fuzz-out.wav"
}

# The level detector needs a louder input (--input-gain), memories as long as
# the release (--memory, 100 ms) and a warm-up that settles them.
slow_compressor() {
	pair slow-compressor
	train slow-compressor --cell lstm --hidden 16 --seed 1 \
		--input-gain auto --memory 4800 --warmup 8192 \
		--input "$data/slow-compressor-in.wav" --target "$data/slow-compressor-out.wav"
}

all=(diode-overdrive tube-drive fuzz slow-compressor)
for name in "${@:-${all[@]}}"; do
	case $name in
	diode-overdrive) diode_overdrive ;;
	tube-drive) tube_drive ;;
	fuzz) fuzz ;;
	slow-compressor) slow_compressor ;;
	*)
		echo "train-presets.sh: no preset '$name' (${all[*]})" >&2
		exit 2
		;;
	esac
done
