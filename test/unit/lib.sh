# shellcheck shell=bash source-path=SCRIPTDIR
#
# lib.sh - the unit-test library, sourced by every test/unit/tNNNN-*.sh.
#
# Modelled on git's t/test-lib.sh.  A test file reads:
#
#	#!/usr/bin/env bash
#	# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
#	test_description='what this file pins'	(printed when a check fails)
#	# shellcheck source=lib.sh
#	. "$(dirname "$0")/lib.sh"
#
#	test_expect_success 'the thing it checks' '
#		some-command >actual &&
#		echo "expected text" >expect &&
#		test_cmp expect actual
#	'
#	test_done
#
# (The shellcheck directive, before the first command, holds for the
# whole file: SC2016 because test bodies are single-quoted text run by
# eval, SC2317 because helpers called only from bodies look unreachable.)
#
# Each test file runs in its own scratch directory (the working directory
# of every test body), created under mktemp, removed when every check of
# the file passed and kept, with its path printed, when one failed.  Each
# test body runs in a subshell with errexit, nounset and pipefail, so any
# failing command fails the check; the output of a failed body is printed
# as "# " lines.  Use test_must_fail or test_expect_code, never "! cmd",
# to assert that a command fails: errexit ignores a negated command.
#
# Results go to stdout as TAP-like lines ("ok 3 - description",
# "not ok 4 - description", "ok 5 - description # skip missing VALGRIND")
# followed by a plan line "1..N"; test/unit/run.sh renumbers them across
# files and prints the suite summary.  A test file can be run alone:
#
#	bash test/unit/t0100-symbols.sh [BUILD_DIR]	(default: build)
#
# KPATCH_UNIT_TIMES=1 adds a "# N took T s" line after each check.
#
# Environment for test bodies:
#	SRC		the source tree
#	BUILD		the build directory; $BUILD/test is first on PATH, so
#			kelf-dump, kelf-copy, elf-patch, ... are plain commands
#	FIXTURES	test/unit/fixtures (see fixtures.sh for the compilers)
#	TRASH		this file's scratch directory (the working directory)

set -o nounset -o pipefail

SRC=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
BUILD=${KPATCH_UNIT_BUILD:-${1:-build}}
case $BUILD in
/*) ;;
*) BUILD=$SRC/$BUILD ;;
esac
if [ ! -x "$BUILD/test/kelf-dump" ]; then
	echo "Bail out! $BUILD/test/kelf-dump is missing: run make first" >&2
	exit 1
fi
PATH=$BUILD/test:$PATH
export SRC BUILD PATH
# Diagnostics and readelf output in a fixed language.
export LC_ALL=C

test_name=${0##*/}
test_name=${test_name%.sh}
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/kpatch-unit-$test_name.XXXXXX")
export TRASH
cd "$TRASH" || exit 1

test_count=0
test_failed=0
test_skipped=0
test_finished=false
declare -A test_prereqs=()

test_cleanup() {
	if ! "$test_finished"; then
		echo "# $test_name: stopped before test_done; scratch directory kept: $TRASH"
	fi
}
trap test_cleanup EXIT

# test_set_prereq NAME: later checks that name NAME may run.
test_set_prereq() {
	test_prereqs[$1]=1
}

# test_set_prereq_valgrind: VALGRIND, when valgrind is installed and the
# tools are not built with the sanitizers (KPATCH_UNIT_SANITIZED, set by
# `make unit-asan`): AddressSanitizer's shadow memory and valgrind's do not
# mix, and the sanitized run checks the same accesses.
test_set_prereq_valgrind() {
	[ -z "${KPATCH_UNIT_SANITIZED:-}" ] || return 0
	command -v valgrind >/dev/null && test_set_prereq VALGRIND
}

# test_have_prereq NAME: true when NAME was set.
test_have_prereq() {
	[ -n "${test_prereqs[$1]:-}" ]
}

# test_expect_success [PREREQ] DESCRIPTION BODY
# Run BODY (shell text) in a subshell in the scratch directory; one check.
test_expect_success() {
	local prereq='' desc body out rc start
	if [ "$#" -eq 3 ]; then
		prereq=$1
		shift
	fi
	[ "$#" -eq 2 ] || test_bug "test_expect_success: expected [PREREQ] DESCRIPTION BODY"
	desc=$1
	body=$2
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		test_skipped=$((test_skipped + 1))
		echo "ok $test_count - $desc # skip missing $prereq"
		return 0
	fi
	out=$TRASH/.test-output
	start=$EPOCHREALTIME
	cd "$TRASH" || test_bug "scratch directory $TRASH vanished"
	(
		set -o errexit -o errtrace -o nounset -o pipefail
		trap 'echo "error: exit status $? from: $BASH_COMMAND" >&2' ERR
		eval "$body"
	) 3>&1 >"$out" 2>&1 </dev/null
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $test_count - $desc"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $desc"
		sed -e 's/^/#	/' "$out"
	fi
	if [ -n "${KPATCH_UNIT_TIMES:-}" ]; then
		echo "# $test_count took $(test_elapsed "$start") s"
	fi
	return 0
}

