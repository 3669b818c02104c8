#!/bin/sh
# Fuzzes recur_model_parse for a bounded time, starting from the seed corpus.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# BUILD_DIR must be configured with
#   CC=clang meson setup BUILD_DIR -Dfuzz=true -Db_sanitize=address,undefined
# Exits non-zero if the target crashes; the input is left as BUILD_DIR/fuzz-crash-*.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [SECONDS]" >&2
	exit 2
fi
build=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
exe=$build/tests/fuzz/fuzz-load
if [ ! -x "$exe" ]; then
	echo "$exe not built: configure $build with -Dfuzz=true and CC=clang" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cp "$here"/corpus/* "$work"/
# Undefined behaviour must stop the run like a crash does.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
"$exe" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -dict="$here/json.dict" -artifact_prefix="$build/fuzz-" "$work"
