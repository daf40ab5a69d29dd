#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='check-module: every relocation of a finished module reaches what the patched object says'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# The stand-in module of a fixture pair NAME: its diff object and the
# template object mod.o (a function with a relocation of its own),
# linked with ld -r, then create-klp-module: NAME.ko.  The target is the
# original object, as cdo makes the diff object against it.

# module NAME: NAME.ko from NAME.x86_64/out.o; create-diff-object's exit
# status when it is not 0 (no module).
module() {
	local rc=0
	cdo "$1.x86_64" || rc=$?
	[ "$rc" -eq 0 ] || return "$rc"
	ld -r -z noexecstack -o "$1.lp.ko" "$1.x86_64/out.o" mod.o &&
	create-klp-module "$1.lp.ko" "$1.ko" >/dev/null
}

# check NAME [MODULE]: check-module on MODULE (default NAME.ko) against
# pair NAME, stdout to MODULE.stdout, stderr to MODULE.stderr; its status.
check() {
	local ko=${2:-$1.ko}
	check-module -a -T mod.o "$ko" vmlinux "$1.x86_64/orig.o" "$1.x86_64/patched.o" \
		"$1.x86_64/out.o" >"$ko.stdout" 2>"$ko.stderr"
}

# bad NAME COPY ARGS...: COPY.ko, NAME.ko patched by "elf-patch COPY.ko ARGS...".
bad() {
	local name=$1 copy=$2
	shift 2
	cp "$name.ko" "$copy.ko" &&
	elf-patch "$copy.ko" "$@" >/dev/null
}

# mismatch NAME COPY MESSAGE: check-module on COPY.ko fails with exit
# status 1, printing exactly "check-module: error: COPY.ko: MESSAGE".
mismatch() {
	test_expect_code 1 check "$1" "$2.ko" &&
	echo "check-module: error: $2.ko: $3" >"$2.expect" &&
	test_cmp "$2.expect" "$2.ko.stderr" &&
	test_file_empty "$2.ko.stdout"
}

# symbol_index OBJ NAME: the symbol table index of symbol NAME.
symbol_index() {
	kelf-dump -s "$1" | awk -v n="$2" '$3 == n { print $2 }'
}

# rela_index OBJ SECTION OFFSET: the index in SECTION of its relocation at OFFSET.
rela_index() {
	readelf -W -r "$1" | awk -v s="$2" -v o="$(printf %016x "$3")" '
		/^Relocation section/ { cur = $3; gsub(/\047/, "", cur); n = 0; next }
		cur == s && $1 ~ /^[0-9a-f]+$/ { if ($1 == o) print n; n++ }'
}

# string_offset FILE STRING: the file offset of STRING followed by a NUL.
string_offset() {
	grep -obaP "$(printf '%s' "$2" | sed 's/[.]/\\./g')\\x00" "$1" | head -n 1 | cut -d: -f1
}

# The pairs of fixtures/check-module/, compiled as cdo_pairs does, are not
# among the differ's fixture pairs: a differ that takes a PC32 addend + 4
# for the offset (issue 12) makes shared-imm's module reach a - 1, which
# the loop below would refuse.
# shellcheck disable=SC2034 # read by the test bodies
CM_FIXTURES=$FIXTURES/check-module

test_expect_success 'setup: the template object' '
	printf "%s\n" "extern int printk(const char *, ...);" \
		"int lp_init(void) { return printk(\"lp\"); }" >mod.c &&
	kernel_cc x86_64 mod.c mod.o
'

