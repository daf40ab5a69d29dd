#!/bin/sh
# Guest script (/test.sh) of t0310-debian-livepatch: guest/patch-cycle.sh
# (a kpatch-build livepatch's whole life with the checks of its patch, at
# /lib/kpng/patch-cycle.sh) on Debian's kernel, with the taint checked
# around it, which patch-cycle.sh leaves alone.  The Debian kernel boots
# untainted and its own modules (binfmt_misc.ko.xz, signed with Debian's
# key) keep it so; once a livepatch module has been loaded the taint stays
# (it is never cleared) and is exactly
#	TAINT_LIVEPATCH (K, 1 << 15)
#	+ TAINT_UNSIGNED_MODULE (E, 1 << 13: not signed with Debian's key)
#	+ TAINT_OOT_MODULE (O, 1 << 12: built outside the tree, no intree tag)
# and nothing else (no warning: W; no forced load: F...).
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. /lib/kpng/lib.sh

assert_file "the kernel is not tainted before the livepatch" /proc/sys/kernel/tainted 0
# shellcheck source-path=SCRIPTDIR source=../guest/patch-cycle.sh
. /lib/kpng/patch-cycle.sh
assert_file "the kernel's taint after the livepatch: K, E and O" \
	/proc/sys/kernel/tainted $(((1 << 15) | (1 << 13) | (1 << 12)))
