#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: changes that cannot be livepatched (exit 2; x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# refused DIR: create-diff-object refuses DIR's pair: exit 2, nothing on
# stdout, no output file; the reasons are left in DIR/stderr.
refused() {
	test_expect_code 2 cdo "$1" &&
	test_file_empty "$1/stdout" &&
	cdo_missing "$1/out.o"
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 refuse-data-init refuse-bss-size refuse-init-text refuse-new-export \
		refuse-two-rules refuse-sched-call
'

test_expect_success 'a changed initializer of a global variable' '
	refused refuse-data-init.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: threshold: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect refuse-data-init.x86_64/stderr
'

test_expect_success 'a static array in .bss that grows' '
	refused refuse-bss-size.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: buf: the size of an existing variable changed (size): the running kernel keeps the old one; keep the variable as it is and attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect refuse-bss-size.x86_64/stderr
'

test_expect_success 'a change in a function in .init.text' '
	symbols refuse-init-text.x86_64/orig.o setup >actual &&
	echo "Y setup GLOBAL FUNC .init.text off=0 size=30" >expect &&
	test_cmp expect actual &&
	refused refuse-init-text.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: setup: changed __init code or data in .init.text: it runs only while booting or loading the module and cannot be livepatched; do one-time work in a pre-patch callback instead
	EOF
	test_cmp expect refuse-init-text.x86_64/stderr
'

test_expect_success 'a carried function calling a neighbour in .sched.text without a relocation' '
	objdump -dr refuse-sched-call.x86_64/patched.o |
		grep -A4 "<sched_caller>:" | grep -q "call.*<sched_callee>" &&
	refused refuse-sched-call.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: sched_caller+0x9: a branch to sched_callee, which shares .sched.text with it, has no relocation (the assembler resolved it): the copy in the livepatch would branch into nowhere, and kpatch-ng cannot carry sched_caller yet
	EOF
	test_cmp expect refuse-sched-call.x86_64/stderr
'

test_expect_success 'a new export (__ksymtab_helper)' '
	refused refuse-new-export.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: helper: newly exported: a livepatch cannot change the kernel'"'"'s export set; call the function from the patched code without exporting it
	EOF
	test_cmp expect refuse-new-export.x86_64/stderr
'

test_expect_success 'a removed export: the same pair the other way round' '
	mkdir unexport &&
	cp -P refuse-new-export.x86_64/patched.o unexport/orig.o &&
	cp -P refuse-new-export.x86_64/orig.o unexport/patched.o &&
	cdo_symvers unexport/Module.symvers &&
	refused unexport &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: helper: no longer exported: a livepatch cannot change the kernel'"'"'s export set; keep the EXPORT_SYMBOL
	EOF
	test_cmp expect unexport/stderr
'

test_expect_success 'two rules broken in one patch: both are reported' '
	refused refuse-two-rules.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: history: the size of an existing variable changed (size): the running kernel keeps the old one; keep the variable as it is and attach new state with a shadow variable (klp_shadow_*)
	create-diff-object: error: patched.o: limit: changed initialized data (data): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)
	EOF
	test_cmp expect refuse-two-rules.x86_64/stderr
'

test_done
