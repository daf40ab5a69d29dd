#!/usr/bin/env bash
# t0500-arm64-patches: the patch corpus (patches/, as t0210 runs it) on
# arm64: the 7.x arm64 test kernel (lib/arch.sh: ARCH_SERIES 7; Linux 6.12
# cannot livepatch on arm64), kpatch-build's fast path cross-compiling
# each patch (--arch arm64, aarch64-linux-gnu-gcc), the guest under
# qemu-system-aarch64 -M virt -cpu max loading it, checking its behaviour
# before, while loaded, disabled and unloaded.  Always arm64, whatever the
# ARCH run.sh was given (make check on x86_64 runs it too).
#
# The patches are the arch-neutral ones of t0210, with 7.x's versions
# where the corpus's do not apply there (patches-7/, as t0215 runs them;
# NAME.expect.arm64 there where arm64 reports otherwise: the order of an
# object's symbols, __arm64_sys_*); 008's helper calls ppoll(2), arm64
# having no poll(2).  Left out: 009 (this arm64 config has no SMT sysfs:
# the patched active_show() is not built).  017 does not apply on purpose
# (its refusal is the check).
#
# 003-static-local and 011-vmlinux-and-modules are refused on arm64, and
# that is pinned: GCC for arm64 reaches the statics of a file through one
# section anchor (one adrp for several variables), which -fdata-sections,
# as kpatch-build compiles, gives up (an adrp per variable); the functions
# they change read two or more, so their code differs from the kernel's
# and check-target refuses them (doc/known-issues.md 1).
# `check` calls the functions of lib/kpatch-build.sh.
# shellcheck disable=SC2317
set -- arm64
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# shellcheck disable=SC2034 # for lib/kpatch-build.sh
PATCHES_OVERRIDE=$BENCH_ROOT/patches-7
T0500_PATCHES=(001-proc-cmdline 002-nonexported-global 004-split-part 005-new-function
	006-new-global 007-syscall-newuname 008-extable-poll 010-module-binfmt-misc
	012-callbacks 013-shadow-variable 014-refuse-changed-data 015-refuse-init-code
	016-refuse-new-export 017-refuse-does-not-apply 025-percpu-counter)

# anchored NAME FUNCTION...: kpatch-build refuses NAME on arm64 at
# check-target, each FUNCTION's code differing from the running kernel's.
anchored() {
	local name=$1 rc=0 f
	shift
	kpb "$name" "$(corpus_file "$name" patch)" || rc=$?
	cat "$SCRATCH/$name.log"
	[ "$rc" -eq 2 ] || die "exit status $rc, expected 2 (refused)"
	grep -q "^kpatch-build: stage target-check" "$SCRATCH/$name.log" && die "target-check passed"
	for f in "$@"; do
		grep -qE "^ +[^ ]+: [^ ]+: differs: $f at \+0x[0-9a-f]+ " "$SCRATCH/$name.log" ||
			die "no difference reported in $f"
	done
	grep -qF "kpatch-build: refused: $*: the function compiled here differs from the running kernel's" \
		"$SCRATCH/$name.log"
	[ ! -e "$SCRATCH/$name/livepatch-$name.ko" ]
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
# shellcheck disable=SC2053 # a glob on purpose
if [[ 011-vmlinux-and-modules == ${KPNG_PATCHES:-*} ]]; then
	test_story
	check "011-vmlinux-and-modules: refused by check-target (section anchors)" \
		anchored 011-vmlinux-and-modules bm_entry_show show_console_dev
fi
test_done
