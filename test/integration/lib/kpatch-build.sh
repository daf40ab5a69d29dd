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

# kpb_private DIR: runs of kpbp on a tree and a cache of their own, under
# DIR: a hard-linked copy of the test kernel's source (kpatch-build puts
# a patched file in place by renaming a new file over it and restores it
# into that new file, so the shared tree is never written) and an empty
# kpatch-build cache.  Other runs on the shared tree neither wait for
# these nor change what they find.
kpb_private() {
	KPB_PRIVATE=$1
	mkdir -p "$KPB_PRIVATE/cache"
	[ -d "$KPB_PRIVATE/src" ] || cp -al "$KERNEL_SRC" "$KPB_PRIVATE/src"
}

# kpbp NAME ARGS...: kpatch-build -d on kpb_private's tree and cache (as
# kpb: output in $SCRATCH/NAME.log, the module in $SCRATCH/NAME/); its
# exit status; KPBP_DEBUG: its debug directory.
kpbp() {
	local name=$1 rc=0
	shift
	mkdir -p "$SCRATCH/$name"
	mkdir -p "$KPB_PRIVATE/tmp"
	TMPDIR=$KPB_PRIVATE/tmp KPATCH_NG_CACHE=$KPB_PRIVATE/cache "$KPB_BIN" -s "$KPB_PRIVATE/src" -c "$KERNEL_BUILD/.config" \
		-v "$KERNEL_BUILD/vmlinux" -o "$SCRATCH/$name" -d "$@" >"$SCRATCH/$name.log" 2>&1 || rc=$?
	# shellcheck disable=SC2034 # for the test files
	KPBP_DEBUG=$(sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$SCRATCH/$name.log")
	return "$rc"
}

# same_build A B: two kpbp runs' debug directories hold the same original
# and patched objects, and their modules are the same, byte for byte.
same_build() {
	local a=$1 b=$2 o n=0
	while read -r o; do
		cmp "$a/$o" "$b/$o" || die "$o differs between $a and $b"
		n=$((n + 1))
	done < <(cd "$a" && find orig patched -name '*.o' | sort)
	[ "$n" -gt 0 ] || die "no objects in $a"
	[ "$(cd "$a" && find orig patched -name '*.o' | sort)" = "$(cd "$b" && find orig patched -name '*.o' | sort)" ] ||
		die "$a and $b hold other objects"
	cmp "$a"/module/klp/livepatch-*.ko "$b"/module/klp/livepatch-*.ko
	echo "same: $n objects and the module"
}
