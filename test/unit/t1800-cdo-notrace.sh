#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='create-diff-object: changed functions without an ftrace entry are patched through their callers, or refused'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 notrace-callee notrace-global notrace-pointer &&
	cdo_pairs arm64 notrace-callee
'

test_expect_success 'notrace-callee: the ftrace call sites are the three traced functions' '
	kelf-dump notrace-callee.x86_64/orig.o | awk "/^R __mcount_loc/ { print \$4 }" >actual &&
	printf ".text.%s\n" wrapper_a wrapper_b bystander >expect &&
	test_cmp expect actual &&
	kelf-dump notrace-callee.arm64/orig.o |
		awk "/^R __patchable_function_entries/ { print \$4 }" >actual &&
	test_cmp expect actual
'

for arch in x86_64 arm64; do
	test_expect_success "notrace-callee ($arch): both callers are patched for the body" '
		test_expect_code 0 cdo notrace-callee.'$arch' &&
		cat >expect <<-\EOF &&
		changed function: body (code; no ftrace entry: patched through its callers)
		changed function: wrapper_a (calls body)
		changed function: wrapper_b (calls body)
		EOF
		test_cmp expect notrace-callee.'$arch'/stdout &&
		test_file_empty notrace-callee.'$arch'/stderr &&
		lp-dump notrace-callee.'$arch'/out.o | grep "^F" >actual &&
		cat >expect <<-\EOF &&
		F wrapper_a wrapper_a vmlinux sympos=0
		F wrapper_b wrapper_b vmlinux sympos=0
		EOF
		test_cmp expect actual &&
		symbols notrace-callee.'$arch'/out.o body >actual &&
		grep -q "^Y body LOCAL FUNC .text.body" actual &&
		! lp-dump notrace-callee.'$arch'/out.o | grep -q "^K.* body "
	'
done

test_expect_success 'notrace-global: a global function without an ftrace entry is refused' '
	test_expect_code 2 cdo notrace-global.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: global_body: changed, and has no ftrace entry (notrace or inline), and is global: callers in other objects would still run the old code; make the change in its traceable callers, or in a traceable function it calls
	EOF
	test_cmp expect notrace-global.x86_64/stderr
'

test_expect_success 'notrace-pointer: one whose address is kept in data is refused' '
	test_expect_code 2 cdo notrace-pointer.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: handler: changed, and has no ftrace entry (notrace or inline), but its address is stored in .rodata.handlers: a function pointer would still reach the old code; patch the functions that call through it, or make it traceable
	EOF
	test_cmp expect notrace-pointer.x86_64/stderr
'

test_done
