#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: changed and new functions, what the diff object carries (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# Each pair is diffed with "-n vmlinux" (see pairs.sh): a reference to a
# symbol listed in Module.symvers stays an ordinary undefined symbol; any
# other reference to the running kernel becomes a .livepatch.relocs entry
# ("K" lines of lp-dump); "F" lines are the functions to patch.

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 code-change sched-text sched-call new-function-above new-callee-and-data \
		call-other rodata-table lines-shifted padded-function \
		new-static-rmw
'

test_expect_success 'code-change: the fixture moves below() and changes the addend of its call' '
	{
		symbols code-change.x86_64/orig.o below grow &&
		relocs code-change.x86_64/orig.o .text.caller &&
		symbols code-change.x86_64/patched.o below grow &&
		relocs code-change.x86_64/patched.o .text.caller
	} >actual &&
	cat >expect <<-\EOF &&
	Y below LOCAL FUNC .text.shared off=0x10 size=47
	Y grow GLOBAL FUNC .text.shared off=0 size=9
	R .text.caller+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.caller+0xa R_X86_64_PC32 .text.shared +12
	Y below LOCAL FUNC .text.shared off=0x20 size=47
	Y grow GLOBAL FUNC .text.shared off=0 size=22
	R .text.caller+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.caller+0xa R_X86_64_PC32 .text.shared +28
	EOF
	test_cmp expect actual
'

test_expect_success 'code-change: only grow() is reported; below() and caller() are not' '
	test_expect_code 0 cdo code-change.x86_64 &&
	echo "changed function: grow (size)" >expect &&
	test_cmp expect code-change.x86_64/stdout &&
	test_file_empty code-change.x86_64/stderr
'

test_expect_success 'code-change: grow() alone is carried; its call to first() is a klp relocation' '
	cdo_view code-change.x86_64/out.o .text.grow >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.grow
	__mcount_loc
	# symbols
	.klp.sym.vmlinux.first,0 GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	grow GLOBAL FUNC .text.grow size=22
	# relocations
	R .text.grow+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.grow+0xc R_X86_64_PLT32 .klp.sym.vmlinux.first,0 -4
	# livepatch tables
	F grow grow vmlinux sympos=0
	K .text.grow+0xc R_X86_64_PLT32 first vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'sched-text: both functions share .sched.text; only sched_two() is reported' '
	symbols sched-text.x86_64/orig.o sched_one sched_two >actual &&
	cat >expect <<-\EOF &&
	Y sched_one GLOBAL FUNC .sched.text off=0 size=9
	Y sched_two GLOBAL FUNC .sched.text off=0x10 size=9
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo sched-text.x86_64 &&
	echo "changed function: sched_two (code)" >expect &&
	test_cmp expect sched-text.x86_64/stdout &&
	test_file_empty sched-text.x86_64/stderr
'

test_expect_success 'sched-call: a call within .sched.text moved by a growing neighbour is not a change' '
	objdump -d sched-call.x86_64/orig.o >orig.dis &&
	objdump -d sched-call.x86_64/patched.o >patched.dis &&
	grep -A3 "<sched_caller>:" orig.dis | grep -q "call.*<sched_callee>" &&
	! cmp -s <(grep -A3 "<sched_caller>:" orig.dis) <(grep -A3 "<sched_caller>:" patched.dis) &&
	test_expect_code 0 cdo sched-call.x86_64 &&
	echo "changed function: sched_grow (size)" >expect &&
	test_cmp expect sched-call.x86_64/stdout &&
	test_file_empty sched-call.x86_64/stderr
'

test_expect_success 'sched-text: sched_two() is carried alone in a .sched.text of its own, without the fill after sched_one()' '
	cdo_view sched-text.x86_64/out.o .sched.text >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.sched.text
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	sched_two GLOBAL FUNC .sched.text size=9
	# relocations
	R .sched.text+0x1 R_X86_64_PLT32 __fentry__ -4
	# livepatch tables
	F sched_two sched_two vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'padded-function: the 16 NOPs in front of padded_two() come with it' '
	symbols padded-function.x86_64/orig.o padded_two >actual &&
	echo "Y padded_two GLOBAL FUNC .text.padded_two off=0x10 size=9" >expect &&
	test_cmp expect actual &&
	test_expect_code 0 cdo padded-function.x86_64 &&
	echo "changed function: padded_two (code)" >expect &&
	test_cmp expect padded-function.x86_64/stdout &&
	symbols padded-function.x86_64/out.o padded_two >actual &&
	echo "Y padded_two GLOBAL FUNC .text.padded_two off=0x10 size=9" >expect &&
	test_cmp expect actual &&
	objcopy -O binary --only-section=.text.padded_two \
		padded-function.x86_64/out.o padded.bin &&
	head -c 16 padded.bin | od -An -tx1 | tr -d " \n" >actual &&
	printf "90%.0s" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 >expect &&
	test_cmp expect actual
