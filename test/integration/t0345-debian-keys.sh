#!/usr/bin/env bash
# t0345-debian-keys: tracepoints, static keys, static calls and pr_debug()
# in patched code, on Debian's own kernel (lib/debian.sh; IBT on, static
# calls inline, CONFIG_DYNAMIC_DEBUG=y, CONFIG_SCHEDSTATS=y).  The module
# loader writes a livepatch's klp relocations to vmlinux in
# apply_relocations(), before it sets up the livepatch's jump labels,
# static calls and dynamic debug descriptors (kernel/module/main.c), so
# keys vmlinux does not export work through klp relocations, and the descriptors
# of the patched code are the livepatch's own.  Three patches of
# patches-debian/, each built by kpatch-build's fast path (it reports
# exactly NAME.expect) and run through t0310's cycle (before, loaded with
# its workload, disabled, unloaded; taint checked) with NAME.guest.sh:
#
#   130-fork-trace-debug: kernel_clone() with its tracepoint
#     (sched_process_fork, enabled in tracefs: the event of a fork comes
#     from the patched function) and a new pr_debug() (enabled through
#     /proc/dynamic_debug/control: the message is in dmesg; the
#     descriptor is listed under the livepatch's name while it is
#     loaded).  On the host: the module's __jump_table entry of the
#     tracepoint has its key in a .klp.rela.vmlinux section, and its
#     __dyndbg holds the descriptor.
#   131-schedstats-key: proc_sched_show_task() prints the state of the
#     static key sched_schedstats; flipping it with
#     /proc/sys/kernel/sched_schedstats changes what the patched
#     function prints.
#   134-svm-static-call: svm_set_nested_state() of kvm_amd, with a static
#     call of kvm's exported kvm_x86_cache_reg: the .static_call_sites
#     entry objtool writes into the linked livepatch names the key (the
#     diff object references it from .discard.addressable), so the
#     livepatch loads (it did not: "Failed to fixup __raw_static_call()
#     usage"), with kvm loaded and kvm_amd not (no SVM in the guest).
#
# One guest CPU, as t0310 (which says why).
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

# build NAME: NAME.patch builds, reporting NAME.expect (lib/debian.sh).
build() {
	debian_build_patch "$1" "$DEBIAN_PATCHES/$1.patch" "$DEBIAN_PATCHES/$1.expect"
}

# klp_relocs KO SECTION: "OFFSET TYPE SYMBOL" of each relocation of
# .klp.rela.vmlinux.SECTION in KO, readelf's view.
klp_relocs() {
	readelf -W -r "$1" | awk -v s="'.klp.rela.vmlinux.$2'" '
		/^Relocation section/ { on = ($3 == s); next }
		on && $1 ~ /^[0-9a-f]+$/ { print $1, $3, $5 }'
}

# tables_130: the tracepoint's key is a klp relocation of the jump table,
# the descriptor the module's own.
tables_130() {
	local ko=$SCRATCH/130-fork-trace-debug/livepatch-130-fork-trace-debug.ko
	klp_relocs "$ko" __jump_table >"$SCRATCH/130.jump"
	cat "$SCRATCH/130.jump"
	grep -q " R_X86_64_PC64 .klp.sym.vmlinux.__tracepoint_sched_process_fork,0\$" \
		"$SCRATCH/130.jump" || die "no klp relocation to the tracepoint's key"
	# One descriptor, 56 bytes, whose format (the pointer at +24) is the
	# patch's string, in the module.
	[ "$(readelf -SW "$ko" | awk '$2 == "__dyndbg" { print $6 }')" = 000038 ] ||
		die "__dyndbg is not one 56-byte descriptor"
	read -r sec off < <(readelf -W -r "$ko" | awk '
		/^Relocation section/ { on = ($3 == "\047.rela__dyndbg\047"); next }
		on && $1 == "0000000000000018" { print $5, $7 }')
	[ -n "$sec" ] || die "the descriptor has no format pointer"
	readelf -p "$sec" "$ko" | grep -q "^ *\[ *$off\]  kpng-livepatch: kernel_clone made %d" ||
		die "the descriptor's format at $sec+0x$off is not the patch's"
}

# tables_134: the static call site of the livepatch names kvm's key, not
# its trampoline.
tables_134() {
	local ko=$SCRATCH/134-svm-static-call/livepatch-134-svm-static-call.ko
	readelf -W -r "$ko" | awk '
		/^Relocation section/ { on = ($3 == "\047.rela.static_call_sites\047"); next }
		on && $1 ~ /^[0-9a-f]+$/ && $5 !~ /^\.text\./ { print $5 }' >"$SCRATCH/134.keys"
	cat "$SCRATCH/134.keys"
	[ "$(cat "$SCRATCH/134.keys")" = __SCK__kvm_x86_cache_reg ] ||
		die "the static call site does not name the key __SCK__kvm_x86_cache_reg"
}

# cycle NAME: the guest's view through the patch's life, with NAME's
# program when it has one; 134 uses kvm's modules.
cycle() {
	local name=$1 extra=()
	if [ -f "$DEBIAN_PATCHES/$name.prog.c" ]; then
		gcc -static -O2 -Wall -Werror -o "$SCRATCH/$name.prog" "$DEBIAN_PATCHES/$name.prog.c"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/${name%%-*}.prog")
	fi
	extra+=("$DEBIAN_MODULES/kernel/virt/lib/irqbypass.ko.xz" /lib/modules/kvm/irqbypass.ko
		"$DEBIAN_MODULES/kernel/arch/x86/kvm/kvm.ko.xz" /lib/modules/kvm/kvm.ko)
	GUEST_LOG=$name debian_kpb_cycle "$name" "$SCRATCH/$name/livepatch-$name.ko" \
		"$DEBIAN_PATCHES/$name.guest.sh" "${extra[@]}"
}

mkdir -p "$SCRATCH"
for name in 130-fork-trace-debug 131-schedstats-key 134-svm-static-call; do
	# KPNG_PATCHES=GLOB runs only the matching patches (a developer's
	# shortcut, as in t0310; unset in CI).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	test_story
	check "$name: kpatch-build against the Debian kernel" build "$name"
	[ "$name" != 130-fork-trace-debug ] ||
		check "$name: the tracepoint's key through a klp relocation, the descriptor the module's" tables_130
	[ "$name" != 134-svm-static-call ] ||
		check "$name: the static call site names kvm's key" tables_134
	check "$name: before, loaded, disabled, unloaded in the Debian kernel" cycle "$name"
done
test_done
