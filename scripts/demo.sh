#!/bin/bash
# The whole path in one go: build recur, make training data with the diode
# clipper recipe, train a small model on it (with the trainer's progress
# bar), run the shipped guitar-like clip through the LV2 plugin loaded by URI
# through lilv, as a host would, and draw what happened.
#
#   out/demo-output.wav   presets/demo/guitar-like.wav through the trained model
#   out/demo.png          waveforms, spectra and the training curve
#   out/demo/             the data, the model and the training log
#
# RECUR_BUILD (default build) is the build folder; RECUR_DEMO_BUDGET
# (default 90) the training time in seconds.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${RECUR_BUILD:-build}
budget=${RECUR_DEMO_BUDGET:-90}
plugin=https://recur.dev/plugins/recur
clip=presets/demo/guitar-like.wav
work=out/demo
model=$work/diode-gru8.json
log=$work/train.jsonl
output=out/demo-output.wav
picture=out/demo.png

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

# 45 s of guitar-like playing (seed 101) and the same through the diode
# clipper with a tone filter: presets/recipes/, equations in presets/README.md.
make_data() {
	step "making 45 s of training data with the diode clipper recipe"
	mkdir -p "$work"
	"$build/presets/make-preset-data" diode 0 45 101 "$work/di.wav" "$work/amp.wav"
	echo "wrote $work/di.wav (input) and $work/amp.wav (the clipper's output)"
}

train_model() {
	step "training a GRU with 8 units (stops early when it stops improving, at most $budget s)"
	"$build/train/recur-train" --input "$work/di.wav" --target "$work/amp.wav" \
		--cell gru --hidden 8 --seed 1 --time-budget "$budget" \
		--out "$model" --log "$log" --checkpoint "$work/diode-gru8.ckpt"
}

run_in_plugin() {
	step "running $clip through $plugin with the new model"
	LV2_PATH="$PWD/$build/lv2" "$build/tools/recur-lv2-process" \
		--model "$model" --block 256 "$plugin" "$clip" "$output"
	echo "wrote $output"
	if command -v sox >/dev/null; then
		local f
		for f in "$clip" "$output"; do
			sox -V1 "$f" -n stat 2>&1 | awk -v f="$f" '
				/^Maximum amplitude/ {hi = $3} /^Minimum amplitude/ {lo = -$3}
				/^RMS +amplitude/ {rms = $3}
				END {printf "  %-30s peak %.3f  rms %.3f\n", f, (hi > lo ? hi : lo), rms}'
		done
	fi
}

# Columns for gnuplot: a 30 ms window of both signals (two strings ringing)
# (sox's text output), their average spectra (recur-spectrum) and the
# validation ESR per epoch from the trainer's JSON-lines log.
plot_data() {
	local f name
	for name in input output; do
		[ $name = input ] && f=$clip || f=$output
		sox -V1 "$f" -t dat - trim 0.47 0.03 | awk '!/^;/ {printf "%.3f %s\n", ($1 + 0.47) * 1000, $2}' \
			>"$work/$name.wave"
		"$build/tools/recur-spectrum" "$f" 4096 >"$work/$name.spectrum"
	done
	sed -n 's/.*"epoch":\([0-9]*\).*"train_loss":\([^,]*\),"val_esr":\([^,]*\).*"elapsed_s":\([^,]*\).*/\1 \2 \3 \4/p' \
		"$log" >"$work/curve.dat"
}

draw() {
	step "drawing $picture"
	if ! command -v gnuplot >/dev/null || ! command -v sox >/dev/null; then
		echo "gnuplot or sox is missing (scripts/setup-debian.sh installs them): no picture"
		return 0
	fi
	plot_data
	local terminal="pngcairo size 1200,900 font 'sans,11'"
	gnuplot -e 'set terminal pngcairo' 2>/dev/null || terminal="png size 1200,900"
	local test_esr seconds epochs
	test_esr=$(sed -n 's/.*"done":true.*"test_esr":\([^}]*\)}.*/\1/p' "$log")
	test_esr=$(printf '%.4f' "$test_esr")
	seconds=$(awk '{x = $4} END {printf "%.0f", x}' "$work/curve.dat")
	epochs=$(awk 'END {print $1}' "$work/curve.dat")
	gnuplot <<GNUPLOT
set terminal $terminal
set output '$picture'
set multiplot title "recur demo: a GRU-8 trained for ${seconds} s (${epochs} epochs) on the diode clipper recipe, run in the LV2 plugin; test ESR ${test_esr}"
set grid
set key top right opaque box
set origin 0, 0.5
set size 1, 0.47
set title "Waveforms: 30 ms of presets/demo/guitar-like.wav (the low E and A strings ringing) and of the plugin's output"
set xlabel "time (ms)"
set ylabel "amplitude"
plot '$work/input.wave' using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'input (dry)', \
     '$work/output.wave' using 1:2 with lines lw 1.5 lc rgb '#d62728' title 'output (model in the plugin)'
set origin 0, 0
set size 0.5, 0.5
set title "Average spectra (Hann, 4096 points)"
set xlabel "frequency (Hz)"
set ylabel "level (dB re full-scale sine)"
set logscale x
set xrange [40:24000]
set yrange [-110:0]
plot '$work/input.spectrum' using 1:2 with lines lc rgb '#1f77b4' title 'input', \
     '$work/output.spectrum' using 1:2 with lines lc rgb '#d62728' title 'output'
unset logscale x
set origin 0.5, 0
set size 0.5, 0.5
set title "Training (out/demo/train.jsonl)"
set xlabel "epoch"
set ylabel "ESR"
set autoscale xy
set logscale y
set format y "10^{%L}"
plot '$work/curve.dat' using 1:3 with linespoints pt 7 ps 0.5 lc rgb '#2ca02c' title 'validation ESR', \
     '$work/curve.dat' using 1:2 with lines lc rgb '#7f7f7f' title 'training loss'
unset multiplot
GNUPLOT
	echo "wrote $picture"
}

build_all
make_data
train_model
run_in_plugin
draw
step "done: listen to $clip and $output, and look at $picture"
