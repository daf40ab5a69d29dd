#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='what the fuzzing campaign (test/fuzz) found, each on a fixture: an answer, not a crash'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# Found later, and refused by the ELF reader (t0700 pins them): a section
# symbol with st_shndx 0xff12, reached by create-diff-object's
# same_target() on a NULL section (cdo-orig); and a 2^41 sh_addralign that
# made create-klp-module pad its output to 2 TiB (klp, reported as a hang).

test_expect_success 'setup' '
	cdo_pairs x86_64 code-change &&
	cdo_symvers Module.symvers
'

# cdo_run DIR ORIG PATCHED: create-diff-object, "exit N" then its output.
cdo_run() {
	local rc=0
	create-diff-object -n vmlinux "$2" "$3" "$1/orig.o" Module.symvers out.o >stdout 2>stderr || rc=$?
	echo "exit $rc"
	cat stdout stderr
}

# AFL++ (cdo-orig, seed binfmt_misc.o): a data object whose st_shndx is an
# OS-specific index (0xff37) was compared as if it had a section: a NULL
# section dereferenced in compare_range() (the SIGSEGV issue 14 names).
test_expect_success 'a symbol without a section against one with: changed, not a crash' '
	d=code-change.x86_64 &&
	cp $d/orig.o abs.o &&
	elf-patch abs.o sym first st_shndx 0xff37 &&
	cdo_run $d abs.o $d/patched.o >actual &&
	cat >expect <<-\EOF &&
	exit 0
	changed function: first (section index)
	changed function: grow (size)
	EOF
	test_cmp expect actual
'

# AFL++ (cdo-orig, cdo-patched): a relocation section of size 0 gave
# memcpy(NULL, 0) in sorted_relocs() (UBSan).
test_expect_success 'an empty relocation section: its function changed, not UB' '
	d=code-change.x86_64 &&
	cp $d/orig.o norel.o &&
	elf-patch norel.o shdr .rela.text.caller sh_size 0 &&
	cdo_run $d norel.o $d/patched.o >actual &&
	cat >expect <<-\EOF &&
	exit 0
	changed function: grow (size)
	changed function: caller (relocation)
	EOF
	test_cmp expect actual
'

# AFL++ (cdo-patched, seed binfmt_misc.o; found by the CI run's one
# minute): an undefined symbol of the original, defined in the patched
# object in a section of strings (flags and type mutated) that has no
# twin, was read as a string of the original's NULL section in
# account_string() (gaps.c): SIGSEGV.
test_expect_success 'a label of a strings section whose twin has no section: refused, not a crash' '
	d=code-change.x86_64 &&
	cp $d/patched.o strlabel.o &&
	elf-patch strlabel.o shdr .rela.text.caller sh_type 0x5000004 &&
	elf-patch strlabel.o shdr .rela.text.caller sh_flags 0x5ffff &&
	elf-patch strlabel.o sym printk st_shndx 12 &&
	cdo_run $d $d/orig.o strlabel.o >actual &&
	cat >expect <<-\EOF &&
	exit 2
	create-diff-object: error: strlabel.o: printk: changed string in .rela.text.caller that the symbol names: the running kernel keeps the original text, and the livepatch would leave the change out; use a string literal in the changed code, or keep the text as it is
	EOF
	test_cmp expect actual
'

# AFL++ (cdo-patched, this evening's code): an addend of 2^63 - 4 made
# the place arithmetic overflow (cdo_reloc_offset(), UBSan).  The ELF
# reader now refuses an addend beyond 2^62 either way.
test_expect_success 'an addend beyond any address: the reader refuses it, no overflow' '
	d=code-change.x86_64 &&
	cp $d/patched.o far.o &&
	elf-patch far.o rela .rela.text.caller 0 r_addend 0x7ffffffffffffffc &&
	cdo_run $d $d/orig.o far.o >actual &&
	cat >expect <<-\EOF &&
	exit 1
	create-diff-object: error: far.o: section .rela.text.caller: relocation 0: addend 9223372036854775804 is beyond any address
	EOF
	test_cmp expect actual &&
	cp $d/patched.o near.o &&
	elf-patch near.o rela .rela.text.caller 0 r_addend -0x4000000000000000 &&
	kelf-dump -r near.o >/dev/null
'

test_done
