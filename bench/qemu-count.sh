#!/bin/sh
# Instructions per sample of benchmark models on an aarch64 build's kernel
# path, counted exactly under qemu-user: -singlestep makes every executed
# instruction its own translation block and -d exec logs each one, so the
# log lines from bench_run()'s entry to its return into main() are the
# instructions that ran inside it (as bench/callgrind.sh counts them on x86).
# Two runs of different lengths are subtracted, so the call's fixed cost
# drops out and what remains is per sample.
#
#   bench/qemu-count.sh [build-dir] [kernel] [models...]
#   (defaults: build-arm64 neon gru-16 lstm-16 lstm-32)
set -eu
build=${1:-build-arm64}
kernel=${2:-neon}
[ $# -ge 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- gru-16 lstm-16 lstm-32
bench="$build/bench/bench-step"
[ -x "$bench" ] || { echo "qemu-count.sh: $bench not built" >&2; exit 1; }
for tool in qemu-aarch64 aarch64-linux-gnu-objdump aarch64-linux-gnu-nm; do
	command -v $tool >/dev/null || { echo "qemu-count.sh: $tool not installed" >&2; exit 1; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
short=100
long=300
# qemu-user loads a position-independent aarch64 program at this address.
base=0x5500000000
entry=$(aarch64-linux-gnu-nm "$bench" | awk '$3 == "bench_run" { print $1 }')
# The instructions after each call of bench_run in main are where it returns.
returns=$(aarch64-linux-gnu-objdump -d "$bench" |
	awk '/bl\t[0-9a-f]+ <bench_run>/ { sub(":", "", $1); print $1 }')
[ -n "$entry" ] && [ -n "$returns" ] || { echo "qemu-count.sh: no bench_run in $bench" >&2; exit 1; }
pcs=$(printf '%010x ' $((base + 0x$entry)))
stops=
for r in $returns; do
	stops="$stops$(printf '%010x ' $((base + 0x$r + 4)))"
done

count() { # count MODEL STEPS: instructions executed inside bench_run
	qemu-aarch64 -L /usr/aarch64-linux-gnu -singlestep -d nochain,exec -D "$out/trace" \
		"$bench" --kernel "$kernel" --model "$1" --steps "$2" >/dev/null
	awk -v start="$pcs" -v stops="$stops" '
		BEGIN { n = split(stops, s, " "); for (i = 1; i <= n; i++) stop[s[i]] = 1; sub(" ", "", start) }
		/^Trace/ { split($4, f, "/"); pc = substr(f[2], 7) }
		/^Trace/ && pc == start { on = 1 }
		/^Trace/ && on && (pc in stop) { on = 0 }
		/^Trace/ && on { c++ }
		END { print c + 0 }' "$out/trace"
}

printf '%-10s %14s   (%s path, %d - %d samples, qemu-aarch64 -singlestep)\n' model \
	instr/sample "$kernel" "$long" "$short"
for model in "$@"; do
	a=$(count "$model" $short)
	b=$(count "$model" $long)
	printf '%-10s %14.1f\n' "$model" "$(echo "($b - $a) / ($long - $short)" | bc -l)"
done
