#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: PC-relative references reach exactly their target (decoded instructions)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# shared-section-refs: bump() starts using variables that share
# .data..read_mostly and .data..percpu with others, through instructions
# with 1-, 2- and 4-byte immediates after the displacement; gas refers to
# each through the section symbol, so the variable is known only from the
# addend and the distance from the field to the end of the instruction
# (create-diff-object/targets.c).  A fixed bias of 4 sent "b += 5" to c - 3,
# the movw to flag, "p1 += 100000" to p2 and "a += 5" to b - 1.

test_expect_success 'setup: the fixture pair' '
	cdo_pairs x86_64 shared-section-refs &&
	cdo_pairs arm64 shared-section-refs
'

test_expect_success 'x86_64: the fixture: variables packed in shared sections, section-relative addends' '
	{
		symbols shared-section-refs.x86_64/patched.o flag c b a p2 p1 &&
		relocs shared-section-refs.x86_64/patched.o .text.bump
	} >actual &&
	cat >expect <<-\EOF &&
	Y flag LOCAL OBJECT .data..read_mostly off=0 size=1
	Y c LOCAL OBJECT .data..read_mostly off=0x2 size=2
	Y b LOCAL OBJECT .data..read_mostly off=0x4 size=4
	Y a LOCAL OBJECT .data..read_mostly off=0x8 size=4
	Y p2 LOCAL OBJECT .data..percpu off=0 size=4
	Y p1 LOCAL OBJECT .data..percpu off=0x4 size=4
	R .text.bump+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.bump+0xb R_X86_64_PC32 .data..read_mostly -1
	R .text.bump+0x12 R_X86_64_PC32 .data..read_mostly -5
	R .text.bump+0x1c R_X86_64_PC32 .data..read_mostly -4
	R .text.bump+0x25 R_X86_64_32S .rodata.bump.str1.1 +0
	R .text.bump+0x2d R_X86_64_PC32 .data..read_mostly +3
	R .text.bump+0x34 R_X86_64_PC32 .data..percpu -4
	R .text.bump+0x3d R_X86_64_PLT32 printk -4
	R .text.bump+0x44 R_X86_64_PC32 .data..read_mostly -2
	EOF
	test_cmp expect actual &&
	insn-dump --relocs shared-section-refs.x86_64/patched.o |
		grep "^R \.text\.bump+0x\(b\|12\|1c\|2d\|34\) " >actual &&
	cat >expect <<-\EOF &&
	R .text.bump+0xb R_X86_64_PC32 insn=+0x9/7 field=disp end-field=5
	R .text.bump+0x12 R_X86_64_PC32 insn=+0x10/7 field=disp end-field=5
	R .text.bump+0x1c R_X86_64_PC32 insn=+0x19/9 field=disp end-field=6
	R .text.bump+0x2d R_X86_64_PC32 insn=+0x2b/7 field=disp end-field=5
	R .text.bump+0x34 R_X86_64_PC32 insn=+0x32/10 field=disp end-field=8
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: bump() alone changed; use_all() and set_all() did not, though their variables moved' '
	test_expect_code 0 cdo shared-section-refs.x86_64 &&
	echo "changed function: bump (size)" >expect &&
	test_cmp expect shared-section-refs.x86_64/stdout &&
	test_file_empty shared-section-refs.x86_64/stderr
'

