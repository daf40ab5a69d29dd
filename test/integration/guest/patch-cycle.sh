#!/bin/sh
# Guest script (/test.sh): one kpatch-build livepatch's whole life, with
# the checks of its patch (test/integration/patches/NAME.guest.sh, sourced
# from $KLP_CHECKS) at each stage:
#
#	setup		(optional) e.g. load a target module
#	before_load	the unpatched behaviour
#	  load the livepatch, wait for the transition
#	after_load	the patched behaviour
#	  disable, wait for the transition
#	after_disable	unpatched again
#	  rmmod
#	after_unload	unpatched
#
# With a `workload` function, it runs in the background from before the
# load until after the disable, so both transitions happen while the
# patched code is in use and must still finish.  Settings, from
# /lib/kpng/env: KLP_MODULE (the module in the guest), KLP_NAME (the patch
# name in /sys/kernel/livepatch), KLP_CHECKS.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. /lib/kpng/lib.sh
# shellcheck disable=SC1090
. "$KLP_CHECKS"

defined() {
	command -v "$1" >/dev/null 2>&1
}

if defined setup; then
	setup
fi
say "stage: before load"
before_load
wpid=
if defined workload; then
	workload >/dev/null 2>&1 &
	wpid=$!
	ok "workload started (pid $wpid)"
fi
klp_load "$KLP_MODULE" "$KLP_NAME"
say "stage: after load"
after_load
klp_disable "$KLP_NAME"
say "stage: after disable"
after_disable
if [ -n "$wpid" ]; then
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	ok "workload stopped"
fi
klp_unload "$KLP_NAME"
say "stage: after unload"
after_unload
