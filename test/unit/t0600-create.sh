#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='objects built from nothing with the creation API'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# kelf-build-test (test/tools/kelf-build-test.c) adds, in this order:
# .text.caller, .data.counter, .group, .text.grouped, .note.GNU-stack;
# the symbols caller, ext_func (undefined) and grouped (all global), then
# counter, the section symbol of .data.counter and built.c (all local);
# the relocations of .text.caller, then one in .text.grouped.

test_expect_success 'setup: the fixtures' '
	setup_fixtures
'

test_expect_success 'x86_64: build, then read back through the lookups of kelf.h' '
	kelf-build-test x86_64 built.x86_64.o >actual &&
	cat >expect <<-\EOF &&
	first global: 4 (of 7 symbols)
	references to ext_func: 2: .text.caller+0x7 .text.grouped+0x1
	symbol at .text.caller+0: caller
	symbol containing .text.caller+0xb: caller
	relocations in .text.caller: 0x2:R_X86_64_PC32 0x7:R_X86_64_PLT32
	relocation at 0x7: ext_func
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: kelf-dump: locals moved first, .rela sections created, the group filled' '
	kelf-dump built.x86_64.o >actual &&
	cat >expect <<-\EOF &&
	S 1 .strtab SHT_STRTAB flags=0 size=41 link=- align=1 entsize=0
	S 2 .symtab SHT_SYMTAB flags=0 size=168 link=.strtab align=8 entsize=24
	S 3 .shstrtab SHT_STRTAB flags=0 size=128 link=- align=1 entsize=0
	S 4 .text.caller SHT_PROGBITS flags=0x6 size=12 link=- align=16 entsize=0
	S 5 .data.counter SHT_PROGBITS flags=0x3 size=4 link=- align=4 entsize=0
	S 6 .group SHT_GROUP flags=0 size=12 link=.symtab align=4 entsize=4
	S 7 .text.grouped SHT_PROGBITS flags=0x206 size=6 link=- align=16 entsize=0
	S 8 .note.GNU-stack SHT_PROGBITS flags=0 size=0 link=- align=1 entsize=0
	S 9 .rela.text.caller SHT_RELA flags=0x40 size=48 link=.symtab align=8 entsize=24
	S 10 .rela.text.grouped SHT_RELA flags=0x240 size=24 link=.symtab align=8 entsize=24
	Y 1 counter LOCAL OBJECT .data.counter off=0 size=4
	Y 2 - LOCAL SECTION .data.counter off=0 size=0
	Y 3 built.c LOCAL FILE ABS off=0 size=0
	Y 4 caller GLOBAL FUNC .text.caller off=0 size=12
	Y 5 ext_func GLOBAL NOTYPE UNDEF off=0 size=0
	Y 6 grouped GLOBAL FUNC .text.grouped off=0 size=6
	R .text.caller+0x2 R_X86_64_PC32 .data.counter -4
	R .text.caller+0x7 R_X86_64_PLT32 ext_func -4
	R .text.grouped+0x1 R_X86_64_PLT32 ext_func -4
	G .group grouped flags=1 members=.text.grouped,.rela.text.grouped
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: readelf reads the same symbols, relocations and group' '
	readelf -W -s -r -g built.x86_64.o | sed -e "s/ at offset 0x[0-9a-f]*//" >actual &&
	cat >expect <<-\EOF &&

	COMDAT group section [    6] `.group'\'' [grouped] contains 2 sections:
	   [Index]    Name
	   [    7]   .text.grouped
	   [   10]   .rela.text.grouped

	Relocation section '\''.rela.text.caller'\'' contains 2 entries:
	    Offset             Info             Type               Symbol'\''s Value  Symbol'\''s Name + Addend
	0000000000000002  0000000200000002 R_X86_64_PC32          0000000000000000 .data.counter - 4
	0000000000000007  0000000500000004 R_X86_64_PLT32         0000000000000000 ext_func - 4

	Relocation section '\''.rela.text.grouped'\'' contains 1 entry:
	    Offset             Info             Type               Symbol'\''s Value  Symbol'\''s Name + Addend
	0000000000000001  0000000500000004 R_X86_64_PLT32         0000000000000000 ext_func - 4

	Symbol table '\''.symtab'\'' contains 7 entries:
	   Num:    Value          Size Type    Bind   Vis      Ndx Name
	     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND 
	     1: 0000000000000000     4 OBJECT  LOCAL  DEFAULT    5 counter
	     2: 0000000000000000     0 SECTION LOCAL  DEFAULT    5 .data.counter
	     3: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS built.c
	     4: 0000000000000000    12 FUNC    GLOBAL DEFAULT    4 caller
	     5: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND ext_func
	     6: 0000000000000000     6 FUNC    GLOBAL DEFAULT    7 grouped
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the code bytes are as given' '
	readelf -W -x .text.caller -x .text.grouped built.x86_64.o | grep "^  0x" >actual &&
	cat >expect <<-\EOF &&
	  0x00000000 8b050000 0000e800 000000c3          ............
	  0x00000000 e8000000 00c3                       ......
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: build, read back, kelf-dump' '
	kelf-build-test arm64 built.arm64.o >actual &&
	kelf-dump -s -r -g built.arm64.o >>actual &&
	cat >expect <<-\EOF &&
	first global: 4 (of 7 symbols)
	references to ext_func: 2: .text.caller+0x8 .text.grouped+0
	symbol at .text.caller+0: caller
	symbol containing .text.caller+0xf: caller
	relocations in .text.caller: 0:R_AARCH64_ADR_PREL_PG_HI21 0x4:R_AARCH64_LDST32_ABS_LO12_NC 0x8:R_AARCH64_CALL26
	relocation at 0x8: ext_func
	Y 1 counter LOCAL OBJECT .data.counter off=0 size=4
	Y 2 - LOCAL SECTION .data.counter off=0 size=0
	Y 3 built.c LOCAL FILE ABS off=0 size=0
	Y 4 caller GLOBAL FUNC .text.caller off=0 size=16
	Y 5 ext_func GLOBAL NOTYPE UNDEF off=0 size=0
	Y 6 grouped GLOBAL FUNC .text.grouped off=0 size=8
	R .text.caller+0 R_AARCH64_ADR_PREL_PG_HI21 .data.counter +0
	R .text.caller+0x4 R_AARCH64_LDST32_ABS_LO12_NC .data.counter +0
	R .text.caller+0x8 R_AARCH64_CALL26 ext_func +0
	R .text.grouped+0 R_AARCH64_CALL26 ext_func +0
	G .group grouped flags=1 members=.text.grouped,.rela.text.grouped
	EOF
	test_cmp expect actual
'

test_expect_success 'both: eu-elflint finds no errors' '
	for arch in x86_64 arm64; do
		eu-elflint --gnu-ld built.$arch.o || return 1
	done >actual &&
	printf "No errors\nNo errors\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'both: reading and writing a built object again changes no byte' '
	for arch in x86_64 arm64; do
		kelf-copy built.$arch.o copy.$arch.o &&
		cmp built.$arch.o copy.$arch.o || return 1
	done
'

test_expect_success 'both: ld -r links it with a compiled object, resolving ext_func' '
	for arch in x86_64 arm64; do
		kernel_ld $arch -r -o linked.$arch.o built.$arch.o comdat-link-partner.$arch.o &&
		symbols linked.$arch.o caller ext_func grouped &&
		relocs linked.$arch.o .text.caller | grep ext_func || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y caller GLOBAL FUNC .text.caller off=0 size=12
	Y ext_func GLOBAL FUNC .text.ext_func off=0 size=21
	Y grouped GLOBAL FUNC .text.grouped off=0 size=6
	R .text.caller+0x7 R_X86_64_PLT32 ext_func -4
	Y caller GLOBAL FUNC .text.caller off=0 size=16
	Y ext_func GLOBAL FUNC .text.ext_func off=0 size=28
	Y grouped GLOBAL FUNC .text.grouped off=0 size=8
	R .text.caller+0x8 R_AARCH64_CALL26 ext_func +0
	EOF
	test_cmp expect actual
'

test_expect_success 'both: ld -r keeps the built copy of the COMDAT group, drops the other' '
	for arch in x86_64 arm64; do
		kelf-dump -S -g linked.$arch.o | grep -E "^G| \.text\.grouped " || return 1
	done | sed -e "s/^S [0-9]* /S /" >actual &&
	cat >expect <<-\EOF &&
	S .text.grouped SHT_PROGBITS flags=0x206 size=6 link=- align=16 entsize=0
	G .group grouped flags=1 members=.text.grouped,.rela.text.grouped
	S .text.grouped SHT_PROGBITS flags=0x206 size=8 link=- align=8 entsize=0
	G .group grouped flags=1 members=.text.grouped,.rela.text.grouped
	EOF
	test_cmp expect actual
'

test_expect_success 'both: the linked object round-trips' '
	mkdir copy &&
	for arch in x86_64 arm64; do
		kelf-copy linked.$arch.o copy/linked.$arch.o &&
		elf_view linked.$arch.o >expect &&
		elf_view copy/linked.$arch.o >actual &&
		test_cmp expect actual || return 1
	done
'

# 65400 sections plus .strtab, .symtab, .shstrtab, the null section and
# the .symtab_shndx the writer adds: 65405 > SHN_LORESERVE (65280).  (Not
# 70000: eu-elflint 0.188 then reports the symbol of section 0xfff2 as a
# "local COMMON symbol", mistaking the extended index for SHN_COMMON.)
test_expect_success 'extended numbering: 65400 sections get .symtab_shndx and SHN_XINDEX' '
	kelf-build-test --sections 65400 many.o &&
	readelf -h many.o | grep -E "Number of section headers|string table index" >actual &&
	kelf-dump --symbol v65399 many.o >>actual &&
	kelf-dump --symbol last many.o >>actual &&
	section many.o .symtab_shndx >>actual &&
	readelf -W -s many.o | grep -E " (v0|v65275|v65276|v65399|last)$" >>actual &&
	cat >expect <<-\EOF &&
	  Number of section headers:         0 (65405)
	  Section header string table index: 3
	Y 65400 v65399 LOCAL OBJECT .data.v65399 off=0 size=4
	Y 65401 last GLOBAL OBJECT .data.v65399 off=0 size=4
	S .symtab_shndx SHT_SYMTAB_SHNDX flags=0 size=261608 link=.symtab align=4 entsize=4
	     1: 0000000000000000     4 OBJECT  LOCAL  DEFAULT    4 v0
	 65276: 0000000000000000     4 OBJECT  LOCAL  DEFAULT 65279 v65275
	 65277: 0000000000000000     4 OBJECT  LOCAL  DEFAULT 65280 v65276
	 65400: 0000000000000000     4 OBJECT  LOCAL  DEFAULT 65403 v65399
	 65401: 0000000000000000     4 OBJECT  GLOBAL DEFAULT 65403 last
	EOF
	test_cmp expect actual &&
	eu-elflint --gnu-ld many.o >lint &&
	echo "No errors" >expect &&
	test_cmp expect lint
'

test_expect_success 'extended numbering: e_shstrndx in section 0 survives a round trip' '
	# ld -r puts .shstrtab last, at index 65404 >= SHN_LORESERVE.
	ld -r -o many-linked.o many.o &&
	kelf-copy many-linked.o many-copy.o &&
	for o in many-linked.o many-copy.o; do
		readelf -h $o | grep -E "Number of section headers|string table index" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	  Number of section headers:         0 (65405)
	  Section header string table index: 65535 (65404)
	  Number of section headers:         0 (65405)
	  Section header string table index: 65535 (65404)
	EOF
	test_cmp expect actual &&
	# Sections (without the Off column) and symbols: not elf_view, whose
	# objdump -s of 65405 sections is slow.
	for o in many-linked.o many-copy.o; do
		readelf -W -S $o | sed -E -e "s/^(  \[ *[0-9]+\] +[^ ]+ +[^ ]+ +[0-9a-f]{16}) [0-9a-f]{6,}/\1/" \
			-e "s/, starting at offset 0x[0-9a-f]+//" >$o.view &&
		readelf -W -s $o >>$o.view || return 1
	done &&
	test_cmp many-linked.o.view many-copy.o.view
'

test_done
