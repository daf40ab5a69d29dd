#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object -e: where each changed symbol first differs (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# -e adds indented lines to stdout, printed while comparing, before the
# "changed function" lines, which stay what they are without -e:
#	  NAME: first difference at NAME+OFF (code|data|relocation)
#	    original: <up to 8 bytes> | <relocation>
#	    patched:  <up to 8 bytes> | <relocation>
# where a relocation reads "SECTION+OFF TYPE -> TARGET+ADDEND" or, for a
# string literal, "-> "text"".  Symbols of another size say so first and
# then where their common bytes first differ.

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 sched-text call-other string-text rodata-table code-change
'

test_expect_success 'a code change: the offset and the bytes from there' '
	test_expect_code 0 cdo sched-text.x86_64 -e &&
	cat >expect <<-\EOF &&
	  sched_two: first difference at sched_two+0x7 (code)
	    original: 22 c3
	    patched:  33 c3
	changed function: sched_two (code)
	EOF
	test_cmp expect sched-text.x86_64/stdout &&
	test_file_empty sched-text.x86_64/stderr
'

test_expect_success 'a call to another function: both relocations' '
	test_expect_code 0 cdo call-other.x86_64 --explain &&
	cat >expect <<-\EOF &&
	  dispatch: first difference at dispatch+0x10 (relocation)
	    original: .text.dispatch+0x10 R_X86_64_PLT32 -> handler_a-4
	    patched: .text.dispatch+0x10 R_X86_64_PLT32 -> handler_b-4
	changed function: dispatch (relocation)
	EOF
	test_cmp expect call-other.x86_64/stdout &&
	test_file_empty call-other.x86_64/stderr
'

test_expect_success 'a changed string literal: both texts' '
	test_expect_code 0 cdo string-text.x86_64 -e &&
	cat >expect <<-\EOF &&
	  greet: first difference at greet+0x10 (relocation)
	    original: .text.greet+0x10 R_X86_64_32S -> "hello %d\n"
	    patched: .text.greet+0x10 R_X86_64_32S -> "hullo %d\n"
	changed function: greet (relocation)
	EOF
	test_cmp expect string-text.x86_64/stdout
'

test_expect_success 'a changed const table and its reader' '
	test_expect_code 0 cdo rodata-table.x86_64 -e &&
	cat >expect <<-\EOF &&
	  weights: first difference at weights+0xc (data)
	    original: 04 00 00 00
	    patched:  05 00 00 00
	  weigh: first difference at weigh+0xb (relocation)
	    original: .text.weigh+0xb R_X86_64_32S -> weights+0 (changed)
	    patched: .text.weigh+0xb R_X86_64_32S -> weights+0 (changed)
	changed function: weigh (relocation)
	EOF
	test_cmp expect rodata-table.x86_64/stdout
'

test_expect_success 'a function that grew: the sizes, then the first difference' '
	test_expect_code 0 cdo code-change.x86_64 -e &&
	cat >expect <<-\EOF &&
	  grow: size differs (9 -> 22 bytes)
	    first difference at grow+0x5 (code)
	    original: 8d 47 01 c3
	    patched:  53 89 fb 0f af df e8 00
	changed function: grow (size)
	EOF
	test_cmp expect code-change.x86_64/stdout
'

test_expect_success '-e changes neither the findings nor the diff object' '
	cp code-change.x86_64/out.o explained.o &&
	test_expect_code 0 cdo code-change.x86_64 &&
	echo "changed function: grow (size)" >expect &&
	test_cmp expect code-change.x86_64/stdout &&
	cmp explained.o code-change.x86_64/out.o
'

test_done
