#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317)
# and using arrays it cannot see being used (SC2034).
# shellcheck disable=SC2016,SC2317,SC2034
test_description='create-diff-object: special sections: the entries of carried functions, and entries that changed under unchanged code'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# The fixtures write the kernel's tables with their own asm: Linux 6.12's
# section names, entry layouts and relocations (arch/*/special.c lists
# them).  special-sections has changed() and unchanged(), each with an
# entry in every table; only changed() is carried, with its entries alone.

PAIRS=(special-sections refuse-special-entry special-noise special-shared-tail
	special-bug-short)

# What vmlinux exports of what the fixtures use: the jump label and static
# call keys must link plainly, the thunks are what objtool's sites call.
EXPORTS=(kpng_key kpng_other_key __SCK__kpng_call __SCT__kpng_call
	__x86_indirect_thunk_rax __x86_return_thunk)

X86_TABLES=(__ex_table .altinstructions .altinstr_replacement __jump_table
	.static_call_sites __bug_table .retpoline_sites .return_sites .call_sites
	.ibt_endbr_seal .orc_unwind_ip .orc_unwind .smp_locks __mcount_loc)
ARM64_TABLES=(__ex_table .altinstructions __jump_table __bug_table
	__patchable_function_entries)

# sizes OBJ SECTION...: "SECTION size=N" of each SECTION of OBJ.
sizes() {
	local obj=$1 sec
	shift
	for sec in "$@"; do
		kelf-dump -S "$obj" | awk -v n="$sec" '$3 == n { print $3, $6 }'
	done
}

# contents OBJ SECTION: the bytes of SECTION, in hex, 16 a line (for
# either arch: the input is read as plain little-endian ELF).
contents() {
	objcopy -I elf64-little -O binary --only-section="$2" "$1" "$1.$2.bin" &&
	od -An -tx1 -v "$1.$2.bin" | sed -e 's/^ //'
}

# refused DIR: exit 2, nothing on stdout, no output file.
refused() {
	test_expect_code 2 cdo "$1" &&
	test_file_empty "$1/stdout" &&
	cdo_missing "$1/out.o"
}

# x86_64's alone: Linux 7.x's bug entries, marked by objtool's annotations.
X86_PAIRS=(special-bug-marked special-bug-marked-short special-annotate-insn)

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 "${PAIRS[@]}" "${X86_PAIRS[@]}" &&
	cdo_pairs arm64 "${PAIRS[@]}" &&
	for d in "${PAIRS[@]/%/.x86_64}" "${PAIRS[@]/%/.arm64}" "${X86_PAIRS[@]/%/.x86_64}"; do
		cdo_symvers "$d/Module.symvers" "${EXPORTS[@]}" || return 1
	done
'

test_expect_success 'x86_64: changed() is carried with its entries of each table, unchanged()'"'"'s are dropped' '
	test_expect_code 0 cdo special-sections.x86_64 &&
	echo "changed function: changed (size)" >expect &&
	test_cmp expect special-sections.x86_64/stdout &&
	test_file_empty special-sections.x86_64/stderr &&
	{
		sizes special-sections.x86_64/patched.o "${X86_TABLES[@]}" &&
		echo "# the diff object" &&
		sizes special-sections.x86_64/out.o "${X86_TABLES[@]}"
	} >actual &&
	cat >expect <<-\EOF &&
	__ex_table size=24
	.altinstructions size=42
	.altinstr_replacement size=11
	__jump_table size=32
	.static_call_sites size=16
	__bug_table size=24
	.retpoline_sites size=8
	.return_sites size=8
	.call_sites size=8
	.ibt_endbr_seal size=8
	.orc_unwind_ip size=8
	.orc_unwind size=12
	.smp_locks size=8
	__mcount_loc size=16
	# the diff object
	__ex_table size=12
	.altinstructions size=28
	.altinstr_replacement size=11
	__jump_table size=16
	.static_call_sites size=8
	__bug_table size=12
	.retpoline_sites size=4
	.return_sites size=4
	.call_sites size=4
	.ibt_endbr_seal size=4
	.orc_unwind_ip size=4
	.orc_unwind size=6
	.smp_locks size=4
	__mcount_loc size=8
	EOF
	test_cmp expect actual
'