'

test_expect_success 'new-static-rmw: "addl $1, calls(%rip)" (.bss.calls.0 - 5) and the read reach one carried calls' '
	test_expect_code 0 cdo new-static-rmw.x86_64 &&
	echo "changed function: count_calls (size)" >expect &&
	test_cmp expect new-static-rmw.x86_64/stdout &&
	readelf -rW new-static-rmw.x86_64/patched.o | grep -c "bss\.calls\.0 - 5" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	kelf-dump new-static-rmw.x86_64/out.o | grep -E "calls\.0" >actual &&
	cat >expect <<-\EOF &&
	S 7 .bss.calls.0 SHT_NOBITS flags=0x3 size=4 link=- align=4 entsize=0
	Y 2 calls.0 LOCAL OBJECT .bss.calls.0 off=0 size=4
	R .text.count_calls+0x13 R_X86_64_PC32 calls.0 -5
	R .text.count_calls+0x32 R_X86_64_PC32 calls.0 -4
	EOF
	test_cmp expect actual
'

test_expect_success 'new-function-above: "new function: added", nothing else reported' '
	test_expect_code 0 cdo new-function-above.x86_64 &&
	echo "new function: added" >expect &&
	test_cmp expect new-function-above.x86_64/stdout &&
	test_file_empty new-function-above.x86_64/stderr
'

test_expect_success 'new-function-above: added() and its string are carried, nothing is patched' '
	cdo_view new-function-above.x86_64/out.o .text.added >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.added.str1.1
	.text.added
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	added GLOBAL FUNC .text.added size=33
	printk GLOBAL NOTYPE UNDEF size=0
	# relocations
	R .text.added+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.added+0x10 R_X86_64_32S .rodata.added.str1.1 +0
	R .text.added+0x15 R_X86_64_PLT32 printk -4
	# livepatch tables
	EOF
	test_cmp expect actual
'

test_expect_success 'new-callee-and-data: the new callee is new, its caller changed, bystander() not' '
	test_expect_code 0 cdo new-callee-and-data.x86_64 &&
	cat >expect <<-\EOF &&
	new function: added_helper
	changed function: user (size)
	EOF
	test_cmp expect new-callee-and-data.x86_64/stdout &&
	test_file_empty new-callee-and-data.x86_64/stderr
'

