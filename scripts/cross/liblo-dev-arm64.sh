#!/bin/sh
# Unpacks Debian 12's liblo-dev:arm64 (with liblo7:arm64, which its liblo.so
# points at) into DIR (default /opt/recur-arm64), where the cross file's
# pkg_config_libdir finds its liblo.pc.
#
# liblo-dev is the one -dev package recur needs that Debian 12 does not mark
# Multi-Arch: same, so apt cannot install it for arm64 beside the native one:
# "apt-get install liblo-dev:arm64" removes the native liblo-dev, which the
# native build needs. Its files do not depend on the architecture except
# liblo.so, liblo.a and liblo.pc, so unpacking them beside the system is
# enough for the cross build. liblo7:arm64 itself is Multi-Arch: same and is
# installed through apt for the programs run under qemu-user.
#
#   scripts/cross/liblo-dev-arm64.sh [DIR]
# Needs arm64 in dpkg's foreign architectures and its package lists
# (dpkg --add-architecture arm64 && apt-get update). Safe to run again.
set -eu
dir=${1:-/opt/recur-arm64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt-get download as root fetches as the _apt user, which must be able to
# write here.
chmod 0777 "$tmp"
(cd "$tmp" && apt-get download -q liblo-dev:arm64 liblo7:arm64)
rm -rf "$dir.new"
mkdir -p "$dir.new"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$dir.new"
done
rm -rf "$dir.new/usr/share"
# Its paths, not the system's: prefix=/usr would link against a liblo.so that
# is not there.
sed -i "s|^prefix=.*|prefix=$dir/usr|" "$dir.new/usr/lib/aarch64-linux-gnu/pkgconfig/liblo.pc"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "liblo-dev-arm64.sh: liblo for arm64 in $dir"
