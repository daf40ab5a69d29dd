#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='malformed input: exit 1 and one line naming the file and the rule'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# patched NAME ELF-PATCH-ARGS...: a copy of the x86_64 static-local fixture
# (16 sections, 9 symbols, bump at .text.bump+0 with 0x15 bytes) with one
# field changed by elf-patch (test/tools/elf-patch.c).
patched() {
	local name=$1
	shift
	cp static-local.x86_64.o "$name" &&
	elf-patch "$name" "$@"
}

# rejected FILE MESSAGE: kelf-dump and kelf-copy both exit 1, print
# nothing on stdout and exactly "TOOL: error: FILE: MESSAGE" on stderr;
# kelf-copy leaves no output file, not even a temporary one.
rejected() {
	local file=$1 msg=$2
	test_expect_code 1 kelf-dump "$file" >out 2>err &&
	test_file_empty out &&
	echo "kelf-dump: error: $file: $msg" >expect &&
	test_cmp expect err &&
	test_expect_code 1 kelf-copy "$file" copy.o >out 2>err &&
	test_file_empty out &&
	echo "kelf-copy: error: $file: $msg" >expect &&
	test_cmp expect err &&
	find . -name "copy.o*" >leftovers &&
	test_file_empty leftovers
}

test_expect_success 'setup: the fixtures' '
	setup_fixtures
'

test_expect_success 'the unpatched fixture is accepted' '
	kelf-dump static-local.x86_64.o >/dev/null &&
	kelf-copy static-local.x86_64.o ok.o &&
	rm ok.o
'

test_expect_success 'a missing file' '
	rejected missing.o "cannot open: No such file or directory"
'

test_expect_success 'an empty file' '
	: >empty.o &&
	rejected empty.o "not an ELF file: 0 bytes is shorter than an ELF header"
'

test_expect_success 'a text file' '
	echo "this is a text file, longer than an ELF identification" >text.o &&
	rejected text.o "not an ELF file"
'

test_expect_success 'a file cut inside the ELF header' '
	head -c 40 static-local.x86_64.o >short.o &&
	rejected short.o "not an ELF file: invalid ELF file data"
'

test_expect_success 'a file cut inside the section header table' '
	# The table is 16 entries at 0x318, through byte 1816.
	head -c 1000 static-local.x86_64.o >cut.o &&
	rejected cut.o "section header table (16 entries at 0x318) extends past the end of the file (1000 bytes)"
'

test_expect_success 'e_shnum larger than the file can hold' '
	patched shnum.o ehdr e_shnum 200 &&
	rejected shnum.o "section header table (200 entries at 0x318) extends past the end of the file (1816 bytes)"
'

test_expect_success 'e_shoff beyond the end of the file' '
	patched shoff.o ehdr e_shoff 0x100000 &&
	rejected shoff.o "section header table (16 entries at 0x100000) extends past the end of the file (1816 bytes)"
'

test_expect_success 'a 32-bit object' '
	# A real one when gcc -m32 can compile; else the class byte patched.
	if ! gcc -m32 -O2 -c -nostdinc -o class32.o "$FIXTURES/static-local.c" 2>/dev/null; then
		patched class32.o ehdr ei_class 1
	fi &&
	rejected class32.o "ELF class 1 is not supported: only 64-bit ELF (ELFCLASS64) objects are"
'

test_expect_success 'a big-endian object' '
	patched msb.o ehdr ei_data 2 &&
	rejected msb.o "big-endian ELF is not supported: only little-endian objects are"
'

test_expect_success 'a core file' '
	patched core.o ehdr e_type 4 &&
	rejected core.o "ELF type 4 is not supported: expected a relocatable object or a linked image"
'

test_expect_success 'e_shstrndx out of range' '
	patched shstrndx.o ehdr e_shstrndx 99 &&
	rejected shstrndx.o "section name table index 99 out of range (16 sections)"
'

