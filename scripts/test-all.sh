#!/bin/bash
# Every test recur has, in one command:
#   release build + meson test, sanitizer build + meson test, the project
#   cross-built for aarch64 with its tests under qemu-user (when the cross
#   tools are there), the fuzzers (when clang is there), and a clang-format
#   check of the C sources.
# Ends with one line "N passed, N failed, N skipped" counted from the real
# results (meson's testlog.json; each fuzz target's run and the format check
# count as one test each) and exits non-zero if anything failed.
#
# RECUR_BUILD_PREFIX (default "build") names the build folders:
# PREFIX, PREFIX-asan, PREFIX-arm64, PREFIX-fuzz. RECUR_FUZZ_SECONDS (default 240) is the
# fuzzing time in all, shared among the targets of tests/fuzz/run.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
prefix=${RECUR_BUILD_PREFIX:-build}
fuzz_seconds=${RECUR_FUZZ_SECONDS:-240}
# tests/fuzz/run.sh's targets, each with its share (in sixteenths) of the
# time; the model reader is the largest parser and gets the largest share
# (3 minutes: 40 s found a bug in it only now and then, 3 minutes every time).
fuzz_targets="model:12 csv:2 audio:1 osc:1"
jobs=2
passed=0
failed=0
skipped=0
failures=()

say() {
	printf '\n== %s\n' "$*"
}

record() { # record RESULT NAME: RESULT is pass, fail or skip
	case $1 in
	pass) passed=$((passed + 1)) ;;
	fail)
		failed=$((failed + 1))
		failures+=("$2")
		;;
	skip) skipped=$((skipped + 1)) ;;
	esac
}

# meson setup, creating or reconfiguring the folder with these options; its
# output goes to out/test-all/DIR.setup.log and is shown only on failure.
configure() { # configure DIR [OPTIONS...]
	local dir=$1
	shift
	mkdir -p out/test-all
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"out/test-all/$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"out/test-all/$dir.setup.log" 2>&1
	fi
}

