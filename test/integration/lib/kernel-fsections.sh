# shellcheck shell=bash
#
# kernel-fsections.sh - the test kernel's objects as kpatch-build compiles
# them (-ffunction-sections -fdata-sections): kpatch-build's own cached
# object tree of the test kernel, built by `kpatch-build --prepare` (about
# 3 to 5 minutes the first time, seconds after), and the same tree the
# kpatch-build tests use.  Nothing boots this tree; the differ's sweeps
# read its objects.
#
# Needs lib/kernel.sh with kernel_ensure done.  After kernel_ensure_fsections:
#	KERNEL_FSECTIONS	the object tree

kernel_ensure_fsections() {
	local kpb=$BENCH_ROOT/../../kpatch-build/kpatch-build out t
	t=$(now)
	status "kpatch-build --prepare: kpatch-build's object tree of the test kernel"
	out=$("$kpb" -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" --prepare) ||
		die "kpatch-build --prepare failed"
	KERNEL_FSECTIONS=${out##*$'\n'}
	[ -f "$KERNEL_FSECTIONS/vmlinux.o" ] ||
		die "kpatch-build --prepare left no vmlinux.o in $KERNEL_FSECTIONS"
	status "kpatch-build's object tree: $KERNEL_FSECTIONS ($(elapsed "$t"))"
}