test_expect_success 'every module made from a fixture pair checks: exit 0, one summary line, nothing on stderr' '
	cdo_pairs x86_64 $(cdo_all_pairs) &&
	cdo_symvers runtime-const-ptr.x86_64/Module.symvers USER_PTR_MAX &&
	cdo_symvers shared-code-piece.x86_64/Module.symvers boot_cpu_data &&
	made=0 &&
	for p in $(cdo_all_pairs); do
		module "$p" || continue
		made=$((made + 1))
		# New functions alone (kpatch-build stops at exit 3): no
		# function to patch, a module the kernel would refuse.
		if ! grep -q "^changed function" "$p.x86_64/stdout"; then
			test_expect_code 1 check "$p" &&
			echo "check-module: error: $p.ko: .livepatch.funcs and .livepatch.callbacks are empty: the module patches no function, and the kernel would refuse to load it" >expect &&
			test_cmp expect "$p.ko.stderr" || return 1
			continue
		fi
		# doc/known-issues.md 6: a PC-relative reference in anonymous
		# code (.altinstr_replacement) to a local function of the
		# kernel is not matched: a false refusal, pinned.
		if [ "$p" = alt-module-ref ]; then
			test_expect_code 1 check "$p" &&
			echo "check-module: error: $p.ko: .altinstr_replacement+0x1: R_X86_64_PC32 reaches vmlinux'"'"'s helper-0x4 (position 0: symbol 4 of $p.x86_64/orig.o), which no relocation of .altinstr_replacement in any object the module was made from reaches: internal error, the module is wrong; not written" >expect &&
			test_cmp expect "$p.ko.stderr" || return 1
			continue
		fi
		test_expect_code 0 check "$p" &&
		test_file_empty "$p.ko.stderr" &&
		grep -c "^check-module: [0-9]* relocations checked " "$p.ko.stdout" >count &&
		echo 1 | test_cmp - count || return 1
	done &&
	test "$made" -ge 25
'

test_expect_success 'the counts: klp relocations, table entries, the template, the functions of .livepatch.funcs' '
	for p in call-other new-static-rmw runtime-const-ptr; do
		cat "$p.ko.stdout"
	done >actual &&
	cat >expect <<-\EOF &&
	check-module: 11 relocations checked (2 klp, 2 in tables, 3 of the template), 1 functions, all 6 relocations of the sources there; not compared: 0 in sections only the linked module has, 0 in unloaded sections
	check-module: 15 relocations checked (0 klp, 2 in tables, 3 of the template), 1 functions, all 10 relocations of the sources there; not compared: 0 in sections only the linked module has, 0 in unloaded sections
	check-module: 16 relocations checked (1 klp, 3 in tables, 3 of the template), 2 functions, all 5 relocations of the sources there; not compared: 0 in sections only the linked module has, 0 in unloaded sections
	EOF
	test_cmp expect actual
'

test_expect_success '-b SECTION: a table the module'"'"'s build wrote is counted, not compared' '
	check-module -a -b __mcount_loc -T mod.o call-other.ko vmlinux call-other.x86_64/orig.o \
		call-other.x86_64/patched.o call-other.x86_64/out.o >built.stdout &&
	grep -F "; not compared: 2 in sections only the linked module has, " built.stdout
'

# shared-code-middle: middle_user's two pieces of the shared .altinstr_aux
# (0x12 and 0x24 of the patched one, between first_user's and
# last_user's) are carried packed, at 0x0 and 0x12 of the module's.  The
# target defines boot_cpu_data, not exported: the pieces reach it through
# klp relocations (.klp.rela.vmlinux..altinstr_aux, beside
# .rela.altinstr_aux's jumps back).

# scm_check KO: check-module on KO against shared-code-middle and its
# target; stdout to KO.stdout, stderr to KO.stderr; its status.
scm_check() {
	check-module -a -T mod.o "$1" vmlinux scm-target.o shared-code-middle.x86_64/patched.o \
		scm.out.o >"$1.stdout" 2>"$1.stderr"
}