# objtool's annotations: when objtool runs on the whole livepatch module
# (IBT kernels) a carried function needs its own, against a section
# symbol, the only kind objtool reads them with.
test_expect_success 'x86_64: changed()'"'"'s objtool annotation is carried, against its section symbol' '
	{
		sizes special-sections.x86_64/patched.o .discard.reachable &&
		sizes special-sections.x86_64/out.o .discard.reachable &&
		cdo_relocs special-sections.x86_64/out.o .discard.reachable
	} >actual &&
	cat >expect <<-\EOF &&
	.discard.reachable size=8
	.discard.reachable size=4
	R .discard.reachable+0 R_X86_64_32 .text.changed +37
	EOF
	test_cmp expect actual
'

test_expect_success 'special-annotate-insn: 7.x'"'"'s one annotation table: changed()'"'"'s entry is carried, with its type' '
	test_expect_code 0 cdo special-annotate-insn.x86_64 &&
	{
		cat special-annotate-insn.x86_64/stdout &&
		sizes special-annotate-insn.x86_64/patched.o .discard.annotate_insn &&
		sizes special-annotate-insn.x86_64/out.o .discard.annotate_insn &&
		objcopy --dump-section .discard.annotate_insn=insn.bin \
			special-annotate-insn.x86_64/out.o out.tmp &&
		od -An -tx1 -v insn.bin | sed -e "s/^ //" &&
		cdo_relocs special-annotate-insn.x86_64/out.o .discard.annotate_insn
	} >actual &&
	cat >expect <<-\EOF &&
	changed function: changed (code)
	.discard.annotate_insn size=24
	.discard.annotate_insn size=8
	00 00 00 00 08 00 00 00
	R .discard.annotate_insn+0 R_X86_64_PC32 .text.changed +15
	EOF
	test_cmp expect actual
'

