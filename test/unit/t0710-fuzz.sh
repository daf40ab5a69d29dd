#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='single-byte corruptions never crash the ELF layer'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# 300 corruptions, deterministic (elf-patch corrupt: seed N always patches
# the same byte of the same file with the same value): seeds 1-150 of the
# x86_64 cold-split fixture and 151-300 of the arm64 COMDAT fixture.
# kelf-dump and kelf-copy must exit 0 or 1, never die of a signal; an
# object kelf-copy wrote must read back.
#
# t0720-valgrind.sh runs a handful of these under valgrind; `make
# unit-asan` (part of `make check`) runs this file, like the whole unit
# suite, with the tools built with AddressSanitizer and
# UndefinedBehaviorSanitizer, where any report is a failure.

# fuzz DIR LOG [TOOLDIR]: run kelf-dump and kelf-copy (from TOOLDIR,
# default $BUILD/test) on every DIR/*.o through fuzz-run
# (test/tools/fuzz-run.c); LOG gets one line per file, "SEED DUMP COPY
# REREAD", the tools' messages go to DIR.stderr.  Fails, naming the
# corruption, on any status but 0 and 1.
fuzz() {
	local dir=$1 log=$2 tools=${3:-$BUILD/test} rc=0
	mkdir -p "$dir.out" &&
	fuzz-run "$tools" "$dir.out" "$dir"/*.o >"$log" 2>"$dir.stderr" || rc=$?
	if [ "$rc" -ne 0 ]; then
		awk '$2 !~ /^[01]$/ || $3 !~ /^[01]$/ || $4 !~ /^[-0]$/' "$log" |
		while read -r n dump copy reread; do
			echo "seed $n: kelf-dump $dump, kelf-copy $copy, re-read $reread;" \
				"patched $(sed -n "s/^$n: //p" "$dir.patches")"
		done
		return 1
	fi
}

test_expect_success 'setup: 300 corrupted objects' '
	setup_fixtures &&
	mkdir x86 arm64 &&
	elf-patch cold-split.x86_64.o corrupt 1 150 x86 >x86.patches &&
	elf-patch comdat-group.arm64.o corrupt 151 150 arm64 >arm64.patches &&
	ls x86 arm64 | grep -c "\.o$" >count &&
	echo 300 >expect &&
	test_cmp expect count
'

test_expect_success 'the corruptions are deterministic' '
	mkdir again &&
	elf-patch cold-split.x86_64.o corrupt 1 150 again >again.patches &&
	test_cmp x86.patches again.patches &&
	cmp x86/77.o again/77.o
'

test_expect_success 'x86_64: kelf-dump and kelf-copy exit 0 or 1 on 150 corruptions' '
	fuzz x86 x86.log &&
	test_say "x86_64: $(awk "\$2 == 1" x86.log | wc -l) of 150 rejected," \
		"$(awk "\$4 == 0" x86.log | wc -l) copied and read back"
'

test_expect_success 'arm64: kelf-dump and kelf-copy exit 0 or 1 on 150 corruptions' '
	fuzz arm64 arm64.log &&
	test_say "arm64: $(awk "\$2 == 1" arm64.log | wc -l) of 150 rejected," \
		"$(awk "\$4 == 0" arm64.log | wc -l) copied and read back"
'

test_expect_success 'every rejection is one error line naming the file' '
	cat x86.stderr arm64.stderr >all.stderr &&
	grep -v -E "^kelf-(dump|copy): error: (x86|arm64)(\.out)?/[0-9]+\.o: " all.stderr >other || true &&
	test_file_empty other &&
	# As many lines as runs that exited 1.
	cat x86.log arm64.log | awk "{ for (i = 2; i <= 4; i++) n += \$i == \"1\" } END { print n }" >expect &&
	wc -l <all.stderr >actual &&
	test_cmp expect actual
'

test_done
