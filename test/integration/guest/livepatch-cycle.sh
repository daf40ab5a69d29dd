#!/bin/sh
# Guest script (/test.sh): one livepatch module's whole life, with what a
# probe file reads at each stage printed as labelled lines:
#
#	KPNG-SAY: before loading: TEXT
#	KPNG-SAY: after loading: TEXT
#	KPNG-SAY: after disabling: TEXT
#
# load, wait for the transition, disable, wait, rmmod, and check nothing of
# the patch is left.  Shared by t0001 (the kernel's livepatch sample) and
# scripts/demo.sh; any livepatch module fits.  Settings, from
# /lib/kpng/env (guest_env on the host):
#
#	KLP_MODULE		the module file in the guest (required)
#	KLP_NAME		the patch's (= module's) name (required)
#	KLP_PROBE		the file read at each stage (/proc/cmdline)
#	KLP_EXPECT_BEFORE	when set, the probe must read exactly this
#				before loading and after disabling
#	KLP_EXPECT_PATCHED	when set, the probe must read exactly this
#				while the patch is enabled
#	KLP_EXPECT_TAINTED	when set, /proc/sys/kernel/tainted must read
#				exactly this once the module is loaded (it
#				always must have TAINT_LIVEPATCH, 32768)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. /lib/kpng/lib.sh

probe=${KLP_PROBE:-/proc/cmdline}

before=$(cat "$probe")
say "before loading: $before"
if [ -n "${KLP_EXPECT_BEFORE+set}" ]; then
	assert_eq "$probe before loading" "$KLP_EXPECT_BEFORE" "$before"
fi

klp_load "$KLP_MODULE" "$KLP_NAME"
tainted=$(cat /proc/sys/kernel/tainted)
[ $((tainted & 32768)) -ne 0 ] ||
	fail "/proc/sys/kernel/tainted is $tainted, without TAINT_LIVEPATCH (32768)"
ok "the kernel is tainted with TAINT_LIVEPATCH"
if [ -n "${KLP_EXPECT_TAINTED+set}" ]; then
	assert_eq "/proc/sys/kernel/tainted once loaded" "$KLP_EXPECT_TAINTED" "$tainted"
fi
patched=$(cat "$probe")
say "after loading: $patched"
if [ -n "${KLP_EXPECT_PATCHED+set}" ]; then
	assert_eq "$probe while patched" "$KLP_EXPECT_PATCHED" "$patched"
fi

klp_disable "$KLP_NAME"
after=$(cat "$probe")
say "after disabling: $after"
assert_eq "$probe after disabling is what it was before loading" "$before" "$after"

klp_unload "$KLP_NAME"
assert_eq "lsmod lists no $KLP_NAME" "" "$(lsmod | grep "^$KLP_NAME " || true)"