# objtool finds a static call's key by name when it writes the linked
# module's .static_call_sites (IBT kernels, where the diff objects' own
# are stripped); without it, it records the trampoline, which the kernel
# resolves only for keys vmlinux lists in .static_call_tramp_key.
test_expect_success 'x86_64: the exported key of the static call changed() makes is referenced from .discard.addressable' '
	{
		sizes special-sections.x86_64/out.o .discard.addressable &&
		cdo_relocs special-sections.x86_64/out.o .discard.addressable
	} >actual &&
	cat >expect <<-\EOF &&
	.discard.addressable size=8
	R .discard.addressable+0 R_X86_64_64 __SCK__kpng_call +0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the kept entries point into changed(), their keys and targets plain' '
	cdo_relocs special-sections.x86_64/out.o "${X86_TABLES[@]}" >actual &&
	cat >expect <<-\EOF &&
	R __ex_table+0 R_X86_64_PC32 changed +6
	R __ex_table+0x4 R_X86_64_PC32 changed +8
	R .altinstructions+0 R_X86_64_PC32 changed +8
	R .altinstructions+0x4 R_X86_64_PC32 .altinstr_replacement +3
	R .altinstructions+0xe R_X86_64_PC32 changed +11
	R .altinstructions+0x12 R_X86_64_PC32 .altinstr_replacement +6
	R .altinstr_replacement+0x7 R_X86_64_PLT32 printk -4
	R __jump_table+0 R_X86_64_PC32 changed +44
	R __jump_table+0x4 R_X86_64_PC32 changed +64
	R __jump_table+0x8 R_X86_64_PC64 kpng_key +0
	R .static_call_sites+0 R_X86_64_PC32 changed +20
	R .static_call_sites+0x4 R_X86_64_PC32 __SCK__kpng_call +0
	R __bug_table+0 R_X86_64_PC32 changed +64
	R __bug_table+0x4 R_X86_64_PC32 .rodata.unchanged.str1.1 +0
	R .retpoline_sites+0 R_X86_64_PC32 changed +25
	R .return_sites+0 R_X86_64_PC32 changed +32
	R .call_sites+0 R_X86_64_PC32 changed +25
	R .ibt_endbr_seal+0 R_X86_64_PC32 changed +16
	R .orc_unwind_ip+0 R_X86_64_PC32 changed +37
	R .smp_locks+0 R_X86_64_PC32 changed +37
	R __mcount_loc+0 R_X86_64_64 changed +0
	EOF
	test_cmp expect actual &&
	cdo_relocs special-sections.x86_64/patched.o .altinstructions >actual &&
	cat >expect <<-\EOF &&
	R .altinstructions+0 R_X86_64_PC32 .text.unchanged +8
	R .altinstructions+0x4 R_X86_64_PC32 .altinstr_replacement +0
	R .altinstructions+0xe R_X86_64_PC32 .text.changed +8
	R .altinstructions+0x12 R_X86_64_PC32 .altinstr_replacement +3
	R .altinstructions+0x1c R_X86_64_PC32 .text.changed +11
	R .altinstructions+0x20 R_X86_64_PC32 .altinstr_replacement +6
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the kept entries hold changed()'"'"'s data; .altinstr_replacement and .orc_unwind match them' '
	for sec in __ex_table .altinstructions .altinstr_replacement __jump_table \
		__bug_table .orc_unwind; do
		echo "# $sec" &&
		contents special-sections.x86_64/out.o $sec || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	# __ex_table
	00 00 00 00 00 00 00 00 03 00 00 00
	# .altinstructions
	00 00 00 00 00 00 00 00 1f 01 00 00 03 03 00 00
	00 00 00 00 00 00 77 00 00 00 05 05
	# .altinstr_replacement
	0f ae e8 0f ae e8 e8 00 00 00 00
	# __jump_table
	00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	# __bug_table
	00 00 00 00 00 00 00 00 db 00 01 09
	# .orc_unwind
	10 00 00 00 15 00
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: changed() is carried with its entries and the replacements after its end' '
	test_expect_code 0 cdo special-sections.arm64 &&
	echo "changed function: changed (size)" >expect &&
	test_cmp expect special-sections.arm64/stdout &&
	test_file_empty special-sections.arm64/stderr &&
	{
		sizes special-sections.arm64/patched.o "${ARM64_TABLES[@]}" &&
		echo "# the diff object" &&
		sizes special-sections.arm64/out.o "${ARM64_TABLES[@]}" .text.changed &&
		symbols special-sections.arm64/out.o changed &&
		cdo_relocs special-sections.arm64/out.o "${ARM64_TABLES[@]}"
	} >actual &&
	cat >expect <<-\EOF &&
	__ex_table size=24
	.altinstructions size=36
	__jump_table size=32
	__bug_table size=24
	__patchable_function_entries size=16
	# the diff object
	__ex_table size=12
	.altinstructions size=24
	__jump_table size=16
	__bug_table size=12
	__patchable_function_entries size=8
	.text.changed size=76
	Y changed GLOBAL FUNC .text.changed off=0 size=68
	R __ex_table+0 R_AARCH64_PREL32 changed +8
	R __ex_table+0x4 R_AARCH64_PREL32 changed +12
	R .altinstructions+0 R_AARCH64_PREL32 changed +12
	R .altinstructions+0x4 R_AARCH64_PREL32 changed +68
	R .altinstructions+0xc R_AARCH64_PREL32 changed +16
	R .altinstructions+0x10 R_AARCH64_PREL32 changed +72
	R __jump_table+0 R_AARCH64_PREL32 changed +36
	R __jump_table+0x4 R_AARCH64_PREL32 changed +52
	R __jump_table+0x8 R_AARCH64_PREL64 kpng_key +0
	R __bug_table+0 R_AARCH64_PREL32 changed +52
	R __bug_table+0x4 R_AARCH64_PREL32 .rodata.str +19
	R __patchable_function_entries+0 R_AARCH64_ABS64 changed +0
	EOF
	test_cmp expect actual &&
	for sec in __ex_table .altinstructions __bug_table; do
		echo "# $sec" &&
		contents special-sections.arm64/out.o $sec || return 1
	done >actual &&
	echo "# the end of .text.changed: ret, then the replacements: dmb ish, dsb sy" >>actual &&
	contents special-sections.arm64/out.o .text.changed | tail -n 1 >>actual &&
	cat >expect <<-\EOF &&
	# __ex_table
	00 00 00 00 00 00 00 00 02 00 e1 03
	# .altinstructions
	00 00 00 00 00 00 00 00 0c 00 04 04 00 00 00 00
	00 00 00 00 22 00 04 04
	# __bug_table
	00 00 00 00 00 00 00 00 db 00 01 09
	# the end of .text.changed: ret, then the replacements: dmb ish, dsb sy
	c0 03 5f d6 bf 3b 03 d5 9f 3f 03 d5
	EOF
	test_cmp expect actual
'

