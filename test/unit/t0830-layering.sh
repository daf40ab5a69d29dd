#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='the layering reads one way: lower layers call nothing the layers above them define (nm)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# calls_into DIR... -- UPPER...: the symbols the objects below each DIR of
# $BUILD/obj (or a path) leave undefined that the objects of an UPPER
# define, one "DIR -> UPPER: SYMBOL" line each, sorted.
calls_into() {
	local below=() above=() d u f
	while [ "$1" != -- ]; do
		below+=("$1")
		shift
	done
	shift
	above=("$@")
	for d in "${below[@]}"; do
		case $d in /*) ;; *) d=$BUILD/obj/$d ;; esac
		find "$d" -name '*.o' -exec nm -u {} + | awk 'NF == 2 { print $2 }' |
			LC_ALL=C sort -u >"undef.$$"
		for u in "${above[@]}"; do
			find "$BUILD/obj/$u" -name '*.o' -exec nm --defined-only {} + |
				awk '$2 ~ /^[TDBR]$/ { print $3 }' | LC_ALL=C sort -u >"def.$$"
			LC_ALL=C comm -12 "undef.$$" "def.$$" | while read -r f; do
				echo "${d##*/} -> $u: $f"
			done
		done
	done
	rm -f "undef.$$" "def.$$"
}

test_expect_success 'the check finds a call upwards: an object calling cdo_reloc_target()' '
	mkdir planted &&
	echo "void *cdo_reloc_target(void *, void *, void *); void *f(void) { return cdo_reloc_target(0, 0, 0); }" >planted.c &&
	gcc -c -o planted/planted.o planted.c &&
	calls_into "$PWD/planted" -- create-diff-object >actual &&
	echo "planted -> create-diff-object: cdo_reloc_target" >expect &&
	test_cmp expect actual
'

test_expect_success 'special-sections/ calls nothing of create-diff-object/ (special_ops are handed in)' '
	test -n "$(find "$BUILD/obj/special-sections" -name "*.o")" &&
	calls_into special-sections -- create-diff-object >actual &&
	test_file_empty actual
'

test_expect_success 'arch/ calls nothing of the tools or the layers above it' '
	calls_into arch -- special-sections create-diff-object create-klp-module check-target \
		check-module lookup >actual &&
	test_file_empty actual
'

test_done
