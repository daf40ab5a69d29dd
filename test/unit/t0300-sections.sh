#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='sections and section groups'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Expected lines are kelf-dump's "S NAME TYPE flags= size= link= align=
# entsize=" (without the index, except where the index tells apart two
# sections of one name) and "G NAME SIGNATURE flags= members=".

test_expect_success 'setup: the fixtures for x86_64 and arm64' '
	setup_fixtures
'

test_expect_success 'mergeable string sections: SHF_MERGE|SHF_STRINGS|SHF_ALLOC, entsize 1' '
	{
		section string-literal.x86_64.o .rodata.str1.1 &&
		section string-literal.x86_64.o .rodata.pick.str1.1 &&
		section string-literal.arm64.o .rodata.str1.8 &&
		section string-literal.arm64.o .rodata.pick.str1.8
	} >actual &&
	cat >expect <<-\EOF &&
	S .rodata.str1.1 SHT_PROGBITS flags=0x32 size=6 link=- align=1 entsize=1
	S .rodata.pick.str1.1 SHT_PROGBITS flags=0x32 size=7 link=- align=1 entsize=1
	S .rodata.str1.8 SHT_PROGBITS flags=0x32 size=6 link=- align=8 entsize=1
	S .rodata.pick.str1.8 SHT_PROGBITS flags=0x32 size=11 link=- align=8 entsize=1
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: text, its relocations, __mcount_loc and a NOBITS static' '
	for s in .text.bump .rela.text.bump __mcount_loc .rela__mcount_loc .bss.counter.0; do
		section static-local.x86_64.o $s || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	S .text.bump SHT_PROGBITS flags=0x6 size=21 link=- align=16 entsize=0
	S .rela.text.bump SHT_RELA flags=0x40 size=72 link=.symtab align=8 entsize=24
	S __mcount_loc SHT_PROGBITS flags=0x2 size=16 link=- align=1 entsize=0
	S .rela__mcount_loc SHT_RELA flags=0x40 size=48 link=.symtab align=8 entsize=24
	S .bss.counter.0 SHT_NOBITS flags=0x3 size=4 link=- align=4 entsize=0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: __patchable_function_entries is SHF_LINK_ORDER, linked to the text' '
	for s in .text.bump __patchable_function_entries .bss.counter.0; do
		section static-local.arm64.o $s || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	S .text.bump SHT_PROGBITS flags=0x6 size=28 link=- align=16 entsize=0
	S __patchable_function_entries SHT_PROGBITS flags=0x83 size=16 link=.text.bump align=8 entsize=0
	S .bss.counter.0 SHT_NOBITS flags=0x3 size=4 link=- align=4 entsize=0
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the cold part has its own .text.unlikely section' '
	section cold-split.x86_64.o .text.unlikely.sum >actual &&
	echo "S .text.unlikely.sum SHT_PROGBITS flags=0x6 size=59 link=- align=1 entsize=0" >expect &&
	test_cmp expect actual
'

test_expect_success 'COMDAT groups: two .group sections, two .text.thunk sections' '
	for arch in x86_64 arm64; do
		kelf-dump -S -g comdat-group.$arch.o |
			grep -E "^G| \.group | \.text\.thunk | \.(rela\.)?data\.thunk_ptr " || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	S 1 .group SHT_GROUP flags=0 size=16 link=.symtab align=4 entsize=4
	S 2 .group SHT_GROUP flags=0 size=8 link=.symtab align=4 entsize=4
	S 6 .text.thunk SHT_PROGBITS flags=0x206 size=1 link=- align=1 entsize=0
	S 7 .data.thunk_ptr SHT_PROGBITS flags=0x203 size=8 link=- align=8 entsize=0
	S 8 .rela.data.thunk_ptr SHT_RELA flags=0x240 size=24 link=.symtab align=8 entsize=24
	S 9 .text.thunk SHT_PROGBITS flags=0x206 size=2 link=- align=1 entsize=0
	G .group thunk flags=1 members=.text.thunk,.data.thunk_ptr,.rela.data.thunk_ptr
	G .group other_thunk flags=1 members=.text.thunk
	S 1 .group SHT_GROUP flags=0 size=16 link=.symtab align=4 entsize=4
	S 2 .group SHT_GROUP flags=0 size=8 link=.symtab align=4 entsize=4
	S 6 .text.thunk SHT_PROGBITS flags=0x206 size=4 link=- align=4 entsize=0
	S 7 .data.thunk_ptr SHT_PROGBITS flags=0x203 size=8 link=- align=8 entsize=0
	S 8 .rela.data.thunk_ptr SHT_RELA flags=0x240 size=24 link=.symtab align=8 entsize=24
	S 9 .text.thunk SHT_PROGBITS flags=0x206 size=8 link=- align=4 entsize=0
	G .group thunk flags=1 members=.text.thunk,.data.thunk_ptr,.rela.data.thunk_ptr
	G .group other_thunk flags=1 members=.text.thunk
	EOF
	test_cmp expect actual
'

test_expect_success 'a name lookup finds the first of two sections of that name' '
	# The first .text.thunk is 1 byte (x86_64) or 4 (arm64), the second
	# 2 or 8: a lookup at the second one'\''s last byte finds nothing.
	for arch in x86_64 arm64; do
		kelf-dump --containing .text.thunk 0 comdat-group.$arch.o &&
		kelf-dump --containing .text.thunk 1 comdat-group.x86_64.o &&
		kelf-dump --containing .text.thunk 7 comdat-group.arm64.o || return 1
	done >actual &&
	printf "%s\n" thunk "(none)" "(none)" thunk "(none)" "(none)" >expect &&
	test_cmp expect actual
'

test_expect_success 'objects without groups print no group line' '
	for arch in x86_64 arm64; do
		for f in "${ALL_FIXTURES[@]}"; do
			case $f in comdat-*) continue ;; esac
			kelf-dump -g "$f.$arch.o" || return 1
		done
	done >actual &&
	test_file_empty actual
'

test_expect_success 'a lookup in a section that does not exist is an error' '
	test_expect_code 1 kelf-dump --containing .text.nope 0 static-local.x86_64.o >out 2>err &&
	test_file_empty out &&
	echo "kelf-dump: error: static-local.x86_64.o: no section .text.nope" >expect &&
	test_cmp expect err
'

test_done
