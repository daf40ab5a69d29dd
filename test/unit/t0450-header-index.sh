#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='header-index: which compile units a header went into, from DWARF line tables'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # used in the test bodies (eval)
HI=$BUILD/header-index

# A tree as kbuild builds it: sources in src/, a generated header in the
# object tree obj/; dir/a.c includes used.h (code: in its line table),
# macro.h (only a macro: GCC writes no file entry for it) and the
# generated gen.h; dir/b.c includes used.h by a relative quoted name;
# dir/c.c nothing.
write_tree() {
	mkdir -p src/include/linux src/dir obj/include/generated
	cat >src/include/linux/used.h <<-\EOF
	struct used { int a; };
	static inline int used_twice(int x) { return 2 * x; }
	EOF
	echo '#define MACRO_ONLY 42' >src/include/linux/macro.h
	cat >obj/include/generated/gen.h <<-\EOF
	#define GENERATED 7
	static inline int gen(void) { return GENERATED; }
	EOF
	cat >src/dir/a.c <<-\EOF
	#include <linux/used.h>
	#include <linux/macro.h>
	#include <generated/gen.h>
	int a(int x) { return used_twice(x) + MACRO_ONLY + gen(); }
	EOF
	cat >src/dir/b.c <<-\EOF
	#include "../include/linux/used.h"
	int b(struct used *u) { return u->a; }
	EOF
	echo 'int c(void) { return 3; }' >src/dir/c.c
}