test_expect_success 'shared code: the packed pieces are followed to their places in the patched object' '
	printf "%s\n" "struct cpuinfo { unsigned int caps[4]; } boot_cpu_data;" >bcd.c &&
	kernel_cc x86_64 bcd.c bcd.o &&
	ld -r -o scm-target.o shared-code-middle.x86_64/orig.o bcd.o &&
	cdo_symvers scm.symvers &&
	create-diff-object -n vmlinux shared-code-middle.x86_64/orig.o \
		shared-code-middle.x86_64/patched.o scm-target.o scm.symvers scm.out.o >scm.stdout &&
	echo "changed function: middle_user (relocation)" >expect &&
	test_cmp expect scm.stdout &&
	ld -r -z noexecstack -o scm.lp.ko scm.out.o mod.o &&
	create-klp-module scm.lp.ko shared-code-middle.ko >/dev/null &&
	{
		relocs shared-code-middle.x86_64/patched.o .text.middle_user | grep altinstr_aux &&
		relocs shared-code-middle.ko .text.middle_user | grep altinstr_aux &&
		section shared-code-middle.ko .altinstr_aux | awk "{ print \$2, \$5 }" &&
		readelf -rW shared-code-middle.ko | grep "boot_cpu_data" | awk "{ print \$1, \$5, \$6, \$7 }"
	} >actual &&
	cat >expect <<-\EOF &&
	R .text.middle_user+0xc R_X86_64_PC32 .altinstr_aux +14
	R .text.middle_user+0x29 R_X86_64_PC32 .altinstr_aux +32
	R .text.middle_user+0xc R_X86_64_PC32 .altinstr_aux -4
	R .text.middle_user+0x29 R_X86_64_PC32 .altinstr_aux +14
	.altinstr_aux size=36
	0000000000000002 .klp.sym.vmlinux.boot_cpu_data,0 - 4
	0000000000000014 .klp.sym.vmlinux.boot_cpu_data,0 - 4
	EOF
	test_cmp expect actual &&
	scm_check shared-code-middle.ko &&
	test_file_empty shared-code-middle.ko.stderr &&
	echo "check-module: 23 relocations checked (0 klp, 8 in tables, 3 of the template), 1 functions, all 12 relocations of the sources there; not compared: 0 in sections only the linked module has, 0 in unloaded sections" >expect &&
	test_cmp expect shared-code-middle.ko.stdout
'

# scm_mismatch COPY MESSAGE: check-module on COPY.ko fails, printing
# exactly "check-module: error: COPY.ko: MESSAGE".
scm_mismatch() {
	test_expect_code 1 scm_check "$1.ko" &&
	echo "check-module: error: $1.ko: $2" >"$1.expect" &&
	test_cmp "$1.expect" "$1.ko.stderr"
}

# The jnz of the first piece sent to where its jmp goes (middle_user+0x24):
# a place some relocation of the patched .altinstr_aux reaches, so only
# following the code from middle_user'"'"'s reference tells it is wrong;
# the bit test'"'"'s klp relocation sent to the other piece'"'"'s field.
test_expect_success 'refused: a jump of a carried piece retargeted; a reference sent to the other piece; a klp relocation moved' '
	i=$(rela_index shared-code-middle.ko .rela.altinstr_aux 9) &&
	test -n "$i" &&
	bad shared-code-middle piece-jump rela .rela.altinstr_aux "$i" r_addend $((0x24)) &&
	scm_mismatch piece-jump "middle_user+0xc: R_X86_64_PC32 reaches .altinstr_aux+0x0 (no symbol there), but in shared-code-middle.x86_64/patched.o it reaches .altinstr_aux+0x12 (no symbol there) (at +0x9 of the code there, R_X86_64_PC32 reaches its own middle_user+0x28 (from shared-code-middle.x86_64/patched.o), in the patched object middle_user+0x10: different offsets): internal error, the module is wrong; not written" &&
	i=$(rela_index shared-code-middle.ko .rela.text.middle_user $((0xc))) &&
	test -n "$i" &&
	bad shared-code-middle piece-ref rela .rela.text.middle_user "$i" r_addend 14 &&
	scm_mismatch piece-ref "middle_user+0xc: R_X86_64_PC32 reaches .altinstr_aux+0x12 (no symbol there), but in shared-code-middle.x86_64/patched.o it reaches .altinstr_aux+0x12 (no symbol there) (other bytes in the instruction at +0x0 of the code there): internal error, the module is wrong; not written" &&
	i=$(rela_index shared-code-middle.ko .klp.rela.vmlinux..altinstr_aux 2) &&
	test -n "$i" &&
	bad shared-code-middle piece-klp rela .klp.rela.vmlinux..altinstr_aux "$i" r_offset 3 &&
	test_expect_code 1 scm_check piece-klp.ko &&
	grep -F "piece-klp.ko: middle_user+0xc: R_X86_64_PC32 reaches .altinstr_aux+0x0 (no symbol there), but in shared-code-middle.x86_64/patched.o it reaches .altinstr_aux+0x12 (no symbol there) (other relocations in the instruction at +0x0 of the code there)" piece-klp.ko.stderr
