#!/bin/bash
# Installs everything recur needs to build, test and demo on Debian 12.
# Safe to run again: apt-get skips what is already there. Runs apt-get
# directly as root, through sudo otherwise.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config
	lv2-dev liblilv-dev lilv-utils libcjson-dev libsndfile1-dev liblo-dev liblo-tools
	libsamplerate0-dev
	python3 python3-numpy python3-scipy parallel
	sordi jalv jackd2
	gnuplot-nox sox valgrind
	clang clang-format libclang-rt-14-dev
	git ca-certificates
)
# The project cross-built for aarch64, its tests under qemu-user (test-all.sh's
# cross_arm): the cross compiler and every library's arm64 -dev package from
# Debian multiarch, except liblo-dev, which Debian 12 cannot install for two
# architectures at once: scripts/cross/liblo-dev-arm64.sh unpacks that one
# into /opt/recur-arm64 (the runtime, liblo7:arm64, comes through apt).
cross_packages=(
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libcjson-dev:arm64
	lv2-dev:arm64 liblilv-dev:arm64 libsndfile1-dev:arm64 libsamplerate0-dev:arm64
	liblo7:arm64
)

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null; then
	as_root=(sudo)
else
	echo "setup-debian.sh: run as root, or install sudo" >&2
	exit 1
fi

if [ ! -r /etc/debian_version ]; then
	echo "setup-debian.sh: this is not Debian; install the equivalents of:" \
		"${packages[*]} ${cross_packages[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable real-time priority; answer for it.
echo "jackd2 jackd/tweak_rt_limits boolean false" | "${as_root[@]}" debconf-set-selections

echo "setup-debian.sh: updating the package lists"
"${as_root[@]}" apt-get update -q
echo "setup-debian.sh: installing ${#packages[@]} packages"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"

# The cross tools are for one stage of the tests only: where the package
# source has no arm64 (or anything else fails), that stage is skipped and
# nothing else is held up, and the architecture is taken back out so later
# updates do not fail on it.
cross_ok=true
added_arm64=false
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "setup-debian.sh: adding arm64 as a foreign architecture (for the arm64 libraries)"
	"${as_root[@]}" dpkg --add-architecture arm64 && added_arm64=true || cross_ok=false
fi
if $cross_ok && "${as_root[@]}" apt-get update -q &&
	"${as_root[@]}" apt-get install -y -q --no-install-recommends "${cross_packages[@]}" &&
	"${as_root[@]}" sh "$(dirname "$0")/cross/liblo-dev-arm64.sh" /opt/recur-arm64; then
	echo "setup-debian.sh: installed the aarch64 cross tools and libraries"
else
	echo "setup-debian.sh: the aarch64 cross tools and libraries could not all be installed;" \
		"test-all.sh will cross-build the engine alone, or skip its aarch64 stage"
	if $added_arm64; then
		"${as_root[@]}" dpkg --remove-architecture arm64 || true
		"${as_root[@]}" apt-get update -q || true
	fi
fi
echo "setup-debian.sh: done"
