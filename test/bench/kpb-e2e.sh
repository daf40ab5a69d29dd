#!/usr/bin/env bash
# kpb-e2e.sh: kpatch-build from patch to livepatch module, end to end, for
# a one-function /proc patch (examples/proc-cmdline.patch), cold (an empty
# object-tree cache: the tree is configured and prepared first), warm (the
# prepared tree, kbuild's answers and the original object reused: the
# patched side alone compiled; lib/warm.sh) and, on Debian's config, warm
# with another patch to the same file (018-chain1), on Debian's cloud-amd64 config against
# Debian's own vmlinux, Module.symvers and modules (the fast path), and on
# the test kernel (fast path, and the full build for comparison).  Prints
# the total and kpatch-build's stage lines for each run; asserts nothing
# about time.  The test kernel and Debian's packages come from the bench
# cache (lib/kernel.sh, lib/debian.sh; fetched or built first if absent,
# which is not timed); kpatch-build's own cache is a fresh directory.
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_strict_mode

kpb=$here/../../kpatch-build/kpatch-build
patch=$here/../../examples/proc-cmdline.patch
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

arch_setup x86_64
kernel_ensure
debian_ensure
# A tree of its own (hard links: kpatch-build renames a patched file into
# place), so that no other run on the shared tree waits or changes it.
cp -al "$KERNEL_SRC" "$work/src"

# run LABEL CACHE ARGS...: one kpatch-build run with its own object-tree
# cache; prints the total and the stage lines.
run() {
	local label=$1 cache=$2 t rc=0
	shift 2
	t=$(now)
	KPATCH_NG_CACHE=$cache "$kpb" -s "$work/src" -o "$work/out" "$@" "${PATCH:-$patch}" \
		>"$work/log" 2>&1 || rc=$?
	printf '%-34s %8s' "$label" "$(elapsed "$t")"
	[ "$rc" -eq 0 ] && echo || echo "  (exit $rc)"
	sed -n 's/^kpatch-build: stage \([^:]*\): \([0-9.]* s\).*/\1 \2/p' "$work/log" |
		awk '{ printf "    %-20s %8s\n", $1, $2 " " $3 }'
	[ "$rc" -eq 0 ] || tail -n 15 "$work/log" | sed 's/^/    | /'
}

debian=(-c "$DEBIAN_CONFIG" -v "$DEBIAN_VMLINUX" --symvers "$DEBIAN_SYMVERS" --modules "$DEBIAN_MODULES")
testk=(-c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux")

echo "kpatch-build end to end, one-function /proc patch, $(nproc) CPUs"
echo "Debian $DEBIAN_VERSION $DEBIAN_FLAVOUR config (fast path):"
run "  cold (nothing prepared)" "$work/cache-debian" "${debian[@]}"
run "  warm (prepared tree cached)" "$work/cache-debian" "${debian[@]}"
PATCH=$here/../integration/patches/018-chain1.patch \
	run "  warm, another patch to the file" "$work/cache-debian" "${debian[@]}"
echo "test kernel (fast path):"
run "  cold (nothing prepared)" "$work/cache-test" "${testk[@]}"
run "  warm (prepared tree cached)" "$work/cache-test" "${testk[@]}"
echo "test kernel (--full-build, for comparison):"
run "  cold (whole kernel built)" "$work/cache-test" "${testk[@]}" --full-build
run "  warm (built tree cached)" "$work/cache-test" "${testk[@]}" --full-build
