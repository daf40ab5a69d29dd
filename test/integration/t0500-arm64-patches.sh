#!/usr/bin/env bash
# t0500-arm64-patches: the patch corpus (patches/, as t0210 runs it) on
# arm64: the 7.x arm64 test kernel (lib/arch.sh: ARCH_SERIES 7; Linux 6.12
# cannot livepatch on arm64), kpatch-build's fast path cross-compiling
# each patch (--arch arm64, aarch64-linux-gnu-gcc), the guest under
# qemu-system-aarch64 -M virt -cpu max loading it, checking its behaviour
# before, while loaded, disabled and unloaded.  Always arm64, whatever the
# ARCH run.sh was given (make check on x86_64 runs it too).
#
# The patches are the arch-neutral ones of t0210 that apply exactly to
# 7.x's tree (kpatch-build takes no offset or fuzz) and compile there;
# left out: 004, 007, 009, 013, 014, 025 (their context moved in 7.x), 005,
# 008, 010, 011, 012 (their code was rewritten) and 002 (7.x's pid_max is
# no native word for READ_ONCE()), until 7.x's versions of them are in the
# tree; 017 does not apply on purpose (its refusal is the check).
#
# 003-static-local is refused on arm64, and that is pinned: GCC for arm64
# reaches the statics of a file through one section anchor (one adrp for
# several variables), which -fdata-sections, as kpatch-build compiles,
# gives up (an adrp per variable); drop_caches_sysctl_handler() reads
# two, so its code differs from vmlinux's and check-target refuses it.
# `check` calls the functions of lib/kpatch-build.sh.
# shellcheck disable=SC2317
set -- arm64
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

T0500_PATCHES=(001-proc-cmdline 006-new-global 015-refuse-init-code 016-refuse-new-export
	017-refuse-does-not-apply)

# anchored NAME FUNCTION: kpatch-build refuses NAME on arm64 at
# check-target, FUNCTION's code differing from the running kernel's.
anchored() {
	local rc=0
	kpb "$1" "$PATCHES/$1.patch" || rc=$?
	cat "$SCRATCH/$1.log"
	[ "$rc" -eq 2 ] || die "exit status $rc, expected 2 (refused)"
	grep -q "^kpatch-build: stage target-check" "$SCRATCH/$1.log" && die "target-check passed"
	grep -qE "^ +vmlinux: [^ ]+: differs: $2 at \+0x[0-9a-f]+ " "$SCRATCH/$1.log"
	grep -qF "kpatch-build: refused: $2: the function compiled here differs from the running kernel's" \
		"$SCRATCH/$1.log"
	[ ! -e "$SCRATCH/$1/livepatch-$1.ko" ]
}

names=()
for name in "${T0500_PATCHES[@]}"; do
	# KPNG_PATCHES=GLOB: only the matching ones (as in t0210).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	names+=("$name")
done
corpus_patches "${names[@]}"
# shellcheck disable=SC2053 # a glob on purpose
if [[ 003-static-local == ${KPNG_PATCHES:-*} ]]; then
	test_story
	check "003-static-local: refused by check-target (section anchors)" \
		anchored 003-static-local drop_caches_sysctl_handler
fi
test_done