for arch in x86_64 arm64; do
	test_expect_success "refuse-special-entry ($arch): each unchanged function whose entry changed, by table" '
		refused refuse-special-entry.'$arch' &&
		sed -e "s/, but the function.s code did not change: .*//" \
			refuse-special-entry.'$arch'/stderr >actual &&
		case '$arch' in
		x86_64) fenced=0x5 relaxed=0x7 gated=0x7 warned=0xa copy_in=0x8 ;;
		arm64) fenced=0x8 relaxed=0x8 gated=0x8 warned=0x10 copy_in=0xc ;;
		esac &&
		cat >expect <<-EOF &&
		create-diff-object: error: patched.o: copy_in: __ex_table entry at copy_in+$copy_in: its contents changed
		create-diff-object: error: patched.o: fenced: .altinstructions entry at fenced+$fenced: its replacement code changed
		create-diff-object: error: patched.o: relaxed: .altinstructions entry at relaxed+$relaxed: removed
		create-diff-object: error: patched.o: gated: __jump_table entry at gated+$gated: what it points at changed
		create-diff-object: error: patched.o: warned: __bug_table entry at warned+$warned: its contents changed
		EOF
		# On arm64 the replacements are the tail of the function'"'"'s own
		# section (tail.c): fenced() and relaxed() changed there, are
		# changed functions and carried with their new tails (alt-tail).
		if [ '$arch' = arm64 ]; then
			grep -v -e " fenced: " -e " relaxed: " expect >expect.arm64 &&
			mv expect.arm64 expect
		fi &&
		test_cmp expect actual
	'
done

test_expect_success 'refuse-special-entry: the whole message: the rule, and what to do' '
	sed -n 2p refuse-special-entry.x86_64/stderr >actual &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: fenced: .altinstructions entry at fenced+0x5: its replacement code changed, but the function'"'"'s code did not change: the livepatch carries changed functions only, with their entries, so the running kernel would keep the old entry; change fenced itself in the patch so that it is carried with the new entry, or mark it KPATCH_IGNORE_FUNCTION(fenced) to keep the old one
	EOF
	test_cmp expect actual
'

# ignored DIR FUNCTION...: refuse-special-entry compiled into DIR, with
# KPATCH_IGNORE_FUNCTION(FUNCTION) in the patched half (emulated, as
# kmod/kpatch-macros.h expands it; a fixture pair would spoil t1000's
# identity sweep).
ignored() {
	local dir=$1 fn src=$CDO_FIXTURES/refuse-special-entry
	local -a CDO_CC=()
	shift
	cdo_cc x86_64 &&
	mkdir -p "$dir/a" "$dir/b" &&
	cp "$src/orig.c" "$dir/a/refuse-special-entry.c" &&
	{
		cat "$src/patched.c" &&
		echo "#define KPATCH_IGNORE_FUNCTION(fn) static void *__kpatch_ignore_func_##fn \\" &&
		echo "	__attribute__((used, section(\".kpatch.ignore.functions\"))) = (void *)(fn);" &&
		for fn in "$@"; do
			echo "KPATCH_IGNORE_FUNCTION($fn)"
		done
	} >"$dir/b/refuse-special-entry.c" &&
	(cd "$dir/a" && "${CDO_CC[@]}" -o ../orig.o refuse-special-entry.c) &&
	(cd "$dir/b" && "${CDO_CC[@]}" -o ../patched.o refuse-special-entry.c) &&
	cdo_symvers "$dir/Module.symvers" "${EXPORTS[@]}"
}

test_expect_success 'refuse-special-entry: KPATCH_IGNORE_FUNCTION keeps the old entries: nothing changed (exit 3)' '
	ignored ignored fenced copy_in gated warned relaxed &&
	tail -n 3 ignored/b/refuse-special-entry.c >actual &&
	cat >expect <<-\EOF &&
	KPATCH_IGNORE_FUNCTION(gated)
	KPATCH_IGNORE_FUNCTION(warned)
	KPATCH_IGNORE_FUNCTION(relaxed)
	EOF
	test_cmp expect actual &&
	test_expect_code 3 cdo ignored &&
	test_file_empty ignored/stdout &&
	echo "create-diff-object: no changed functions in patched.o" >expect &&
	test_cmp expect ignored/stderr
'

test_expect_success 'special-noise: a bug entry'"'"'s line, ORC, .smp_locks differ; nothing changed (exit 3)' '
	for obj in orig patched; do
		contents special-noise.x86_64/$obj.o __bug_table &&
		contents special-noise.x86_64/$obj.o .orc_unwind &&
		sizes special-noise.x86_64/$obj.o .smp_locks || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	00 00 00 00 00 00 00 00 3a 00 01 09
	10 00 00 00 15 00
	.smp_locks size=4
	00 00 00 00 00 00 00 00 3b 00 01 09
	08 00 00 00 15 00
	EOF
	test_cmp expect actual &&
	for arch in x86_64 arm64; do
		test_expect_code 3 cdo special-noise.$arch &&
		test_file_empty special-noise.$arch/stdout &&
		echo "create-diff-object: no changed functions in patched.o" >expect &&
		test_cmp expect special-noise.$arch/stderr || return 1
	done
