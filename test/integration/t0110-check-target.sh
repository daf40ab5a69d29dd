#!/usr/bin/env bash
# t0110-check-target: every function of every object of kpatch-build's
# object tree of the test kernel (-ffunction-sections -fdata-sections),
# checked by check-target against the test kernel itself ($KERNEL_BUILD:
# vmlinux, linked from objects built without -ffunction-sections and
# processed by objtool after linking, and the module .ko files), is the
# same, except an exact list of known, explained differences; prints the
# counts and the time.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kernel-fsections.sh
. "$BENCH_ROOT/lib/kernel-fsections.sh"

TOOLS=${KPNG_BUILD:-$BENCH_ROOT/../../build}
# Like the test kernel itself, built before the checks (once, then cached).
kernel_ensure_fsections

# objects.txt: "OBJECT TARGET" per object, paths relative to the trees:
# vmlinux's (its thin archive vmlinux.a lists them) and each module's (its
# .mod file).
list_objects() {
	ar t "$KERNEL_FSECTIONS/vmlinux.a" | awk -v p="$KERNEL_FSECTIONS/" '
		index($0, p) == 1 { $0 = substr($0, length(p) + 1) }
		{ print $0, "vmlinux" }' >objects.txt
	(cd "$KERNEL_FSECTIONS" && find . -name '*.mod' -printf '%P\n') | sort |
	while read -r m; do
		tr ' ' '\n' <"$KERNEL_FSECTIONS/$m" | sed '/^$/d' | sed "s|\$| ${m%.mod}.ko|"
	done >>objects.txt
	echo "$(grep -c ' vmlinux$' objects.txt) vmlinux objects, $(grep -vc ' vmlinux$' objects.txt) module objects in $KERNEL_FSECTIONS"
	[ "$(grep -c ' vmlinux$' objects.txt)" -gt 500 ]
	grep -q '^fs/proc/cmdline.o vmlinux$' objects.txt
}

# What differs, and why.  Everything else is the same once relocated
# fields, branches inside a function (checked by where they land),
# objtool's static-branch NOPs, relaxed tail calls and alignment padding
# are set aside (check-target/edits.c), instruction by instruction.
#
# Not found: the local functions of assembler files, which have no
# STT_FILE symbol to tell their locals from the file's before them; and
# arch/x86/kernel/module.o, whose only local is a GCC clone
# (.constprop.0): both module.c blocks of vmlinux hold all its other
# locals, and neither is exactly its locals in order, so which one is its
# own is ambiguous (lookup/, as in create-diff-object; the test kernel has
# no DWARF to tell).  fpu/signal.o's __fpu_restore_sig.constprop.0 is
# found: one of the three signal.c blocks is exactly its locals in order.
#
# Differs: 99 weak functions another object overrides (kernel/sys_ni.c's
# __x64_sys_* stubs, drivers/base/cpu.c's cpu_show_* and others): the
# target's function of that name is another definition.  (Before
# check-target decoded instructions, six more differed falsely:
# free_mnt_ns and objpool_free, a short branch across a tail call the
# kernel's assembler shortened, and four ZSTD_decompressSequences*, whose
# __asm__(".p2align 6") pads to another length in vmlinux.)
expected_differences() {
	cat <<-\EOF
	arch/x86/kernel/head_64.o: not found: verify_cpu
	arch/x86/kernel/module.o: not found: __write_relocate_add.constprop.0
	arch/x86/lib/copy_page_64.o: not found: copy_page_regs
	arch/x86/lib/memcpy_64.o: not found: memcpy_orig
	arch/x86/lib/memset_64.o: not found: memset_orig
	arch/x86/lib/retpoline.o: not found: retbleed_untrain_ret
	arch/x86/lib/retpoline.o: not found: srso_untrain_ret
	EOF
}
EXPECTED_WEAK=99

# One check-target process per object, every function (-a).
sweep() {
	local o target rc start n=0 bad=0
	start=$(now)
	: >results.txt
	while read -r o target; do
		n=$((n + 1))
		rc=0
		"$TOOLS/check-target" -a "$KERNEL_FSECTIONS/$o" "$KERNEL_BUILD/$target" \
			>out.txt 2>err.txt || rc=$?
		if [ "$rc" -gt 2 ]; then
			echo "$o: check-target exit status $rc"
			cat err.txt
			bad=$((bad + 1))
		fi
		sed "s|^|$o: |" out.txt >>results.txt
	done <objects.txt
	echo "check-target sweep: $n objects, $(elapsed "$start")"
	echo "functions: $(wc -l <results.txt), same $(grep -c ': same: ' results.txt)," \
		"differs $(grep -c ': differs: ' results.txt)" \
		"($(grep -c ': differs: .* (weak: ' results.txt) weak, overridden)," \
		"not found $(grep -c ': not found: ' results.txt)"
	[ "$bad" -eq 0 ]
	grep -v ': same: ' results.txt | grep -v ': differs: .* (weak: ' | LC_ALL=C sort >actual.txt
	expected_differences | LC_ALL=C sort >expect.txt
	diff -u expect.txt actual.txt
	[ "$(grep -c ': differs: .* (weak: ' results.txt)" -eq "$EXPECTED_WEAK" ]
	# The modules' functions are all the same.
	if grep -v ': same: ' results.txt |
		grep -F -f <(awk '$2 != "vmlinux" { print $1 ": " }' objects.txt); then
		die "a module's function is not the same (above)"
	fi
}

check 'list the objects of vmlinux and of the modules' list_objects
check 'every function is the test kernel'"'"'s, but the known differences' sweep
if [ "$test_failed" -eq 0 ]; then
	sed 's/^/#   /' "$TEST_DIR/check-1.log" "$TEST_DIR/check-2.log"
fi
test_done
