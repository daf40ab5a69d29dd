#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='arch/: the instruction decoder (arch_decode, arch_insn_at) on code gas assembled'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# insn-dump (test/tools/insn-dump.c) prints each instruction of an
# object's code sections as the decoder sees it: its length, the offset
# and size of its displacement (or branch displacement) and of its
# immediate, whether the displacement counts from the instruction's end
# (pcrel), whether it is a call or jump, whether control never goes on
# to the next instruction (stop), and whether it is a NOP.  The expectations are the
# encodings of the Intel SDM, vol. 2, as gas emits them; each relocation
# gas writes into the code is a second, independent witness: it must land
# exactly on a decoded field, and for a PC-relative one to a symbol gas's
# addend is minus the distance from the field to the instruction's end.

test_expect_success 'x86_64: lengths and fields of each instruction' '
	cat >x.s <<-\EOF &&
	.text
	addl $5, b(%rip)
	cmpb $1, x(%rip)
	movw $0x1234, x(%rip)
	testl $0x12345678, x(%rip)
	andq $-8, x(%rip)
	call f
	jmp f
	jne f
	jmp 1f
	jne 1f
	1: endbr64
	nop
	xchg %ax, %ax
	nopl 0(%rax,%rax,1)
	nopw %cs:0(%rax,%rax,1)
	lea x(%rip), %rax
	lea 8(%rdi), %rax
	movl $x, %eax
	movabs $x, %rax
	movl %gs:x(%rip), %eax
	incl %gs:x
	call *%rax
	jmp *x(%rip)
	ret
	int3
	ud2
	ud1 0x10(%rax), %eax
	serialize
	vpternlogd $0x96, %zmm1, %zmm2, %zmm3
	vpxord x(%rip), %zmm1, %zmm2
	EOF
	as -o x.o x.s &&
	insn-dump x.o >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=7 disp=2/4 imm=6/1 pcrel
	I .text+0x7 len=7 disp=2/4 imm=6/1 pcrel
	I .text+0xe len=9 disp=3/4 imm=7/2 pcrel
	I .text+0x17 len=10 disp=2/4 imm=6/4 pcrel
	I .text+0x21 len=8 disp=3/4 imm=7/1 pcrel
	I .text+0x29 len=5 disp=1/4 imm=- pcrel branch
	I .text+0x2e len=5 disp=1/4 imm=- pcrel branch stop
	I .text+0x33 len=6 disp=2/4 imm=- pcrel branch
	I .text+0x39 len=2 disp=1/1 imm=- pcrel branch stop
	I .text+0x3b len=2 disp=1/1 imm=- pcrel branch
	I .text+0x3d len=4 disp=- imm=-
	I .text+0x41 len=1 disp=- imm=- nop
	I .text+0x42 len=2 disp=- imm=- nop
	I .text+0x44 len=4 disp=- imm=- nop
	I .text+0x48 len=6 disp=- imm=- nop
	I .text+0x4e len=7 disp=3/4 imm=- pcrel
	I .text+0x55 len=4 disp=3/1 imm=-
	I .text+0x59 len=5 disp=- imm=1/4
	I .text+0x5e len=10 disp=- imm=2/8
	I .text+0x68 len=7 disp=3/4 imm=- pcrel
	I .text+0x6f len=8 disp=4/4 imm=-
	I .text+0x77 len=2 disp=- imm=- branch
	I .text+0x79 len=6 disp=2/4 imm=- pcrel branch stop
	I .text+0x7f len=1 disp=- imm=- stop
	I .text+0x80 len=1 disp=- imm=- stop
	I .text+0x81 len=2 disp=- imm=-
	I .text+0x83 len=4 disp=3/1 imm=-
	I .text+0x87 len=3 disp=- imm=-
	I .text+0x8a len=7 disp=- imm=6/1
	I .text+0x91 len=10 disp=6/4 imm=- pcrel
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: every relocation lands on a field; gas agrees on the distance to the end' '
	insn-dump --relocs x.o >relocs &&
	cat >expect <<-\EOF &&
	R .text+0x2 R_X86_64_PC32 insn=+0x0/7 field=disp end-field=5
	R .text+0x9 R_X86_64_PC32 insn=+0x7/7 field=disp end-field=5
	R .text+0x11 R_X86_64_PC32 insn=+0xe/9 field=disp end-field=6
	R .text+0x19 R_X86_64_PC32 insn=+0x17/10 field=disp end-field=8
	R .text+0x24 R_X86_64_PC32 insn=+0x21/8 field=disp end-field=5
	R .text+0x2a R_X86_64_PLT32 insn=+0x29/5 field=disp end-field=4
	R .text+0x51 R_X86_64_PC32 insn=+0x4e/7 field=disp end-field=4
	R .text+0x5a R_X86_64_32 insn=+0x59/5 field=imm end-field=4
	R .text+0x60 R_X86_64_64 insn=+0x5e/10 field=imm end-field=8
	R .text+0x6b R_X86_64_PC32 insn=+0x68/7 field=disp end-field=4
	R .text+0x73 R_X86_64_32S insn=+0x6f/8 field=disp end-field=4
	R .text+0x7b R_X86_64_PC32 insn=+0x79/6 field=disp end-field=4
	R .text+0x97 R_X86_64_PC32 insn=+0x91/10 field=disp end-field=4
	R .text+0x2f R_X86_64_PLT32 insn=+0x2e/5 field=disp end-field=4
	R .text+0x35 R_X86_64_PLT32 insn=+0x33/6 field=disp end-field=4
	EOF
	test_cmp expect relocs &&
	readelf -rW x.o | grep -E "R_X86_64_(PC32|PLT32)" |
		while read -r off _ type _ _ sign add; do
			echo "$((16#$off)) $type $sign$add"
		done | sort >gas &&
	sed -n "s/^R \.text+\(0x[0-9a-f]*\) \(R_X86_64_P[LTC]*32\) .*end-field=\([0-9]*\)$/\1 \2 \3/p" relocs |
		while read -r off type n; do
			echo "$((off)) $type -$n"
		done | sort >ours &&
	test "$(wc -l <gas)" = 12 &&
	test_cmp gas ours
