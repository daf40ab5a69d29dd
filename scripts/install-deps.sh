#!/usr/bin/env bash
# Install every Debian package the build and the tests need.
# A no-op when all are present; prints the apt command when not run as root.
set -o errexit -o nounset -o pipefail

packages=(
	# build of the tools
	gcc make pkg-config libelf-dev zlib1g-dev liblzma-dev elfutils
	# kernel build (test kernel, livepatch modules)
	linux-source-6.12 bc flex bison libssl-dev cpio xz-utils kmod
	libelf-dev dwarves python3 rsync patch
	# arm64 cross build and guests
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	# guests
	qemu-system-x86 qemu-system-arm busybox-static
	# checks
	shellcheck
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

# De-duplicate while keeping order.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
