#!/bin/sh
# Validates the bundle's Turtle against the LV2 schemas lv2-dev installs.
# Usage: validate_ttl.sh BUNDLE EXTRA_SCHEMA...
bundle=$1
shift
if ! command -v sord_validate >/dev/null; then
	echo "sord_validate not installed (Debian package sordi)"
	exit 77
fi
# The specifications' own bundles only (lv2-dev): plugins installed on the
# machine are not ours to judge, and their errors must not fail this test.
schemas=
for spec in atom buf-size core data-access dynmanifest event instance-access log midi morph \
	options parameters patch port-groups port-props presets resize-port schemas state time ui \
	units uri-map urid worker; do
	for f in /usr/lib/lv2/$spec.lv2/*.ttl; do
		[ -f "$f" ] && [ "${f##*/}" != manifest.ttl ] && schemas="$schemas $f"
	done
done
if [ -z "$schemas" ]; then
	echo "no LV2 schemas under /usr/lib/lv2 (Debian package lv2-dev)"
	exit 77
fi
out=$(sord_validate -l "$bundle"/*.ttl "$@" $schemas 2>&1)
status=$?
echo "$out"
if [ $status -ne 0 ] || ! echo "$out" | grep -q '^Found 0 errors'; then
	echo "sord_validate found errors in $bundle"
	exit 1
fi
echo "$bundle validates"
