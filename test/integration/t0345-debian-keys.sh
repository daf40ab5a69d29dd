#!/usr/bin/env bash
# t0345-debian-keys: tracepoints, static keys, static calls and pr_debug()
# in patched code, on Debian's own kernel (lib/debian.sh; IBT on, static
# calls inline, CONFIG_DYNAMIC_DEBUG=y, CONFIG_SCHEDSTATS=y).  The module
# loader writes a livepatch's klp relocations to vmlinux in
# apply_relocations(), before it sets up the livepatch's jump labels,
# static calls and dynamic debug descriptors (kernel/module/main.c), so
# keys vmlinux does not export work through klp relocations, a module's
# are out of reach (its tracepoints are left off), and the descriptors
# of the patched code are the livepatch's own.  Five patches of
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
#   132-module-pr-debug: a new pr_debug() in bm_status_read() of the
#     module binfmt_misc: its descriptor is the livepatch's, listed
#     (strings intact) whether the module is loaded or not, and its
#     message appears once enabled, for the module loaded before the
#     livepatch and again after.
#   133-module-tracepoint: a new pr_debug() in dccp_sendmsg() of the
#     module dccp, which holds the module's tracepoint dccp_probe:
#     kpatch-build warns that it is left off (its jump label tests a key
#     of the livepatch's own, never enabled); in the guest DCCP messages
#     over the loopback (133-module-tracepoint.prog.c) go through the
#     patched function (its message, enabled, is in dmesg) and the event,
#     enabled in tracefs, records them only when the original runs.
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

# tables_133: kpatch-build warned once, naming the site (the jump of
# trace_dccp_probe() at dccp_sendmsg+0x49), and the module's tracepoint
# tests a key of the livepatch's own: the __jump_table entry's key is
# __kpng_disabled.__tracepoint_dccp_probe, a 16-byte object of zeros in a
# writable section.
tables_133() {
	local ko=$SCRATCH/133-module-tracepoint/livepatch-133-module-tracepoint.ko
	local key=__kpng_disabled.__tracepoint_dccp_probe
	sed -n 's|^ *create-diff-object: warning: [^ ]*/patched/net/dccp/proto\.o: ||p' \
		"$SCRATCH/133-module-tracepoint.log" >"$SCRATCH/133.warnings"
	cat >"$SCRATCH/133.expected" <<-\EOF
		dccp_sendmsg+0x49: tracepoint dccp_probe of module dccp left off in the patched function: the kernel sets up the livepatch's jump labels when it loads, before its klp relocations to dccp are written, so the site tests a key of the livepatch's own, never enabled, instead of the module's
	EOF
	diff -u "$SCRATCH/133.expected" "$SCRATCH/133.warnings"
	readelf -W -r "$ko" | awk '
		/^Relocation section/ { on = ($3 == "\047.rela__jump_table\047"); next }
		on && $1 ~ /^[0-9a-f]+$/ && $3 == "R_X86_64_PC64" { print $5 }' >"$SCRATCH/133.keys"
	cat "$SCRATCH/133.keys"
	grep -qx "$key" "$SCRATCH/133.keys" || die "the tracepoint's entry does not test $key"
	[ "$(readelf -sW "$ko" | awk -v k="$key" '$8 == k { print $3, $4, $5 }')" = "16 OBJECT LOCAL" ] ||
		die "$key is not a local 16-byte object"
	readelf -SW "$ko" | grep -q " \.data\.$key  *PROGBITS .* WA " ||
		die "$key is not in a writable section"
	readelf -x ".data.$key" "$ko" | grep -q "^  0x00000000 00000000 00000000 00000000 00000000 " ||
		die "$key is not all zeros"
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
# program when it has one; 132 uses 010's functions for binfmt_misc, 133
# the dccp modules, 134 kvm's.
cycle() {
	local name=$1 m extra=("$PATCHES/010-module-binfmt-misc.guest.sh" /lib/kpng/p010.sh)
	if [ -f "$DEBIAN_PATCHES/$name.prog.c" ]; then
		gcc -static -O2 -Wall -Werror -o "$SCRATCH/$name.prog" "$DEBIAN_PATCHES/$name.prog.c"
		extra+=("$SCRATCH/$name.prog" "/lib/kpng/${name%%-*}.prog")
	fi
	for m in dccp dccp_ipv4; do
		extra+=("$DEBIAN_MODULES/kernel/net/dccp/$m.ko.xz" "/lib/modules/dccp/$m.ko")
	done
	extra+=("$DEBIAN_MODULES/kernel/virt/lib/irqbypass.ko.xz" /lib/modules/kvm/irqbypass.ko
		"$DEBIAN_MODULES/kernel/arch/x86/kvm/kvm.ko.xz" /lib/modules/kvm/kvm.ko)
	GUEST_LOG=$name debian_kpb_cycle "$name" "$SCRATCH/$name/livepatch-$name.ko" \
		"$DEBIAN_PATCHES/$name.guest.sh" "${extra[@]}"
}

mkdir -p "$SCRATCH"
for name in 130-fork-trace-debug 131-schedstats-key 132-module-pr-debug 133-module-tracepoint \
	134-svm-static-call; do
	# KPNG_PATCHES=GLOB runs only the matching patches (a developer's
	# shortcut, as in t0310; unset in CI).
	# shellcheck disable=SC2053 # a glob on purpose
	[[ $name == ${KPNG_PATCHES:-*} ]] || continue
	test_story
	check "$name: kpatch-build against the Debian kernel" build "$name"
	[ "$name" != 130-fork-trace-debug ] ||
		check "$name: the tracepoint's key through a klp relocation, the descriptor the module's" tables_130
	[ "$name" != 133-module-tracepoint ] ||
		check "$name: the warning; the tracepoint tests a key of the livepatch's own" tables_133
	[ "$name" != 134-svm-static-call ] ||
		check "$name: the static call site names kvm's key" tables_134
	check "$name: before, loaded, disabled, unloaded in the Debian kernel" cycle "$name"
done
test_done
