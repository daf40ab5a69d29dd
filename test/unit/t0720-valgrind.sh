#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='valgrind: no invalid access and no leak, on success and error paths'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Each check runs one tool under valgrind's memcheck, which exits 99 on an
# invalid read or write, a use of uninitialised memory, or a definite or
# indirect leak; the tool's own status must be 0 or 1 as usual.  About
# half a second a run, so a handful of runs: one per path through the ELF
# layer rather than many of the same.

test_set_prereq_valgrind

# vg COMMAND...: run COMMAND under memcheck; print valgrind's report and
# fail on a memcheck error or an exit status other than 0 or 1.
vg() {
	local rc=0
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect \
		"$@" >vg.out 2>vg.err || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "valgrind $*: exit status $rc"
		cat vg.err
		return 1
	fi
}

# patched SRC NAME ELF-PATCH-ARGS...: a copy of fixture SRC, one field changed.
patched() {
	local src=$1 name=$2
	shift 2
	cp "$src" "$name" &&
	elf-patch "$name" "$@"
}

test_expect_success VALGRIND 'setup: the fixtures' '
	setup_fixtures
'

test_expect_success VALGRIND 'kelf-copy: read and write (arm64: groups, link-order sections)' '
	vg kelf-copy comdat-group.arm64.o copy.o &&
	kelf-copy comdat-group.arm64.o ref.o &&
	cmp ref.o copy.o
'

test_expect_success VALGRIND 'kelf-build-test: create, write, reopen, every lookup of kelf.h' '
	vg kelf-build-test x86_64 built.o
'

test_expect_success VALGRIND 'error while reading symbols: everything read so far is freed' '
	patched static-local.x86_64.o shndx.o sym bump st_shndx 200 &&
	vg kelf-copy shndx.o out.o &&
	grep -c "section index 200 out of range" vg.err
'

test_expect_success VALGRIND 'error while reading relocations' '
	patched static-local.x86_64.o rsym.o rela .rela.text.bump 1 r_sym 999 &&
	vg kelf-copy rsym.o out.o &&
	grep -c "symbol index 999 out of range" vg.err
'

test_expect_success VALGRIND 'error while reading a group' '
	patched comdat-group.x86_64.o group.o word .group 1 99 &&
	vg kelf-copy group.o out.o &&
	grep -c "section index 99 out of range" vg.err
'

test_expect_success VALGRIND 'fuzz: the first corruption rejected and the first copied' '
	mkdir corrupt out &&
	elf-patch cold-split.x86_64.o corrupt 1 20 corrupt >patches &&
	fuzz-run "$BUILD/test" out corrupt/*.o >log 2>/dev/null &&
	rejected=$(awk "\$3 == 1 { print \$1; exit }" log) &&
	copied=$(awk "\$3 == 0 { print \$1; exit }" log) &&
	test -n "$rejected" && test -n "$copied" &&
	vg kelf-copy corrupt/$rejected.o out.o &&
	vg kelf-copy corrupt/$copied.o out.o
'

test_done
