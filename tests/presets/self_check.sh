#!/bin/sh
# Every shipped model carries a check block (recur format version 2) that
# reproduces: `recur-process --check` runs it and must say so and pass.
# usage: self_check.sh RECUR_PROCESS PRESETS_DIR
set -u
process=$1
models=$2/models
failed=0
count=0
while read -r name; do
	[ -n "$name" ] || continue
	count=$((count + 1))
	out=$("$process" --check "$models/$name.json" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q '^check block, run now: .*: ok'; then
		echo "FAIL $name (exit $rc):"
		printf '%s\n' "$out"
		failed=$((failed + 1))
	else
		printf '%s: %s\n' "$name" "$(printf '%s\n' "$out" | grep '^check block')"
	fi
done <"$models/shipped.txt"
[ "$count" -gt 0 ] || { echo "FAIL: no shipped models listed"; exit 1; }
echo "$count shipped models, $failed failed"
[ "$failed" -eq 0 ]
