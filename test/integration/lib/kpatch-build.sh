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
#	kpb_corpus NAME...	the checks of each patch of patches/ named
#				(t0210, t0500): built and cycled in a guest,
#				or refused
#
# kpatch-build is told the bench's arch (--arch ARCH_NAME), whatever ARCH
# the environment has.

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
	"$KPB_BIN" --arch "$ARCH_NAME" -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" \
		-v "$KERNEL_BUILD/vmlinux" -o "$SCRATCH/$name" "$@" >"$SCRATCH/$name.log" 2>&1 || rc=$?
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

# The test kernel's modules, in every guest of kpb_corpus under
# /lib/modules.
KPB_CORPUS_MODULES=(fs/binfmt_misc.ko kernel/configs.ko lib/test_static_key_base.ko
	lib/test_static_keys.ko)

# kpb_corpus_expect NAME: NAME's report of kpatch-build on this arch:
# NAME.expect.ARCH when the names differ there (a system call's wrapper
# is __x64_sys_* on x86_64, __arm64_sys_* on arm64), else NAME.expect;
# none: ''.
kpb_corpus_expect() {
	local f
	for f in "$PATCHES/$1.expect.$ARCH_NAME" "$PATCHES/$1.expect"; do
		[ -f "$f" ] || continue
		echo "$f"
		return 0
	done
}

# kpb_corpus_build NAME: kpatch-build the patch; what it reports changed
# must be kpb_corpus_expect's, when there is one.
kpb_corpus_build() {
	local name=$1 expect
	kpb "$name" "$PATCHES/$name.patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$SCRATCH/$name/livepatch-$name.ko" ]
	expect=$(kpb_corpus_expect "$name")
	if [ -n "$expect" ]; then
		sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
		diff -u "$expect" "$SCRATCH/$name.reported"
	fi
}

# kpb_corpus_cycle NAME: the guest's view through the patch's life; its
# helper program, if any, built static for the guest's arch.
kpb_corpus_cycle() {
	local name=$1 m extra=()
	for m in "${KPB_CORPUS_MODULES[@]}"; do
		extra+=("$KERNEL_BUILD/$m" "/lib/modules/${m##*/}")
	done
	if [ -f "$PATCHES/$name.prog.c" ]; then
		"${ARCH_CROSS_COMPILE}gcc" -static -O2 -o "$SCRATCH/$name.prog" "$PATCHES/$name.prog.c"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/$name.prog")
	fi
	VM_SMP=$(patch_cpus "$name") GUEST_LOG=$name kpb_cycle "$name" \
		"$SCRATCH/$name/livepatch-$name.ko" "$PATCHES/$name.guest.sh" "${extra[@]}"
}

# kpb_corpus NAME...: one story per patch: refused as NAME.refusal says,
# or built and cycled through the guest with NAME.guest.sh.
kpb_corpus() {
	local name
	for name in "$@"; do
		test_story
		if [ -f "$PATCHES/$name.refusal" ]; then
			check "$name: refused" kpb_refused kpb "$name"
		elif [ -f "$PATCHES/$name.guest.sh" ]; then
			check "$name: kpatch-build" kpb_corpus_build "$name"
			check "$name: before, loaded, disabled, unloaded in the guest" kpb_corpus_cycle "$name"
		else
			check "$name: has NAME.guest.sh or NAME.refusal" false
		fi
	done
}
