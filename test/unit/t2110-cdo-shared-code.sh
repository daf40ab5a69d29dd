#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317)
# and using arrays it cannot see being used (SC2034).
# shellcheck disable=SC2016,SC2317,SC2034
test_description='create-diff-object: anonymous code the functions of a file share (static_cpu_has()'"'"'s .altinstr_aux), compared and carried by the piece each function reaches'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

PAIRS=(shared-code-piece shared-code-open-piece)

test_expect_success 'setup: the fixture pairs, boot_cpu_data exported' '
	cdo_pairs x86_64 "${PAIRS[@]}" &&
	for d in "${PAIRS[@]/%/.x86_64}"; do
		cdo_symvers "$d/Module.symvers" boot_cpu_data || return 1
	done
'

test_expect_success 'the fixture is what it pins: one .altinstr_aux, the later pieces moved by the patch' '
	# Each piece: testb (7 bytes), jnz (6), jmp (5).  The patch adds the
	# second piece of first_user, so setup_user'"'"'s and second_user'"'"'s
	# move by 0x12 bytes.
	for o in orig patched; do
		relocs shared-code-piece.x86_64/$o.o .text.second_user | grep altinstr_aux &&
		relocs shared-code-piece.x86_64/$o.o .init.text | grep altinstr_aux &&
		section shared-code-piece.x86_64/$o.o .altinstr_aux | awk "{ print \$2, \$5 }" ||
			return 1
	done >actual &&
	cat >expect <<-\EOF &&
	R .text.second_user+0xc R_X86_64_PC32 .altinstr_aux +32
	R .init.text+0x7 R_X86_64_PC32 .altinstr_aux +14
	.altinstr_aux size=54
	R .text.second_user+0xc R_X86_64_PC32 .altinstr_aux +50
	R .init.text+0x7 R_X86_64_PC32 .altinstr_aux +32
	.altinstr_aux size=72
	EOF
	test_cmp expect actual
'

test_expect_success 'only the functions whose code changed are changed, the __init one is not' '
	test_expect_code 0 cdo shared-code-piece.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: first_user (size)
	changed function: second_user (relocation)
	EOF
	test_cmp expect shared-code-piece.x86_64/stdout &&
	test_file_empty shared-code-piece.x86_64/stderr
'

test_expect_success 'the livepatch carries the pieces of first_user and second_user, one after the other' '
	{
		section shared-code-piece.x86_64/out.o .altinstr_aux | awk "{ print \$2, \$5 }" &&
		relocs shared-code-piece.x86_64/out.o .altinstr_aux &&
		relocs shared-code-piece.x86_64/out.o .text.first_user | grep altinstr_aux &&
		relocs shared-code-piece.x86_64/out.o .text.second_user | grep altinstr_aux
	} >actual &&
	# second_user'"'"'s piece, at 0x36 of the patched .altinstr_aux, is
	# at 0x24 of the carried one; setup_user'"'"'s stays out.  The jumps
	# back keep their section symbols, as the assembler wrote them.
	cat >expect <<-\EOF &&
	.altinstr_aux size=54
	R .altinstr_aux+0x2 R_X86_64_PC32 boot_cpu_data -5
	R .altinstr_aux+0x9 R_X86_64_PC32 .text.first_user +8
	R .altinstr_aux+0xe R_X86_64_PC32 .text.first_user +12
	R .altinstr_aux+0x14 R_X86_64_PC32 boot_cpu_data -5
	R .altinstr_aux+0x1b R_X86_64_PC32 .text.first_user +17
	R .altinstr_aux+0x20 R_X86_64_PC32 .text.first_user +20
	R .altinstr_aux+0x26 R_X86_64_PC32 boot_cpu_data -4
	R .altinstr_aux+0x2d R_X86_64_PC32 .text.second_user +12
	R .altinstr_aux+0x32 R_X86_64_PC32 .text.second_user +36
	R .text.first_user+0x8 R_X86_64_PC32 .altinstr_aux -4
	R .text.first_user+0x11 R_X86_64_PC32 .altinstr_aux +14
	R .text.second_user+0xc R_X86_64_PC32 .altinstr_aux +32
	EOF
	test_cmp expect actual
'

test_expect_success 'the carried pieces hold the patched pieces'"'"' bytes' '
	objcopy -O binary --only-section=.altinstr_aux \
		shared-code-piece.x86_64/patched.o patched.bin &&
	objcopy -O binary --only-section=.altinstr_aux \
		shared-code-piece.x86_64/out.o out.bin &&
	{ head -c 36 patched.bin && tail -c 18 patched.bin; } >expect.bin &&
	cmp expect.bin out.bin
'

test_expect_success 'pieces that may run on into the next: compared whole, every user changed, the __init one refused' '
	test_expect_code 2 cdo shared-code-open-piece.x86_64 &&
	test_file_empty shared-code-open-piece.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: setup_user: changed __init code or data in .init.text: it runs only while booting or loading the module and cannot be livepatched; do one-time work in a pre-patch callback instead
	EOF
	test_cmp expect shared-code-open-piece.x86_64/stderr &&
	cdo_missing shared-code-open-piece.x86_64/out.o
'

test_done