test_expect_success 'new-callee-and-data: the new function and the new variable are carried' '
	cdo_view new-callee-and-data.x86_64/out.o .text.added_helper .text.user >actual &&
	cat >expect <<-\EOF &&
	# sections
	.bss.added_total
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.added_helper.str1.1
	.rodata.user.str1.1
	.text.added_helper
	.text.user
	__mcount_loc
	# symbols
	.klp.sym.vmlinux.existing,0 GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	added_helper LOCAL FUNC .text.added_helper size=41
	added_total GLOBAL OBJECT .bss.added_total size=4
	printk GLOBAL NOTYPE UNDEF size=0
	user GLOBAL FUNC .text.user size=59
	# relocations
	R .text.added_helper+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.added_helper+0xb R_X86_64_PC32 added_total -4
	R .text.added_helper+0x16 R_X86_64_32S .rodata.added_helper.str1.1 +0
	R .text.added_helper+0x1c R_X86_64_PC32 added_total -4
	R .text.added_helper+0x25 R_X86_64_PLT32 printk -4
	R .text.user+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.user+0x11 R_X86_64_PC32 .klp.sym.vmlinux.existing,0 -4
	R .text.user+0x1a R_X86_64_32S .rodata.user.str1.1 +0
	R .text.user+0x20 R_X86_64_PC32 .klp.sym.vmlinux.existing,0 -4
	R .text.user+0x25 R_X86_64_PLT32 printk -4
	R .text.user+0x2e R_X86_64_PC32 .text.added_helper -4
	# livepatch tables
	F user user vmlinux sympos=0
	K .text.user+0x11 R_X86_64_PC32 existing vmlinux addend=-4 sympos=0
	K .text.user+0x20 R_X86_64_PC32 existing vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'vmlinux: a variable exported by vmlinux links as an undefined symbol' '
	mkdir exported &&
	cp -P new-callee-and-data.x86_64/orig.o new-callee-and-data.x86_64/patched.o exported/ &&
	cdo_symvers exported/Module.symvers existing &&
	test_expect_code 0 cdo exported &&
	{
		cdo_symbols exported/out.o | grep UNDEF &&
		relocs exported/out.o .text.user &&
		lp-dump exported/out.o
	} >actual &&
	cat >expect <<-\EOF &&
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	existing GLOBAL NOTYPE UNDEF size=0
	printk GLOBAL NOTYPE UNDEF size=0
	R .text.user+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.user+0x11 R_X86_64_PC32 existing -4
	R .text.user+0x1a R_X86_64_32S .rodata.user.str1.1 +0
	R .text.user+0x20 R_X86_64_PC32 existing -4
	R .text.user+0x25 R_X86_64_PLT32 printk -4
	R .text.user+0x2e R_X86_64_PC32 .text.added_helper -4
	F user user vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'a module: its own exported variable still needs a klp relocation' '
	test_expect_code 0 cdo exported -n demo_mod &&
	{
		cdo_symbols exported/out.o | grep UNDEF &&
		lp-dump exported/out.o
	} >actual &&
	cat >expect <<-\EOF &&
	.klp.sym.demo_mod.existing,0 GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	printk GLOBAL NOTYPE UNDEF size=0
	F user user demo_mod sympos=0
	K .text.user+0x11 R_X86_64_PC32 existing demo_mod addend=-4 sympos=0
	K .text.user+0x20 R_X86_64_PC32 existing demo_mod addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'call-other: a call to another function changes the caller alone' '
	test_expect_code 0 cdo call-other.x86_64 &&
	echo "changed function: dispatch (relocation)" >expect &&
	test_cmp expect call-other.x86_64/stdout &&
	test_file_empty call-other.x86_64/stderr
'

