#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: string literals by content, static locals by their users (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# static_users OBJ SECTION-PREFIX: "FUNCTION-SECTION TARGET-SECTION ADDEND"
# for each relocation reaching a section whose name starts with
# SECTION-PREFIX, once each: which function uses which static local.
static_users() {
	kelf-dump -r "$1" | awk -v p="$2" 'index($4, p) == 1 {
		sub(/\+.*/, "", $2); print $2, $4, $5 }' | LC_ALL=C sort -u
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 string-text string-shared-shift static-local-renumbered \
		static-local-shared-section static-local-renumbered-user \
		unique-id-renumbered
'

test_expect_success 'unique-id-renumbered: __UNIQUE_ID_..._12 and _14 are one object: changed() alone' '
	test_expect_code 0 cdo unique-id-renumbered.x86_64 &&
	echo "changed function: changed (code)" >expect &&
	test_cmp expect unique-id-renumbered.x86_64/stdout &&
	test_file_empty unique-id-renumbered.x86_64/stderr
'

test_expect_success 'string-text: a changed literal changes its function alone' '
	test_expect_code 0 cdo string-text.x86_64 &&
	echo "changed function: greet (relocation)" >expect &&
	test_cmp expect string-text.x86_64/stdout &&
	test_file_empty string-text.x86_64/stderr
'

