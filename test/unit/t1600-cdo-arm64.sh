#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object on arm64: the basic rules, mapping symbols'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# GNU as for arm64 puts a "$d" mapping symbol at offset 0 of every string
# section (and "$x" in code).  They name nothing: a reference to a string
# must still be compared by its text, and "$d" must never be looked up in
# the running kernel.  arm64 has no __fentry__ call: ftrace's sites are
# the two NOPs that __patchable_function_entries lists.

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs arm64 code-change string-text string-shared-shift new-function-above \
		new-callee-and-data static-local-renumbered static-local-shared-section \
		call-other refuse-data-init
'

test_expect_success 'string sections start with a $d mapping symbol' '
	symbols string-text.arm64/orig.o "\$d" >actual &&
	cat >expect <<-\EOF &&
	Y $d LOCAL NOTYPE .rodata.greet.str1.8 off=0 size=0
	Y $d LOCAL NOTYPE __patchable_function_entries off=0 size=0
	Y $d LOCAL NOTYPE .rodata.other.str1.8 off=0 size=0
	Y $d LOCAL NOTYPE .eh_frame off=0x14 size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'code-change: only grow() is reported, carried with a klp relocation to first()' '
	test_expect_code 0 cdo code-change.arm64 &&
	echo "changed function: grow (size)" >expect &&
	test_cmp expect code-change.arm64/stdout &&
	test_file_empty code-change.arm64/stderr &&
	cdo_view code-change.arm64/out.o .text.grow >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.grow
	__patchable_function_entries
	# symbols
	.klp.sym.vmlinux.first,0 GLOBAL NOTYPE UNDEF size=0
	grow GLOBAL FUNC .text.grow size=48
	# relocations
	R .text.grow+0x18 R_AARCH64_CALL26 .klp.sym.vmlinux.first,0 +0
	# livepatch tables
	F grow grow vmlinux sympos=0
	K .text.grow+0x18 R_AARCH64_CALL26 first vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'string-text: a changed literal is a change, compared by its text' '
	test_expect_code 0 cdo string-text.arm64 -e &&
	cat >expect <<-\EOF &&
	  greet: first difference at greet+0xc (relocation)
	    original: .text.greet+0xc R_AARCH64_ADR_PREL_PG_HI21 -> "hello %d\n"
	    patched: .text.greet+0xc R_AARCH64_ADR_PREL_PG_HI21 -> "hullo %d\n"
	changed function: greet (relocation)
	EOF
	test_cmp expect string-text.arm64/stdout &&
	test_file_empty string-text.arm64/stderr &&
	cdo_view string-text.arm64/out.o .text.greet >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.greet.str1.8
	.text.greet
	__patchable_function_entries
	# symbols
	greet GLOBAL FUNC .text.greet size=24
	printk GLOBAL NOTYPE UNDEF size=0
	# relocations
	R .text.greet+0xc R_AARCH64_ADR_PREL_PG_HI21 .rodata.greet.str1.8 +0
	R .text.greet+0x10 R_AARCH64_ADD_ABS_LO12_NC .rodata.greet.str1.8 +0
	R .text.greet+0x14 R_AARCH64_JUMP26 printk +0
	# livepatch tables
	F greet greet vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'string-shared-shift: a moved string leaves listener() unchanged' '
	{
		relocs string-shared-shift.arm64/orig.o .text.listener &&
		relocs string-shared-shift.arm64/patched.o .text.listener
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.listener+0xc R_AARCH64_ADR_PREL_PG_HI21 .rodata.talker.str1.8 +0
	R .text.listener+0x10 R_AARCH64_ADD_ABS_LO12_NC .rodata.talker.str1.8 +0
	R .text.listener+0x14 R_AARCH64_JUMP26 printk +0
	R .text.listener+0xc R_AARCH64_ADR_PREL_PG_HI21 .rodata.talker.str1.8 +24
	R .text.listener+0x10 R_AARCH64_ADD_ABS_LO12_NC .rodata.talker.str1.8 +24
	R .text.listener+0x14 R_AARCH64_JUMP26 printk +0
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo string-shared-shift.arm64 &&
	echo "changed function: talker (size)" >expect &&
	test_cmp expect string-shared-shift.arm64/stdout &&
	test_file_empty string-shared-shift.arm64/stderr
'

test_expect_success 'new-function-above: one more $d changes none of the other functions' '
	test_expect_code 0 cdo new-function-above.arm64 &&
	echo "new function: added" >expect &&
	test_cmp expect new-function-above.arm64/stdout &&
	test_file_empty new-function-above.arm64/stderr &&
	cdo_symbols new-function-above.arm64/out.o >actual &&
	cat >expect <<-\EOF &&
	added GLOBAL FUNC .text.added size=44
	printk GLOBAL NOTYPE UNDEF size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'new-callee-and-data: the new function and variable are carried' '
	test_expect_code 0 cdo new-callee-and-data.arm64 &&
	cat >expect <<-\EOF &&
	new function: added_helper
	changed function: user (size)
	EOF
	test_cmp expect new-callee-and-data.arm64/stdout &&
	test_file_empty new-callee-and-data.arm64/stderr &&
	{
		cdo_symbols new-callee-and-data.arm64/out.o &&
		relocs new-callee-and-data.arm64/out.o .text.user | grep -F .klp.sym. &&
		lp-dump new-callee-and-data.arm64/out.o
	} >actual &&
	cat >expect <<-\EOF &&
	.klp.sym.vmlinux.existing,0 GLOBAL NOTYPE UNDEF size=0
	added_helper LOCAL FUNC .text.added_helper size=40
	added_total GLOBAL OBJECT .bss.added_total size=4
	printk GLOBAL NOTYPE UNDEF size=0
	user GLOBAL FUNC .text.user size=84
	R .text.user+0xc R_AARCH64_ADR_PREL_PG_HI21 .klp.sym.vmlinux.existing,0 +0
	R .text.user+0x14 R_AARCH64_LDST32_ABS_LO12_NC .klp.sym.vmlinux.existing,0 +0
	R .text.user+0x28 R_AARCH64_LDST32_ABS_LO12_NC .klp.sym.vmlinux.existing,0 +0
	F user user vmlinux sympos=0
	K .text.user+0xc R_AARCH64_ADR_PREL_PG_HI21 existing vmlinux addend=0 sympos=0
	K .text.user+0x14 R_AARCH64_LDST32_ABS_LO12_NC existing vmlinux addend=0 sympos=0
	K .text.user+0x28 R_AARCH64_LDST32_ABS_LO12_NC existing vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'static locals renumbered, in their own sections or one: only last() is reported' '
	for p in static-local-renumbered static-local-shared-section; do
		test_expect_code 0 cdo $p.arm64 &&
		cat $p.arm64/stdout $p.arm64/stderr || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	changed function: last (size)
	changed function: last (size)
	EOF
	test_cmp expect actual
'

test_expect_success 'call-other: the new callee and the static log_it() are klp relocations' '
	test_expect_code 0 cdo call-other.arm64 &&
	echo "changed function: dispatch (relocation)" >expect &&
	test_cmp expect call-other.arm64/stdout &&
	lp-dump call-other.arm64/out.o >actual &&
	cat >expect <<-\EOF &&
	F dispatch dispatch vmlinux sympos=0
	K .text.dispatch+0x18 R_AARCH64_CALL26 log_it vmlinux addend=0 sympos=0
	K .text.dispatch+0x20 R_AARCH64_CALL26 handler_b vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'only __patchable_function_entries differs: no change' '
	mkdir ftrace &&
	cp -L code-change.arm64/orig.o ftrace/orig.o &&
	cp -L code-change.arm64/orig.o ftrace/patched.o &&
	cdo_symvers ftrace/Module.symvers &&
	elf-patch ftrace/patched.o rela .rela__patchable_function_entries 0 r_addend 4 &&
	relocs ftrace/patched.o __patchable_function_entries >actual &&
	cat >expect <<-\EOF &&
	R __patchable_function_entries+0 R_AARCH64_ABS64 .text.first +4
	R __patchable_function_entries+0x8 R_AARCH64_ABS64 .text.shared +0
	R __patchable_function_entries+0x10 R_AARCH64_ABS64 .text.shared +16
	R __patchable_function_entries+0x18 R_AARCH64_ABS64 .text.caller +0
	EOF
	test_cmp expect actual &&
	test_expect_code 3 cdo ftrace &&
	test_file_empty ftrace/stdout &&
	echo "create-diff-object: no changed functions in patched.o" >expect &&
	test_cmp expect ftrace/stderr
'

test_expect_success 'refuse-data-init: a changed initializer is refused' '
	test_expect_code 2 cdo refuse-data-init.arm64 &&
	test_file_empty refuse-data-init.arm64/stdout &&
	cdo_missing refuse-data-init.arm64/out.o &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: threshold: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect refuse-data-init.arm64/stderr
'

test_expect_success 'new-callee-and-data: one __patchable_function_entries per function, linked to it; ld -r takes it' '
	readelf -SW new-callee-and-data.arm64/out.o >sections &&
	awk "/\] __patchable_function_entries/ { print \$(NF - 2) }" sections >links &&
	while read -r l; do
		sed -n "s/^ *\[ *$l\] \([^ ]*\) .*/\1/p" sections
	done <links | sort >actual &&
	printf ".text.%s\n" added_helper user >expect &&
	test_cmp expect actual &&
	echo "void other(void) {}" >other.c &&
	aarch64-linux-gnu-gcc -O2 -c -fpatchable-function-entry=2 -ffunction-sections other.c &&
	aarch64-linux-gnu-ld -r -o linked.o other.o new-callee-and-data.arm64/out.o
'

# Linux 7.x's arm64 build (CDO_ARM64PAC_CC): with
# DYNAMIC_FTRACE_WITH_CALL_OPS each function has two NOPs before its
# symbol (the ftrace_ops literal) and __patchable_function_entries points
# at the first of them, not into the function: no function contains that
# address, and the end of the one before it (grow's end is below's first
# NOP) must not take it.  The function is carried from those NOPs, with
# its bti c landing pad and its paciasp/autiasp pair as they are.
test_expect_success 'setup: the pairs built as Linux 7.x builds arm64 (CALL_OPS, PAC, BTI)' '
	cdo_pairs arm64pac code-change call-other literal-pool
'

test_expect_success 'CALL_OPS: grow() is carried from its two NOPs before it, its entry is grow-8' '
	test_expect_code 0 cdo code-change.arm64pac &&
	echo "changed function: grow (size)" >expect &&
	test_cmp expect code-change.arm64pac/stdout &&
	test_file_empty code-change.arm64pac/stderr &&
	cdo_view code-change.arm64pac/out.o .text.grow __patchable_function_entries >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.grow
	__patchable_function_entries
	# symbols
	.klp.sym.vmlinux.first,0 GLOBAL NOTYPE UNDEF size=0
	grow GLOBAL FUNC .text.grow size=60
	# relocations
	R .text.grow+0x28 R_AARCH64_CALL26 .klp.sym.vmlinux.first,0 +0
	R __patchable_function_entries+0 R_AARCH64_ABS64 grow -8
	# livepatch tables
	F grow grow vmlinux sympos=0
	K .text.grow+0x28 R_AARCH64_CALL26 first vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual &&
	readelf -sW code-change.arm64pac/out.o | awk "\$8 == \"grow\" { print \$2 }" >actual &&
	echo 0000000000000008 >expect &&
	test_cmp expect actual
'

test_expect_success 'CALL_OPS: the carried code is the function'\''s: NOPs, bti c, paciasp ... autiasp' '
	aarch64-linux-gnu-objdump -d code-change.arm64pac/out.o |
		sed -n "s/^ *[0-9a-f]*:\t[0-9a-f]\{8\} \t\([a-z]*\).*/\1/p" | tr "\n" " " >actual && echo >>actual &&
	echo "nop nop bti nop nop paciasp stp mov str mul bl add ldr add ldp autiasp ret " >expect &&
	test_cmp expect actual
'

test_expect_success 'CALL_OPS: call-other'\''s klp relocations sit 16 bytes on (bti c, two NOPs, paciasp)' '
	test_expect_code 0 cdo call-other.arm64pac &&
	echo "changed function: dispatch (relocation)" >expect &&
	test_cmp expect call-other.arm64pac/stdout &&
	lp-dump call-other.arm64pac/out.o >actual &&
	cat >expect <<-\EOF &&
	F dispatch dispatch vmlinux sympos=0
	K .text.dispatch+0x28 R_AARCH64_CALL26 log_it vmlinux addend=0 sympos=0
	K .text.dispatch+0x30 R_AARCH64_CALL26 handler_b vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual &&
	relocs call-other.arm64pac/out.o __patchable_function_entries >actual &&
	echo "R __patchable_function_entries+0 R_AARCH64_ABS64 dispatch -8" >expect &&
	test_cmp expect actual
'

test_expect_success 'literal pool: pooled() carried with its pool; the pool'\''s ABS64 to a local is a klp relocation' '
	symbols literal-pool.arm64pac/patched.o "\$x" "\$d" | grep text.pooled >actual &&
	cat >expect <<-\EOF &&
	Y $x LOCAL NOTYPE .text.pooled off=0 size=0
	Y $x LOCAL NOTYPE .text.pooled off=0x30 size=0
	Y $d LOCAL NOTYPE .text.pooled off=0x20 size=0
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo literal-pool.arm64pac &&
	echo "changed function: pooled (code)" >expect &&
	test_cmp expect literal-pool.arm64pac/stdout &&
	test_file_empty literal-pool.arm64pac/stderr &&
	cdo_view literal-pool.arm64pac/out.o .text.pooled __patchable_function_entries >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.pooled
	__patchable_function_entries
	# symbols
	.klp.sym.vmlinux.counter,0 GLOBAL NOTYPE UNDEF size=0
	pooled GLOBAL FUNC .text.pooled size=56
	# relocations
	R .text.pooled+0x28 R_AARCH64_ABS64 .klp.sym.vmlinux.counter,0 +0
	R __patchable_function_entries+0 R_AARCH64_ABS64 pooled -8
	# livepatch tables
	F pooled pooled vmlinux sympos=0
	K .text.pooled+0x28 R_AARCH64_ABS64 counter vmlinux addend=0 sympos=0
	EOF
	test_cmp expect actual &&
	aarch64-linux-gnu-objcopy -O binary --only-section=.text.pooled literal-pool.arm64pac/out.o pool.bin &&
	od -An -tx4 -j 32 -N 8 pool.bin | tr -s " " >actual &&
	echo " 87654321 12345678" >expect &&
	test_cmp expect actual
'

test_done
