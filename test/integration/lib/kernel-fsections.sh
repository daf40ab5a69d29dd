# shellcheck shell=bash
#
# kernel-fsections.sh - the test kernel's objects as kpatch-build compiles
# them: the same source and .config, built with -ffunction-sections
# -fdata-sections into build-fsections/ beside build/ in the test kernel's
# cache directory (stamp-fsections marks it complete).  Nothing boots
# this tree (its vmlinux places every .text.* section as an orphan); the
# differ's sweeps read its objects.
#
# Needs lib/kernel.sh with kernel_ensure done.  After kernel_ensure_fsections:
#	KERNEL_FSECTIONS	the object tree

KERNEL_FSECTIONS_FLAGS="-ffunction-sections -fdata-sections"

kernel_ensure_fsections() {
	local lock lockfd t
	KERNEL_FSECTIONS=$KERNEL_DIR/build-fsections
	[ -f "$KERNEL_DIR/stamp-fsections" ] && return 0

	lock=$KERNEL_DIR.lock
	exec {lockfd}>"$lock"
	if ! flock -n "$lockfd"; then
		status "waiting for another build in $KERNEL_DIR (lock $lock)"
		flock "$lockfd"
	fi
	if [ ! -f "$KERNEL_DIR/stamp-fsections" ]; then
		t=$(now)
		KERNEL_LOG=$KERNEL_DIR/build-fsections.log
		: >"$KERNEL_LOG"
		status "building the test kernel with $KERNEL_FSECTIONS_FLAGS in $KERNEL_FSECTIONS (log: $KERNEL_LOG)"
		rm -rf "$KERNEL_FSECTIONS"
		mkdir -p "$KERNEL_FSECTIONS"
		cp "$KERNEL_BUILD/.config" "$KERNEL_FSECTIONS/.config"
		kernel_make_argv "$KERNEL_FSECTIONS"
		kernel_stage config "${KERNEL_MAKE_ARGV[@]}" olddefconfig
		cmp -s "$KERNEL_BUILD/.config" "$KERNEL_FSECTIONS/.config" ||
			die "olddefconfig changed the test kernel's .config in $KERNEL_FSECTIONS"
		kernel_stage build-fsections "${KERNEL_MAKE_ARGV[@]}" -j"$(nproc)" \
			KCFLAGS="$KERNEL_FSECTIONS_FLAGS" vmlinux modules
		[ -f "$KERNEL_FSECTIONS/vmlinux.o" ] ||
			die "the build left no vmlinux.o; see $KERNEL_LOG"
		date -u '+built %Y-%m-%d %H:%M:%S UTC' >"$KERNEL_DIR/stamp-fsections"
		status "stage build-fsections: $(elapsed "$t")"
	fi
	exec {lockfd}>&-
}
