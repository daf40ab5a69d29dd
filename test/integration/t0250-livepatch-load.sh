#!/usr/bin/env bash
# t0250-livepatch-load: a load test of the livepatch core with our
# modules, on the test kernel and on Debian's own kernel: two cumulative
# livepatches (load/load-A.patch, load/load-B.patch) are enabled, replaced
# and disabled for KPNG_LOAD_ROUNDS rounds (default 5: 15 transitions)
# while one worker per CPU reads the patched /proc/cmdline as fast as it
# can and checks every value, and (in round 1) a task sleeps inside the
# patched pipe_read(); see load/load-loop.sh.  Every transition finishes, no read
# is wrong, nothing crashes; the guest prints the transitions' count and
# times.  Debian's guest has one CPU: with two, PREEMPT_DYNAMIC makes each
# transition take minutes under TCG (see t0310).
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

LOAD=$BENCH_ROOT/load
ROUNDS=${KPNG_LOAD_ROUNDS:-5}
# Round 1's three transitions each wait for the task asleep in pipe_read
# to take the livepatch core's fake signal (after 15 s).
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-300}

# build BUILDER DIR: livepatch-load-A.ko and livepatch-load-B.ko into
# SCRATCH/DIR-A and DIR-B.
build() {
	local builder=$1 dir=$2 p
	for p in A B; do
		"$builder" "$dir-$p" -n "load-$p" "$LOAD/load-$p.patch" ||
			{ cat "$SCRATCH/$dir-$p.log"; die "kpatch-build load-$p"; }
		cat "$SCRATCH/$dir-$p.log"
		grep -q 'changed function: pipe_read' "$SCRATCH/$dir-$p.log"
		grep -q 'changed function: cmdline_proc_show' "$SCRATCH/$dir-$p.log"
	done
}

guest() {
	local dir=$1
	guest_new
	guest_add "$SCRATCH/$dir-A/livepatch-load-A.ko" /lib/modules/livepatch-load-A.ko
	guest_add "$SCRATCH/$dir-B/livepatch-load-B.ko" /lib/modules/livepatch-load-B.ko
	guest_env KLP_A /lib/modules/livepatch-load-A.ko
	guest_env KLP_B /lib/modules/livepatch-load-B.ko
	guest_env KLP_ROUNDS "$ROUNDS"
	GUEST_LOG=load-$dir guest_boot "$LOAD/load-loop.sh"
	grep -h 'KPNG-SAY' "$TEST_DIR/load-$dir.log" | sed 's/^/  /'
	grep -q 'KPNG-SAY: transitions: '"$((ROUNDS * 3))"', ' "$TEST_DIR/load-$dir.log"
}

mkdir -p "$SCRATCH"

test_story
check "test kernel: kpatch-build load-A and load-B" build kpb test
check "test kernel, $VM_SMP CPUs: $ROUNDS rounds of load, replace, disable under load" guest test

test_story
debian_ensure
debian_vm_setup
# shellcheck disable=SC2034 # for lib/vm.sh
VM_SMP=1
check "Debian's kernel: kpatch-build load-A and load-B" build debian_kpb debian
check "Debian's kernel, 1 CPU: $ROUNDS rounds of load, replace, disable under load" guest debian
test_done