# build_objects CWD PREFIX_MAP SRCNAME...: compile each dir/NAME.c with -g
# in CWD (its DW_AT_comp_dir), naming the source as SRCNAME says (abs: by
# its absolute path; rel: relative to CWD), with
# -fdebug-prefix-map=$TRASH/src/= when PREFIX_MAP is "map" (as Debian
# builds).
build_objects() {
	local cwd=$1 map=() name how src
	[ "$2" != map ] || map=(-fdebug-prefix-map="$TRASH/src/=")
	shift 2
	for name in "$@"; do
		how=${name#*:} name=${name%%:*}
		if [ "$how" = abs ]; then
			src=$TRASH/src/dir/$name.c
		else
			src=$(realpath --relative-to="$cwd" "$TRASH/src/dir/$name.c")
		fi
		(cd "$cwd" && gcc -g -O2 -c -nostdinc "${map[@]}" -I"$TRASH/src/include" \
			-I"$TRASH/obj/include" -o "$name.o" "$src")
	done
}

test_expect_success 'setup: the tree; an O= build with absolute paths, linked and relocatable' '
	write_tree &&
	build_objects "$TRASH/obj" nomap a:abs b:abs c:rel &&
	(cd obj && ld -e 0 -o vmlinux a.o b.o c.o && ld -r -o module.ko a.o b.o c.o)
'

test_expect_success 'build: a linked file; the source tree taken off (-r); macro.h is not there' '
	"$HI" build -r "$TRASH/src" -o abs.idx obj/vmlinux &&
	cat >expect <<-\EOF &&
	header-index 1
	dir/a.c dir/a.c
	dir/b.c dir/b.c
	dir/c.c dir/c.c
	include/generated/gen.h dir/a.c
	include/linux/used.h dir/a.c dir/b.c
	EOF
	test_cmp expect abs.idx
'

test_expect_success 'build: a relocatable file (a module) reads the same (its relocations applied)' '
	"$HI" build -r "$TRASH/src" -o rel.idx obj/module.ko &&
	test_cmp abs.idx rel.idx
'

test_expect_success 'build: without -r the source paths stay absolute (c.c, named ../src/dir/c.c, too); the object tree is still taken off' '
	"$HI" build -o noroot.idx obj/vmlinux &&
	s=$TRASH/src &&
	cat >expect <<-EOF &&
	header-index 1
	$s/dir/a.c $s/dir/a.c
	$s/dir/b.c $s/dir/b.c
	$s/dir/c.c $s/dir/c.c
	$s/include/linux/used.h $s/dir/a.c $s/dir/b.c
	include/generated/gen.h $s/dir/a.c
	EOF
	test_cmp expect noroot.idx
'

test_expect_success 'build: Debian'"'"'s way (-fdebug-prefix-map, object tree inside the source tree; a header outside both stays absolute)' '
	mkdir -p src/debian/build/b &&
	build_objects "$TRASH/src/debian/build/b" map a:abs b:rel &&
	(cd src/debian/build/b && ld -e 0 -o vmlinux a.o b.o) &&
	"$HI" build -o deb.idx src/debian/build/b/vmlinux &&
	cat >expect <<-EOF &&
	header-index 1
	$TRASH/obj/include/generated/gen.h dir/a.c
	dir/a.c dir/a.c
	dir/b.c dir/b.c
	include/linux/used.h dir/a.c dir/b.c
	EOF
	test_cmp expect deb.idx
'

test_expect_success 'build: several files merge into one index, each unit once' '
	"$HI" build -r "$TRASH/src" -o two.idx obj/vmlinux obj/module.ko &&
	test_cmp abs.idx two.idx
'

test_expect_success 'query: the units of each file, in order; nothing for a file no unit names' '
	"$HI" query abs.idx include/linux/used.h include/linux/macro.h dir/c.c \
		include/generated/gen.h a include/linux/used.hh zzz >actual &&
	cat >expect <<-\EOF &&
	include/linux/used.h dir/a.c
	include/linux/used.h dir/b.c
	dir/c.c dir/c.c
	include/generated/gen.h dir/a.c
	EOF
	test_cmp expect actual
'

test_expect_success 'query: binary search over a large index finds every file, first and last' '
	{
		echo "header-index 1"
		for i in $(seq 10000 19999); do
			echo "include/f$i.h u$i.c v$i.c"
		done
	} >big.idx &&
	"$HI" query big.idx include/f10000.h include/f15000.h include/f19999.h \
		include/f1.h include/f2.h include/g.h >actual &&
	cat >expect <<-\EOF &&
	include/f10000.h u10000.c
	include/f10000.h v10000.c
	include/f15000.h u15000.c
	include/f15000.h v15000.c
	include/f19999.h u19999.c
	include/f19999.h v19999.c
	EOF
	test_cmp expect actual
'

test_expect_success 'errors: no DWARF, not ELF, missing file; a malformed index' '
	gcc -O2 -c -o nodebug.o src/dir/c.c &&
	test_expect_code 1 "$HI" build -o x.idx nodebug.o 2>err &&
	echo "header-index: error: nodebug.o: cannot read its compile units: No DWARF information found" >expect &&
	test_cmp expect err &&
	test_expect_code 1 "$HI" build -o x.idx src/dir/c.c 2>err &&
	echo "header-index: error: src/dir/c.c: cannot read its compile units: not a valid ELF file" >expect &&
	test_cmp expect err &&
	test_expect_code 1 "$HI" build -o x.idx missing.o 2>err &&
	echo "header-index: error: missing.o: No such file or directory" >expect &&
	test_cmp expect err &&
	test ! -e x.idx && test ! -e x.idx.tmp &&
	echo "something else" >bad.idx &&
	test_expect_code 1 "$HI" query bad.idx a.h 2>err &&
	grep -q "bad.idx: not a header index (its first line is not \"header-index 1\")" err &&
	printf "header-index 1\na.h x.c" >cut.idx &&
	test_expect_code 1 "$HI" query cut.idx a.h 2>err &&
	grep -q "cut.idx: malformed: the last line does not end with a newline" err &&
	printf "header-index 1\na.h  x.c\n" >odd.idx &&
	test_expect_code 1 "$HI" query odd.idx a.h 2>err &&
	grep -q "odd.idx: malformed: the line of a.h is not \"FILE CU...\"" err &&
	test_expect_code 1 "$HI" 2>err &&
	grep -q "^usage: header-index build" err
'

test_done
