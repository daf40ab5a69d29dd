# shellcheck shell=bash
#
# bench-lib.sh - the preamble of the bench scripts: the VM suite's
# libraries each of them needs (lib/common.sh, lib/arch.sh, the kernel
# cache of lib/kernel.sh with what its Linux 7.x series needs, Debian's
# packages of lib/debian.sh).  Sets `here` (the bench folder) and `lib`
# (test/integration/lib).  A script sources what else it needs after this
# one, then calls bench_strict_mode.
# shellcheck source-path=SCRIPTDIR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/../integration/lib
# shellcheck source=../integration/lib/common.sh
. "$lib/common.sh"
# shellcheck source=../integration/lib/arch.sh
. "$lib/arch.sh"
# shellcheck source=../integration/lib/debian.sh
. "$lib/debian.sh"
# shellcheck source=../integration/lib/debian-apt.sh
. "$lib/debian-apt.sh"
# shellcheck source=../integration/lib/source7.sh
. "$lib/source7.sh"
# shellcheck source=../integration/lib/kernel.sh
. "$lib/kernel.sh"