'

test_expect_success 'special-shared-tail (x86_64): first() is carried with its alternative' '
	test_expect_code 0 cdo special-shared-tail.x86_64 &&
	echo "changed function: first (code)" >expect &&
	test_cmp expect special-shared-tail.x86_64/stdout &&
	cdo_relocs special-shared-tail.x86_64/out.o .altinstructions >actual &&
	cat >expect <<-\EOF &&
	R .altinstructions+0 R_X86_64_PC32 first +5
	R .altinstructions+0x4 R_X86_64_PC32 .altinstr_replacement +0
	EOF
	test_cmp expect actual
'

# On an IBT kernel objtool checks the whole livepatch module: a jump from
# an alternative's replacement back into its function must stay against
# the function's section symbol, as the assembler wrote it, or objtool
# takes it for a sibling call from inside a stack frame and rejects the
# module (fs/proc/meminfo.c's meminfo_proc_show on Debian's kernel).
test_expect_success 'alt-jump-back (x86_64): the replacement'"'"'s jump into changed() stays against its section symbol' '
	cdo_pairs x86_64 alt-jump-back &&
	cdo_symvers alt-jump-back.x86_64/Module.symvers &&
	test_expect_code 0 cdo alt-jump-back.x86_64 &&
	echo "changed function: changed (code)" >expect &&
	test_cmp expect alt-jump-back.x86_64/stdout &&
	{
		echo "# the original" &&
		cdo_relocs alt-jump-back.x86_64/patched.o .altinstr_replacement &&
		echo "# the diff object" &&
		cdo_relocs alt-jump-back.x86_64/out.o .altinstructions .altinstr_replacement
	} >actual &&
	cat >expect <<-\EOF &&
	# the original
	R .altinstr_replacement+0x1 R_X86_64_PC32 .text.changed +12
	# the diff object
	R .altinstructions+0 R_X86_64_PC32 changed +8
	R .altinstructions+0x4 R_X86_64_PC32 .altinstr_replacement +0
	R .altinstr_replacement+0x1 R_X86_64_PC32 .text.changed +12
	EOF
	test_cmp expect actual
'

test_expect_success 'special-shared-tail (arm64): first()'"'"'s replacement after the functions of .sched.text is refused' '
	refused special-shared-tail.arm64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: first: .altinstructions entry at first+0x8: its replacement code at .sched.text+0x28 lies after the functions of .sched.text, which holds several: the differ carries such code only from a section of one function; leave the functions of .sched.text that have alternatives unchanged
	EOF
	test_cmp expect special-shared-tail.arm64/stderr
'

# arm64's replacements in a function's own section lie past its symbol's
# size (its tail, create-diff-object/tail.c): compared and carried with it.
# Before, a tail the patch added (025-percpu-counter's this_cpu_inc_return()
# on 7.x arm64) was refused as bytes no sized symbol covers, and a change
# only there was that refusal too.
test_expect_success 'alt-tail (arm64): a new tail and a changed replacement are the function'"'"'s change, carried with it' '
	cdo_pairs arm64 alt-tail &&
	test_expect_code 0 cdo alt-tail.arm64 &&
	cat >expect <<-\EOF &&
	changed function: grown (size)
	changed function: repl (code)
	EOF
	test_cmp expect alt-tail.arm64/stdout &&
	test_file_empty alt-tail.arm64/stderr &&
	cdo_relocs alt-tail.arm64/out.o .altinstructions >actual &&
	cat >expect <<-\EOF &&
	R .altinstructions+0 R_AARCH64_PREL32 grown +8
	R .altinstructions+0x4 R_AARCH64_PREL32 grown +20
	R .altinstructions+0xc R_AARCH64_PREL32 repl +8
	R .altinstructions+0x10 R_AARCH64_PREL32 repl +20
	EOF
	test_cmp expect actual &&
	# Each carried copy holds its tail: the replacement at +20 (0x14).
	for f in grown repl; do
		contents alt-tail.arm64/out.o .text.$f | tr -s " \n" " " >actual.$f || return 1
	done &&
	printf "%s" "1f 20 03 d5 1f 20 03 d5 1f 20 03 d5 00 0c 00 11 c0 03 5f d6 bf 3b 03 d5 " >expect.grown &&
	printf "%s" "1f 20 03 d5 1f 20 03 d5 1f 20 03 d5 00 78 1f 53 c0 03 5f d6 bf 39 03 d5 " >expect.repl &&
	test_cmp expect.grown actual.grown &&
	test_cmp expect.repl actual.repl
