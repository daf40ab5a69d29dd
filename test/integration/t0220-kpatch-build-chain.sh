#!/usr/bin/env bash
# t0220-kpatch-build-chain: cumulative patches replace, -R patches stack.
# patches/018-chain1 changes /proc/cmdline; 019-chain2 is a superset that
# also adds a line to /proc/version.  Replace mode (the default): chain1
# loaded, then chain2: chain1 is gone (disabled and removable) and
# chain2's behaviour is all there.  Non-replace (-R): both stay enabled,
# and disabling the upper one brings back the lower one's behaviour.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

build_all() {
	kpb chain1 -n chain1 "$PATCHES/018-chain1.patch" || { cat "$SCRATCH/chain1.log"; die "chain1"; }
	kpb chain2 -n chain2 "$PATCHES/019-chain2.patch" || { cat "$SCRATCH/chain2.log"; die "chain2"; }
	kpb stack1 -n stack1 -R "$PATCHES/018-chain1.patch" || { cat "$SCRATCH/stack1.log"; die "stack1"; }
	kpb stack2 -n stack2 -R "$PATCHES/019-chain2.patch" || { cat "$SCRATCH/stack2.log"; die "stack2"; }
	grep -q 'vmlinux: fs/proc/version.o: changed function: version_proc_show' "$SCRATCH/chain2.log"
	grep -q 'vmlinux: fs/proc/cmdline.o: changed function: cmdline_proc_show' "$SCRATCH/chain2.log"
}

guest() {
	local n
	guest_new
	for n in chain1 chain2 stack1 stack2; do
		guest_add "$SCRATCH/$n/livepatch-$n.ko" "/lib/modules/livepatch-$n.ko"
	done
	guest_boot "$(guest_script chain.sh <<'GUEST'
set -eu
. /lib/kpng/lib.sh
L=/sys/kernel/livepatch
V=$(cat /proc/version)
# state WHAT CMDLINE_SUFFIX [VERSION_LINE]
state() {
	assert_file "$1: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE$2"
	if [ -n "${3:-}" ]; then
		assert_file "$1: /proc/version" /proc/version "$V
$3"
	else
		assert_file "$1: /proc/version" /proc/version "$V"
	fi
}
state "before any patch" ""

# Replace: chain2 takes chain1's place.
klp_load /lib/modules/livepatch-chain1.ko livepatch_chain1
state "chain1 loaded" " kpng-livepatch-chain"
klp_load /lib/modules/livepatch-chain2.ko livepatch_chain2
state "chain2 replaced chain1" " kpng-livepatch-chain" "kpng-livepatch-chain2"
wait_for_value /sys/module/livepatch_chain1/refcnt 0 "$KLP_TIMEOUT"
assert_absent $L/livepatch_chain1
assert_file "chain2 is enabled" $L/livepatch_chain2/enabled 1
assert_file "chain2 replaces" $L/livepatch_chain2/replace 1
run "rmmod the replaced chain1" rmmod livepatch_chain1
klp_disable livepatch_chain2
state "chain2 disabled" ""
klp_unload livepatch_chain2
state "nothing loaded" ""

# Stack: -R patches stay on top of each other.
klp_load /lib/modules/livepatch-stack1.ko livepatch_stack1
assert_file "stack1 does not replace" $L/livepatch_stack1/replace 0
state "stack1 loaded" " kpng-livepatch-chain"
klp_load /lib/modules/livepatch-stack2.ko livepatch_stack2
state "stack2 on stack1" " kpng-livepatch-chain" "kpng-livepatch-chain2"
assert_file "stack1 still enabled" $L/livepatch_stack1/enabled 1
klp_disable livepatch_stack2
state "stack2 disabled: stack1's behaviour" " kpng-livepatch-chain"
klp_unload livepatch_stack2
klp_disable livepatch_stack1
state "stack1 disabled" ""
klp_unload livepatch_stack1
GUEST
)"
}

check 'kpatch-build: chain1, chain2 (replace), the same with -R' build_all
check 'the guest: replace, then stack' guest
test_done
