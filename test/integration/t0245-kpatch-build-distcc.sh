#!/usr/bin/env bash
# t0245-kpatch-build-distcc: kpatch-build compiles through distcc when the
# user sets it up (DISTCC_HOSTS, no CC: CC="distcc gcc"), with as many
# jobs at once as the hosts take: two distccd servers on loopback, each
# on its own port, started and stopped here; a five-file patch on the test
# kernel; its compiles land on both servers (their logs), and the objects
# and the module are the same, byte for byte, as those built without it.  A tree
# and a cache of its own (kpb_private).
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# shellcheck source=lib/distcc.sh
. "$BENCH_ROOT/lib/distcc.sh"
trap 'distccd_stop; test_exit' EXIT

OBJS='fs/drop_caches.o fs/filesystems.o fs/proc/cmdline.o fs/proc/devices.o fs/proc/version.o'

patch_set() {
	local n
	for n in 001-proc-cmdline 002-nonexported-global 003-static-local 005-new-function 006-new-global; do
		cat "$PATCHES/$n.patch"
	done >"$SCRATCH/five.patch"
}

# compiled DEBUG: the objects a run compiled ("CC" lines), sorted.
compiled() {
	cat "$1"/build-original.log "$1"/build-patched.log | awk '$1 == "CC" { print $NF }' | sort | tr '\n' ' '
}

local_build() {
	unset DISTCC_HOSTS
	patch_set
	kpbp local "$SCRATCH/five.patch" || { cat "$SCRATCH/local.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/local.log"
	echo "$KPBP_DEBUG" >"$SCRATCH/local.dir"
}

distcc_build() {
	local p n d
	for p in "${DISTCCD_PIDS[@]}"; do
		kill -0 "$p" || die "distccd $p is not running"
	done
	kpbp distcc "$SCRATCH/five.patch" || { cat "$SCRATCH/distcc.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/distcc.log"
	grep -qx 'kpatch-build: compiling through distcc (CC="distcc gcc"), 4 jobs at once' "$SCRATCH/distcc.log"
	d=$(cat "$SCRATCH/local.dir")
	[ "$(compiled "$KPBP_DEBUG")" = "$(compiled "$d")" ] || die "compiled $(compiled "$KPBP_DEBUG")"
	# Each object of the patch twice (original, patched), every compile
	# on a server, some on each (the prepare's and the module's compiles
	# go there too).
	for p in "${DISTCC_PORTS[@]}"; do
		n=$(grep 'COMPILE_OK' "$SCRATCH/distccd/$p.log" | grep -c " $KPB_PRIVATE/src/fs/" || true)
		echo "distccd on port $p: $n of the patch's compiles, $(grep -c 'COMPILE_OK' "$SCRATCH/distccd/$p.log") in all"
		[ "$n" -gt 0 ] || die "none of the patch's compiles on the server of port $p"
	done
	grep -h 'COMPILE_OK' "$SCRATCH"/distccd/*.log | awk '{ print $NF }' | grep "^$KPB_PRIVATE/src/fs/" |
		sed "s|^$KPB_PRIVATE/src/||" | sort | tr '\n' ' ' >"$SCRATCH/on-servers"
	[ "$(cat "$SCRATCH/on-servers")" = "$(for o in $OBJS; do echo "${o%.o}.c"; echo "${o%.o}.c"; done | sort | tr '\n' ' ')" ] ||
		die "compiled on the servers: $(cat "$SCRATCH/on-servers")"
	same_build "$d" "$KPBP_DEBUG"
	cmp "$SCRATCH/local/livepatch-five.ko" "$SCRATCH/distcc/livepatch-five.ko"
}

kpb_private "$SCRATCH/private"
distccd_start "$SCRATCH/distccd"
check 'the five-file patch, compiled here' local_build
check 'through two distccd servers on loopback: compiles on both, the same module' distcc_build
distccd_stop
test_done
