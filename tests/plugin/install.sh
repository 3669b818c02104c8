#!/bin/sh
# `meson install` puts recur.lv2 where hosts look: into a temporary
# destination (only the bundle, by its install tag), then lv2ls and lv2info
# with LV2_PATH at that copy of the lv2 folder find both plugins and their
# presets, and nothing of the bundle is loaded from the build folder.
# Without -Dlv2dir the folder must be <prefix>/lib/lv2, and for the usual
# prefixes one of lilv's default folders (its search path on Linux is
# ~/.lv2:/usr/local/lib/lv2:/usr/lib/lv2).
# Usage: install.sh MESON BUILD_DIR PREFIX LV2DIR_OPTION LV2_INSTALL_DIR
set -eu
meson=$1
build=$2
prefix=$3
option=$4
lv2dir=$5
if [ -z "$option" ]; then
	[ "$lv2dir" = "$prefix/lib/lv2" ] || { echo "installs into $lv2dir, not $prefix/lib/lv2"; exit 1; }
	case $prefix in
	/usr | /usr/local)
		case $lv2dir in
		/usr/lib/lv2 | /usr/local/lib/lv2) ;;
		*) echo "$lv2dir is not on lilv's default search path"; exit 1 ;;
		esac
		;;
	esac
fi
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
"$meson" install -C "$build" --no-rebuild --quiet --tags lv2 --destdir "$dest" >/dev/null
bundle="$dest$lv2dir/recur.lv2"
for f in manifest.ttl recur.ttl recur_cv.ttl recur.so; do
	[ -f "$bundle/$f" ] || { echo "meson install left no $bundle/$f"; ls -R "$dest"; exit 1; }
done
export LV2_PATH="$dest$lv2dir"
listed=$(lv2ls)
for uri in https://recur.dev/plugins/recur https://recur.dev/plugins/recur-cv; do
	echo "$listed" | grep -qxF "$uri" || { echo "lv2ls in $LV2_PATH lacks $uri"; exit 1; }
done
# Each plugin's presets, by label, as lv2info lists them.
audio=$(lv2info https://recur.dev/plugins/recur)
cv=$(lv2info https://recur.dev/plugins/recur-cv)
echo "$audio" | grep -q "Fuzz (LSTM-16)" || { echo "the audio plugin's presets are missing"; exit 1; }
echo "$cv" | grep -q "Letter detector: bravo" || { echo "the CV plugin's presets are missing"; exit 1; }
echo "$audio" | grep -qF "$bundle/recur.so" || { echo "lv2info does not load $bundle/recur.so"; exit 1; }
echo "installed into $lv2dir: both plugins and their presets found"
