#!/usr/bin/env bash
# Build (or find in the cache) the VM test kernel for ARCH and print its
# directory as the last line on stdout; progress goes to stderr.  See
# lib/kernel.sh for the cache layout and key.
#
# Usage: test/integration/build-kernel.sh [ARCH]	(default: x86_64)
# KPNG_KERNEL_SERIES=7: the Linux 7.x test kernel (lib/kernel.sh).
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/arch.sh
. "$here/lib/arch.sh"
# shellcheck source=lib/debian.sh
. "$here/lib/debian.sh"
# shellcheck source=lib/debian-apt.sh
. "$here/lib/debian-apt.sh"
# shellcheck source=lib/source7.sh
. "$here/lib/source7.sh"
# shellcheck source=lib/kernel.sh
. "$here/lib/kernel.sh"
bench_strict_mode
trap 'kernel_stop; exit 130' INT
trap 'kernel_stop; exit 143' TERM

[ "$#" -le 1 ] || die "usage: $0 [ARCH]"
arch_setup "${1:-x86_64}"
kernel_ensure
echo "$KERNEL_DIR"
