#!/bin/sh
# Assembles a usable LV2 bundle in the build folder, so LV2_PATH=<build>/lv2
# finds recur.lv2 without installing.
# Usage: make_bundle.sh DEST STAMP MANIFEST FILE...
set -e
dest=$1
stamp=$2
manifest=$3
shift 3
mkdir -p "$dest"
rm -f "$dest/recur-manifest.ttl"
cp -f "$manifest" "$dest/manifest.ttl"
for f in "$@"; do
	cp -f "$f" "$dest/"
done
touch "$stamp"
