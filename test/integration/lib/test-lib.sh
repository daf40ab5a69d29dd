# shellcheck shell=bash source-path=SCRIPTDIR
#
# test-lib.sh - the VM test library, sourced by every
# test/integration/tNNNN-name.sh.  Modelled on git's t/test-lib.sh; a test
# file reads:
#
#	#!/usr/bin/env bash
#	# tNNNN-name: what this file pins.
#	. "$(dirname "$0")/lib/test-lib.sh"
#
#	build_it() { ... }		# any function; runs with errexit
#	boot_it() { guest_new; guest_add ...; guest_boot "$BENCH_ROOT/guest/x.sh"; }
#
#	check 'the thing it checks' build_it
#	check 'the next thing' boot_it
#	test_done
#
# Each `check DESCRIPTION COMMAND...` runs COMMAND in a subshell with
# errexit (so any failing command fails the check), its output kept in
# $TEST_DIR/check-N.log and printed when it fails.  Checks of a file are
# steps of one story: after a failed check the later ones are skipped,
# up to the next `test_story` (which starts an independent story).
# Results go to stdout as "# ok N - description (time)" lines (run.sh
# prints the file's own "ok N - tNNNN-name" line); the exit status is 0
# when every check passed.
#
# A test file can be run alone:  test/integration/t0001-livepatch-sample.sh
# [ARCH]  (default x86_64, or $KPNG_ARCH); it builds the test kernel first
# unless the cache holds it.
#
# Environment for checks:
#	BENCH_ROOT	test/integration
#	TEST_NAME	tNNNN-name
#	TEST_DIR	$KPNG_RESULTS/$TEST_NAME (default /tmp/kpng-results/CHECKOUT/...),
#			emptied when the file starts: console logs, check logs
#	SCRATCH		$TEST_DIR/scratch, the working directory of checks
#	KERNEL_SRC, KERNEL_BUILD, KERNEL_IMAGE	the test kernel (lib/kernel.sh)
#	ARCH_*		the arch's facts (lib/arch.sh)

set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=common.sh
. "${BASH_SOURCE[0]%/*}/common.sh"
# shellcheck source=arch.sh
. "$BENCH_ROOT/lib/arch.sh"
# shellcheck source=debian.sh
. "$BENCH_ROOT/lib/debian.sh"
# shellcheck source=debian-apt.sh
. "$BENCH_ROOT/lib/debian-apt.sh"
# shellcheck source=source7.sh
. "$BENCH_ROOT/lib/source7.sh"
# shellcheck source=kernel.sh
. "$BENCH_ROOT/lib/kernel.sh"
# shellcheck source=initramfs.sh
. "$BENCH_ROOT/lib/initramfs.sh"
# shellcheck source=vm.sh
. "$BENCH_ROOT/lib/vm.sh"
bench_strict_mode

TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
PROG=$TEST_NAME
test_count=0
test_failed=0
test_finished=false
TEST_DIR=

test_exit() {
	test_stop_check
	kernel_stop
	vm_stop
	if ! "$test_finished"; then
		echo "# $TEST_NAME: stopped before test_done${TEST_DIR:+; results kept in $TEST_DIR}"
	fi
}
trap test_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$#" -le 1 ] || die "usage: $0 [ARCH]"
arch_setup "${1:-${KPNG_ARCH:-x86_64}}"
kernel_ensure

KPNG_RESULTS=${KPNG_RESULTS:-$(bench_results_default)}
TEST_DIR=$KPNG_RESULTS/$TEST_NAME
SCRATCH=$TEST_DIR/scratch
rm -rf "$TEST_DIR"
mkdir -p "$SCRATCH"
cd "$SCRATCH"
GUEST_ROOT=$SCRATCH/initramfs

# test_stop_check: stop a check in progress (for the EXIT trap).
test_check_pid=
test_stop_check() {
	if [ -n "$test_check_pid" ]; then
		kill -TERM "$test_check_pid" 2>/dev/null || true
		wait "$test_check_pid" 2>/dev/null || true
		test_check_pid=
	fi
}

# test_story: the checks after this are a new story, run even if a check
# of an earlier story failed (a file of independent cases, one story each).
test_story_failed=0
test_story() {
	test_story_failed=0
}

# check DESCRIPTION COMMAND...: one check (see the top of this file).
check() {
	local desc=$1 log rc t0
	shift
	test_count=$((test_count + 1))
	if [ "$test_story_failed" -ne 0 ]; then
		echo "#   skip $test_count - $desc (an earlier check failed)"
		return 0
	fi
	log=$TEST_DIR/check-$test_count.log
	t0=$(now)
	# errexit is ignored in a subshell that is part of a condition (`||`),
	# so run it as a plain command with the ERR trap and errexit off here.
	# In the background, so that INT or TERM here stops it at once
	# (test_stop_check), and it stops its qemu or kernel build.
	trap - ERR
	set +o errexit
	(
		set -o errexit
		bench_strict_mode
		trap 'kernel_stop; vm_stop; exit 143' TERM
		cd "$SCRATCH"
		"$@"
	) >"$log" 2>&1 </dev/null &
	test_check_pid=$!
	wait "$test_check_pid"
	rc=$?
	test_check_pid=
	set -o errexit
	bench_strict_mode
	if [ "$rc" -eq 0 ]; then
		echo "#   ok $test_count - $desc ($(elapsed "$t0"))"
	else
		test_failed=$((test_failed + 1))
		test_story_failed=1
		echo "#   not ok $test_count - $desc ($(elapsed "$t0"), exit status $rc)"
		sed -e 's/^/#     /' "$log"
	fi
}

# test_done: end the file; exit 0 when every check passed.
test_done() {
	test_finished=true
	if [ "$test_count" -eq 0 ]; then
		echo "# $TEST_NAME: no checks"
		exit 1
	fi
	if [ "$test_failed" -ne 0 ]; then
		echo "# $TEST_NAME: a check failed; results kept in $TEST_DIR"
		exit 1
	fi
	exit 0
}

# --- guests ----------------------------------------------------------------

# guest_new: start a fresh initramfs (lib/initramfs.sh) for guest_boot.
guest_new() {
	initramfs_new "$GUEST_ROOT"
}

# guest_add FILE DEST [MODE]: the host file FILE is the guest's DEST.
guest_add() {
	initramfs_add "$GUEST_ROOT" "$@"
}

# guest_env NAME VALUE: the guest scripts see $NAME = VALUE.
guest_env() {
	initramfs_env "$GUEST_ROOT" "$@"
}

# guest_boot SCRIPT [CMDLINE_ARG...]: pack the tree with SCRIPT as
# /test.sh and boot it; succeeds when the guest passed.  The guest sees
# its exact kernel command line as $KPNG_CMDLINE.  The console log is
# $TEST_DIR/${GUEST_LOG:-console}.log.
guest_boot() {
	local script=$1 initrd=$SCRATCH/initrd.gz
	shift
	guest_add "$script" /test.sh 0755
	guest_env KPNG_CMDLINE "$(vm_cmdline "$@")"
	initramfs_pack "$GUEST_ROOT" "$initrd"
	vm_run "$TEST_DIR/${GUEST_LOG:-console}.log" "$initrd" "$@"
	echo "guest passed in $VM_SECONDS; console log: $TEST_DIR/${GUEST_LOG:-console}.log"
}

# guest_script NAME: write stdin to $SCRATCH/NAME and print its path (for
# guest scripts kept inside the test file as a here-document).
guest_script() {
	cat >"$SCRATCH/$1"
	echo "$SCRATCH/$1"
}
