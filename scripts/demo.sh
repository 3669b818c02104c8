#!/bin/bash
# Builds recur and runs the shipped demo model over the shipped clip:
# presets/demo/guitar-like.wav -> out/demo-output.wav. Each step is a
# function, so the demo can grow (training a model, running it in a host)
# without the earlier steps changing.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${RECUR_BUILD:-build}
model=presets/demo/soft-clip-smoother.json
clip=presets/demo/guitar-like.wav
output=out/demo-output.wav

step() {
	printf '\n== %s\n' "$*"
}

build_all() {
	step "building into $build/"
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build"
	fi
	ninja -C "$build"
}

process_clip() {
	step "running $model over $clip"
	mkdir -p out
	"$build/process/recur-process" "$model" "$clip" "$output"
	echo "wrote $output"
	if command -v soxi >/dev/null; then
		soxi "$output" 2>/dev/null | sed -n 's/^\(Channels\|Sample Rate\|Duration\|Sample Encoding\).*/  &/p'
	fi
}

compare_levels() {
	command -v sox >/dev/null || return 0
	step "levels: the model soft-clips, its output never exceeds 0.4"
	local f stats peak rms
	for f in "$clip" "$output"; do
		stats=$(sox "$f" -n stat 2>&1)
		peak=$(awk '/^Maximum amplitude/ {hi = $3} /^Minimum amplitude/ {lo = -$3}
			END {print (hi > lo ? hi : lo)}' <<<"$stats")
		rms=$(awk '/^RMS +amplitude/ {print $3}' <<<"$stats")
		printf '  %-36s peak %s  rms %s\n' "$f" "$peak" "$rms"
	done
}

build_all
process_clip
compare_levels
step "done: listen to $clip and $output"
