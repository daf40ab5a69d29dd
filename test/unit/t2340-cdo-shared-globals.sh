#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object -g: new globals one file of a patch defines and another uses'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# shared-global-def adds kpng_shared_helper() and kpng_shared_count;
# shared-global-use calls and reads them.  The running kernel has neither
# (each pair's TARGET is its own orig.o): they are the livepatch's own,
# and kpatch-build lists them with -g for every diff object of the kernel
# object, so that the diff objects link to each other.

test_expect_success 'setup: the fixture pairs, the list of new globals' '
	cdo_pairs x86_64 shared-global-def shared-global-use &&
	printf "%s\n" kpng_shared_count kpng_shared_helper >shared
'

test_expect_success 'without -g the user is refused: the running kernel has no such symbol' '
	test_expect_code 1 cdo shared-global-use.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: orig.o: global symbol kpng_shared_count not found
	create-diff-object: error: patched.o: .text.use_it+0xb: cannot resolve global kpng_shared_count in the running kernel
	EOF
	test_cmp expect shared-global-use.x86_64/stderr
'

test_expect_success 'with -g the user links to them as ordinary undefined symbols, no klp relocation' '
	test_expect_code 0 cdo shared-global-use.x86_64 -g "$PWD/shared" &&
	echo "changed function: use_it (size)" >expect &&
	test_cmp expect shared-global-use.x86_64/stdout &&
	test_file_empty shared-global-use.x86_64/stderr &&
	{
		relocs shared-global-use.x86_64/out.o .text.use_it &&
		symbols shared-global-use.x86_64/out.o kpng_shared_count kpng_shared_helper &&
		lp-dump shared-global-use.x86_64/out.o
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.use_it+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.use_it+0xb R_X86_64_PC32 kpng_shared_count -4
	R .text.use_it+0x14 R_X86_64_PLT32 kpng_shared_helper -4
	Y kpng_shared_count GLOBAL NOTYPE UNDEF off=0 size=0
	Y kpng_shared_helper GLOBAL NOTYPE UNDEF off=0 size=0
	F use_it use_it vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'with -g the definer carries the new function and the variable only the user reads' '
	test_expect_code 0 cdo shared-global-def.x86_64 -g "$PWD/shared" &&
	echo "new function: kpng_shared_helper" >expect &&
	test_cmp expect shared-global-def.x86_64/stdout &&
	symbols shared-global-def.x86_64/out.o kpng_shared_count kpng_shared_helper >actual &&
	cat >expect <<-\EOF &&
	Y kpng_shared_count GLOBAL OBJECT .data.kpng_shared_count off=0 size=4
	Y kpng_shared_helper GLOBAL FUNC .text.kpng_shared_helper off=0 size=29
	EOF
	test_cmp expect actual
'

test_expect_success 'without -g the definer is refused: the variable none of its functions uses would be left out' '
	test_expect_code 2 cdo shared-global-def.x86_64 &&
	grep -F "patched.o: kpng_shared_count: new data in .data.kpng_shared_count that nothing the livepatch carries refers to" \
		shared-global-def.x86_64/stderr
'

test_expect_success 'linked together (ld -r), the two diff objects leave nothing of theirs undefined' '
	test_expect_code 0 cdo shared-global-def.x86_64 -g "$PWD/shared" &&
	ld -r -o lp.o shared-global-def.x86_64/out.o shared-global-use.x86_64/out.o &&
	nm -u lp.o >actual &&
	cat >expect <<-\EOF &&
	                 U __fentry__
	                 U printk
	EOF
	test_cmp expect actual
'

test_expect_success 'a bad -g file: exit 1 naming the file and line' '
	printf "kpng_ok\nnot one name\n" >bad &&
	test_expect_code 1 cdo shared-global-use.x86_64 -g "$PWD/bad" &&
	echo "create-diff-object: error: $PWD/bad:2: not a symbol name: '"'"'not one name'"'"'" >expect &&
	test_cmp expect shared-global-use.x86_64/stderr &&
	test_expect_code 1 cdo shared-global-use.x86_64 -g "$PWD/missing" &&
	echo "create-diff-object: error: $PWD/missing: cannot open: No such file or directory" >expect &&
	test_cmp expect shared-global-use.x86_64/stderr
'

test_done
