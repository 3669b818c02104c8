#!/bin/sh
# Every kernel path side by side: for each model, the multiply-adds per
# sample, the floor (multiply-adds over the path's lanes: the fused
# multiply-add instructions a sample needs at the least), the instructions
# per sample and the ns per sample.
#
#   bench/paths.sh [build-dir] [aarch64-build-dir] [models...]
#
# x86 paths the CPU runs are timed with bench-step (best of its 400 runs) and
# counted with callgrind (bench/callgrind.sh's region; valgrind cannot run
# AVX-512, so that path is timed only). The neon path is counted under
# qemu-user with bench/qemu-count.sh when an aarch64 build is given (and not
# timed: emulation says nothing about time). A model named CELL-HxN has N
# layers. docs/engine.md keeps the latest table.
set -eu
build=${1:-build}
arm=${2:-}
[ $# -ge 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- rnn-8 rnn-16 rnn-32 rnn-40 gru-8 gru-16 gru-32 gru-40 \
	lstm-8 lstm-16 lstm-32 lstm-40 lstm-16x2 lstm-64 lstm-96 lstm-128 lstm-64x2 lstm-128x2
bench="$build/bench/bench-step"
[ -x "$bench" ] || { echo "paths.sh: $bench not built" >&2; exit 1; }
here=$(dirname "$0")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# instr MODEL KERNEL: callgrind's count of bench_run() per sample
instr() {
	steps=2000
	valgrind --tool=callgrind --toggle-collect=bench_run --callgrind-out-file="$out/cg" \
		"$bench" --kernel "$2" --model "$1" --steps $steps >/dev/null 2>&1 || { echo -; return; }
	total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg")
	[ -n "$total" ] || total=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg")
	echo "$total / $steps" | bc
}

printf '%-8s %-11s %8s %8s %12s %10s\n' path model MACs floor instr/sample ns/sample
for kernel in avx512 avx2 sse2; do
	"$bench" --kernel $kernel --model rnn-8 --steps 1 2>/dev/null || continue
	for model in "$@"; do
		# ns/sample, MACs and floor: the timed run's row
		row=$("$bench" --kernel $kernel --model "$model" | tail -n 1)
		if [ $kernel = avx512 ]; then n=-; else n=$(instr "$model" $kernel); fi
		echo "$row" | awk -v k=$kernel -v n="$n" \
			'{printf "%-8s %-11s %8s %8s %12s %10s\n", k, $1, $4, $5, n, $2}'
	done
done
if [ -n "$arm" ]; then
	"$here/qemu-count.sh" "$arm" neon "$@" | tail -n +2 | while read -r model n; do
		macs=$("$bench" --model "$model" --macs)
		printf '%-8s %-11s %8s %8s %12.0f %10s\n' neon "$model" "$macs" \
			$(((macs + 3) / 4)) "$n" "(qemu)"
	done
fi