'

test_expect_success 'tail-stub: code without .size after a function is no tail of it: refused, on both arches' '
	cdo_pairs x86_64 tail-stub &&
	cdo_pairs arm64 tail-stub &&
	for arch in x86_64 arm64; do
		case $arch in
		x86_64) range=0x16..0x1c ;;
		arm64) range=0x20..0x28 ;;
		esac &&
		refused tail-stub.$arch &&
		echo "create-diff-object: error: patched.o: .text.run+$range: changed bytes that no sized function or object covers (asm data or code without .size, a symbol of size 0; after stub): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are" >expect &&
		test_cmp expect tail-stub.$arch/stderr || return 1
	done
'

test_expect_success 'alt-module-ref: a replacement referring to a klp symbol: carried for vmlinux, refused for a module' '
	cdo_pairs x86_64 alt-module-ref &&
	cdo_pairs arm64 alt-module-ref &&
	for arch in x86_64 arm64; do
		case $arch in
		x86_64) site=0x5 repl=.altinstr_replacement+0x1 ;;
		arm64) site=0x8 repl=.text.fast+0x14 ;;
		esac &&
		test_expect_code 0 cdo alt-module-ref.$arch &&
		echo "changed function: fast (code)" >expect &&
		test_cmp expect alt-module-ref.$arch/stdout &&
		rm -f alt-module-ref.$arch/out.o &&
		test_expect_code 2 cdo alt-module-ref.$arch -n mymod &&
		test_file_empty alt-module-ref.$arch/stdout &&
		cdo_missing alt-module-ref.$arch/out.o &&
		echo "create-diff-object: error: patched.o: fast: .altinstructions entry at fast+$site: its replacement code at $repl refers to helper of mymod, which the livepatch reaches by a klp relocation: the kernel applies the livepatch'"'"'s alternatives when it loads, before its klp relocations to mymod are written, and would copy the replacement unrelocated; leave helper out of the alternative'"'"'s replacement" >expect &&
		test_cmp expect alt-module-ref.$arch/stderr || return 1
	done
'

test_expect_success 'special-bug-short: 8-byte bug entries (no CONFIG_DEBUG_BUGVERBOSE): changed() is carried with its own' '
	for arch in x86_64 arm64; do
		echo "# $arch" &&
		test_expect_code 0 cdo special-bug-short.$arch &&
		test_file_empty special-bug-short.$arch/stderr &&
		cat special-bug-short.$arch/stdout &&
		sizes special-bug-short.$arch/patched.o __bug_table &&
		sizes special-bug-short.$arch/out.o __bug_table &&
		contents special-bug-short.$arch/out.o __bug_table &&
		cdo_relocs special-bug-short.$arch/out.o __bug_table || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	# x86_64
	changed function: changed (code)
	__bug_table size=24
	__bug_table size=8
	00 00 00 00 03 09 00 00
	R __bug_table+0 R_X86_64_PC32 changed +13
	# arm64
	changed function: changed (code)
	__bug_table size=24
	__bug_table size=8
	00 00 00 00 03 09 00 00
	R __bug_table+0 R_AARCH64_PREL32 changed +16
	EOF
	test_cmp expect actual
'

test_expect_success 'special-bug-marked: 7.x'"'"'s 16-byte marked bug entries: changed() is carried with its own, first()'"'"'s moved line is noise' '
	test_expect_code 0 cdo special-bug-marked.x86_64 &&
	test_file_empty special-bug-marked.x86_64/stderr &&
	{
		cat special-bug-marked.x86_64/stdout &&
		sizes special-bug-marked.x86_64/patched.o __bug_table &&
		sizes special-bug-marked.x86_64/out.o __bug_table &&
		contents special-bug-marked.x86_64/out.o __bug_table &&
		cdo_relocs special-bug-marked.x86_64/out.o __bug_table
	} >actual &&
	cat >expect <<-\EOF &&
	changed function: changed (code)
	__bug_table size=48
	__bug_table size=16
	00 00 00 00 00 00 00 00 00 00 00 00 14 00 03 09
	R __bug_table+0 R_X86_64_PC32 changed +13
	R __bug_table+0x4 R_X86_64_PC32 .rodata.first.str1.1 +0
	R __bug_table+0x8 R_X86_64_PC32 .rodata.first.str1.1 +1
	EOF
	test_cmp expect actual