'

test_expect_success 'refused: a wrong addend (addl $1, calls(%rip) reaching calls+1)' '
	i=$(rela_index new-static-rmw.ko .rela.text.count_calls $((0x13))) &&
	test -n "$i" &&
	bad new-static-rmw addend rela .rela.text.count_calls "$i" r_addend -4 &&
	mismatch new-static-rmw addend "count_calls+0x13: R_X86_64_PC32 reaches its own calls.0+0x1 (from new-static-rmw.x86_64/patched.o), but in new-static-rmw.x86_64/patched.o it reaches calls.0+0x0 (different offsets): internal error, the module is wrong; not written"
'

test_expect_success 'refused: a relocation moved off its field: the field left without one' '
	i=$(rela_index new-static-rmw.ko .rela.text.count_calls $((0x19))) &&
	test -n "$i" &&
	bad new-static-rmw moved rela .rela.text.count_calls "$i" r_offset $((0x18)) &&
	test_expect_code 1 check new-static-rmw moved.ko &&
	cat >expect <<-\EOF &&
	check-module: error: moved.ko: count_calls+0x18: R_X86_64_PLT32 to printk, but new-static-rmw.x86_64/patched.o has no relocation at count_calls+0x18: internal error, the module is wrong; not written
	check-module: error: moved.ko: count_calls+0x19: new-static-rmw.x86_64/patched.o has R_X86_64_PLT32 to printk there, the module no relocation: internal error, the module is wrong; not written
	EOF
	test_cmp expect moved.ko.stderr
'

test_expect_success 'refused: a string literal reached one byte early' '
	i=$(rela_index new-static-rmw.ko .rela.text.count_calls $((0x3b))) &&
	test -n "$i" &&
	bad new-static-rmw string rela .rela.text.count_calls "$i" r_addend 12 &&
	mismatch new-static-rmw string "count_calls+0x3b: R_X86_64_32S reaches .rodata.count_calls.str1.1+0xc (no symbol there), but in new-static-rmw.x86_64/patched.o it reaches .rodata.count_calls.str1.1+0xd (no symbol there) (other bytes): internal error, the module is wrong; not written"
'

test_expect_success 'refused: a klp relocation retargeted to the other klp symbol' '
	i=$(rela_index call-other.ko .klp.rela.vmlinux..text.dispatch $((0x10))) &&
	test -n "$i" &&
	bad call-other retarget rela .klp.rela.vmlinux..text.dispatch "$i" r_sym \
		"$(symbol_index call-other.ko .klp.sym.vmlinux.log_it,0)" &&
	mismatch call-other retarget "dispatch+0x10: R_X86_64_PLT32 reaches vmlinux'"'"'s log_it+0x0 (position 0: symbol $(symbol_index call-other.x86_64/orig.o log_it) of call-other.x86_64/orig.o), but in call-other.x86_64/patched.o it reaches handler_b+0x0 (different symbols): internal error, the module is wrong; not written"
'

test_expect_success 'refused: .livepatch.funcs naming a position the target does not have' '
	bad call-other funcs word .livepatch.funcs 6 2 &&
	mismatch call-other funcs ".livepatch.funcs+0x0: the function dispatch replaces (dispatch,2): vmlinux (call-other.x86_64/orig.o) has 1 symbols dispatch in the kallsyms of the loaded module, not 2"
'

