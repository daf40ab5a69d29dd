#!/usr/bin/env bash
# Install every Debian package the build and the tests need.
# A no-op when all are present; prints the apt command when not run as root.
set -o errexit -o nounset -o pipefail

packages=(
	# build of the tools
	gcc make pkg-config libelf-dev zlib1g-dev liblzma-dev elfutils
	# the x86_64 instruction decoder (arch/x86_64/decode.c)
	libzydis-dev
	# the target's DWARF: which of vmlinux's files of one name an object is
	libdw-dev
	# kernel build (test kernel, livepatch modules)
	linux-source-6.12 bc flex bison libssl-dev cpio xz-utils kmod
	libelf-dev dwarves python3 rsync patch
	# klp-build, the kernel's own livepatch builder in Linux 7.x, compared in
	# make bench (test/bench/klp-build.sh): objtool's klp subcommands need
	# xxhash; klp-build runs recountdiff (patchutils) and gawk
	libxxhash-dev patchutils gawk
	# signing livepatches (kpatch-keygen, kpatch-build --sign-key)
	openssl
	# compiles spread over machines (CC="distcc gcc" or DISTCC_HOSTS):
	# t0245 and make bench run distccd servers on loopback; hyperfine
	# for repeated timings by hand
	distcc hyperfine
	# arm64 cross build and guests; the C library to link the corpus's
	# helper programs static for the arm64 guest (t0500's 008)
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
	# guests
	qemu-system-x86 qemu-system-arm busybox-static
	# checks; coverage-guided fuzzing (afl-clang-fast needs clang 14:
	# Debian's afl-gcc-fast plugin refuses gcc 12.2.0)
	shellcheck afl++ clang-14
)

# Foreign architectures apt must know: the arm64 guests' busybox is
# busybox-static:arm64, downloaded (not installed) by
# test/integration/lib/initramfs.sh.
foreign_archs=(arm64)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
new_archs=()
for a in "${foreign_archs[@]}"; do
	[ "$a" = "$(dpkg --print-architecture)" ] ||
		dpkg --print-foreign-architectures | grep -q -x -F "$a" ||
		new_archs+=("$a")
done
[ "${#missing[@]}" -eq 0 ] && [ "${#new_archs[@]}" -eq 0 ] && exit 0

# De-duplicate while keeping order.
if [ "${#missing[@]}" -ne 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages or architectures; run as root:" >&2
	for a in "${new_archs[@]}"; do
		echo "  dpkg --add-architecture $a" >&2
	done
	echo "  apt-get update${missing[*]:+ && apt-get install -y --no-install-recommends ${missing[*]}}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
for a in "${new_archs[@]}"; do
	echo "install-deps: adding the foreign architecture $a" >&2
	dpkg --add-architecture "$a"
done
apt-get update -qq
if [ "${#missing[@]}" -ne 0 ]; then
	echo "install-deps: installing ${missing[*]}" >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