test_expect_success 'x86_64: each reference reaches its own variable: b and c carried, flag, a, p1 from the kernel' '
	readelf -rW shared-section-refs.x86_64/out.o |
		awk "/^Relocation section/ { s = \$3 } s == \"'\''.rela.text.bump'\''\" && \$3 ~ /^R_X86/ {
			print \$1, \$3, \$5, \$6, \$7 }" >actual &&
	cat >expect <<-\EOF &&
	0000000000000001 R_X86_64_PLT32 __fentry__ - 4
	000000000000000b R_X86_64_PC32 b - 5
	0000000000000012 R_X86_64_PC32 .klp.sym.vmlinux.flag,0 - 5
	000000000000001c R_X86_64_PC32 c - 6
	0000000000000025 R_X86_64_32S .rodata.bump.str1.1 + 0
	000000000000002d R_X86_64_PC32 .klp.sym.vmlinux.a,0 - 5
	0000000000000034 R_X86_64_PC32 .klp.sym.vmlinux.p1,0 - 8
	000000000000003d R_X86_64_PLT32 printk - 4
	0000000000000044 R_X86_64_PC32 c - 4
	EOF
	test_cmp expect actual &&
	lp-dump shared-section-refs.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	F bump bump vmlinux sympos=0
	K .text.bump+0x12 R_X86_64_PC32 flag vmlinux addend=-5 sympos=0
	K .text.bump+0x2d R_X86_64_PC32 a vmlinux addend=-5 sympos=0
	K .text.bump+0x34 R_X86_64_PC32 p1 vmlinux addend=-8 sympos=0
	EOF
	test_cmp expect actual &&
	kelf-dump -s shared-section-refs.x86_64/out.o |
		awk "\$5 == \"OBJECT\" { print \$3, \$4, \$8 }" >actual &&
	cat >expect <<-\EOF &&
	b LOCAL size=4
	c LOCAL size=2
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: the addends are exact already; the same variables are reached' '
	test_expect_code 0 cdo shared-section-refs.arm64 &&
	echo "changed function: bump (size)" >expect &&
	test_cmp expect shared-section-refs.arm64/stdout &&
	test_file_empty shared-section-refs.arm64/stderr &&
	relocs shared-section-refs.arm64/out.o .text.bump | grep -v -e "\.klp\.sym" -e rodata >actual &&
	cat >expect <<-\EOF &&
	R .text.bump+0xc R_AARCH64_ADR_PREL_PG_HI21 b +0
	R .text.bump+0x18 R_AARCH64_LDST32_ABS_LO12_NC b +0
	R .text.bump+0x24 R_AARCH64_LDST32_ABS_LO12_NC b +0
	R .text.bump+0x2c R_AARCH64_ADR_PREL_PG_HI21 c +0
	R .text.bump+0x3c R_AARCH64_LDST16_ABS_LO12_NC c +0
	R .text.bump+0x6c R_AARCH64_CALL26 printk +0
	R .text.bump+0x70 R_AARCH64_LDST16_ABS_LO12_NC c +0
	EOF
	test_cmp expect actual &&
	lp-dump shared-section-refs.arm64/out.o | cut -d" " -f1-5 >actual &&
	cat >expect <<-\EOF &&
	F bump bump vmlinux sympos=0
	K .text.bump+0x10 R_AARCH64_ADR_PREL_PG_HI21 flag vmlinux
	K .text.bump+0x1c R_AARCH64_LDST8_ABS_LO12_NC flag vmlinux
	K .text.bump+0x40 R_AARCH64_ADR_PREL_PG_HI21 p1 vmlinux
	K .text.bump+0x44 R_AARCH64_ADR_PREL_PG_HI21 a vmlinux
	K .text.bump+0x50 R_AARCH64_LDST32_ABS_LO12_NC p1 vmlinux
	K .text.bump+0x54 R_AARCH64_LDST32_ABS_LO12_NC a vmlinux
	K .text.bump+0x64 R_AARCH64_LDST32_ABS_LO12_NC p1 vmlinux
	K .text.bump+0x68 R_AARCH64_LDST32_ABS_LO12_NC a vmlinux
	EOF
	test_cmp expect actual
'

# A copy of the x86_64 pair whose patched.o is then corrupted.
corrupt() {
	mkdir "$1" &&
	cp shared-section-refs.x86_64/orig.o shared-section-refs.x86_64/Module.symvers "$1/" &&
	cp shared-section-refs.x86_64/patched.o "$1/patched.o" &&
	chmod u+w "$1/patched.o"
}

test_expect_success 'a relocation in an instruction the decoder does not know is refused, naming it' '
	corrupt undecodable &&
	# bytes 8..11 of bump: 08 (of "sub $8, %rsp") and "83 05 00" become
	# 08 06 00 00: 06 is no instruction in 64-bit mode
	elf-patch undecodable/patched.o word .text.bump 2 0x00000608 &&
	test_expect_code 2 cdo undecodable &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: bump+0xb: R_X86_64_PC32 to .data..read_mostly lies in code the instruction decoder does not know (06 00 00 00 00 00 05 80 at bump+0x9): where it points cannot be known; report this, with the object
	EOF
	test_cmp expect undecodable/stderr &&
	test_file_empty undecodable/stdout &&
	cdo_missing undecodable/out.o
'

test_expect_success 'a PC-relative relocation off its instruction'\''s field is refused, naming it' '
	corrupt offfield &&
	elf-patch offfield/patched.o rela .rela.text.bump 1 r_offset 0xc &&
	test_expect_code 2 cdo offfield &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: bump+0xc: R_X86_64_PC32 to .data..read_mostly is not on the PC-relative field of its instruction (83 05 00 00 00 00 05 at bump+0x9): where it points cannot be known; report this, with the object
	EOF
	test_cmp expect offfield/stderr &&
	cdo_missing offfield/out.o
'

test_done