'

test_expect_success 'x86_64: arch_insn_at finds the instruction holding any byte' '
	{
		insn-dump --at .text 0x0 x.o &&
		insn-dump --at .text 0x6 x.o &&
		insn-dump --at .text 0x19 x.o &&
		insn-dump --at .text 0x3a x.o &&
		insn-dump --at .text 0x9a x.o
	} >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=7 disp=2/4 imm=6/1 pcrel
	I .text+0x0 len=7 disp=2/4 imm=6/1 pcrel
	I .text+0x17 len=10 disp=2/4 imm=6/4 pcrel
	I .text+0x39 len=2 disp=1/1 imm=- pcrel branch stop
	I .text+0x91 len=10 disp=6/4 imm=- pcrel
	EOF
	test_cmp expect actual &&
	test_expect_code 1 insn-dump --at .text 0x9b x.o >actual &&
	echo none >expect &&
	test_cmp expect actual
'

test_expect_success 'x86_64: a cut-off or invalid instruction is undecodable, never guessed' '
	printf "\t.text\n\tnop\n\t.byte 0xe8, 0, 0\n\t.section .text.bad,\"ax\"\n\t.byte 0x06\n" >bad.s &&
	as -o bad.o bad.s &&
	test_expect_code 1 insn-dump bad.o >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=1 disp=- imm=- nop
	FAIL .text+0x1: undecodable
	FAIL .text.bad+0x0: undecodable
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: LKGS, newer than Zydis 4.0, as the kernel writes it (.byte); its memory form is unknown' '
	printf "\t.text\n\t.byte 0xf2, 0x0f, 0x00, 0xf7\n\t.byte 0xf2, 0x41, 0x0f, 0x00, 0xf1\n\tnop\n\t.section .text.mem,\"ax\"\n\t.byte 0xf2, 0x0f, 0x00, 0x37\n" >lkgs.s &&
	as -o lkgs.o lkgs.s &&
	test_expect_code 1 insn-dump lkgs.o >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=4 disp=- imm=-
	I .text+0x4 len=5 disp=- imm=-
	I .text+0x9 len=1 disp=- imm=- nop
	FAIL .text.mem+0x0: undecodable
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: one word each; which words hold relocated fields, which branch' '
	cat >a.s <<-\EOF &&
	.text
	b f
	bl f
	b.ne f
	cbz x0, f
	tbnz w1, #3, f
	adrp x0, v
	add x0, x0, :lo12:v
	ldr x1, [x0, :lo12:v]
	ldr x2, v
	adr x3, v
	movz x4, #:abs_g1:v
	movk x4, #:abs_g0_nc:v
	br x5
	blr x6
	ret
	nop
	.inst 0x00000000
	EOF
	aarch64-linux-gnu-as -o a.o a.s &&
	insn-dump a.o >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=4 disp=0/4 imm=- branch stop
	I .text+0x4 len=4 disp=0/4 imm=- branch
	I .text+0x8 len=4 disp=0/4 imm=- branch
	I .text+0xc len=4 disp=0/4 imm=- branch
	I .text+0x10 len=4 disp=0/4 imm=- branch
	I .text+0x14 len=4 disp=0/4 imm=-
	I .text+0x18 len=4 disp=- imm=0/4
	I .text+0x1c len=4 disp=- imm=0/4
	I .text+0x20 len=4 disp=0/4 imm=-
	I .text+0x24 len=4 disp=0/4 imm=-
	I .text+0x28 len=4 disp=- imm=0/4
	I .text+0x2c len=4 disp=- imm=0/4
	I .text+0x30 len=4 disp=- imm=- branch stop
	I .text+0x34 len=4 disp=- imm=- branch
	I .text+0x38 len=4 disp=- imm=- stop
	I .text+0x3c len=4 disp=- imm=- nop
	I .text+0x40 len=4 disp=- imm=-
	EOF
	test_cmp expect actual &&
	insn-dump --relocs a.o >actual &&
	cat >expect <<-\EOF &&
	R .text+0x0 R_AARCH64_JUMP26 insn=+0x0/4 field=disp end-field=4
	R .text+0x4 R_AARCH64_CALL26 insn=+0x4/4 field=disp end-field=4
	R .text+0x8 R_AARCH64_CONDBR19 insn=+0x8/4 field=disp end-field=4
	R .text+0xc R_AARCH64_CONDBR19 insn=+0xc/4 field=disp end-field=4
	R .text+0x10 R_AARCH64_TSTBR14 insn=+0x10/4 field=disp end-field=4
	R .text+0x14 R_AARCH64_ADR_PREL_PG_HI21 insn=+0x14/4 field=disp end-field=4
	R .text+0x18 R_AARCH64_ADD_ABS_LO12_NC insn=+0x18/4 field=imm end-field=4
	R .text+0x1c R_AARCH64_LDST64_ABS_LO12_NC insn=+0x1c/4 field=imm end-field=4
	R .text+0x24 R_AARCH64_ADR_PREL_LO21 insn=+0x24/4 field=disp end-field=4
	R .text+0x28 R_AARCH64_MOVW_UABS_G1 insn=+0x28/4 field=imm end-field=4
	R .text+0x2c R_AARCH64_MOVW_UABS_G0_NC insn=+0x2c/4 field=imm end-field=4
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: fewer than 4 bytes are no instruction' '
	printf "\t.text\n\tnop\n\t.byte 0x1f, 0x20\n" >short.s &&
	aarch64-linux-gnu-as -o short.o short.s &&
	test_expect_code 1 insn-dump short.o >actual &&
	cat >expect <<-\EOF &&
	I .text+0x0 len=4 disp=- imm=- nop
	FAIL .text+0x4: undecodable
	EOF
	test_cmp expect actual
'

test_done