test_expect_success 'a section name offset outside .shstrtab' '
	patched shname.o shdr 1 sh_name 0xffff &&
	rejected shname.o "section 1: name offset 65535 lies outside the section name table"
'

test_expect_success 'a section whose sh_link is out of range' '
	patched link.o shdr .rela.text.bump sh_link 99 &&
	rejected link.o "section .rela.text.bump: sh_link 99 is not a section index (16 sections)"
'

test_expect_success 'a section whose contents lie past the end of the file' '
	patched contents.o shdr .text.bump sh_offset 0x100000 &&
	rejected contents.o "section .text.bump: contents [0x100000, +0x15) extend past the end of the file (1816 bytes)"
'

test_expect_success 'a symbol table whose sh_link is not a string table' '
	patched symlink.o shdr .symtab sh_link 4 &&
	rejected symlink.o "section .symtab: sh_link 4 is not a string table"
'

test_expect_success 'a symbol table with the wrong entry size' '
	patched symentsize.o shdr .symtab sh_entsize 16 &&
	rejected symentsize.o "section .symtab: entry size 16 and size 216 do not describe an array of Elf64_Sym"
'

test_expect_success 'a symbol whose st_shndx is out of range' '
	patched shndx.o sym bump st_shndx 200 &&
	rejected shndx.o "symbol bump: section index 200 out of range (16 sections)"
'

test_expect_success 'a symbol whose st_shndx is SHN_XINDEX without .symtab_shndx' '
	patched xindex.o sym bump st_shndx 0xffff &&
	rejected xindex.o "symbol bump: SHN_XINDEX without a .symtab_shndx section"
'

test_expect_success 'a symbol name offset outside .strtab' '
	patched stname.o sym 1 st_name 0x10000 &&
	rejected stname.o "section .symtab: symbol 1: name offset 65536 lies outside .strtab"
'

test_expect_success 'a symbol extending past the end of its section' '
	patched stsize.o sym bump st_size 0x16 &&
	rejected stsize.o "symbol bump: [0, +0x16) lies outside its section .text.bump (0x15 bytes)"
'

test_expect_success 'a section whose alignment is no power of two, or absurd' '
	patched align.o shdr .text.bump sh_addralign 0x20000000000 &&
	rejected align.o "section .text.bump: alignment 0x20000000000 is not a power of two of at most 0x200000 (2 MiB, a huge page)" &&
	patched align3.o shdr .text.bump sh_addralign 3 &&
	rejected align3.o "section .text.bump: alignment 0x3 is not a power of two of at most 0x200000 (2 MiB, a huge page)"
'

test_expect_success 'a section symbol whose st_shndx names no section' '
	n=$(readelf -sW static-local.x86_64.o | awk "\$4 == \"SECTION\" { sub(/:/, \"\", \$1); print \$1; exit }") &&
	test -n "$n" &&
	patched secsym.o sym "$n" st_shndx 0xff12 &&
	rejected secsym.o "symbol $n: a section symbol whose st_shndx 0xff12 names no section"
'

test_expect_success 'a relocation section naming no section to relocate' '
	patched info0.o shdr .rela.text.bump sh_info 0 &&
	rejected info0.o "section .rela.text.bump: sh_info 0 names no section to relocate"
'

test_expect_success 'a relocation section relocating a section out of range' '
	patched info.o shdr .rela.text.bump sh_info 99 &&
	rejected info.o "section .rela.text.bump: sh_info 99 is not a section index (16 sections)"
'

test_expect_success 'a relocation whose symbol index is out of range' '
	patched rsym.o rela .rela.text.bump 1 r_sym 999 &&
	rejected rsym.o "section .rela.text.bump: relocation 1: symbol index 999 out of range (.symtab has 9)"
'

test_expect_success 'a relocation at the end of its section' '
	patched rend.o rela .rela.text.bump 2 r_offset 0x15 &&
	rejected rend.o "section .rela.text.bump: relocation 2: offset 0x15 lies outside .text.bump (0x15 bytes)"
