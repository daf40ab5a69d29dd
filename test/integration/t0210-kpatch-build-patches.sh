#!/usr/bin/env bash
# t0210-kpatch-build-patches: every patch of patches/ (see its README)
# through kpatch-build and a guest.  A patch with NAME.guest.sh must build
# and report exactly the functions its NAME.expect lists, then in the
# guest behave as its stage functions say before loading, once loaded
# (with its workload running through the transition), once disabled and
# once unloaded.  A patch with NAME.refusal must be refused (exit 2) with
# that text.  The chain patches are t0220's, the kpatch-macro ones t0230's.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# The test kernel's modules, in every guest under /lib/modules.
MODULES=(fs/binfmt_misc.ko kernel/configs.ko lib/test_static_key_base.ko lib/test_static_keys.ko)

# build NAME: kpatch-build the patch; what it reports changed must be
# NAME.expect, when there is one.
build() {
	local name=$1
	kpb "$name" "$PATCHES/$name.patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$SCRATCH/$name/livepatch-$name.ko" ]
	if [ -f "$PATCHES/$name.expect" ]; then
		sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
		diff -u "$PATCHES/$name.expect" "$SCRATCH/$name.reported"
	fi
}

# cycle NAME: the guest's view through the patch's life.
cycle() {
	local name=$1 m extra=()
	for m in "${MODULES[@]}"; do
		extra+=("$KERNEL_BUILD/$m" "/lib/modules/${m##*/}")
	done
	if [ -f "$PATCHES/$name.prog.c" ]; then
		gcc -static -O2 -o "$SCRATCH/$name.prog" "$PATCHES/$name.prog.c"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/$name.prog")
	fi
	VM_SMP=$(patch_cpus "$name") GUEST_LOG=$name kpb_cycle "$name" \
		"$SCRATCH/$name/livepatch-$name.ko" "$PATCHES/$name.guest.sh" "${extra[@]}"
}


mkdir -p "$SCRATCH"
for p in "$PATCHES"/[0-9]*.patch; do
	name=${p##*/}
	name=${name%.patch}
	case $name in
	*-chain* | *-kpatch-*) continue ;;
	esac
	# KPNG_PATCHES=GLOB runs only the matching patches (a developer's
	# shortcut; unset in CI).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	test_story
	if [ -f "$PATCHES/$name.refusal" ]; then
		check "$name: refused" kpb_refused kpb "$name"
	elif [ -f "$PATCHES/$name.guest.sh" ]; then
		check "$name: kpatch-build" build "$name"
		check "$name: before, loaded, disabled, unloaded in the guest" cycle "$name"
	else
		check "$name: has NAME.guest.sh or NAME.refusal" false
	fi
done
test_done
