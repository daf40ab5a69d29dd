#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='xz-compressed objects (.ko.xz) read like the objects they hold'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# rejected FILE MESSAGE: kelf-dump exits 1, prints nothing on stdout and
# exactly "kelf-dump: error: FILE: MESSAGE" on stderr.
rejected() {
	test_expect_code 1 kelf-dump "$1" >out 2>err &&
	test_file_empty out &&
	echo "kelf-dump: error: $1: $2" >expect &&
	test_cmp expect err
}

test_expect_success 'setup: the fixtures, a compressed copy, the code-change pair' '
	setup_fixtures &&
	xz -c static-local.x86_64.o >static-local.x86_64.o.xz &&
	cdo_pairs x86_64 code-change
'

test_expect_success 'kelf-dump reads the same model from the object and its .xz' '
	kelf-dump static-local.x86_64.o >expect &&
	kelf-dump static-local.x86_64.o.xz >actual &&
	test_cmp expect actual
'

test_expect_success 'a truncated .xz: exit 1 and one line naming the file' '
	size=$(stat -c %s static-local.x86_64.o.xz) &&
	head -c $((size / 2)) static-local.x86_64.o.xz >cut.o.xz &&
	rejected cut.o.xz "xz: compressed data is truncated"
'

test_expect_success 'a corrupted .xz: exit 1 and one line naming the file' '
	cp static-local.x86_64.o.xz bad.o.xz &&
	printf "\377\377\377\377" | dd of=bad.o.xz bs=1 seek=64 conv=notrunc 2>/dev/null &&
	rejected bad.o.xz "xz: compressed data is corrupt"
'

test_expect_success 'an .xz holding no ELF file is refused as such' '
	echo "this is a text file, longer than an ELF identification" | xz -c >text.o.xz &&
	rejected text.o.xz "not an ELF file"
'

test_expect_success 'create-diff-object takes a .ko.xz TARGET: same output as uncompressed' '
	d=code-change.x86_64 &&
	test_expect_code 0 cdo $d &&
	xz -c $d/orig.o >$d/target.ko.xz &&
	(cd $d && create-diff-object -n vmlinux orig.o patched.o target.ko.xz \
		Module.symvers out-xz.o >stdout-xz 2>stderr-xz) &&
	test_cmp $d/stdout $d/stdout-xz &&
	test_cmp $d/stderr $d/stderr-xz &&
	cmp $d/out.o $d/out-xz.o
'

test_done
