#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='relocations: offset, type, target and addend'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Expected lines are kelf-dump's "R SECTION+OFFSET TYPE TARGET ADDEND",
# TARGET being a symbol or, for a section symbol, the section's name.

test_expect_success 'setup: the fixtures for x86_64 and arm64' '
	setup_fixtures
'

test_expect_success 'x86_64: __fentry__ call at +1, PC32 to the static local through its section' '
	relocs static-local.x86_64.o .text.bump >actual &&
	cat >expect <<-\EOF &&
	R .text.bump+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.bump+0x7 R_X86_64_PC32 .bss.counter.0 -4
	R .text.bump+0x10 R_X86_64_PC32 .bss.counter.0 -4
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: __mcount_loc holds one R_X86_64_64 per function' '
	relocs static-local.x86_64.o __mcount_loc >actual &&
	cat >expect <<-\EOF &&
	R __mcount_loc+0 R_X86_64_64 .text.bump +0
	R __mcount_loc+0x8 R_X86_64_64 .text.bump_twice +0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: PC32 to an undefined global, PLT32 to an undefined function' '
	{
		relocs undefined-extern.x86_64.o .text.read_shared &&
		relocs undefined-extern.x86_64.o .text.call_compute &&
		relocs undefined-extern.x86_64.o .text.shared_address
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.read_shared+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.read_shared+0x7 R_X86_64_PC32 shared_value -4
	R .text.call_compute+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.call_compute+0xa R_X86_64_PLT32 compute -4
	R .text.shared_address+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.shared_address+0x8 R_X86_64_32S shared_value +0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the .cold split jumps both ways through section symbols' '
	{
		relocs cold-split.x86_64.o .text.sum &&
		relocs cold-split.x86_64.o .text.unlikely.sum
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.sum+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.sum+0x3c R_X86_64_PC32 total -4
	R .text.sum+0x55 R_X86_64_PC32 total -4
	R .text.sum+0x29 R_X86_64_PC32 .text.unlikely.sum -4
	R .text.unlikely.sum+0x3 R_X86_64_32S .rodata.sum.str1.1 +0
	R .text.unlikely.sum+0xd R_X86_64_PLT32 report -4
	R .text.unlikely.sum+0x26 R_X86_64_32S .rodata.sum.str1.1 +9
	R .text.unlikely.sum+0x2b R_X86_64_PLT32 halt -4
	R .text.unlikely.sum+0x37 R_X86_64_PC32 .text.sum +44
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: string literals through R_X86_64_32S and R_X86_64_64' '
	{
		relocs string-literal.x86_64.o .text.pick &&
		relocs string-literal.x86_64.o .data.greeting
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.pick+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.pick+0xa R_X86_64_32S .rodata.pick.str1.1 +0
	R .text.pick+0x11 R_X86_64_32S .rodata.pick.str1.1 +4
	R .data.greeting+0 R_X86_64_64 .rodata.str1.1 +0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: ADRP + LDR pairs to the static local, no __fentry__' '
	relocs static-local.arm64.o .text.bump >actual &&
	cat >expect <<-\EOF &&
	R .text.bump+0x8 R_AARCH64_ADR_PREL_PG_HI21 .bss.counter.0 +0
	R .text.bump+0xc R_AARCH64_LDST32_ABS_LO12_NC .bss.counter.0 +0
	R .text.bump+0x14 R_AARCH64_LDST32_ABS_LO12_NC .bss.counter.0 +0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: __patchable_function_entries holds one ABS64 per function' '
	relocs static-local.arm64.o __patchable_function_entries >actual &&
	cat >expect <<-\EOF &&
	R __patchable_function_entries+0 R_AARCH64_ABS64 .text.bump +0
	R __patchable_function_entries+0x8 R_AARCH64_ABS64 .text.bump_twice +0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: CALL26 to an undefined function, ADRP + ADD for an address' '
	{
		relocs undefined-extern.arm64.o .text.read_shared &&
		relocs undefined-extern.arm64.o .text.call_compute &&
		relocs undefined-extern.arm64.o .text.shared_address
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.read_shared+0x8 R_AARCH64_ADR_PREL_PG_HI21 shared_value +0
	R .text.read_shared+0xc R_AARCH64_LDST32_ABS_LO12_NC shared_value +0
	R .text.call_compute+0x10 R_AARCH64_CALL26 compute +0
	R .text.shared_address+0x8 R_AARCH64_ADR_PREL_PG_HI21 shared_value +0
	R .text.shared_address+0xc R_AARCH64_ADD_ABS_LO12_NC shared_value +0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: string literals through ADRP + ADD pairs with addends' '
	{
		relocs string-literal.arm64.o .text.pick &&
		relocs string-literal.arm64.o .data.greeting
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.pick+0xc R_AARCH64_ADR_PREL_PG_HI21 .rodata.pick.str1.8 +0
	R .text.pick+0x10 R_AARCH64_ADR_PREL_PG_HI21 .rodata.pick.str1.8 +8
	R .text.pick+0x14 R_AARCH64_ADD_ABS_LO12_NC .rodata.pick.str1.8 +0
	R .text.pick+0x18 R_AARCH64_ADD_ABS_LO12_NC .rodata.pick.str1.8 +8
	R .data.greeting+0 R_AARCH64_ABS64 .rodata.str1.8 +0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: a weak undefined function goes through the GOT' '
	relocs weak-symbols.arm64.o .text.run_hooks >actual &&
	cat >expect <<-\EOF &&
	R .text.run_hooks+0x8 R_AARCH64_ADR_GOT_PAGE optional_hook +0
	R .text.run_hooks+0xc R_AARCH64_LD64_GOT_LO12_NC optional_hook +0
	R .text.run_hooks+0x1c R_AARCH64_CALL26 optional_hook +0
	R .text.run_hooks+0x24 R_AARCH64_JUMP26 default_hook +0
	R .text.run_hooks+0x28 R_AARCH64_JUMP26 default_hook +0
	EOF
	test_cmp expect actual
'

test_expect_success 'the COMDAT data member relocates against the signature symbol' '
	for arch in x86_64 arm64; do
		relocs comdat-group.$arch.o .data.thunk_ptr || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	R .data.thunk_ptr+0 R_X86_64_64 thunk +0
	R .data.thunk_ptr+0 R_AARCH64_ABS64 thunk +0
	EOF
	test_cmp expect actual
'

test_expect_success 'every relocation type in the fixtures is in the arch table' '
	for arch in x86_64 arm64; do
		for f in "${ALL_FIXTURES[@]}"; do
			kelf-dump -r "$f.$arch.o" || return 1
		done
	done | awk "\$3 == \"type\"" >actual &&
	test_file_empty actual
'

test_done