test_expect_success 'call-other: the new callee and the static log_it() are klp relocations' '
	cdo_view call-other.x86_64/out.o .text.dispatch >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.dispatch
	__mcount_loc
	# symbols
	.klp.sym.vmlinux.handler_b,0 GLOBAL NOTYPE UNDEF size=0
	.klp.sym.vmlinux.log_it,0 GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	dispatch GLOBAL FUNC .text.dispatch size=25
	# relocations
	R .text.dispatch+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.dispatch+0x9 R_X86_64_PC32 .klp.sym.vmlinux.log_it,0 -4
	R .text.dispatch+0x10 R_X86_64_PLT32 .klp.sym.vmlinux.handler_b,0 -4
	# livepatch tables
	F dispatch dispatch vmlinux sympos=0
	K .text.dispatch+0x9 R_X86_64_PC32 log_it vmlinux addend=-4 sympos=0
	K .text.dispatch+0x10 R_X86_64_PLT32 handler_b vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'a target with two files holding a log_it: this file block'"'"'s, position 2' '
	mkdir neighbour &&
	cp -P call-other.x86_64/orig.o call-other.x86_64/patched.o \
		call-other.x86_64/Module.symvers neighbour/ &&
	(cd neighbour && "${CDO_X86_64_CC[@]}" -o neighbour.o "$CDO_FIXTURES/call-other/neighbour.c") &&
	ld -r -o neighbour/demo-mod.ko neighbour/neighbour.o neighbour/orig.o &&
	(cd neighbour && create-diff-object orig.o patched.o demo-mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	echo "changed function: dispatch (relocation)" >expect &&
	test_cmp expect neighbour/stdout &&
	test_file_empty neighbour/stderr &&
	{ relocs neighbour/out.o .text.dispatch && lp-dump neighbour/out.o; } >actual &&
	cat >expect <<-\EOF &&
	R .text.dispatch+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.dispatch+0x9 R_X86_64_PC32 .klp.sym.demo_mod.log_it,2 -4
	R .text.dispatch+0x10 R_X86_64_PLT32 .klp.sym.demo_mod.handler_b,0 -4
	F dispatch dispatch demo_mod sympos=0
	K .text.dispatch+0x9 R_X86_64_PC32 log_it demo_mod addend=-4 sympos=2
	K .text.dispatch+0x10 R_X86_64_PLT32 handler_b demo_mod addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

# not_listed DIR OBJ...: call-other's pair in DIR, and each OBJ of
# fixtures/cdo/call-other/OBJ.c compiled there.
not_listed() {
	local dir=$1 f
	shift
	mkdir -p "$dir" &&
	cp -P call-other.x86_64/orig.o call-other.x86_64/patched.o \
		call-other.x86_64/Module.symvers "$dir/" &&
	for f in "$@"; do
		(cd "$dir" && "${CDO_X86_64_CC[@]}" -o "$f.o" "$CDO_FIXTURES/call-other/$f.c") ||
			return 1
	done
}

# kallsyms lists no symbol of a non-allocated section (nm's "n"), and
# vmlinux's sorts by address: the old count put that log_it, at address 0,
# first, and gave call-other's the position 3.
test_expect_success 'vmlinux: a log_it kallsyms does not list (not allocated) is not counted: position 2' '
	not_listed unlisted not-listed neighbour &&
	ld -o unlisted/vmlinux -e 0 --unresolved-symbols=ignore-all unlisted/not-listed.o \
		unlisted/neighbour.o unlisted/orig.o &&
	{
		readelf -sW unlisted/vmlinux | awk "\$8 == \"log_it\" { print \$2, \$4, \$7 }" &&
		kelf-dump -S unlisted/vmlinux | awk "\$3 == \".kpng.note\" { print \$5 }"
	} >actual &&
	cat >expect <<-\EOF &&
	0000000000000000 NOTYPE 5
	0000000000401010 FUNC 1
	0000000000401050 FUNC 1
	flags=0
	EOF
	test_cmp expect actual &&
	(cd unlisted && create-diff-object orig.o patched.o vmlinux Module.symvers out.o \
		>stdout 2>stderr) &&
	test_file_empty unlisted/stderr &&
	lp-dump unlisted/out.o | grep log_it >actual &&
	echo "K .text.dispatch+0x9 R_X86_64_PC32 log_it vmlinux addend=-4 sympos=2" >expect &&
	test_cmp expect actual
'

# A module's symbols count in symbol-table order, undefined ones never;
# one in a section the loader does not keep only while the module loads.
test_expect_success 'a module: a log_it not allocated and an undefined one after its own: position 2' '
	not_listed unlisted-mod not-listed not-listed-undef neighbour &&
	(cd unlisted-mod && ld -r -o demo-mod.ko neighbour.o orig.o not-listed.o not-listed-undef.o) &&
	kelf-dump -s unlisted-mod/demo-mod.ko | awk "\$3 == \"log_it\" { print \$3, \$4, \$5, \$6 }" >actual &&
	cat >expect <<-\EOF &&
	log_it LOCAL FUNC .text.log_it
	log_it LOCAL FUNC .text.log_it
	log_it LOCAL NOTYPE .kpng.note
	log_it GLOBAL NOTYPE UNDEF
	EOF
	test_cmp expect actual &&
	(cd unlisted-mod && create-diff-object orig.o patched.o demo-mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	test_file_empty unlisted-mod/stderr &&
	lp-dump unlisted-mod/out.o | grep log_it >actual &&
	echo "K .text.dispatch+0x9 R_X86_64_PC32 log_it demo_mod addend=-4 sympos=2" >expect &&
	test_cmp expect actual
'

# While the module loads (a livepatch enabled before it), kallsyms lists
# its whole symbol table; once its init has run, its core symbols only:
# with that log_it between the two, call-other's is the third, then the
# second.  No sympos finds it in both.
test_expect_success 'a module with a log_it not allocated between two: refused, naming both counts' '
	not_listed between not-listed neighbour &&
	(cd between && ld -r -o demo-mod.ko neighbour.o not-listed.o orig.o) &&
	(cd between && test_expect_code 1 create-diff-object orig.o patched.o demo-mod.ko \
		Module.symvers out.o >stdout 2>stderr) &&
	cat >expect <<-\EOF &&
	create-diff-object: error: demo-mod.ko: log_it: no sympos finds it in every kallsyms listing of the symbols of that name (it is 3 of 3 while the module loads, 2 of 2 after its init); rename it in the patch or leave it unreferenced
	create-diff-object: error: patched.o: .text.dispatch+0x9: cannot resolve local log_it in the running kernel
	EOF
	test_cmp expect between/stderr &&
	cdo_missing between/out.o
'

# Debian strips its modules with strip -g, which takes the STT_FILE
# symbols too: the whole symbol table is then the object's file block.
test_expect_success 'a module stripped of its file symbols: a local it holds once resolves' '
	mkdir stripped &&
	cp -P call-other.x86_64/orig.o call-other.x86_64/patched.o \
		call-other.x86_64/Module.symvers stripped/ &&
	ld -r -o stripped/demo-mod.ko stripped/orig.o &&
	strip -g stripped/demo-mod.ko &&
	! readelf -sW stripped/demo-mod.ko | grep -q " FILE " &&
	(cd stripped && create-diff-object orig.o patched.o demo-mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	echo "changed function: dispatch (relocation)" >expect &&
	test_cmp expect stripped/stdout &&
	lp-dump stripped/out.o >actual &&
	cat >expect <<-\EOF &&
	F dispatch dispatch demo_mod sympos=0
	K .text.dispatch+0x9 R_X86_64_PC32 log_it demo_mod addend=-4 sympos=0
	K .text.dispatch+0x10 R_X86_64_PLT32 handler_b demo_mod addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'stripped, with a second file holding a log_it: refused, naming it' '
	ld -r -o stripped2.ko neighbour/neighbour.o call-other.x86_64/orig.o &&
	strip -g stripped2.ko &&
	test_expect_code 2 create-diff-object call-other.x86_64/orig.o call-other.x86_64/patched.o \
		stripped2.ko call-other.x86_64/Module.symvers stripped2.o >stdout 2>stderr &&
	grep -F "stripped2.ko: local symbol log_it appears 2 times in the symbols of the target (it has no file symbols): cannot tell which is this object'"'"'s" stderr
'

# xfs_stats_format()'"'"'s xstats.0 in Debian'"'"'s stripped xfs.ko: a static
# local after the last function of its object, outside the run of stable
# locals that places the object, and numbered by another build.  The
# stand-in module: call-other'"'"'s neighbour, then target.c (the file as
# that other build numbered it: xstats.1, and calls.0 of count()).
test_expect_success 'stripped: a static local after the object'"'"'s functions, numbered otherwise: the target'"'"'s name' '
	cdo_pairs x86_64 static-local-stripped &&
	d=static-local-stripped.x86_64 &&
	"${CDO_X86_64_CC[@]}" -o $d/target.o "$CDO_FIXTURES/static-local-stripped/target.c" &&
	ld -r -o $d/mod.ko neighbour/neighbour.o $d/target.o &&
	strip -g $d/mod.ko &&
	readelf -sW $d/mod.ko | awk '"'"'$5 == "LOCAL" && $4 != "SECTION" && $4 != "NOTYPE" { print $4, $8 }'"'"' >actual &&
	cat >expect <<-\EOF &&
	FUNC log_it
	FUNC seen
	OBJECT xstats.1
	OBJECT calls.0
	EOF
	test_cmp expect actual &&
	(cd $d && create-diff-object -n mod orig.o patched.o mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	echo "changed function: format (relocation)" >expect &&
	test_cmp expect $d/stdout &&
	test_file_empty $d/stderr &&
	{ relocs $d/out.o .text.format && lp-dump $d/out.o; } >actual &&
	cat >expect <<-\EOF &&
	R .text.format+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.format+0xd R_X86_64_32S .rodata.format.str1.1 +0
	R .text.format+0x1c R_X86_64_32S .klp.sym.mod.xstats.1,0 +0
	R .text.format+0x23 R_X86_64_PLT32 printk -4
	R .text.format+0x2c R_X86_64_PC32 .klp.sym.mod.seen,0 -4
	F format format mod sympos=0
	K .text.format+0x1c R_X86_64_32S xstats.1 mod addend=0 sympos=0
	K .text.format+0x2c R_X86_64_PC32 seen mod addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'stripped: the one xstats of the target is of another size: refused' '
	d=static-local-stripped.x86_64 &&
	sed -e "s/xstats\[4\] = { 3, 5, 7, 11 }/xstats[5] = { 3, 5, 7, 11, 13 }/" \
		"$CDO_FIXTURES/static-local-stripped/target.c" >$d/target5.c &&
	"${CDO_X86_64_CC[@]}" -o $d/target5.o $d/target5.c &&
	ld -r -o $d/mod5.ko neighbour/neighbour.o $d/target5.o &&
	strip -g $d/mod5.ko &&
	(cd $d && test_expect_code 1 create-diff-object -n mod orig.o patched.o mod5.ko \
		Module.symvers out5.o >stdout 2>stderr) &&
	cat >expect <<-\EOF &&
	create-diff-object: error: mod5.ko: local symbol xstats.0 is xstats.1 in the target (it has no file symbols), of 20 bytes, not 16 as in orig.o
	create-diff-object: error: patched.o: .text.format+0x1c: cannot resolve local xstats.0 in the running kernel
	EOF
	test_cmp expect $d/stderr
'

test_expect_success 'stripped: two blocks holding an xstats: refused, naming both' '
	d=static-local-stripped.x86_64 &&
	objcopy --redefine-sym format=format2 --redefine-sym count=count2 $d/target.o $d/target2.o &&
	ld -r -o $d/mod2.ko $d/target.o $d/target2.o &&
	strip -g $d/mod2.ko &&
	(cd $d && test_expect_code 2 create-diff-object -n mod orig.o patched.o mod2.ko \
		Module.symvers out2.o >stdout 2>stderr) &&
	cat >expect <<-\EOF &&
	create-diff-object: error: mod2.ko: local symbol xstats.0: the symbols of the target (it has no file symbols) hold 2 numbered xstats.N (xstats.1, xstats.1), this object 1, numbered otherwise: cannot tell which is xstats.0
	create-diff-object: error: patched.o: .text.format+0x1c: cannot resolve local xstats.0 in the running kernel
	EOF
	test_cmp expect $d/stderr
'

test_expect_success 'rodata-table: the reader of a changed const table changes, the table is carried' '
	test_expect_code 0 cdo rodata-table.x86_64 &&
	echo "changed function: weigh (relocation)" >expect &&
	test_cmp expect rodata-table.x86_64/stdout &&
	test_file_empty rodata-table.x86_64/stderr &&
	cdo_view rodata-table.x86_64/out.o .text.weigh >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.weights
	.text.weigh
	__mcount_loc
	# symbols
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	weigh GLOBAL FUNC .text.weigh size=16
	weights LOCAL OBJECT .rodata.weights size=16
	# relocations
	R .text.weigh+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.weigh+0xb R_X86_64_32S weights +0
	# livepatch tables
	F weigh weigh vmlinux sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'lines-shifted: new lines above change only the function printing __LINE__' '
	test_expect_code 0 cdo lines-shifted.x86_64 &&
	echo "changed function: where (code)" >expect &&
	test_cmp expect lines-shifted.x86_64/stdout &&
	test_file_empty lines-shifted.x86_64/stderr &&
	cdo_sections lines-shifted.x86_64/out.o >actual &&
	cat >expect <<-\EOF &&
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.rodata.where.str1.1
	.text.where
	__mcount_loc
	EOF
	test_cmp expect actual
'

# unchanged_but DIR ARCH PAIR ELF-PATCH-ARGS...: DIR/ holds PAIR's original
# twice, the second copy edited by elf-patch (repeated, ";" between edits).
unchanged_but() {
	local dir=$1 arch=$2 pair=$3 arg edit=()
	shift 3
	mkdir "$dir" &&
	cp -L "$pair.$arch/orig.o" "$dir/orig.o" &&
	cp -L "$pair.$arch/orig.o" "$dir/patched.o" &&
	cdo_symvers "$dir/Module.symvers" || return
	for arg in "$@" ";"; do
		if [ "$arg" = ";" ]; then
			elf-patch "$dir/patched.o" "${edit[@]}" || return
			edit=()
		else
			edit+=("$arg")
		fi
	done
}

test_expect_success 'only __mcount_loc, its relocations and .comment differ: no change' '
	unchanged_but ftrace x86_64 code-change \
		rela .rela__mcount_loc 0 r_addend 3 ";" \
		word __mcount_loc 0 0x12345678 ";" \
		word .comment 0 0x41414141 &&
	relocs ftrace/patched.o __mcount_loc >actual &&
	cat >expect <<-\EOF &&
	R __mcount_loc+0 R_X86_64_64 .text.first +3
	R __mcount_loc+0x8 R_X86_64_64 .text.shared +0
	R __mcount_loc+0x10 R_X86_64_64 .text.shared +16
	R __mcount_loc+0x18 R_X86_64_64 .text.caller +0
	EOF
	test_cmp expect actual &&
	test_expect_code 3 cdo ftrace &&
	test_file_empty ftrace/stdout &&
	echo "create-diff-object: no changed functions in patched.o" >expect &&
	test_cmp expect ftrace/stderr
'

test_expect_success 'only the padding between two functions of .sched.text differs: no change' '
	unchanged_but padding x86_64 sched-text word .sched.text 3 0xcccccccc &&
	test_must_fail cmp -s padding/orig.o padding/patched.o &&
	test_expect_code 3 cdo padding &&
	test_file_empty padding/stdout &&
	echo "create-diff-object: no changed functions in patched.o" >expect &&
	test_cmp expect padding/stderr
'

test_done
