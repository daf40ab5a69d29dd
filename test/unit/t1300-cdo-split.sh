#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: functions GCC splits or clones (.cold, .part, .isra, .constprop; x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# A changed part changes its parent ("part changed") and a changed parent
# its parts ("parent changed"); clones without a parent (IPA-SRA and IPA-CP
# at -O2 replace the function) are reported under their own names.

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 cold-path cold-parent-change part-slow-change part-fast-change \
		isra-clone constprop-clone
'

test_expect_success 'cold: GCC 12 splits checked() into checked and checked.cold, on both sides' '
	for p in cold-path cold-parent-change; do
		for s in orig patched; do
			symbols $p.x86_64/$s.o checked checked.cold || return 1
		done
	done >actual &&
	for i in 1 2 3 4; do
		echo "Y checked GLOBAL FUNC .text.checked off=0 size=84" &&
		echo "Y checked.cold LOCAL FUNC .text.unlikely.checked off=0 size=28" || return 1
	done >expect &&
	test_cmp expect actual
'

test_expect_success 'cold-path: a change in the cold part changes its parent' '
	test_expect_code 0 cdo cold-path.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: checked.cold (relocation)
	changed function: checked (part changed)
	EOF
	test_cmp expect cold-path.x86_64/stdout &&
	test_file_empty cold-path.x86_64/stderr
'

# The jumps between checked and checked.cold stay against the section
# symbols the assembler wrote them with: objtool, which checks the whole
# livepatch module on IBT kernels, takes a jump against a function symbol
# for a sibling call.
test_expect_success 'cold-path: both parts are carried, the parent alone is patched' '
	cdo_view cold-path.x86_64/out.o .text.checked .text.checked.cold >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.checked.str1.1
	.text.checked
	.text.checked.cold
	__mcount_loc
	# symbols
	.klp.sym.vmlinux.total,0 GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	__warn_printk GLOBAL NOTYPE UNDEF size=0
	checked GLOBAL FUNC .text.checked size=84
	checked.cold LOCAL FUNC .text.checked.cold size=28
	# relocations
	R .text.checked+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.checked+0x2a R_X86_64_PC32 .text.checked.cold -4
	R .text.checked+0x3d R_X86_64_PC32 .klp.sym.vmlinux.total,0 -4
	R .text.checked.cold+0x5 R_X86_64_32S .rodata.checked.str1.1 +0
	R .text.checked.cold+0xa R_X86_64_PLT32 __warn_printk -4
	R .text.checked.cold+0x18 R_X86_64_PC32 .text.checked +45
	# livepatch tables
	F checked checked vmlinux sympos=0
	K .text.checked+0x3d R_X86_64_PC32 total vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'cold-parent-change: a change in the hot part changes the cold part too' '
	test_expect_code 0 cdo cold-parent-change.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: checked.cold (parent changed)
	changed function: checked (code)
	EOF
	test_cmp expect cold-parent-change.x86_64/stdout &&
	test_file_empty cold-parent-change.x86_64/stderr &&
	{ cdo_sections cold-parent-change.x86_64/out.o && lp-dump cold-parent-change.x86_64/out.o; } >actual &&
	cat >expect <<-\EOF &&
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.checked.str1.1
	.text.checked
	.text.checked.cold
	__mcount_loc
	F checked checked vmlinux sympos=0
	K .text.checked+0x3d R_X86_64_PC32 total vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'part: GCC keeps report() and outlines its slow path as report.part.0' '
	for p in part-slow-change part-fast-change; do
		symbols $p.x86_64/orig.o report report.part.0 || return 1
	done >actual &&
	for i in 1 2; do
		echo "Y report GLOBAL FUNC .text.report off=0 size=41" &&
		echo "Y report.part.0 LOCAL FUNC .text.report.part.0 off=0 size=129" || return 1
	done >expect &&
	test_cmp expect actual
'

test_expect_success 'part-slow-change: a change in .part.0 changes its parent, not the callers' '
	test_expect_code 0 cdo part-slow-change.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: report.part.0 (relocation)
	changed function: report (part changed)
	EOF
	test_cmp expect part-slow-change.x86_64/stdout &&
	test_file_empty part-slow-change.x86_64/stderr &&
	{ cdo_symbols part-slow-change.x86_64/out.o && lp-dump part-slow-change.x86_64/out.o; } >actual &&
	cat >expect <<-\EOF &&
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	printk GLOBAL NOTYPE UNDEF size=0
	report GLOBAL FUNC .text.report size=41
	report.part.0 LOCAL FUNC .text.report.part.0 size=129
	verbose GLOBAL NOTYPE UNDEF size=0
	F report.part.0 report.part.0 vmlinux sympos=0
	F report report vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'part-fast-change: a change in the parent changes .part.0 and the inlined callers' '
	test_expect_code 0 cdo part-fast-change.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: report.part.0 (parent changed)
	changed function: report (size)
	changed function: report_three (size)
	changed function: report_two (size)
	EOF
	test_cmp expect part-fast-change.x86_64/stdout &&
	test_file_empty part-fast-change.x86_64/stderr &&
	lp-dump part-fast-change.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	F report.part.0 report.part.0 vmlinux sympos=0
	F report report vmlinux sympos=0
	F report_three report_three vmlinux sympos=0
	F report_two report_two vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'isra-clone: pick() exists only as pick.isra.0; a change in it reports the clone' '
	symbols isra-clone.x86_64/orig.o pick pick.isra.0 >actual &&
	echo "Y pick.isra.0 LOCAL FUNC .text.pick.isra.0 off=0 size=29" >expect &&
	test_cmp expect actual &&
	test_expect_code 0 cdo isra-clone.x86_64 &&
	echo "changed function: pick.isra.0 (relocation)" >expect &&
	test_cmp expect isra-clone.x86_64/stdout &&
	test_file_empty isra-clone.x86_64/stderr &&
	{ cdo_symbols isra-clone.x86_64/out.o && lp-dump isra-clone.x86_64/out.o; } >actual &&
	cat >expect <<-\EOF &&
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	pick.isra.0 LOCAL FUNC .text.pick.isra.0 size=29
	printk GLOBAL NOTYPE UNDEF size=0
	F pick.isra.0 pick.isra.0 vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'constprop-clone: scaled() exists only as scaled.constprop.0; its change reports it' '
	symbols constprop-clone.x86_64/orig.o scaled scaled.constprop.0 >actual &&
	echo "Y scaled.constprop.0 LOCAL FUNC .text.scaled.constprop.0 off=0 size=40" >expect &&
	test_cmp expect actual &&
	test_expect_code 0 cdo constprop-clone.x86_64 &&
	echo "changed function: scaled.constprop.0 (relocation)" >expect &&
	test_cmp expect constprop-clone.x86_64/stdout &&
	test_file_empty constprop-clone.x86_64/stderr &&
	{ cdo_symbols constprop-clone.x86_64/out.o && lp-dump constprop-clone.x86_64/out.o; } >actual &&
	cat >expect <<-\EOF &&
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	printk GLOBAL NOTYPE UNDEF size=0
	scaled.constprop.0 LOCAL FUNC .text.scaled.constprop.0 size=40
	F scaled.constprop.0 scaled.constprop.0 vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_done
