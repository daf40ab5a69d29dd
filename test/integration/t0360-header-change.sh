#!/usr/bin/env bash
# t0360-header-change: a patch to a header on kpatch-build's fast path
# (kpatch-build/lib/headers.sh), against the test kernel and Debian's
# cloud kernel: header/loadavg.patch makes LOAD_INT() of
# include/linux/sched/loadavg.h, a macro, 1000 more.  The header is
# included by several files of each configuration; kpatch-build finds
# them without building the kernel, compiles exactly those (original and
# patched) and carries only the functions whose code changed.  Each build
# reports exactly its header/loadavg*.expect (the header's line: how many
# objects use it and how each was found; then the changed functions) and
# compiles exactly the objects listed below; then a guest runs the
# module's whole life (guest/patch-cycle.sh with header/loadavg.guest.sh:
# /proc/loadavg's averages 1000 more while patched, and on Debian's
# kernel, which has PSI, /proc/pressure/cpu's too).
#
#   test kernel: its vmlinux has no DWARF (CONFIG_DEBUG_INFO_NONE), so the
#     compiler is asked about every candidate (make dir/file.i, its
#     dependency list): 7 objects; only fs/proc/loadavg.c's
#     loadavg_proc_show changes (no PSI in this config).
#   Debian: the -dbg vmlinux's DWARF line tables name 5 of the 10 objects
#     (the ones that use a declaration of the header too); the compiler
#     finds the other 5, among them two modules' (ledtrig-heartbeat,
#     em_meta) and kernel/sched/core.c, fair.c and build_policy.c, which
#     use only its macros and so have no line-table entry for it.
#     loadavg_proc_show and kernel/sched/build_utility.c's PSI functions
#     change.
# How many candidates were preprocessed and how many were known from an
# earlier run (the dependency lists are cached with the object tree)
# depends on what ran before: the check is that they add up.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

HDR=$BENCH_ROOT/header
TEST_OBJECTS="fs/proc/loadavg.o kernel/sched/build_policy.o kernel/sched/build_utility.o kernel/sched/core.o kernel/sched/fair.o kernel/sys.o kernel/time/timekeeping.o"
DEBIAN_OBJECTS="fs/proc/loadavg.o kernel/sched/build_utility.o kernel/sys.o kernel/time/tick-sched.o kernel/time/timekeeping.o drivers/leds/trigger/ledtrig-heartbeat.o kernel/sched/build_policy.o kernel/sched/core.o kernel/sched/fair.o net/sched/em_meta.o"

# header_built RUN EXPECT OBJECTS: kpatch-build's run RUN (kpb or
# debian_kpb RUN -n loadavg) wrote livepatch-loadavg.ko, took the fast
# path, reported EXPECT's lines (the preprocessed and known counts checked
# to add up to the candidates asked, then left out) and compiled exactly
# OBJECTS.
header_built() {
	local name=$1 expect=$2 objects=$3 log=$SCRATCH/$1.log counts asked pre known compiled
	cat "$log"
	[ -f "$SCRATCH/$name/livepatch-loadavg.ko" ] || die "no module written"
	! grep -q 'full build' "$log" || die "not the fast path"
	counts=$(grep -o '([0-9]* candidates asked: [0-9]* preprocessed, [0-9]* known;' "$log") ||
		die "no candidate counts in the header's line"
	read -r asked pre known < <(echo "$counts" | tr -c '0-9\n' ' ')
	[ "$((pre + known))" -eq "$asked" ] ||
		die "$pre preprocessed + $known known is not the $asked candidates asked"
	sed -n 's/^kpatch-build:   //p' "$log" |
		sed -E 's/\(([0-9]+) candidates asked: [0-9]+ preprocessed, [0-9]+ known;/(\1 candidates asked;/' \
			>"$SCRATCH/$name.reported"
	diff -u "$expect" "$SCRATCH/$name.reported"
	compiled=$(sed -n 's/^kpatch-build: stage original-objects: [^,]*, [0-9]* objects: //p' "$log")
	[ "$compiled" = "$objects" ] ||
		die "compiled: $compiled; expected: $objects"
}

test_build() {
	kpb loadavg "$HDR/loadavg.patch" || { cat "$SCRATCH/loadavg.log"; die "kpatch-build failed"; }
	header_built loadavg "$HDR/loadavg.expect" "$TEST_OBJECTS"
}

test_cycle() {
	GUEST_LOG=loadavg kpb_cycle loadavg "$SCRATCH/loadavg/livepatch-loadavg.ko" \
		"$HDR/loadavg.guest.sh"
}

debian_build() {
	debian_kpb debian-loadavg -n loadavg "$HDR/loadavg.patch" ||
		{ cat "$SCRATCH/debian-loadavg.log"; die "kpatch-build failed"; }
	header_built debian-loadavg "$HDR/loadavg.debian.expect" "$DEBIAN_OBJECTS"
}

debian_cycle() {
	{ echo PRESSURE=1; cat "$HDR/loadavg.guest.sh"; } >"$SCRATCH/loadavg.debian.guest.sh"
	debian_vm_setup
	VM_SMP=1 VM_TIMEOUT=${KPNG_VM_TIMEOUT:-400} GUEST_LOG=debian-loadavg \
		debian_kpb_cycle loadavg "$SCRATCH/debian-loadavg/livepatch-loadavg.ko" \
		"$SCRATCH/loadavg.debian.guest.sh"
}

mkdir -p "$SCRATCH"
debian_ensure
check 'test kernel: a header patch on the fast path, 7 objects compiled, 1 function changed' test_build
check 'test kernel: before, loaded, disabled, unloaded in the guest' test_cycle
test_story
check 'Debian: a header patch on the fast path, 10 objects compiled (5 by DWARF, 5 by the compiler)' debian_build
check 'Debian: before, loaded, disabled, unloaded in the Debian kernel' debian_cycle
test_done
