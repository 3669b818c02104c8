#!/bin/sh
# Regenerates the plugin tests' data in tests/plugin/data: the models and the
# input come from gen_plugin_data (fixed seeds), the golden outputs from the
# offline processor recur-process, which the plugin must reproduce.
# Usage, from the top of the repository: tests/plugin/make_data.sh BUILD_DIR
set -e
build=${1:?usage: $0 BUILD_DIR}
data=$(dirname "$0")/data
mkdir -p "$data"
"$build/tests/plugin/gen_plugin_data" "$data"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw="-t raw -e floating-point -b 32 -L"
sox $raw -r 48000 -c 1 "$data/input.f32" "$tmp/input.wav"

# golden NAME [recur-process options] MODEL
golden() {
	name=$1
	shift
	"$build/process/recur-process" -q "$@" "$tmp/input.wav" "$tmp/$name.wav"
	sox "$tmp/$name.wav" $raw "$data/$name.golden.f32"
}
for m in rnn gru lstm; do
	golden $m "$data/$m.json"
done
# The conditioned model with every knob at its default, 0.5: the middle of
# drive [0, 10] and of tone [-1, 1].
golden cond --cond drive=5 --cond tone=0 "$data/cond.json"
# The conditioned model with cond1 = 0.25 and cond2 = 1: drive [0, 10] at
# 2.5 and tone [-1, 1] at 1.
golden cond_knobs --cond drive=2.5 --cond tone=1 "$data/cond.json"
