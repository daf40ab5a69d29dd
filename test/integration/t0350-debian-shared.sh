#!/usr/bin/env bash
# t0350-debian-shared: what the files of Debian's kernel share, against
# Debian's own kernel (lib/debian.sh), each patch of patches-debian/ built
# by kpatch-build's fast path, reporting exactly NAME.expect, and cycled
# in a guest (before, loaded with its workload running, disabled,
# unloaded; taint checked: patches-debian/debian-cycle.sh) with its
# NAME.guest.sh and NAME.prog.c:
#
#   150-dwarf-fsnotify-group: a source file name the vmlinux links three
#     times (fs/notify/, fs/sysfs/, security/tomoyo/group.c), whose
#     object has no named local symbol to tell its block of the symbol
#     table from the others; the changed function references two of its
#     locals (__key.0, __key.1), which the -dbg vmlinux's DWARF places:
#     kpatch-build's output says so, naming fs/notify/group.c's compile
#     unit (issue 11, class 5).
#   151-shared-code-xstate: a static_cpu_has() added to one function of
#     arch/x86/kernel/fpu/xstate.c, whose functions share one
#     .altinstr_aux; the pieces of the later users move, and only the
#     changed function is reported (before, every later user was, the
#     __init fpu__init_system_xstate among them, and the patch refused:
#     issue 11, class 7).  The differ carries only fpu_xstate_prctl's
#     pieces, packed (create-diff-object/pieces.c); check-module follows
#     each of its references into .altinstr_aux to the code at its place
#     in the patched object (check-module/code.c) and lets the module out;
#     in the guest, arch_prctl() answers from the patched function, whose
#     static_cpu_has() the module loader's alternatives turned into the
#     fast path.
#
# One guest CPU, as t0310 (see there why).
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

debian_ensure
debian_vm_setup
DEBIAN_PATCHES=$BENCH_ROOT/patches-debian
# shellcheck disable=SC2034 # for lib/vm.sh
VM_SMP=${KPNG_VM_SMP:-1}
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-400}
GROUP=150-dwarf-fsnotify-group
XSTATE=151-shared-code-xstate

# build NAME: kpatch-build NAME against the Debian kernel (see the header).
build() {
	debian_build_patch "$1" "$DEBIAN_PATCHES/$1.patch" "$DEBIAN_PATCHES/$1.expect"
}

# placed: 103's object was placed by the DWARF, in fs/notify/group.c's
# compile unit, the first of the three blocks of group.c.
placed() {
	local line
	line=$(grep "placed as block" "$SCRATCH/$GROUP.log") ||
		die "kpatch-build's output says nothing of placing group.o"
	case $line in
	*"/orig/fs/notify/group.o: placed as block 1 of the 3 of source file group.c in $DEBIAN_VMLINUX, by the target's DWARF (compile unit "*"/fs/notify/group.c)") ;;
	*) die "not placed by the DWARF in fs/notify/group.c: $line" ;;
	esac
	grep -q "read the paths of [0-9]* compile units from its DWARF in [0-9.]* s" "$SCRATCH/$GROUP.log" ||
		die "no time of the DWARF read"
}

# xstate_checked: check-module checked 151's module, its references into
# the packed .altinstr_aux among them (at other offsets than in the
# patched object: the pieces of the functions before fpu_xstate_prctl's
# stay out).
xstate_checked() {
	grep -q "^kpatch-build: stage module-check: .*, check-module: [0-9]* relocations checked " \
		"$SCRATCH/$XSTATE.log" ||
		die "no check-module summary in kpatch-build's output"
	readelf -rW "$SCRATCH/$XSTATE/livepatch-$XSTATE.ko" >"$SCRATCH/$XSTATE.relocs"
	grep -q "^Relocation section '\.rela\.altinstr_aux'" "$SCRATCH/$XSTATE.relocs" ||
		die "the module carries no .altinstr_aux"
}

# cycle NAME: the guest's view through the patch's life.
cycle() {
	debian_cycle_patch "$1" "$DEBIAN_PATCHES/$1.guest.sh" "$DEBIAN_PATCHES/$1.prog.c"
}

mkdir -p "$SCRATCH"
check "$GROUP: kpatch-build against the Debian kernel" build "$GROUP"
check "$GROUP: placed among the three group.c by the vmlinux's DWARF" placed
check "$GROUP: before, loaded, disabled, unloaded in the Debian kernel" cycle "$GROUP"
check "$XSTATE: kpatch-build against the Debian kernel: only the changed user of .altinstr_aux" \
	build "$XSTATE"
check "$XSTATE: check-module follows the packed pieces of .altinstr_aux" xstate_checked
check "$XSTATE: before, loaded, disabled, unloaded in the Debian kernel" cycle "$XSTATE"
test_done
