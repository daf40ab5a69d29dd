#!/usr/bin/env bash
# t0230-kpatch-macros: patches written with kpatch's macros
# (kmod/kpatch-macros.h, kmod/kpatch-syscall.h), patches/02N-kpatch-*
# (see patches/README.md).  Each must build and report exactly what its
# NAME.expect lists.  020 (the four callbacks, KPATCH_PRINTK), 022
# (KPATCH_IGNORE_FUNCTION), 023 (KPATCH_FORCE_UNSAFE, with its warning)
# and 024 (KPATCH_SYSCALL_DEFINE1) then go through a guest like t0210's
# patches: before, loaded, disabled, unloaded.  021's pre-patch callback
# fails: in its guest the load fails and leaves nothing behind.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# build NAME [TEXT...]: kpatch-build the patch; what it reports is
# NAME.expect, and each TEXT is in its output (a warning).
build() {
	local name=$1 text
	shift
	kpb "$name" "$PATCHES/$name.patch" || {
		cat "$SCRATCH/$name.log"
		die "kpatch-build failed"
	}
	cat "$SCRATCH/$name.log"
	[ -f "$SCRATCH/$name/livepatch-$name.ko" ]
	sed -n 's/^kpatch-build:   //p' "$SCRATCH/$name.log" >"$SCRATCH/$name.reported"
	diff -u "$PATCHES/$name.expect" "$SCRATCH/$name.reported"
	for text in "$@"; do
		grep -qF -- "$text" "$SCRATCH/$name.log" || die "no '$text' in the output"
	done
}

# cycle NAME: the guest's view through the patch's life, with NAME's
# program when it has one (see patches/README.md).
cycle() {
	local name=$1 extra=()
	if [ -f "$PATCHES/$name.prog.c" ]; then
		gcc -static -O2 -o "$SCRATCH/$name.prog" "$PATCHES/$name.prog.c"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/$name.prog")
	fi
	GUEST_LOG=$name kpb_cycle "$name" "$SCRATCH/$name/livepatch-$name.ko" \
		"$PATCHES/$name.guest.sh" "${extra[@]}"
}

# load_fails NAME: a guest in which loading the livepatch fails; the
# functions of NAME.guest.sh say what else holds.
load_fails() {
	local name=$1 ko=$SCRATCH/$1/livepatch-$1.ko
	guest_new
	guest_add "$ko" "/lib/modules/${ko##*/}"
	guest_add "$PATCHES/$name.guest.sh" /lib/kpng/checks.sh
	guest_env KLP_MODULE "/lib/modules/${ko##*/}"
	guest_env KLP_NAME "$(kpb_patch_name "$name")"
	GUEST_LOG=$name guest_boot "$(guest_script load-fails.sh <<'GUEST'
set -eu
. /lib/kpng/lib.sh
. /lib/kpng/checks.sh
before_load
load_refused
after_refused
GUEST
)"
}

mkdir -p "$SCRATCH"

test_story
check "020-kpatch-callbacks: kpatch-build" build 020-kpatch-callbacks
check "020-kpatch-callbacks: the callbacks' messages, in order, and /proc/cmdline" \
	cycle 020-kpatch-callbacks

test_story
check "021-kpatch-pre-patch-fails: kpatch-build" build 021-kpatch-pre-patch-fails
check "021-kpatch-pre-patch-fails: the load fails, nothing patched" \
	load_fails 021-kpatch-pre-patch-fails

test_story
check "022-kpatch-ignore-function: kpatch-build reports active_show ignored" \
	build 022-kpatch-ignore-function
check "022-kpatch-ignore-function: smt/control changes, smt/active does not" \
	cycle 022-kpatch-ignore-function

test_story
check "023-kpatch-force-unsafe: kpatch-build, with the warning for the rule overridden" \
	build 023-kpatch-force-unsafe \
	"saved_console_loglevel.0: changed initialized data (data), allowed by KPATCH_FORCE_UNSAFE(do_syslog): the livepatch carries a new copy"
check "023-kpatch-force-unsafe: the console level after syslog(SYSLOG_ACTION_CONSOLE_ON)" \
	cycle 023-kpatch-force-unsafe

test_story
check "024-kpatch-syscall: kpatch-build patches __x64_sys_newuname" build 024-kpatch-syscall
check "024-kpatch-syscall: uname -r" cycle 024-kpatch-syscall

test_done
