#!/bin/sh
# Instructions per sample of each benchmark model on one kernel path, counted
# by callgrind over bench_run() only. Valgrind cannot execute AVX-512 here,
# so the default path is avx2.
#
#   bench/callgrind.sh [build-dir] [kernel]      (defaults: build-core avx2)
set -eu
build=${1:-build-core}
kernel=${2:-avx2}
steps=10000
bench="$build/bench/bench-step"
[ -x "$bench" ] || { echo "callgrind.sh: $bench not built" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-10s %14s   (%s path, %d samples)\n' model instr/sample "$kernel" "$steps"
for cell in rnn gru lstm; do
	for hidden in 8 16 32 40 64; do
		model="$cell-$hidden"
		RECUR_KERNEL=$kernel valgrind --tool=callgrind --toggle-collect=bench_run \
			--callgrind-out-file="$out/$model.out" \
			"$bench" --kernel "$kernel" --model "$model" --steps "$steps" >/dev/null 2>&1
		total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/$model.out")
		[ -n "$total" ] || total=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/$model.out")
		printf '%-10s %14.0f\n' "$model" "$(echo "$total / $steps" | bc -l)"
	done
done