'

test_expect_success 'special-bug-marked-short: 7.x'"'"'s 12-byte marked bug entries: +8 is the flags, not 6.12'"'"'s line: a changed flag is refused' '
	refused special-bug-marked-short.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: first: __bug_table entry at first+0xa: its contents changed
	EOF
	sed -e "s/, but the function.s code did not change: .*//" \
		special-bug-marked-short.x86_64/stderr | head -n 1 >actual &&
	test_cmp expect actual
'

test_expect_success 'special-bug-marked-short without its marks: 6.12'"'"'s 12-byte entry, +8 its line: noise, nothing changed (exit 3)' '
	mkdir -p unmarked &&
	for obj in orig patched; do
		objcopy --remove-section=.discard.annotate_data \
			--remove-section=.rela.discard.annotate_data \
			special-bug-marked-short.x86_64/$obj.o unmarked/$obj.o || return 1
	done &&
	cp special-bug-marked-short.x86_64/Module.symvers unmarked/ &&
	test_expect_code 3 cdo unmarked
'

test_expect_success 'a mark that is not at an entry'"'"'s start: no layout, refused, naming the section' '
	mkdir -p misplaced &&
	for obj in orig patched; do
		cp special-bug-marked.x86_64/$obj.o misplaced/$obj.o &&
		chmod u+w misplaced/$obj.o || return 1
	done &&
	cp special-bug-marked.x86_64/Module.symvers misplaced/ &&
	python3 - misplaced/patched.o <<-\PY &&
	import struct, sys
	# the addend of the second mark (RELA entry 1 of
	# .rela.discard.annotate_data): 0x10 -> 0x12
	p = sys.argv[1]; b = bytearray(open(p, "rb").read())
	shoff, = struct.unpack_from("<Q", b, 0x28)
	shnum, shstrndx = struct.unpack_from("<HH", b, 0x3c)
	def sh(i): return struct.unpack_from("<IIQQQQIIQQ", b, shoff + 64 * i)
	strs = sh(shstrndx)[4]
	for i in range(shnum):
	    h = sh(i); n = b[strs + h[0]:b.index(0, strs + h[0])].decode()
	    if n == ".rela.discard.annotate_data":
	        struct.pack_into("<q", b, h[4] + 24 + 16, 0x12)
	open(p, "wb").write(b)
	PY
	refused misplaced &&
	grep -q "patched.o: __bug_table: cannot tell the size of its entries" misplaced/stderr
'