# shared-imm: b is reached through the section it shares with a, by an
# instruction with an immediate after the displacement; the module made
# to reach a - 1 (as a differ that takes the addend + 4 for the offset
# would make it: a+4 is b in the object, the end of a in the kernel).
test_expect_success 'refused: a reference to b made one to the end of its neighbour a' '
	CDO_FIXTURES=$CM_FIXTURES cdo_compile x86_64 shared-imm shared &&
	cdo_symvers shared/Module.symvers &&
	(cd shared && create-diff-object -n vmlinux orig.o patched.o orig.o Module.symvers out.o \
		>stdout 2>stderr) &&
	echo "changed function: bump (code)" >expect &&
	test_cmp expect shared/stdout &&
	ld -r -z noexecstack -o shared.lp.ko shared/out.o mod.o &&
	create-klp-module shared.lp.ko shared.ko >/dev/null &&
	i=$(rela_index shared.ko .klp.rela.vmlinux..text.bump 7) &&
	test -n "$i" &&
	cp shared.ko neighbour.ko &&
	elf-patch neighbour.ko rela .klp.rela.vmlinux..text.bump "$i" r_sym \
		"$(symbol_index shared.ko .klp.sym.vmlinux.a,0)" >/dev/null &&
	elf-patch neighbour.ko rela .klp.rela.vmlinux..text.bump "$i" r_addend -1 >/dev/null &&
	test_expect_code 1 check-module -a -T mod.o neighbour.ko vmlinux shared/orig.o \
		shared/patched.o shared/out.o >neighbour.stdout 2>neighbour.stderr &&
	echo "check-module: error: neighbour.ko: bump+0x7: R_X86_64_PC32 reaches vmlinux'"'"'s a+0x4 (position 0: symbol $(symbol_index shared/orig.o a) of shared/orig.o), but in shared/patched.o it reaches b+0x0 (different symbols): internal error, the module is wrong; not written" >expect &&
	test_cmp expect neighbour.stderr &&
	test_file_empty neighbour.stdout
'

test_expect_success 'two objects carry a local helper of the same bytes: each found through its file block' '
	for t in a b; do
		CDO_FIXTURES=$CM_FIXTURES cdo_compile x86_64 twin-$t twin-$t &&
		cdo_symvers twin-$t/Module.symvers &&
		(cd twin-$t && create-diff-object -n vmlinux orig.o patched.o orig.o Module.symvers \
			out.o >stdout 2>stderr) &&
		grep -x "new function: helper" twin-$t/stdout || return 1
	done &&
	ld -r -o twins.o twin-a/orig.o twin-b/orig.o &&
	ld -r -z noexecstack -o twins.lp.ko twin-a/out.o twin-b/out.o mod.o &&
	create-klp-module twins.lp.ko twins.ko >/dev/null &&
	kelf-dump -s twins.ko | awk "\$3 == \"helper\"" | wc -l >count &&
	echo 2 | test_cmp - count &&
	check-module -a -T mod.o twins.ko vmlinux twins.o twin-a/patched.o twin-a/out.o \
		vmlinux twins.o twin-b/patched.o twin-b/out.o >twins.stdout &&
	grep "^check-module: [0-9]* relocations checked (0 klp, 5 in tables, 3 of the template), 2 functions" twins.stdout
'

# The call-other pair against a module target holding two log_it, the
# other one first (fixtures/cdo/call-other/neighbour.c): position 2.
test_expect_success 'a patched module: the klp symbol'"'"'s position counted as the module'"'"'s kallsyms counts it' '
	mkdir demo &&
	cp -P call-other.x86_64/orig.o call-other.x86_64/patched.o call-other.x86_64/Module.symvers demo/ &&
	(cd demo && "${CDO_X86_64_CC[@]}" -o neighbour.o "$CDO_FIXTURES/call-other/neighbour.c") &&
	ld -r -o demo/demo-mod.ko demo/neighbour.o demo/orig.o &&
	(cd demo && create-diff-object -n demo_mod orig.o patched.o demo-mod.ko Module.symvers out.o \
		>stdout 2>stderr) &&
	ld -r -z noexecstack -o demo.lp.ko demo/out.o mod.o &&
	create-klp-module demo.lp.ko demo.ko >/dev/null &&
	kelf-dump -s demo.ko | awk "\$3 ~ /^\\.klp\\.sym/ { print \$3 }" | LC_ALL=C sort >actual &&
	printf "%s\n" .klp.sym.demo_mod.handler_b,0 .klp.sym.demo_mod.log_it,2 >expect &&
	test_cmp expect actual &&
	check-module -a -T mod.o demo.ko demo_mod demo/demo-mod.ko demo/patched.o demo/out.o >demo.stdout &&
	grep "^check-module: 11 relocations checked (2 klp, " demo.stdout
'