# test_elapsed START: seconds since START (an $EPOCHREALTIME), to 0.01.
test_elapsed() {
	local now=${EPOCHREALTIME/[.,]/} then=${1/[.,]/} us
	us=$((now - then))
	printf "%d.%02d" $((us / 1000000)) $((us % 1000000 / 10000))
}

# test_done: print the plan; remove the scratch directory if all passed.
test_done() {
	test_finished=true
	echo "1..$test_count"
	if [ "$test_failed" -eq 0 ]; then
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	echo "# $test_name: $test_failed of $test_count failed; scratch directory kept: $TRASH"
	[ -z "${test_description:-}" ] || echo "# $test_name: $test_description"
	exit 1
}

# test_bug MESSAGE: a mistake in a test file, not a test failure.
test_bug() {
	echo "Bail out! $test_name: BUG in the test script: $*" >&2
	exit 1
}

# --- assertions for test bodies ------------------------------------------

# test_cmp EXPECT ACTUAL: the two files are identical (diff -u otherwise).
test_cmp() {
	diff -u "$1" "$2"
}

# test_expect_code CODE COMMAND...: COMMAND exits with exactly CODE.
test_expect_code() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $rc, expected $want" >&2
		return 1
	fi
}

# test_must_fail COMMAND...: COMMAND fails by exiting 1..125, not by a
# signal (exit status 128 + N) or because it is missing (126, 127).
test_must_fail() {
	local rc=0
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif [ "$rc" -gt 125 ]; then
		echo "test_must_fail: '$*' died with status $rc" >&2
		return 1
	fi
}

# test_say TEXT...: print "# TEXT" with the results (figures a check
# reports rather than asserts; the rest of a body's output is shown only
# when it fails).
test_say() {
	echo "# $*" >&3
}

# test_file_empty FILE: FILE exists and is empty (prints it otherwise).
test_file_empty() {
	if [ -s "$1" ]; then
		echo "test_file_empty: $1 is not empty:" >&2
		cat "$1" >&2
		return 1
	fi
}

# --- fixtures -------------------------------------------------------------

# shellcheck source=fixtures.sh
. "$SRC/test/unit/fixtures.sh"

# setup_fixtures: every fixture, for every arch, as NAME.ARCH.o in the
# scratch directory: links to the objects run.sh compiled for the whole
# run (KPATCH_UNIT_FIXTURES), or compiled here when the file runs alone.
# Never patch these in place: copy first.
setup_fixtures() {
	local dir=${KPATCH_UNIT_FIXTURES:-}
	if [ -n "$dir" ] && [ -e "$dir/.done" ]; then
		ln -s "$dir"/*.o .
	else
		compile_fixtures "$TRASH" 2
	fi
}

# --- views of an object through kelf-dump ----------------------------------

# symbols OBJ NAME...: the kelf-dump line of every symbol called NAME, in
# symbol-table order, without the index (indexes depend on the assembler).
symbols() {
	local obj=$1 name
	shift
	for name in "$@"; do
		kelf-dump --symbol "$name" "$obj" || return 1
	done | sed -e 's/^Y [0-9]* /Y /'
}

# relocs OBJ SECTION: the kelf-dump lines of the relocations of SECTION.
relocs() {
	kelf-dump -r "$1" | awk -v p="R $2+" 'index($0, p) == 1'
}

# reloc_is OBJ SECTION OFFSET LINE: OBJ's relocation at SECTION+OFFSET is
# exactly LINE (kelf-dump's "R SECTION+OFF TYPE SYMBOL ADDEND").
reloc_is() {
	relocs "$1" "$2" | grep "^R $2+$3 " >actual &&
	echo "$4" >expect &&
	test_cmp expect actual
}

# section OBJ NAME: the kelf-dump line of section NAME, without the index.
section() {
	kelf-dump -S "$1" | awk -v n="$2" '$3 == n' | sed -e 's/^S [0-9]* /S /'
}

# elf_view OBJ: readelf's sections (without the file offsets, which the
# writer leaves to libelf), symbols, relocations (without "at offset
# 0x..."), groups; then objdump's dump of every section's contents (run
# from OBJ's directory: its header names the file).  Two objects with the
# same view hold the same ELF model.
elf_view() {
	readelf -W -S -s -r -g "$1" |
		sed -E -e 's/^(  \[ *[0-9]+\] +[^ ]+ +[^ ]+ +[0-9a-f]{16}) [0-9a-f]{6,}/\1/' \
			-e 's/(, starting)? at offset 0x[0-9a-f]+//' &&
	(cd "$(dirname "$1")" && objdump -s "${1##*/}")
}