# objtool writes its tables with sh_entsize (elf_create_section_pair());
# the fixtures' asm cannot.  Set, it gives the layout, and the copies keep it.
test_expect_success 'x86_64: sh_entsize, as objtool sets it, gives the layout: the same entries kept' '
	mkdir entsize &&
	cp special-sections.x86_64/orig.o special-sections.x86_64/patched.o \
		special-sections.x86_64/Module.symvers entsize/ &&
	chmod u+w entsize/*.o &&
	for obj in entsize/orig.o entsize/patched.o; do
		elf-patch $obj shdr .static_call_sites sh_entsize 8 &&
		elf-patch $obj shdr .retpoline_sites sh_entsize 4 &&
		elf-patch $obj shdr .orc_unwind_ip sh_entsize 4 &&
		elf-patch $obj shdr .orc_unwind sh_entsize 6 || return 1
	done &&
	test_expect_code 0 cdo entsize &&
	test_file_empty entsize/stderr &&
	kelf-dump -S entsize/out.o | awk "\$3 ~ /^(.static_call_sites|.retpoline_sites|.orc_unwind_ip|.orc_unwind)\$/ { print \$3, \$6, \$9 }" >actual &&
	cat >expect <<-\EOF &&
	.static_call_sites size=8 entsize=8
	.retpoline_sites size=4 entsize=4
	.orc_unwind_ip size=4 entsize=4
	.orc_unwind size=6 entsize=6
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: an sh_entsize its relocations do not follow is refused' '
	mkdir entsize-bad &&
	cp special-sections.x86_64/orig.o special-sections.x86_64/patched.o \
		special-sections.x86_64/Module.symvers entsize-bad/ &&
	chmod u+w entsize-bad/*.o &&
	elf-patch entsize-bad/patched.o shdr __bug_table sh_entsize 8 &&
	test_expect_code 2 cdo entsize-bad &&
	cdo_missing entsize-bad/out.o &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: __bug_table: its relocations do not follow the layout its sh_entsize 8 gives (8 bytes relocated at +0 (no CONFIG_DEBUG_BUGVERBOSE)): not a table the kernel builds
	EOF
	test_cmp expect entsize-bad/stderr
'

# unknown_layout DIR: an object whose __bug_table has 16-byte entries (a
# layout no 6.12 kernel builds), and whose .static_call_sites says its
# entries are 12 bytes (sh_entsize, set by the "aM" form): diffed against
# the same source with another return value.  Not a fixture pair, which
# t1000 would diff against itself.
unknown_layout() {
	local dir=$1 half
	local -a CDO_CC=()
	cdo_cc x86_64 &&
	mkdir -p "$dir/a" "$dir/b" &&
	for half in a b; do
		cat >"$dir/$half/unknown-layout.c" <<-EOF || return 1
		int warned(int x)
		{
			if (x > 100)
				asm volatile("1:\tud2\n"
					     ".pushsection __bug_table,\"aw\"\n"
					     "2:\t.long 1b - .\n"
					     "\t.long 1b - .\n"
					     "\t.word 0x901\n"
					     "\t.org 2b+16\n"
					     ".popsection\n"
					     ".pushsection .static_call_sites,\"aM\",@progbits,12\n"
					     ".long 1b - .\n"
					     ".long kpng_key - .\n"
					     ".long 0\n"
					     ".popsection\n");
			return x - $([ "$half" = a ] && echo 1 || echo 2);
		}
		EOF
	done &&
	(cd "$dir/a" && "${CDO_CC[@]}" -o ../orig.o unknown-layout.c) &&
	(cd "$dir/b" && "${CDO_CC[@]}" -o ../patched.o unknown-layout.c) &&
	cdo_symvers "$dir/Module.symvers" "${EXPORTS[@]}"
}

test_expect_success 'a table whose entry size cannot be known is refused, naming the section and the rule' '
	unknown_layout unknown-layout &&
	test_expect_code 2 cdo unknown-layout &&
	test_file_empty unknown-layout/stdout &&
	cdo_missing unknown-layout/out.o &&
	cat >expect <<-\EOF &&
	create-diff-object: error: orig.o: .static_call_sites: cannot tell the layout of its entries: its sh_entsize 12 is the size of none of the layouts known for it (8 bytes relocated at +0, +4); add this kernel'"'"'s layout of .static_call_sites to arch/x86_64/special.c
	create-diff-object: error: patched.o: .static_call_sites: cannot tell the layout of its entries: its sh_entsize 12 is the size of none of the layouts known for it (8 bytes relocated at +0, +4); add this kernel'"'"'s layout of .static_call_sites to arch/x86_64/special.c
	create-diff-object: error: orig.o: __bug_table: cannot tell the size of its entries: its sh_entsize is 0, and its relocations follow none of the layouts known for it (12 bytes relocated at +0, +4 (CONFIG_DEBUG_BUGVERBOSE); 8 bytes relocated at +0 (no CONFIG_DEBUG_BUGVERBOSE); 16 bytes relocated at +0, +4, +8 (CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format, each marked by ANNOTATE_DATA_SPECIAL); 12 bytes relocated at +0, +4 (no CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format, each marked by ANNOTATE_DATA_SPECIAL)); add this kernel'"'"'s layout of __bug_table to arch/x86_64/special.c
	create-diff-object: error: patched.o: __bug_table: cannot tell the size of its entries: its sh_entsize is 0, and its relocations follow none of the layouts known for it (12 bytes relocated at +0, +4 (CONFIG_DEBUG_BUGVERBOSE); 8 bytes relocated at +0 (no CONFIG_DEBUG_BUGVERBOSE); 16 bytes relocated at +0, +4, +8 (CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format, each marked by ANNOTATE_DATA_SPECIAL); 12 bytes relocated at +0, +4 (no CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format, each marked by ANNOTATE_DATA_SPECIAL)); add this kernel'"'"'s layout of __bug_table to arch/x86_64/special.c
	EOF
	test_cmp expect unknown-layout/stderr
'

test_done
