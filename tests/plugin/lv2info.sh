#!/bin/sh
# lv2info, with LV2_PATH at the build's lv2 folder, finds and describes the
# plugin, and lilv has nothing to complain about on the way.
uri=https://recur.dev/plugins/recur
out=$(lv2info "$uri" 2>&1) || { echo "$out"; echo "lv2info failed"; exit 1; }
echo "$out"
for expect in "$uri" "recur.so" "in_gain" "notify" \
	"http://lv2plug.in/ns/ext/worker#schedule"; do
	echo "$out" | grep -qF "$expect" || { echo "lv2info output lacks $expect"; exit 1; }
done
lv2ls | grep -qxF "$uri" || { echo "lv2ls does not list $uri"; exit 1; }
if echo "$out" | grep -qi "error"; then
	echo "lilv reported errors"
	exit 1
fi