test_expect_success 'refused: the klp symbol of a local with another position: the other file'"'"'s log_it' '
	cp demo.ko sympos.ko &&
	off=$(string_offset sympos.ko .klp.sym.demo_mod.log_it,2) &&
	test -n "$off" &&
	elf-patch sympos.ko byte $((off + 25)) 0x31 >/dev/null &&
	kelf-dump -s sympos.ko | grep -c " \.klp\.sym\.demo_mod\.log_it,1 " >count &&
	echo 1 | test_cmp - count &&
	test_expect_code 1 check-module -a -T mod.o sympos.ko demo_mod demo/demo-mod.ko demo/patched.o \
		demo/out.o >sympos.stdout 2>sympos.stderr &&
	echo "check-module: error: sympos.ko: dispatch+0x9: R_X86_64_PC32 reaches demo_mod'"'"'s log_it+0x0 (position 1: symbol $(symbol_index demo/demo-mod.ko log_it | head -n 1) of demo/demo-mod.ko), but in demo/patched.o it reaches log_it+0x0 (the target'"'"'s local belongs to another source file): internal error, the module is wrong; not written" >expect &&
	test_cmp expect sympos.stderr
'

test_expect_success 'refused: a position that holds while the module loads, not once it is loaded (an .init function first)' '
	cat >early.s <<-\EOF &&
		.section .init.text,"ax",@progbits
		.type	log_it, @function
	log_it:
		ret
		.size	log_it, .-log_it
		.section .note.GNU-stack,"",@progbits
	EOF
	as -o early.o early.s &&
	ld -r -o demo/early-mod.ko early.o demo/orig.o &&
	test_expect_code 1 check-module -a -T mod.o demo.ko demo_mod demo/early-mod.ko demo/patched.o \
		demo/out.o >early.stdout 2>early.stderr &&
	echo "check-module: error: demo.ko: .klp.sym.demo_mod.log_it,2: demo_mod (demo/early-mod.ko) has 1 symbols log_it in the kallsyms of the loaded module, not 2" >expect &&
	test_cmp expect early.stderr
'

# keys-tracepoint as module kpngmod: hot()'s jump label of the module's
# tracepoint kpng_ev tests the differ's stand-in
# __kpng_disabled.__tracepoint_kpng_ev, a disabled key of the livepatch's
# own, which no source defines.  It stands for the tracepoint's key
# (+8 in struct tracepoint, with the entry's flags) only while it is
# what the differ makes: all zeros, reached from a jump entry's key.
test_expect_success 'a module'"'"'s tracepoint left off: the stand-in key checks as the tracepoint'"'"'s key; one not all zeros is refused' '
	mkdir tp &&
	cp -P keys-tracepoint.x86_64/orig.o keys-tracepoint.x86_64/patched.o tp/ &&
	cdo_symvers tp/Module.symvers &&
	(cd tp && create-diff-object -n kpngmod orig.o patched.o orig.o Module.symvers out.o \
		>stdout 2>stderr) &&
	ld -r -z noexecstack -o tp.lp.ko tp/out.o mod.o &&
	create-klp-module tp.lp.ko tp.ko >/dev/null &&
	check-module -a -T mod.o tp.ko kpngmod tp/orig.o tp/patched.o tp/out.o >tp.stdout &&
	echo "check-module: 13 relocations checked (1 klp, 5 in tables, 3 of the template), 1 functions, all 5 relocations of the sources there; not compared: 0 in sections only the linked module has, 0 in unloaded sections" >expect &&
	test_cmp expect tp.stdout &&
	off=$(readelf -SW tp.ko | sed -n "s/^ *\[ *[0-9]*\] \.data\.__kpng_disabled\.__tracepoint_kpng_ev  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p") &&
	test -n "$off" &&
	cp tp.ko tp-bad.ko &&
	elf-patch tp-bad.ko byte $((0x$off)) 1 >/dev/null &&
	test_expect_code 1 check-module -a -T mod.o tp-bad.ko kpngmod tp/orig.o tp/patched.o \
		tp/out.o >tp-bad.stdout 2>tp-bad.stderr &&
	echo "check-module: error: tp-bad.ko: __kpng_disabled.__tracepoint_kpng_ev: a module symbol that no patched or template object defines" >expect &&
	test_cmp expect tp-bad.stderr
'

# As t1700: the template function notrace, or aarch64-linux-gnu-ld
# refuses to merge its __patchable_function_entries with a diff object's.
test_expect_success 'arm64: the module of call-other checks; a retargeted CALL26 is refused' '
	cdo_pairs arm64 call-other &&
	cdo call-other.arm64 &&
	printf "%s\n" "__attribute__((patchable_function_entry(0, 0)))" \
		"int lp_init(void) { return 0; }" >mod64.c &&
	kernel_cc arm64 mod64.c mod64.o &&
	aarch64-linux-gnu-ld -r -z noexecstack -o arm64.lp.ko call-other.arm64/out.o mod64.o &&
	create-klp-module arm64.lp.ko arm64.ko >/dev/null &&
	check-module -a -T mod64.o arm64.ko vmlinux call-other.arm64/orig.o \
		call-other.arm64/patched.o call-other.arm64/out.o >arm64.stdout &&
	grep "^check-module: [0-9]* relocations checked (2 klp, " arm64.stdout &&
	i=$(rela_index arm64.ko .klp.rela.vmlinux..text.dispatch $((0x20))) &&
	test -n "$i" &&
	cp arm64.ko arm64-bad.ko &&
	elf-patch arm64-bad.ko rela .klp.rela.vmlinux..text.dispatch "$i" r_sym \
		"$(symbol_index arm64.ko .klp.sym.vmlinux.log_it,0)" >/dev/null &&
	test_expect_code 1 check-module -a -T mod64.o arm64-bad.ko vmlinux call-other.arm64/orig.o \
		call-other.arm64/patched.o call-other.arm64/out.o >arm64-bad.stdout 2>arm64-bad.stderr &&
	echo "check-module: error: arm64-bad.ko: dispatch+0x20: R_AARCH64_CALL26 reaches vmlinux'"'"'s log_it+0x0 (position 0: symbol $(symbol_index call-other.arm64/orig.o log_it) of call-other.arm64/orig.o), but in call-other.arm64/patched.o it reaches handler_b+0x0 (different symbols): internal error, the module is wrong; not written" >expect &&
	test_cmp expect arm64-bad.stderr
'

# Linux 7.x's arm64 (CALL_OPS): a carried function's entry in
# __patchable_function_entries is FUNC-8, its two NOPs in front, which in
# the linked module (.text.* merged into .text, as kbuild's module.lds
# does) follow the template function's end: the place is named from the
# function the NOPs stand before, as in the diff object, not as the end
# of the template's lp_init.
test_expect_success 'arm64 CALL_OPS: an entry in the NOPs before a function, after the template'\''s, checks' '
	cdo_pairs arm64pac call-other &&
	cdo call-other.arm64pac &&
	printf "%s\n" "__attribute__((patchable_function_entry(0, 0)))" \
		"int lp_init(int x) { return x * x * 5 + 1; }" >modpac.c &&
	kernel_cc arm64 modpac.c modpac.o &&
	printf "SECTIONS { .text : { *(.text .text.*) } }\n" >text.lds &&
	aarch64-linux-gnu-ld -r -z noexecstack -T text.lds -o pac.lp.ko modpac.o call-other.arm64pac/out.o &&
	readelf -rW pac.lp.ko | sed -n "/rela__patchable_function_entries/,/^\$/p" |
		awk "\$3 == \"R_AARCH64_ABS64\" { print \$5, \$6, \$7 }" >actual &&
	echo "dispatch - 8" >expect &&
	test_cmp expect actual &&
	readelf -sW pac.lp.ko | awk "\$8 == \"lp_init\" || \$8 == \"dispatch\" { print \$8, \$2, \$3 }" >actual &&
	printf "%s\n" "lp_init 0000000000000000 16" "dispatch 0000000000000018 64" >expect &&
	test_cmp expect actual &&
	create-klp-module pac.lp.ko pac.ko >/dev/null &&
	check-module -a -T modpac.o pac.ko vmlinux call-other.arm64pac/orig.o \
		call-other.arm64pac/patched.o call-other.arm64pac/out.o >pac.stdout &&
	grep "^check-module: [0-9]* relocations checked (2 klp, 2 in tables, " pac.stdout
'

test_done
