#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: the final accounting, no difference left out without a word (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 refuse-const-global refuse-param refuse-anonymous-section rodata-table \
		refuse-unsized-data refuse-unsized-data-alone refuse-unsized-code padding-new-sched
'

test_expect_success 'refuse-const-global: the objects differ as the fixture says' '
	symbols refuse-const-global.x86_64/patched.o max_retries build_tag >actual &&
	cat >expect <<-\EOF &&
	Y max_retries GLOBAL OBJECT .rodata.max_retries off=0 size=8
	Y build_tag GLOBAL OBJECT .rodata.build_tag off=0 size=3
	EOF
	test_cmp expect actual &&
	relocs refuse-const-global.x86_64/patched.o .text.retry | grep -c max_retries >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'refuse-const-global: a changed const global read here, and one read by nothing here, are refused' '
	cdo_refused refuse-const-global.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: max_retries: changed read-only data that is global: the livepatch'"'"'s functions would read a new copy while the code of other files keeps reading the original; keep the value and change the code that uses it, or make the object static
	create-diff-object: error: patched.o: build_tag: changed read-only data in .rodata.build_tag that nothing the livepatch carries refers to: the running kernel keeps the original; change the code that uses it instead, or mark the section with KPATCH_IGNORE_SECTION when the difference does not matter
	EOF
	test_cmp expect refuse-const-global.x86_64/stderr
'

test_expect_success 'rodata-table: a changed static const table is carried for its readers, all of them in this file' '
	test_expect_code 0 cdo rodata-table.x86_64 &&
	test_file_empty rodata-table.x86_64/stderr &&
	symbols rodata-table.x86_64/out.o weights >actual &&
	echo "Y weights LOCAL OBJECT .rodata.weights off=0 size=16" >expect &&
	test_cmp expect actual
'

test_expect_success 'refuse-param: a changed module_param() entry and a new one (with its name and variable) are refused, no "no changed functions"' '
	symbols refuse-param.x86_64/patched.o __param_verbose __param_debug >actual &&
	cat >expect <<-\EOF &&
	Y __param_verbose LOCAL OBJECT __param off=0x28 size=40
	Y __param_debug LOCAL OBJECT __param off=0 size=40
	EOF
	test_cmp expect actual &&
	cdo_refused refuse-param.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: __param_debug: new data in __param that nothing the livepatch carries refers to: a module parameter table: the loader would make it a parameter of the livepatch module; keep module_param() as it is
	create-diff-object: error: patched.o: __param_str_debug: new data in .rodata.__param_str_debug that nothing the livepatch carries refers to: it would be left out; an object that registers itself through its section (a table the kernel walks) cannot be livepatched, anything else must be used from changed code
	create-diff-object: error: patched.o: debug: new data in .bss.debug that nothing the livepatch carries refers to: it would be left out; an object that registers itself through its section (a table the kernel walks) cannot be livepatched, anything else must be used from changed code
	create-diff-object: error: patched.o: __param_verbose: changed read-only data in __param that nothing the livepatch carries refers to: the running kernel keeps the original; a module parameter table: the loader would make it a parameter of the livepatch module; keep module_param() as it is
	EOF
	test_cmp expect refuse-param.x86_64/stderr
'

test_expect_success 'refuse-anonymous-section: a changed section without symbols that nothing refers to is refused' '
	cdo_refused refuse-anonymous-section.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: .kpng.notes: changed section that nothing refers to and that has no symbols: kpatch-ng cannot tell what it is for; if the difference does not matter, mark it with KPATCH_IGNORE_SECTION
	EOF
	test_cmp expect refuse-anonymous-section.x86_64/stderr
'

# tbl and stub are asm without .size: no sized symbol covers their bytes.
test_expect_success 'refuse-unsized-*: the objects: tbl and stub are labels without a size' '
	for d in refuse-unsized-data refuse-unsized-code; do
		kelf-dump -s "$d.x86_64/patched.o" |
			awk "\$3 == \"tbl\" || \$3 == \"stub\" || \$3 == \"c\" { print \$3, \$5, \$6, \$8 }"
	done >actual &&
	cat >expect <<-\EOF &&
	c OBJECT .data..read_mostly size=4
	tbl NOTYPE .data..read_mostly size=0
	stub NOTYPE .text.run size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'refuse-unsized-data: a changed asm table beside a changed function is refused, not left out' '
	cdo_refused refuse-unsized-data.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: .data..read_mostly+0..0xc: changed bytes that no sized function or object covers (asm data or code without .size, a symbol of size 0; after tbl): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
	test_cmp expect refuse-unsized-data.x86_64/stderr
'

test_expect_success 'refuse-unsized-data-alone: the table alone changed: refused (exit 2), not "no changed functions" (exit 3)' '
	cdo_refused refuse-unsized-data-alone.x86_64 &&
	test_cmp expect refuse-unsized-data-alone.x86_64/stderr
'

test_expect_success 'refuse-unsized-code: a changed asm stub without .size in a function'"'"'s section is refused' '
	cdo_refused refuse-unsized-code.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: .text.run+0..0x10: changed bytes that no sized function or object covers (asm data or code without .size, a symbol of size 0; after stub): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
	test_cmp expect refuse-unsized-code.x86_64/stderr
'

test_expect_success 'padding-new-sched: the NOPs before a function after a new one are fill, not changed bytes' '
	kelf-dump -s padding-new-sched.x86_64/patched.o |
		awk "\$5 == \"FUNC\" && \$6 == \".sched.text\" { print \$3, \$7, \$8 }" >actual &&
	cat >expect <<-\EOF &&
	sched_a off=0x10 size=9
	sched_b off=0x30 size=9
	sched_new off=0x50 size=29
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo padding-new-sched.x86_64 &&
	printf "%s\n" "new function: sched_new" "changed function: use (size)" >expect &&
	test_cmp expect padding-new-sched.x86_64/stdout &&
	test_file_empty padding-new-sched.x86_64/stderr
'

test_expect_success 'every pair diffed against itself: no change (exit 3), nothing refused' '
	cdo_self_unchanged refuse-const-global refuse-param refuse-anonymous-section \
		refuse-unsized-data refuse-unsized-data-alone refuse-unsized-code
'

test_done
