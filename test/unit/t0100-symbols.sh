#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='symbols as the ELF layer reads them from kernel-flag objects'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Expected lines are "Y NAME BIND TYPE SECTION off=OFFSET size=SIZE"
# (kelf-dump's symbol line without the index); sizes are GCC 12's.

test_expect_success 'setup: the fixtures for x86_64 and arm64' '
	setup_fixtures
'

test_expect_success 'x86_64: functions, the static local counter.0 and __fentry__' '
	symbols static-local.x86_64.o static-local.c bump bump_twice counter.0 __fentry__ >actual &&
	cat >expect <<-\EOF &&
	Y static-local.c LOCAL FILE ABS off=0 size=0
	Y bump GLOBAL FUNC .text.bump off=0 size=21
	Y bump_twice GLOBAL FUNC .text.bump_twice off=0 size=25
	Y counter.0 LOCAL OBJECT .bss.counter.0 off=0 size=4
	Y __fentry__ GLOBAL NOTYPE UNDEF off=0 size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'arm64: functions and the static local counter.0, no __fentry__' '
	symbols static-local.arm64.o bump bump_twice counter.0 __fentry__ >actual &&
	cat >expect <<-\EOF &&
	Y bump GLOBAL FUNC .text.bump off=0 size=28
	Y bump_twice GLOBAL FUNC .text.bump_twice off=0 size=36
	Y counter.0 LOCAL OBJECT .bss.counter.0 off=0 size=4
	EOF
	test_cmp expect actual
'

test_expect_success 'same-name statics: x.0 and x.1, each in its own .data section' '
	for arch in x86_64 arm64; do
		symbols same-name-static-locals.$arch.o x x.0 x.1 x.2 || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y x.0 LOCAL OBJECT .data.x.0 off=0 size=4
	Y x.1 LOCAL OBJECT .data.x.1 off=0 size=4
	Y x.0 LOCAL OBJECT .data.x.0 off=0 size=4
	Y x.1 LOCAL OBJECT .data.x.1 off=0 size=4
	EOF
	test_cmp expect actual
'

test_expect_success 'x86_64: the .cold part of sum() is a LOCAL FUNC in .text.unlikely.sum' '
	symbols cold-split.x86_64.o sum sum.cold total report halt >actual &&
	cat >expect <<-\EOF &&
	Y sum GLOBAL FUNC .text.sum off=0 size=90
	Y sum.cold LOCAL FUNC .text.unlikely.sum off=0 size=59
	Y total GLOBAL OBJECT .bss.total off=0 size=8
	Y report GLOBAL NOTYPE UNDEF off=0 size=0
	Y halt GLOBAL NOTYPE UNDEF off=0 size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'weak definition and weak undefined reference' '
	for arch in x86_64 arm64; do
		symbols weak-symbols.$arch.o default_hook optional_hook run_hooks || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y default_hook WEAK FUNC .text.default_hook off=0 size=9
	Y optional_hook WEAK NOTYPE UNDEF off=0 size=0
	Y run_hooks GLOBAL FUNC .text.run_hooks off=0 size=45
	Y default_hook WEAK FUNC .text.default_hook off=0 size=16
	Y optional_hook WEAK NOTYPE UNDEF off=0 size=0
	Y run_hooks GLOBAL FUNC .text.run_hooks off=0 size=44
	EOF
	test_cmp expect actual
'

test_expect_success 'undefined externs are GLOBAL NOTYPE UNDEF' '
	for arch in x86_64 arm64; do
		symbols undefined-extern.$arch.o shared_value compute || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y shared_value GLOBAL NOTYPE UNDEF off=0 size=0
	Y compute GLOBAL NOTYPE UNDEF off=0 size=0
	Y shared_value GLOBAL NOTYPE UNDEF off=0 size=0
	Y compute GLOBAL NOTYPE UNDEF off=0 size=0
	EOF
	test_cmp expect actual
'

test_expect_success 'COMDAT members: the signature function and a local object' '
	for arch in x86_64 arm64; do
		symbols comdat-group.$arch.o thunk thunk_ptr || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y thunk GLOBAL FUNC .text.thunk off=0 size=1
	Y thunk_ptr LOCAL OBJECT .data.thunk_ptr off=0 size=8
	Y thunk GLOBAL FUNC .text.thunk off=0 size=4
	Y thunk_ptr LOCAL OBJECT .data.thunk_ptr off=0 size=8
	EOF
	test_cmp expect actual
'

test_expect_success 'two functions in one section: offsets 0 and 0x20' '
	for arch in x86_64 arm64; do
		symbols padding-between-functions.$arch.o shared_first shared_second || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y shared_first GLOBAL FUNC .text.shared off=0 size=10
	Y shared_second GLOBAL FUNC .text.shared off=0x20 size=14
	Y shared_first GLOBAL FUNC .text.shared off=0 size=20
	Y shared_second GLOBAL FUNC .text.shared off=0x20 size=32
	EOF
	test_cmp expect actual
'

test_expect_success 'a data object holding a string literal pointer' '
	for arch in x86_64 arm64; do
		symbols string-literal.$arch.o greeting pick || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	Y greeting GLOBAL OBJECT .data.greeting off=0 size=8
	Y pick GLOBAL FUNC .text.pick off=0 size=26
	Y greeting GLOBAL OBJECT .data.greeting off=0 size=8
	Y pick GLOBAL FUNC .text.pick off=0 size=36
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown name has no symbol line, and that is not an error' '
	kelf-dump --symbol no_such_symbol static-local.x86_64.o >actual &&
	test_file_empty actual
'

test_expect_success 'every fixture: locals come first, sh_info is the first global' '
	for o in *.o; do
		echo "File: $o" &&
		kelf-dump -s "$o" || return 1
	done >symbols &&
	readelf -W -S *.o >headers &&
	# From the symbols: the index of the first global, and any local
	# after it; from the headers: .symtab'\''s sh_info (the Inf column).
	awk "
		/^File: / { f = \$2; sub(/:\$/, \"\", f); next }
		FILENAME == \"symbols\" && \$4 != \"LOCAL\" && !(f in first) { first[f] = \$2 }
		FILENAME == \"symbols\" && \$4 == \"LOCAL\" && (f in first) { print f \": local \" \$3 \" after a global\" }
		FILENAME == \"headers\" && / \\.symtab / { info[f] = \$(NF - 1) }
		END {
			for (f in info) { n++; if (info[f] != first[f]) print f \": sh_info \" info[f] \", first global \" first[f] }
			if (n != $((${#ALL_FIXTURES[@]} * 2))) print n \" objects\"
		}" symbols headers >actual &&
	test_file_empty actual
'

test_done
