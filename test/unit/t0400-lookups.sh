#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='lookups by address (--containing) and by name (--symbol)'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# containing OBJ SECTION OFFSET...: "OFFSET NAME" per lookup.
containing() {
	local obj=$1 sec=$2 off
	shift 2
	for off in "$@"; do
		printf "%s %s\n" "$off" "$(kelf-dump --containing "$sec" "$off" "$obj")"
	done
}

test_expect_success 'setup: the fixtures, and the duplicate names linked into one object' '
	setup_fixtures &&
	for arch in x86_64 arm64; do
		kernel_ld $arch -r -o dup-local-name.$arch.o \
			dup-local-name-func.$arch.o dup-local-name-var.$arch.o
	done
'

test_expect_success 'x86_64: first byte, last byte and end of a function' '
	# bump is 21 (0x15) bytes.
	containing static-local.x86_64.o .text.bump 0 0x14 0x15 0x1000 >actual &&
	cat >expect <<-\EOF &&
	0 bump
	0x14 bump
	0x15 (none)
	0x1000 (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: first byte (the patchable NOPs), last byte and end' '
	# bump is 28 (0x1c) bytes, starting with the two NOPs.
	containing static-local.arm64.o .text.bump 0 4 0x1b 0x1c >actual &&
	cat >expect <<-\EOF &&
	0 bump
	4 bump
	0x1b bump
	0x1c (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: padding between two functions of one section belongs to neither' '
	# shared_first [0, 0xa), padding [0xa, 0x20), shared_second [0x20, 0x2e).
	containing padding-between-functions.x86_64.o .text.shared \
		0 9 0xa 0x1f 0x20 0x2d 0x2e >actual &&
	cat >expect <<-\EOF &&
	0 shared_first
	9 shared_first
	0xa (none)
	0x1f (none)
	0x20 shared_second
	0x2d shared_second
	0x2e (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: padding between two functions of one section belongs to neither' '
	# shared_first [0, 0x14), padding [0x14, 0x20), shared_second [0x20, 0x40).
	containing padding-between-functions.arm64.o .text.shared \
		0x13 0x14 0x1f 0x20 0x3f 0x40 >actual &&
	cat >expect <<-\EOF &&
	0x13 shared_first
	0x14 (none)
	0x1f (none)
	0x20 shared_second
	0x3f shared_second
	0x40 (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'the .cold part is found in .text.unlikely, the hot part in .text' '
	{
		containing cold-split.x86_64.o .text.unlikely.sum 0 0x3a 0x3b &&
		containing cold-split.x86_64.o .text.sum 0x59 0x5a
	} >actual &&
	cat >expect <<-\EOF &&
	0 sum.cold
	0x3a sum.cold
	0x3b (none)
	0x59 sum
	0x5a (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'data objects, NOBITS included; section symbols never match' '
	{
		containing same-name-static-locals.x86_64.o .data.x.0 0 3 4 &&
		containing static-local.arm64.o .bss.counter.0 0 3 4 &&
		containing string-literal.x86_64.o .rodata.str1.1 0
	} >actual &&
	cat >expect <<-\EOF &&
	0 x.0
	3 x.0
	4 (none)
	0 counter.0
	3 counter.0
	4 (none)
	0 (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'an offset given in decimal or hex means the same byte' '
	containing padding-between-functions.x86_64.o .text.shared 32 0x20 45 46 >actual &&
	cat >expect <<-\EOF &&
	32 shared_second
	0x20 shared_second
	45 shared_second
	46 (none)
	EOF
	test_cmp expect actual
'

test_expect_success '--symbol lists duplicate local names in symbol-table order' '
	for arch in x86_64 arm64; do
		symbols dup-local-name.$arch.o helper || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y helper LOCAL FUNC .text.helper off=0 size=10
	Y helper LOCAL OBJECT .data.helper off=0 size=4
	Y helper LOCAL FUNC .text.helper off=0 size=20
	Y helper LOCAL OBJECT .data.helper off=0 size=4
	EOF
	test_cmp expect actual &&
	for arch in x86_64 arm64; do
		kelf-dump --symbol helper dup-local-name.$arch.o | cut -d" " -f2 >idx &&
		sort -n idx >sorted &&
		test_cmp sorted idx &&
		test "$(wc -l <idx)" -eq 2 || return 1
	done
'

test_expect_success '--symbol after a round trip lists the same duplicates' '
	for arch in x86_64 arm64; do
		kelf-copy dup-local-name.$arch.o copy.$arch.o &&
		kelf-dump --symbol helper dup-local-name.$arch.o >expect &&
		kelf-dump --symbol helper copy.$arch.o >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'each FILE symbol precedes the locals of its file' '
	kelf-dump -s dup-local-name.x86_64.o |
		awk "\$5 == \"FILE\" || \$3 == \"helper\" { print \$3, \$5 }" >actual &&
	cat >expect <<-\EOF &&
	dup-local-name-func.c FILE
	helper FUNC
	dup-local-name-var.c FILE
	helper OBJECT
	EOF
	test_cmp expect actual
'

test_done
