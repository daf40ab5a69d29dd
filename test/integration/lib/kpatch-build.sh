# shellcheck shell=bash
#
# kpatch-build.sh - run kpatch-build against the test kernel, and boot a
# guest through a patch's whole life (guest/patch-cycle.sh).
#
# Needs lib/test-lib.sh.  kpatch-build keeps its object tree of the test
# kernel in its own cache ($KPATCH_NG_CACHE/build/...); the first run
# builds it (about 5 minutes), later runs reuse it.
#
#	kpb NAME ARGS...	kpatch-build -s SRC -c CONFIG -v VMLINUX -o
#				$SCRATCH/NAME ARGS..., output in
#				$SCRATCH/NAME.log; its exit status
#	kpb_cycle NAME KO PATCH_CHECKS [FILE GUEST_PATH]...
#				boot a guest that runs KO through
#				patch-cycle.sh (or $KPB_CYCLE_DRIVER) with
#				the checks of PATCH_CHECKS (a NAME.guest.sh),
#				with extra files added
#	kpb_refused BUILDER NAME	NAME.patch is refused as NAME.refusal says
#	patch_cpus NAME		the guest CPUs NAME's checks need: its
#				NAME.cpus, else $VM_SMP

KPB_BIN=$BENCH_ROOT/../../kpatch-build/kpatch-build
# shellcheck disable=SC2034 # for the test files
PATCHES=$BENCH_ROOT/patches

patch_cpus() {
	if [ -f "$PATCHES/$1.cpus" ]; then
		cat "$PATCHES/$1.cpus"
	else
		echo "$VM_SMP"
	fi
}

kpb() {
	local name=$1 rc=0
	shift
	mkdir -p "$SCRATCH/$name"
	"$KPB_BIN" -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" \
		-o "$SCRATCH/$name" "$@" >"$SCRATCH/$name.log" 2>&1 || rc=$?
	return "$rc"
}

# The module name in /sys/kernel/livepatch for livepatch-NAME.ko.
kpb_patch_name() {
	local n=livepatch-$1
	echo "${n//-/_}"
}

kpb_cycle() {
	local name=$1 ko=$2 checks=$3
	shift 3
	guest_new
	guest_add "$ko" "/lib/modules/${ko##*/}"
	guest_add "$checks" /lib/kpng/checks.sh
	while [ "$#" -ge 2 ]; do
		guest_add "$1" "$2"
		shift 2
	done
	guest_env KLP_MODULE "/lib/modules/${ko##*/}"
	guest_env KLP_NAME "$(kpb_patch_name "$name")"
	guest_env KLP_CHECKS /lib/kpng/checks.sh
	guest_boot "${KPB_CYCLE_DRIVER:-$BENCH_ROOT/guest/patch-cycle.sh}"
}

# kpb_refused BUILDER NAME: BUILDER NAME PATCHES/NAME.patch (kpb, or
# another kernel's) exits 2 with every line of NAME.refusal in its output,
# and writes no module.
kpb_refused() {
	local builder=$1 name=$2 rc=0 msg
	"$builder" "$name" "$PATCHES/$name.patch" || rc=$?
	cat "$SCRATCH/$name.log"
	[ "$rc" -eq 2 ] || die "exit status $rc, expected 2 (refused)"
	while IFS= read -r msg; do
		[ -n "$msg" ] || continue
		grep -qF -- "$msg" "$SCRATCH/$name.log" || die "no '$msg' in the output"
	done <"$PATCHES/$name.refusal"
	[ ! -e "$SCRATCH/$name/livepatch-$name.ko" ]
}
