#!/usr/bin/env bash
# t0215-kpatch-build-linux7: t0210's corpus (patches/, see its README) on
# the Linux 7.x test kernel: KERNEL_SERIES=7 (lib/kernel.sh), built from
# the newest linux-source-7.* of Debian's trixie-backports (lib/source7.sh)
# with the same fragments plus config/series-7.config and
# config/x86_64-series-7.config (IBT, retpolines, return thunks,
# LIVEPATCH, KLP_BUILD).  Each patch through kpatch-build's fast path
# against that kernel's vmlinux, then t0210's guest cycle in it (before,
# loaded with its workload running, disabled, unloaded), or refused with
# its text.  One code base for both series: nothing in the tools asks
# which version it is given.
#
# patches-7/ holds what differs on 7.x (PATCHES_OVERRIDE, lib/kpatch-build.sh):
# the patches rebased onto 7.x's tree where they no longer apply exactly
# (kpatch-build refuses offsets and fuzz), with their changes the same
# (fs/filesystems.c, fs/binfmt_misc.c and do_sys_poll() were rewritten:
# 005, 008, 010, 011 and 012 are ported by hand, saying so), and 7.x's
# reports where they differ (NAME.expect).
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2034 # read by lib/kernel.sh
KERNEL_SERIES=7
# shellcheck source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# shellcheck disable=SC2034 # for lib/kpatch-build.sh
PATCHES_OVERRIDE=$BENCH_ROOT/patches-7
echo "# $KERNEL_PACKAGE $KERNEL_PKGVER: $KERNEL_DIR"
corpus_run
test_done
