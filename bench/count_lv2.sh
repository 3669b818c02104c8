#!/bin/sh
# Instructions per sample of one LV2 plugin's run() alone, counted by
# callgrind (--toggle-collect=host_plugin_run) on bench-lv2 --count. Every
# run() is counted, the model-loading ones too, so the plugin plays two
# lengths of the signal and the difference is divided by the extra frames.
#
#   bench/count_lv2.sh BENCH_LV2 URI MODEL [bench-lv2 options]
#   e.g. RECUR_KERNEL=sse2 LV2_PATH=build/lv2 bench/count_lv2.sh \
#          build/bench/bench-lv2 https://recur.dev/plugins/recur m.nam
set -eu
[ $# -ge 3 ] || { echo "usage: count_lv2.sh BENCH_LV2 URI MODEL [OPTIONS]" >&2; exit 2; }
bench=$1
uri=$2
model=$3
shift 3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # SECONDS [OPTIONS]: prints "instructions frames"
	seconds=$1
	shift
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect=host_plugin_run \
		--callgrind-out-file="$out/cg.out" \
		"$bench" --count --seconds "$seconds" "$@" "$uri" "$model" >"$out/stdout" 2>"$out/stderr" ||
		{ cat "$out/stderr" >&2; exit 1; }
	total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.out")
	[ -n "$total" ] || total=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg.out")
	echo "$total $(sed -n 's/^frames \([0-9]*\)/\1/p' "$out/stdout")"
}
short=$(count 1 "$@")
long=$(count 2 "$@")
echo "$short $long" | awk '{ printf "%.1f instructions per sample of run()\n", ($3 - $1) / ($4 - $2) }'
