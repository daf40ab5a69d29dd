#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='the fuzzing builds (test/fuzz/persist.c): a tool run five times in one process answers each run as the tool does once, with nothing left open or allocated (under ASan: make unit-asan)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# same_as_once TOOL ARG...: $BUILD/TOOL (or $BUILD/test/TOOL) once, then
# $BUILD/fuzz/TOOL five times in one process: the same exit status, and
# the one run's stdout and stderr five times over.  An output file named
# *.out is compared too.
same_as_once() {
	local tool=$1 once rc=0 rc5=0 i out
	shift
	once=$BUILD/$tool
	[ -x "$once" ] || once=$BUILD/test/$tool
	"$once" "$@" >once.stdout 2>once.stderr || rc=$?
	for out in "$@"; do
		case $out in *.out) cp "$out" once.file ;; esac
	done
	KPNG_FUZZ_RUNS=5 "$BUILD/fuzz/$tool" "$@" >five.stdout 2>five.stderr || rc5=$?
	echo "exit $rc5" >actual
	echo "exit $rc" >expect
	test_cmp expect actual
	for i in 1 2 3 4 5; do cat once.stdout; done >expect
	test_cmp expect five.stdout
	for i in 1 2 3 4 5; do cat once.stderr; done >expect
	test_cmp expect five.stderr
	for out in "$@"; do
		case $out in *.out) cmp once.file "$out" ;; esac
	done
}

test_expect_success 'setup: a pair, a diff object in a module, a target, broken copies' '
	cdo_pairs x86_64 code-change call-other refuse-data-init &&
	cdo_symvers Module.symvers &&
	d=code-change.x86_64 &&
	test_expect_code 0 cdo call-other.x86_64 &&
	ld -r -z noexecstack -o lp.ko call-other.x86_64/out.o &&
	ld -r -z noexecstack -o target.ko $d/orig.o &&
	xz -k -c --check=crc32 --lzma2=dict=1MiB target.ko >target.ko.xz &&
	head -c 2000 $d/patched.o >short.o &&
	head -c $(($(stat -c %s lp.ko) - 100)) lp.ko >short.ko
'

test_expect_success 'kelf-dump: an object, a .ko.xz, a truncated object' '
	same_as_once kelf-dump code-change.x86_64/orig.o &&
	same_as_once kelf-dump target.ko.xz &&
	same_as_once kelf-dump short.o
'

# Exit 0, 3, 2, and 1 from the ELF reader and from the target's lookup.
test_expect_success 'create-diff-object: a diff, no change, a refusal, a truncated object, a truncated target' '
	d=code-change.x86_64 r=refuse-data-init.x86_64 &&
	same_as_once create-diff-object -n vmlinux $d/orig.o $d/patched.o $d/orig.o Module.symvers diff.out &&
	same_as_once create-diff-object -n vmlinux $d/orig.o $d/orig.o $d/orig.o Module.symvers diff.out &&
	same_as_once create-diff-object -n vmlinux $r/orig.o $r/patched.o $r/orig.o Module.symvers diff.out &&
	same_as_once create-diff-object -n vmlinux $d/orig.o short.o $d/orig.o Module.symvers diff.out &&
	same_as_once create-diff-object -n vmlinux $d/orig.o $d/patched.o short.o Module.symvers diff.out
'

test_expect_success 'create-klp-module: a livepatch module, a truncated one' '
	same_as_once create-klp-module lp.ko klp.out &&
	same_as_once create-klp-module short.ko klp.out
'

test_expect_success 'check-target: every function against a module, against a truncated one' '
	d=code-change.x86_64 &&
	same_as_once check-target -a -n target $d/orig.o target.ko &&
	same_as_once check-target -a -n target $d/orig.o short.o
'

test_done
