#!/usr/bin/env bash
# kpb-header.sh: kpatch-build end to end for a header change
# (test/integration/header/loadavg.patch: the LOAD_INT() macro of
# include/linux/sched/loadavg.h, which 7 objects of the test kernel and 10
# of Debian's cloud config include) on the fast path, which finds those
# objects without a kernel build (kpatch-build/lib/headers.sh), against
# the full build, which rebuilds what make's dependency files name.  Fast
# path: cold (a fresh cache: the tree prepared, Debian's DWARF index
# built, every candidate preprocessed) and warm (all of that cached).
# Full build: the test kernel's, warm, in the suite's own cache (the
# whole kernel is built first if that cache has no built tree, not
# timed); the cold full builds are not run (taken from measurements, as
# printed).  Prints the total, the header's line and the stage lines of
# each run; asserts nothing about time.
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_strict_mode

kpb=$here/../../kpatch-build/kpatch-build
patch=$here/../integration/header/loadavg.patch
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-header.XXXXXX")
trap 'rm -rf "$work"' EXIT

arch_setup x86_64
kernel_ensure
debian_ensure

# header_run LABEL CACHE ARGS...: one kpatch-build run of the header patch
# with the object-tree cache CACHE; prints the total, the header's line
# and the stage lines.
header_run() {
	local label=$1 cache=$2 t rc=0
	shift 2
	t=$(now)
	KPATCH_NG_CACHE=$cache "$kpb" -s "$KERNEL_SRC" -o "$work/out" "$@" "$patch" \
		>"$work/log" 2>&1 || rc=$?
	printf '%-44s %8s' "$label" "$(elapsed "$t")"
	[ "$rc" -eq 0 ] && echo || echo "  (exit $rc)"
	sed -n 's/^kpatch-build:   \(include\/[^:]*: [0-9]* objects use it\).*/    \1/p' "$work/log"
	sed -n 's/^kpatch-build: stage \([^:]*\): \([0-9.]* s\).*/\1 \2/p' "$work/log" |
		awk '{ printf "    %-20s %8s\n", $1, $2 " " $3 }'
	grep -o 'stage patched-build: .*' "$work/log" | sed 's/^/    /' || true
	[ "$rc" -eq 0 ] || tail -n 15 "$work/log" | sed 's/^/    | /'
}

debian=(-c "$DEBIAN_CONFIG" -v "$DEBIAN_VMLINUX" --symvers "$DEBIAN_SYMVERS" --modules "$DEBIAN_MODULES")
testk=(-c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux")

echo "kpatch-build end to end, a header change (LOAD_INT() of include/linux/sched/loadavg.h), $(nproc) CPUs"
echo "Debian $DEBIAN_VERSION $DEBIAN_FLAVOUR config (fast path):"
header_run "  cold (nothing prepared, indexed or asked)" "$work/cache-debian" "${debian[@]}"
header_run "  warm (all of it cached)" "$work/cache-debian" "${debian[@]}"
echo "Debian config, full build: not run (its first build: the better part of an hour on 2 cores, README's figure)"
echo "test kernel (fast path):"
header_run "  cold (nothing prepared or asked)" "$work/cache-test" "${testk[@]}"
header_run "  warm (all of it cached)" "$work/cache-test" "${testk[@]}"
echo "test kernel (--full-build, for comparison):"
status "building the test kernel's full-build tree in $(kernel_cache_root) if it is not there (not timed)"
KPATCH_NG_CACHE=$(kernel_cache_root) "$kpb" -s "$KERNEL_SRC" "${testk[@]}" --full-build --prepare \
	>"$work/prepare.log" 2>&1 || { tail -n 15 "$work/prepare.log"; die "preparing the full build failed"; }
header_run "  warm (built tree reused)" "$(kernel_cache_root)" "${testk[@]}" --full-build
echo "  cold (whole kernel built): not run here; 188 s on 2 cores (README's make bench figure)"
