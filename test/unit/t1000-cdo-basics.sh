#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: command line, bad input, and no change against itself'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# identity OBJ...: diff each OBJ against itself (as TARGET too), printing
# "OBJ: exit N", then its stdout and stderr.
identity() {
	local obj rc
	for obj in "$@"; do
		rc=0
		create-diff-object -n vmlinux "$obj" "$obj" "$obj" Module.symvers out.o \
			>stdout 2>stderr || rc=$?
		echo "$obj: exit $rc"
		cat stdout stderr
	done
}

# identity_expect OBJ...: what identity prints when nothing changed.
identity_expect() {
	local obj
	for obj in "$@"; do
		echo "$obj: exit 3"
		echo "create-diff-object: no changed functions in $obj"
	done
}

test_expect_success 'setup: every fixture pair for x86_64 and arm64, the ELF fixtures' '
	mapfile -t pairs < <(cdo_all_pairs) &&
	cdo_pairs x86_64 "${pairs[@]}" &&
	cdo_pairs arm64 "${pairs[@]}" &&
	setup_fixtures &&
	cdo_symvers Module.symvers &&
	printf "%s\n" "${pairs[@]}" >pairs
'

test_expect_success 'no arguments: exit 1, the count and the usage on stderr, nothing on stdout' '
	test_expect_code 1 create-diff-object >stdout 2>stderr &&
	test_file_empty stdout &&
	head -n 2 stderr >actual &&
	cat >expect <<-\EOF &&
	create-diff-object: error: expected 5 arguments, got 0
	usage: create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o
	EOF
	test_cmp expect actual &&
	grep -q "^Exit status: 0 diff written, 1 error, 2 cannot be livepatched, 3 no change\.$" stderr
'

test_expect_success 'four or six arguments: exit 1 with the count and the usage' '
	d=code-change.x86_64 &&
	test_expect_code 1 create-diff-object $d/orig.o $d/patched.o $d/orig.o $d/Module.symvers \
		>stdout 2>stderr &&
	test_file_empty stdout &&
	head -n 2 stderr >actual &&
	test_expect_code 1 create-diff-object $d/orig.o $d/patched.o $d/orig.o $d/Module.symvers \
		out.o extra.o >stdout 2>stderr &&
	test_file_empty stdout &&
	head -n 2 stderr >>actual &&
	cat >expect <<-\EOF &&
	create-diff-object: error: expected 5 arguments, got 4
	usage: create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o
	create-diff-object: error: expected 5 arguments, got 6
	usage: create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o
	EOF
	test_cmp expect actual &&
	cdo_missing out.o
'

test_expect_success '--help: the usage on stdout, exit 0' '
	create-diff-object --help >stdout 2>stderr &&
	test_file_empty stderr &&
	head -n 1 stdout >actual &&
	echo "usage: create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o" >expect &&
	test_cmp expect actual
'

test_expect_success 'a non-ELF original, patched object or target: exit 1, one line naming the file' '
	d=code-change.x86_64 &&
	echo "not an object" >text.o &&
	: >empty.o &&
	{
		test_expect_code 1 create-diff-object text.o $d/patched.o $d/orig.o $d/Module.symvers out.o &&
		test_expect_code 1 create-diff-object $d/orig.o empty.o $d/orig.o $d/Module.symvers out.o &&
		test_expect_code 1 create-diff-object $d/orig.o $d/patched.o text.o $d/Module.symvers out.o &&
		test_expect_code 1 create-diff-object missing.o $d/patched.o $d/orig.o $d/Module.symvers out.o
	} >stdout 2>actual &&
	cat >expect <<-EOF &&
	create-diff-object: error: text.o: not an ELF file: 14 bytes is shorter than an ELF header
	create-diff-object: error: empty.o: not an ELF file: 0 bytes is shorter than an ELF header
	create-diff-object: error: text.o: not an ELF file: 14 bytes is shorter than an ELF header
	create-diff-object: error: missing.o: cannot open: No such file or directory
	EOF
	test_cmp expect actual &&
	test_file_empty stdout &&
	cdo_missing out.o
'

test_expect_success 'a bad Module.symvers: exit 1 naming the file and line' '
	d=code-change.x86_64 &&
	printf "0x00000000\tprintk\tvmlinux\tEXPORT_SYMBOL\t\nprintk vmlinux\n" >bad.symvers &&
	test_expect_code 1 create-diff-object $d/orig.o $d/patched.o $d/orig.o bad.symvers out.o \
		>stdout 2>actual &&
	echo "create-diff-object: error: bad.symvers:2: not a Module.symvers line (expected CRC, name, module and export type separated by tabs)" >expect &&
	test_cmp expect actual &&
	test_file_empty stdout &&
	cdo_missing out.o
'

test_expect_success 'objects of two machines: exit 1 naming both' '
	test_expect_code 1 create-diff-object code-change.x86_64/orig.o code-change.arm64/patched.o \
		code-change.x86_64/orig.o Module.symvers out.o >stdout 2>actual &&
	echo "create-diff-object: error: code-change.x86_64/orig.o and code-change.arm64/patched.o are built for different machines (62, 183)" >expect &&
	test_cmp expect actual &&
	cdo_missing out.o
'

test_expect_success 'an output that cannot be written: exit 1, nothing left behind' '
	mkdir ro &&
	test_expect_code 1 create-diff-object code-change.x86_64/orig.o code-change.x86_64/patched.o \
		code-change.x86_64/orig.o Module.symvers ro/missing/out.o >stdout 2>stderr &&
	sed -e "s/out\.o\.[A-Za-z0-9]*:/out.o.XXXXXX:/" stderr >actual &&
	echo "create-diff-object: error: ro/missing/out.o.XXXXXX: cannot create a temporary file: No such file or directory" >expect &&
	test_cmp expect actual &&
	cdo_missing ro/missing
'

test_expect_success 'every fixture pair against itself (x86_64): exit 3, no change' '
	objs=() &&
	for p in $(cat pairs); do
		objs+=("$p.x86_64/orig.o" "$p.x86_64/patched.o")
	done &&
	identity "${objs[@]}" >actual &&
	identity_expect "${objs[@]}" >expect &&
	test_cmp expect actual &&
	cdo_missing out.o
'

test_expect_success 'every fixture pair against itself (arm64): exit 3, no change' '
	objs=() &&
	for p in $(cat pairs); do
		objs+=("$p.arm64/orig.o" "$p.arm64/patched.o")
	done &&
	identity "${objs[@]}" >actual &&
	identity_expect "${objs[@]}" >expect &&
	test_cmp expect actual
'

test_expect_success 'every ELF-layer fixture against itself (x86_64 and arm64): exit 3' '
	identity ./*.x86_64.o ./*.arm64.o >actual &&
	identity_expect ./*.x86_64.o ./*.arm64.o >expect &&
	test_cmp expect actual
'

test_done