'

test_expect_success 'a relocation far outside its section' '
	patched rfar.o rela .rela.text.bump 0 r_offset 0xffffffffffffff00 &&
	rejected rfar.o "section .rela.text.bump: relocation 0: offset 0xffffffffffffff00 lies outside .text.bump (0x15 bytes)"
'

test_expect_success 'a relocation whose field runs past the end of its section' '
	patched rwide.o rela .rela.text.bump 1 r_offset 0x12 &&
	rejected rwide.o "section .rela.text.bump: relocation 1: R_X86_64_PC32 at 0x12: its 4-byte field runs past the end of .text.bump (0x15 bytes)"
'

test_expect_success 'arm64: a relocation outside __patchable_function_entries' '
	cp static-local.arm64.o pfe.o &&
	elf-patch pfe.o rela .rela__patchable_function_entries 1 r_offset 0x10 &&
	rejected pfe.o "section .rela__patchable_function_entries: relocation 1: offset 0x10 lies outside __patchable_function_entries (0x10 bytes)"
'

test_expect_success 'a group member index out of range' '
	cp comdat-group.x86_64.o group.o &&
	elf-patch group.o word .group 1 99 &&
	rejected group.o "section .group: member 0: section index 99 out of range (19 sections)"
'

test_expect_success 'a section listed twice by groups' '
	cp comdat-group.x86_64.o group2.o &&
	first=$(od -An -tu4 -j "$(readelf -SW group2.o | sed -n "s/^ *\[ *[0-9]*\] \.group  *GROUP  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p" | head -n 1 | sed "s/^/0x/" | xargs printf "%d")" -N 12 group2.o | awk "{ print \$2 }") &&
	name=$(readelf -SW group2.o | sed -n "s/^ *\[ *$first\] \([^ ]*\) .*/\1/p") &&
	elf-patch group2.o word .group 2 "$first" &&
	rejected group2.o "section .group: member 1: $name is already a member of group .group; a section belongs to one group at most"
'

test_expect_success 'a symbol whose extended section index is 0' '
	awk "BEGIN { for (i = 0; i < 65300; i++) printf \".section .s%d,\\\"a\\\"\\n.byte 1\\n\", i;
		print \".section .last,\\\"a\\\"\\nlast: .byte 2\\n.globl last\" }" >many.s &&
	as -o many.o many.s &&
	kelf-dump many.o >/dev/null &&
	# (elf-patch reads no extended section numbering: patch the bytes of
	# word 1 of .symtab_shndx, 65304 = 0xff18, by file offset.)
	off=$(readelf -SW many.o | sed -n "s/^ *\[ *[0-9]*\] \.symtab_shndx .* [0-9a-f]\{16\} \([0-9a-f]\{6\}\) .*/\1/p") &&
	test -n "$off" &&
	elf-patch many.o byte $((0x$off + 4)) 0 &&
	elf-patch many.o byte $((0x$off + 5)) 0 &&
	rejected many.o "symbol last: SHN_XINDEX with extended section index 0"
'

test_expect_success 'a group signature symbol index out of range' '
	cp comdat-group.arm64.o sig.o &&
	elf-patch sig.o shdr 1 sh_info 500 &&
	rejected sig.o "section .group: signature symbol index 500 out of range (25 symbols)"
'

test_expect_success 'an unknown relocation type is read, and printed by number' '
	patched rtype.o rela .rela.text.bump 0 r_type 200 &&
	relocs rtype.o .text.bump >actual &&
	cat >expect <<-\EOF &&
	R .text.bump+0x1 type 200 __fentry__ -4
	R .text.bump+0x7 R_X86_64_PC32 .bss.counter.0 -4
	R .text.bump+0x10 R_X86_64_PC32 .bss.counter.0 -4
	EOF
	test_cmp expect actual
'

test_done