test_expect_success 'string-text: greet() is carried with its string section' '
	cdo_view string-text.x86_64/out.o .text.greet >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.greet.str1.1
	.text.greet
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	greet GLOBAL FUNC .text.greet size=29
	printk GLOBAL NOTYPE UNDEF size=0
	# relocations
	R .text.greet+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.greet+0x10 R_X86_64_32S .rodata.greet.str1.1 +0
	R .text.greet+0x19 R_X86_64_PLT32 printk -4
	# livepatch tables
	F greet greet vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'string-shared-shift: the fixture moves the string listener() uses' '
	{
		relocs string-shared-shift.x86_64/orig.o .text.listener &&
		relocs string-shared-shift.x86_64/patched.o .text.listener
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.listener+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.listener+0x11 R_X86_64_32S .rodata.talker.str1.1 +0
	R .text.listener+0x1a R_X86_64_PLT32 printk -4
	R .text.listener+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.listener+0x11 R_X86_64_32S .rodata.talker.str1.1 +20
	R .text.listener+0x1a R_X86_64_PLT32 printk -4
	EOF
	test_cmp expect actual
'

test_expect_success 'string-shared-shift: a new string in talker() leaves listener() unchanged' '
	test_expect_code 0 cdo string-shared-shift.x86_64 &&
	echo "changed function: talker (size)" >expect &&
	test_cmp expect string-shared-shift.x86_64/stdout &&
	test_file_empty string-shared-shift.x86_64/stderr &&
	cdo_symbols string-shared-shift.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	printk GLOBAL NOTYPE UNDEF size=0
	talker GLOBAL FUNC .text.talker size=53
	EOF
	test_cmp expect actual
'

test_expect_success 'static-local-renumbered: GCC renumbers every static local in the fixture' '
	{
		static_users static-local-renumbered.x86_64/orig.o .bss.calls &&
		echo -- &&
		static_users static-local-renumbered.x86_64/patched.o .bss.calls
	} >actual &&
	cat >expect <<-\EOF &&
	.text.counted .bss.calls.3 -4
	.text.tallied .bss.calls.2 -4
	.text.twice .bss.calls.0 -4
	.text.twice .bss.calls.1 -4
	--
	.text.counted .bss.calls.4 -4
	.text.last .bss.calls.0 -4
	.text.tallied .bss.calls.3 -4
	.text.twice .bss.calls.1 -4
	.text.twice .bss.calls.2 -4
	EOF
	test_cmp expect actual
'

test_expect_success 'static-local-renumbered: only last() is reported' '
	test_expect_code 0 cdo static-local-renumbered.x86_64 &&
	echo "changed function: last (size)" >expect &&
	test_cmp expect static-local-renumbered.x86_64/stdout &&
	test_file_empty static-local-renumbered.x86_64/stderr
'

test_expect_success 'static-local-renumbered: last() comes with its new static, nothing else' '
	cdo_view static-local-renumbered.x86_64/out.o .text.last >actual &&
	cat >expect <<-\EOF &&
	# sections
	.bss.calls.0
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.last
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	calls.0 LOCAL OBJECT .bss.calls.0 size=4
	last GLOBAL FUNC .text.last size=23
	# relocations
	R .text.last+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.last+0x7 R_X86_64_PC32 calls.0 -4
	R .text.last+0x10 R_X86_64_PC32 calls.0 -4
	# livepatch tables
	F last last vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'static-local-shared-section: the statics share .data.counters' '
	{
		symbols static-local-shared-section.x86_64/orig.o calls.0 calls.1 &&
		static_users static-local-shared-section.x86_64/orig.o .data.counters &&
		echo -- &&
		symbols static-local-shared-section.x86_64/patched.o calls.0 calls.1 calls.2 &&
		static_users static-local-shared-section.x86_64/patched.o .data.counters
	} >actual &&
	cat >expect <<-\EOF &&
	Y calls.0 LOCAL OBJECT .data.counters off=0 size=4
	Y calls.1 LOCAL OBJECT .data.counters off=0x4 size=4
	.text.counted .data.counters +0
	.text.tallied .data.counters -4
	--
	Y calls.0 LOCAL OBJECT .data.counters off=0 size=4
	Y calls.1 LOCAL OBJECT .data.counters off=0x4 size=4
	Y calls.2 LOCAL OBJECT .data.counters off=0x8 size=4
	.text.counted .data.counters +4
	.text.last .data.counters -4
	.text.tallied .data.counters +0
	EOF
	test_cmp expect actual
'

test_expect_success 'static-local-shared-section: only last() is reported, its static carried' '
	test_expect_code 0 cdo static-local-shared-section.x86_64 &&
	echo "changed function: last (size)" >expect &&
	test_cmp expect static-local-shared-section.x86_64/stdout &&
	test_file_empty static-local-shared-section.x86_64/stderr &&
	cdo_view static-local-shared-section.x86_64/out.o .text.last >actual &&
	cat >expect <<-\EOF &&
	# sections
	.data.calls.0
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.last
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	calls.0 LOCAL OBJECT .data.calls.0 size=4
	last GLOBAL FUNC .text.last size=23
	# relocations
	R .text.last+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.last+0x7 R_X86_64_PC32 calls.0 -4
	R .text.last+0x10 R_X86_64_PC32 calls.0 -4
	# livepatch tables
	F last last vmlinux sympos=0
	EOF
	test_cmp expect actual
'

# (The exit status is left to the next check.)
test_expect_success 'static-local-renumbered-user: counted() and last() are reported' '
	{ cdo static-local-renumbered-user.x86_64 || :; } &&
	cat >expect <<-\EOF &&
	changed function: counted (size)
	changed function: last (size)
	EOF
	test_cmp expect static-local-renumbered-user.x86_64/stdout
'

# The klp relocation names the original's symbol (calls.3): the running
# kernel has no calls.4.
test_expect_success 'static-local-renumbered-user: counted() reaches its static by its original name' '
	test_expect_code 0 cdo static-local-renumbered-user.x86_64 &&
	test_file_empty static-local-renumbered-user.x86_64/stderr &&
	lp-dump static-local-renumbered-user.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	F counted counted vmlinux sympos=0
	F last last vmlinux sympos=0
	K .text.counted+0x7 R_X86_64_PC32 calls.3 vmlinux addend=-4 sympos=0
	K .text.counted+0x11 R_X86_64_PC32 calls.3 vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_done
