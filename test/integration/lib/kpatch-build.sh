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
#	corpus_file NAME EXT	the corpus's NAME.EXT: $PATCHES_OVERRIDE's
#				when it has one, else $PATCHES'
#	corpus_names		the corpus's patches as t0210 runs them
#	corpus_run		t0210's story for each of them (below)
#	corpus_patches NAME...	the same story for the patches named (t0500)
#
# PATCHES_OVERRIDE (default none) is a directory of files that replace the
# corpus's for another kernel series: the same patch rebased onto its
# source (patches-7/ for Linux 7.x: kpatch-build applies a patch only
# exactly), what that kernel reports or prints where it differs, and
# NAME.skip (one line: why NAME is not run there).
#
# kpatch-build is told the bench's arch (--arch ARCH_NAME), whatever ARCH
# the environment has.

KPB_BIN=$BENCH_ROOT/../../kpatch-build/kpatch-build
# shellcheck disable=SC2034 # for the test files
PATCHES=$BENCH_ROOT/patches

PATCHES_OVERRIDE=${PATCHES_OVERRIDE:-}

corpus_file() {
	if [ -n "$PATCHES_OVERRIDE" ] && [ -f "$PATCHES_OVERRIDE/$1.$2" ]; then
		echo "$PATCHES_OVERRIDE/$1.$2"
	else
		echo "$PATCHES/$1.$2"
	fi
}

patch_cpus() {
	local f
	f=$(corpus_file "$1" cpus)
	if [ -f "$f" ]; then
		cat "$f"
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

# kpb_refused BUILDER NAME: BUILDER NAME NAME.patch (kpb, or another
# kernel's) exits 2 with every line of NAME.refusal in its output, and
# writes no module (both files corpus_file's).
kpb_refused() {
	local builder=$1 name=$2 rc=0 msg
	"$builder" "$name" "$(corpus_file "$name" patch)" || rc=$?
	cat "$SCRATCH/$name.log"
	[ "$rc" -eq 2 ] || die "exit status $rc, expected 2 (refused)"
	while IFS= read -r msg; do
		[ -n "$msg" ] || continue
		grep -qF -- "$msg" "$SCRATCH/$name.log" || die "no '$msg' in the output"
	done <"$(corpus_file "$name" refusal)"
	[ ! -e "$SCRATCH/$name/livepatch-$name.ko" ]
}

# corpus_build NAME: kpatch-build the patch; what it reports changed must
# be NAME.expect.ARCH (where a name differs there: a system call's wrapper
# is __x64_sys_* on x86_64, __arm64_sys_* on arm64), else NAME.expect,
# when there is one.
corpus_build() {
	local name=$1 expect
	kpb "$name" "$(corpus_file "$name" patch)" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$SCRATCH/$name/livepatch-$name.ko" ]
	expect=$(corpus_file "$name" "expect.$ARCH_NAME")
	[ -f "$expect" ] || expect=$(corpus_file "$name" expect)
	if [ -f "$expect" ]; then
		sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
		diff -u "$expect" "$SCRATCH/$name.reported"
	fi
}

# The test kernel's modules, in every guest of corpus_cycle under
# /lib/modules.
CORPUS_MODULES=(fs/binfmt_misc.ko kernel/configs.ko lib/test_static_key_base.ko lib/test_static_keys.ko)

# corpus_cycle NAME: the guest's view through the patch's life; its
# helper program, if any, built static for the guest's arch.
corpus_cycle() {
	local name=$1 m prog extra=()
	for m in "${CORPUS_MODULES[@]}"; do
		extra+=("$KERNEL_BUILD/$m" "/lib/modules/${m##*/}")
	done
	prog=$(corpus_file "$name" prog.c)
	if [ -f "$prog" ]; then
		"${ARCH_CROSS_COMPILE}gcc" -static -O2 -o "$SCRATCH/$name.prog" "$prog"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/$name.prog")
	fi
	VM_SMP=$(patch_cpus "$name") GUEST_LOG=$name kpb_cycle "$name" \
		"$SCRATCH/$name/livepatch-$name.ko" "$(corpus_file "$name" guest.sh)" "${extra[@]}"
}

# corpus_names: the corpus as t0210 runs it, a line per patch: "run NAME",
# or "skip NAME REASON" for one PATCHES_OVERRIDE skips.  Not t0220's
# chains nor t0230's kpatch macros; KPNG_PATCHES=GLOB keeps only the
# matching names (a developer's shortcut; unset in CI).
corpus_names() {
	local p name skip
	for p in "$PATCHES"/[0-9]*.patch; do
		name=${p##*/}
		name=${name%.patch}
		case $name in
		*-chain* | *-kpatch-*) continue ;;
		esac
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $name == ${KPNG_PATCHES:-*} ]] || continue
		skip=$(corpus_file "$name" skip)
		if [ -f "$skip" ]; then
			echo "skip $name $(head -n 1 "$skip")"
		else
			echo "run $name"
		fi
	done
}

# corpus_story NAME: NAME's story: with NAME.refusal it must be refused
# with that text, with NAME.guest.sh built (corpus_build) and taken
# through its life in a guest (corpus_cycle).
corpus_story() {
	local name=$1
	test_story
	if [ -f "$(corpus_file "$name" refusal)" ]; then
		check "$name: refused" kpb_refused kpb "$name"
	elif [ -f "$(corpus_file "$name" guest.sh)" ]; then
		check "$name: kpatch-build" corpus_build "$name"
		check "$name: before, loaded, disabled, unloaded in the guest" corpus_cycle "$name"
	else
		check "$name: has NAME.guest.sh or NAME.refusal" false
	fi
}

# corpus_run: corpus_story for every patch of corpus_names.
corpus_run() {
	local what name reason
	mkdir -p "$SCRATCH"
	while read -r what name reason; do
		if [ "$what" = skip ]; then
			echo "#   not run here - $name: $reason"
			continue
		fi
		corpus_story "$name"
	done < <(corpus_names)
}

# corpus_patches NAME...: corpus_story for each patch named.
corpus_patches() {
	local name
	mkdir -p "$SCRATCH"
	for name in "$@"; do
		corpus_story "$name"
	done
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
