#!/bin/sh
# Fuzzes recur's parsers of outside input for a bounded time each, starting
# from their seed corpora (corpus/TARGET/):
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# TARGET is model, csv, audio or osc (default: all, SECONDS each). BUILD_DIR
# must be configured with
#   CC=clang meson setup BUILD_DIR -Dfuzz=true -Db_sanitize=address,undefined
# Exits non-zero if a target breaks a promise or crashes; the input is left
# as BUILD_DIR/fuzz-TARGET-crash-*.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [SECONDS [TARGET...]]" >&2
	exit 2
fi
build=$1
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-model csv audio osc}
here=$(cd "$(dirname "$0")" && pwd)
# Undefined behaviour must stop the run like a crash does.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

for target in $targets; do
	exe=$build/tests/fuzz/fuzz-$target
	if [ ! -x "$exe" ]; then
		echo "$exe not built: configure $build with -Dfuzz=true and CC=clang" >&2
		exit 2
	fi
	mkdir -p "$work/$target"
	cp "$here/corpus/$target"/* "$work/$target"/
	dict=
	[ -f "$here/$target.dict" ] && dict=-dict=$here/$target.dict
	echo "== fuzz-$target, $seconds s"
	# No input of at most 8 KB may make one allocation of 256 MB. An input
	# runs in milliseconds; the timeout catches a hang, with room for a
	# machine so loaded that it stalls a process for seconds.
	# shellcheck disable=SC2086 # $dict is one word or none
	"$exe" -max_total_time="$seconds" -max_len=8192 -timeout=60 -rss_limit_mb=2048 \
		-malloc_limit_mb=256 -print_final_stats=1 $dict \
		-artifact_prefix="$build/fuzz-$target-" "$work/$target"
done