# Adds one build's meson test results from its testlog.json.
count_testlog() { # count_testlog DIR
	local log=$1/meson-logs/testlog.json counts
	if [ ! -s "$log" ]; then
		record fail "$1: meson test left no results"
		return
	fi
	counts=$(python3 - "$log" "$1" <<'PY'
import json, re, sys
ok = bad = skip = 0
names = []
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r == "SKIP":
            skip += 1
        else:
            bad += 1
            # Why, in a few lines: a summary of the run may show only its tail.
            out = (t.get("stdout") or "").splitlines()
            why = [l for l in out if re.search(r"failed|error|FAIL|Assert|timed out", l)]
            why = (why or out[-3:])[:3]
            names.append("%s: %s (%s)%s" % (sys.argv[2], t.get("name"), r,
                         "".join("\n    " + l[:200] for l in why)))
print(ok, bad, skip)
for n in names:
    print(n)
PY
)
	local first
	first=$(head -n1 <<<"$counts")
	read -r ok bad skip <<<"$first"
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped=$((skipped + skip))
	while IFS= read -r name; do
		[ -n "$name" ] && failures+=("$name")
	done < <(tail -n +2 <<<"$counts" | python3 -c '
import sys
# one entry per failed test: its name line and the indented reason lines after it
entries = []
for line in sys.stdin.read().splitlines():
    if line.startswith("    ") and entries:
        entries[-1] += "\n" + line
    else:
        entries.append(line)
for e in entries:
    print(e.replace("\n", "\x1f"))
')
	echo "$1: $ok passed, $bad failed, $skip skipped"
}

# Builds DIR (already configured) and runs its tests (those of the suites
# named after the multiplier, or all); a failed build counts as one failed
# test, since none of its tests could run.
build_and_test() { # build_and_test DIR TIMEOUT_MULTIPLIER [--suite NAME...]
	local dir=$1 multiplier=$2
	shift 2
	if ! ninja -C "$dir" -j "$jobs"; then
		record fail "$dir: build failed"
		return
	fi
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --num-processes "$jobs" --timeout-multiplier "$multiplier" \
		--print-errorlogs "$@" || true
	count_testlog "$dir"
}

release() {
	say "release build: $prefix"
	if configure "$prefix" -Dbuildtype=release; then
		build_and_test "$prefix" 2
	else
		cat "out/test-all/$prefix.setup.log"
		record fail "$prefix: meson setup failed"
	fi
}

sanitized() {
	local dir=$prefix-asan
	say "AddressSanitizer + UndefinedBehaviorSanitizer build: $dir"
	export ASAN_OPTIONS=halt_on_error=1:print_stacktrace=1:detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	if configure "$dir" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized; then
		build_and_test "$dir" 10
	else
		cat "out/test-all/$dir.setup.log"
		record fail "$dir: meson setup failed"
	fi
}

# The whole project cross-built for aarch64 (the engine's neon path, the
# plugin, the tools), its tests run through meson's exe_wrapper, qemu-aarch64:
# the engine's known answers, every path against the float64 reference, and
# the plugin's host-driven tests, which load the aarch64 bundle through an
# aarch64 lilv. The arm64 libraries come from Debian multiarch, liblo's from
# /opt/recur-arm64 (scripts/setup-debian.sh installs them all); with only
# libcjson-dev:arm64 there, the engine alone is built and tested. Everything
# is built; the suites run are engine, format and plugin: the others start
# the built tools as child processes or talk OSC, which qemu-user cannot run
# here (docs/engine.md), or train, which is too slow emulated. Within those
# three, a test that cannot run under qemu says so and is counted as skipped.
cross_arm() {
	local dir=$prefix-arm64 missing=() options=() suites=()
	say "aarch64 cross build, tests under qemu-user: $dir"
	command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
	command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
	[ -f /usr/lib/aarch64-linux-gnu/pkgconfig/libcjson.pc ] || missing+=(libcjson-dev:arm64)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "not installed: ${missing[*]} (scripts/setup-debian.sh installs them):" \
			"aarch64 cross tests skipped"
		record skip "cross-arm64"
		return
	fi
	local pc lacking=()
	for pc in /usr/lib/aarch64-linux-gnu/pkgconfig/{lilv-0,sndfile,samplerate}.pc \
		/usr/lib/aarch64-linux-gnu/pkgconfig/lv2.pc \
		/opt/recur-arm64/usr/lib/aarch64-linux-gnu/pkgconfig/liblo.pc; do
		[ -f "$pc" ] || lacking+=("$(basename "$pc")")
	done
	if [ ${#lacking[@]} -gt 0 ]; then
		echo "no arm64 ${lacking[*]} (scripts/setup-debian.sh installs them):" \
			"the engine alone is cross-built"
		options=(-Dengine_only=true)
		suites=()
	else
		options=(-Dengine_only=false)
		suites=(--suite engine --suite format --suite plugin)
		echo "suites run under qemu-user: engine, format, plugin"
	fi
	# A cross file can't be changed by --reconfigure: a folder from another
	# setup is started afresh.
	if [ -f "$dir/build.ninja" ] && ! grep -q aarch64-linux-gnu.txt \
		"$dir/meson-private/cmd_line.txt" 2>/dev/null; then
		rm -rf "$dir"
	fi
	if configure "$dir" --cross-file scripts/cross/aarch64-linux-gnu.txt "${options[@]}" \
		-Dbuildtype=release; then
		build_and_test "$dir" 10 "${suites[@]}"
	else
		cat "out/test-all/$dir.setup.log"
		record fail "$dir: meson setup failed"
	fi
}

# The lines of a fuzzer's log that say what it found, indented, and the
# start of the input that did it (base64), so a run whose files are gone
# can be reproduced from its printed summary alone.
fuzz_reason() { # fuzz_reason LOG ARTIFACT_PREFIX
	grep -E '(ERROR|SUMMARY|WARNING): |runtime error|^ +#[0-5] |Test unit written|^artifact|^Base64' "$1" |
		head -n 14 | cut -c1-200 | sed 's/^/\x1f    /' | tr -d '\n' || true
	local unit
	unit=$(ls -t "$2"* 2>/dev/null | head -n 1)
	if [ -n "$unit" ]; then
		printf '\037    input (%s bytes, base64, first 3000 characters): %s' \
			"$(stat -c %s "$unit")" "$(base64 -w 0 "$unit" | head -c 3000)"
	fi
}

fuzz() {
	local dir=$prefix-fuzz
	say "fuzzing: $dir, $fuzz_seconds s in all"
	if ! command -v clang >/dev/null; then
		echo "clang is not installed: fuzzing skipped"
		for target in $fuzz_targets; do
			record skip "fuzz ${target%:*}"
		done
		return
	fi
	if ! CC=clang configure "$dir" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false || ! ninja -C "$dir" -j "$jobs"; then
		[ -f "out/test-all/$dir.setup.log" ] && tail -n 20 "out/test-all/$dir.setup.log"
		record fail "fuzz: $dir did not build"
		return
	fi
	local target share seconds log
	for target in $fuzz_targets; do
		share=${target#*:}
		target=${target%:*}
		seconds=$((fuzz_seconds * share / 16))
		log=out/test-all/fuzz-$target.log
		echo "fuzz-$target, $seconds s"
		rm -f "$dir/fuzz-$target-"* # what an earlier run found is not this run's
		if bash tests/fuzz/run.sh "$dir" "$seconds" "$target" >"$log" 2>&1; then
			tail -n 6 "$log" | grep -E '^(Done|stat::new_units)' || true
			record pass "fuzz $target"
		else
			tail -n 40 "$log"
			record fail "fuzz $target ($log)$(fuzz_reason "$log" "$dir/fuzz-$target-")"
		fi
	done
	echo "(the whole fuzzing output is in out/test-all/fuzz-*.log)"
}

format_check() {
	say "clang-format check"
	if ! command -v clang-format >/dev/null; then
		echo "clang-format is not installed: format check skipped"
		record skip clang-format
		return
	fi
	local files=()
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find engine plugin process train tests bench presets tools capture convert fileio dsp \
		\( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null | sort -z)
	if clang-format --dry-run --Werror "${files[@]}"; then
		echo "${#files[@]} files formatted as .clang-format says"
		record pass clang-format
	else
		echo "run: clang-format -i <the files above>"
		record fail clang-format
	fi
}

release
sanitized
cross_arm
fuzz
format_check

say "summary"
for f in "${failures[@]+"${failures[@]}"}"; do
	# a failure's reason lines are joined by \037
	printf 'FAILED: %s\n' "$(tr '\037' '\n' <<<"$f")"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
