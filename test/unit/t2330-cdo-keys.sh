#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317)
# and using arrays it cannot see being used (SC2034).
# shellcheck disable=SC2016,SC2317,SC2034
test_description='create-diff-object: the keys of jump labels and static calls, and dynamic debug descriptors, in carried code'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# The module loader (Linux 6.12, kernel/module/main.c) writes a
# livepatch's klp relocations to vmlinux in apply_relocations(), before
# the COMING notifiers set up its jump labels, static calls and dynamic
# debug descriptors; those to a module only later.  keys: a tracepoint, a
# static key and a static call, none exported, as vmlinux (every key
# through a klp relocation) and as module kpngmod (which owns them: the
# tracepoint is left off, the static call goes through its trampoline,
# the static key is refused); keys-tracepoint: a
# module's tracepoint alone; refuse-tracepoint-layout: one whose key is
# not where struct tracepoint has it; dyndbg: pr_debug()'s descriptors, carried as
# the livepatch's own; dyndbg-counter: a new pr_debug() in a module file
# with module_init(), which renumbers what __COUNTER__ and GCC number;
# dyndbg-class: a descriptor with a class of its own (DECLARE_DYNDBG_CLASSMAP).  Nothing is exported but the ftrace hook and
# __dynamic_pr_debug (cdo_symvers).

PAIRS=(keys keys-tracepoint refuse-tracepoint-layout dyndbg dyndbg-counter dyndbg-class)
TABLES=(__jump_table .static_call_sites)

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 "${PAIRS[@]}" &&
	for d in "${PAIRS[@]/%/.x86_64}"; do
		cdo_symvers "$d/Module.symvers" __dynamic_pr_debug || return 1
	done
'

test_expect_success 'vmlinux: keys of vmlinux that are not exported are reached through klp relocations' '
	test_expect_code 0 cdo keys.x86_64 &&
	echo "changed function: hot (size)" >expect &&
	test_cmp expect keys.x86_64/stdout &&
	test_file_empty keys.x86_64/stderr &&
	cdo_relocs keys.x86_64/out.o "${TABLES[@]}" >actual &&
	cat >expect <<-\EOF &&
	R __jump_table+0 R_X86_64_PC32 hot +5
	R __jump_table+0x4 R_X86_64_PC32 hot +24
	R __jump_table+0x8 R_X86_64_PC64 .klp.sym.vmlinux.__tracepoint_kpng_ev,0 +10
	R __jump_table+0x10 R_X86_64_PC32 hot +7
	R __jump_table+0x14 R_X86_64_PC32 hot +32
	R __jump_table+0x18 R_X86_64_PC64 .klp.sym.vmlinux.kpng_flag,0 +2
	R .static_call_sites+0 R_X86_64_PC32 hot +24
	R .static_call_sites+0x4 R_X86_64_PC32 .klp.sym.vmlinux.__SCK__tp_func_kpng_ev,0 +0
	R .static_call_sites+0x8 R_X86_64_PC32 hot +32
	R .static_call_sites+0xc R_X86_64_PC32 .klp.sym.vmlinux.__SCK__kpng_hidden,0 +0
	EOF
	test_cmp expect actual
'

# create-klp-module makes them klp relocations in .klp.rela.vmlinux.*
# sections, which apply_relocations() writes (SHF_RELA_LIVEPATCH, no
# object name: vmlinux's), readelf being the independent reader.
test_expect_success 'vmlinux: create-klp-module turns the keys into .klp.rela.vmlinux relocations of the tables' '
	create-klp-module keys.x86_64/out.o keys.x86_64/klp.o >keys.x86_64/klp.stdout &&
	readelf -W -r keys.x86_64/klp.o | awk "
		/^Relocation section/ { sec = \$3; next }
		sec ~ /klp\\.rela\\.vmlinux\\.(__jump_table|\\.static_call_sites)/ && \$1 ~ /^[0-9a-f]+\$/ {
			print sec, \$1, \$3, \$5, \$6, \$7 }" >actual &&
	cat >expect <<-\EOF &&
	'"'"'.klp.rela.vmlinux.__jump_table'"'"' 0000000000000008 R_X86_64_PC64 .klp.sym.vmlinux.__tracepoint_kpng_ev,0 + a
	'"'"'.klp.rela.vmlinux.__jump_table'"'"' 0000000000000018 R_X86_64_PC64 .klp.sym.vmlinux.kpng_flag,0 + 2
	'"'"'.klp.rela.vmlinux..static_call_sites'"'"' 0000000000000004 R_X86_64_PC32 .klp.sym.vmlinux.__SCK__tp_func_kpng_ev,0 + 0
	'"'"'.klp.rela.vmlinux..static_call_sites'"'"' 000000000000000c R_X86_64_PC32 .klp.sym.vmlinux.__SCK__kpng_hidden,0 + 0
	EOF
	test_cmp expect actual
'

test_expect_success 'module: the tracepoint is left off and the static call goes through its trampoline, with warnings; the static key of the module is refused; each site named' '
	rm -f keys.x86_64/out.o &&
	test_expect_code 2 cdo keys.x86_64 -n kpngmod &&
	test_file_empty keys.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: hot+0x5: tracepoint kpng_ev of module kpngmod left off in the patched function: the kernel sets up the livepatch'"'"'s jump labels when it loads, before its klp relocations to kpngmod are written, so the site tests a key of the livepatch'"'"'s own, never enabled, instead of the module'"'"'s
	create-diff-object: error: patched.o: hot+0x7: __jump_table entry uses key kpng_flag of module kpngmod: the kernel sets up the livepatch'"'"'s __jump_table entries when it loads, before its klp relocations to kpngmod are written; test the key without a jump label (static_key_enabled())
	create-diff-object: warning: patched.o: hot+0x20: static call __SCK__kpng_hidden of module kpngmod goes through its trampoline in the patched function: the kernel sets up the livepatch'"'"'s static calls when it loads, before its klp relocations to kpngmod are written
	EOF
	test_cmp expect keys.x86_64/stderr &&
	cdo_missing keys.x86_64/out.o
'

# The site keeps its jump: the kernel NOPs it when it links the entry to
# the livepatch's key (jump_label_add_module(), the key's initial type
# false and the branch 0), objtool when it runs on the module (IBT).
test_expect_success 'module: a tracepoint alone: its jump label tests a key of the livepatch'"'"'s own, all zeros and writable; its static call is dropped' '
	test_expect_code 0 cdo keys-tracepoint.x86_64 -n kpngmod &&
	echo "changed function: hot (size)" >expect &&
	test_cmp expect keys-tracepoint.x86_64/stdout &&
	cat >expect <<-\EOF &&
	create-diff-object: warning: patched.o: hot+0x5: tracepoint kpng_ev of module kpngmod left off in the patched function: the kernel sets up the livepatch'"'"'s jump labels when it loads, before its klp relocations to kpngmod are written, so the site tests a key of the livepatch'"'"'s own, never enabled, instead of the module'"'"'s
	EOF
	test_cmp expect keys-tracepoint.x86_64/stderr &&
	out=keys-tracepoint.x86_64/out.o &&
	{
		cdo_relocs $out "${TABLES[@]}" &&
		section $out .data.__kpng_disabled.__tracepoint_kpng_ev &&
		symbols $out __kpng_disabled.__tracepoint_kpng_ev &&
		readelf -x .data.__kpng_disabled.__tracepoint_kpng_ev $out | grep "^  0x" &&
		section $out .static_call_sites
	} >actual &&
	cat >expect <<-\EOF &&
	R __jump_table+0 R_X86_64_PC32 hot +5
	R __jump_table+0x4 R_X86_64_PC32 hot +24
	R __jump_table+0x8 R_X86_64_PC64 __kpng_disabled.__tracepoint_kpng_ev +2
	S .data.__kpng_disabled.__tracepoint_kpng_ev SHT_PROGBITS flags=0x3 size=16 link=- align=8 entsize=0
	Y __kpng_disabled.__tracepoint_kpng_ev LOCAL OBJECT .data.__kpng_disabled.__tracepoint_kpng_ev off=0 size=16
	  0x00000000 00000000 00000000 00000000 00000000 ................
	EOF
	test_cmp expect actual
'

test_expect_success 'module: a tracepoint whose jump label tests another place than its key is refused, the site named' '
	test_expect_code 2 cdo refuse-tracepoint-layout.x86_64 -n kpngmod &&
	test_file_empty refuse-tracepoint-layout.x86_64/stdout &&
	echo "create-diff-object: error: patched.o: hot+0x5: __jump_table entry for tracepoint kpng_ev of module kpngmod reaches __tracepoint_kpng_ev+0x12, not the key of the tracepoint (+0x8): the differ cannot tell what it tests; leave the tracepoint out of the patched function" >expect &&
	test_cmp expect refuse-tracepoint-layout.x86_64/stderr
'

test_expect_success 'vmlinux: the same tracepoint is reached through a klp relocation, its static call kept' '
	test_expect_code 0 cdo keys-tracepoint.x86_64 &&
	test_file_empty keys-tracepoint.x86_64/stderr &&
	cdo_relocs keys-tracepoint.x86_64/out.o "${TABLES[@]}" >actual &&
	cat >expect <<-\EOF &&
	R __jump_table+0 R_X86_64_PC32 hot +5
	R __jump_table+0x4 R_X86_64_PC32 hot +24
	R __jump_table+0x8 R_X86_64_PC64 .klp.sym.vmlinux.__tracepoint_kpng_ev,0 +10
	R .static_call_sites+0 R_X86_64_PC32 hot +24
	R .static_call_sites+0x4 R_X86_64_PC32 .klp.sym.vmlinux.__SCK__tp_func_kpng_ev,0 +0
	EOF
	test_cmp expect actual
'

# dyndbg: changed()'s new descriptor, with its key, its __func__ and its
# strings, is the livepatch's own; moved() is not reported, though its
# descriptor's line and __func__'s number changed.
for objname in vmlinux kpngmod; do
	test_expect_success "$objname: pr_debug(): the carried function's descriptor is the livepatch's own, in __dyndbg; a moved one is no change" '
		test_expect_code 0 cdo dyndbg.x86_64 -n '"$objname"' &&
		echo "changed function: changed (size)" >expect &&
		test_cmp expect dyndbg.x86_64/stdout &&
		test_file_empty dyndbg.x86_64/stderr &&
		out=dyndbg.x86_64/out.o &&
		{
			section $out __dyndbg &&
			symbols $out descriptor.2 __func__.0 &&
			cdo_relocs $out __dyndbg __jump_table &&
			relocs $out .text.changed | grep descriptor &&
			lp-dump $out | grep -c "^reloc" || :
		} >actual &&
		cat >expect <<-\EOF &&
		S __dyndbg SHT_PROGBITS flags=0x3 size=56 link=- align=8 entsize=0
		Y descriptor.2 LOCAL OBJECT __dyndbg off=0 size=56
		Y __func__.0 LOCAL OBJECT .rodata.__func__.0 off=0 size=8
		R __dyndbg+0 R_X86_64_64 .rodata.str1.1 +0
		R __dyndbg+0x8 R_X86_64_64 __func__.0 +0
		R __dyndbg+0x10 R_X86_64_64 .rodata.str1.1 +8
		R __dyndbg+0x18 R_X86_64_64 .rodata.changed.str1.1 +0
		R __jump_table+0 R_X86_64_PC32 changed +8
		R __jump_table+0x4 R_X86_64_PC32 changed +24
		R __jump_table+0x8 R_X86_64_PC64 descriptor.2 +42
		R .text.changed+0x26 R_X86_64_32S descriptor.2 +0
		0
		EOF
		test_cmp expect actual
	'
done

# dyndbg-counter: shown()'s new descriptor takes a number of __COUNTER__
# (__UNIQUE_ID_ddebug0.3), so each __UNIQUE_ID after it is renumbered:
# later()'s and twice()'s descriptors (ddebug0.2 is ddebug1.2, ...), the
# __addressable_ objects of module_init() and module_exit() in .init.data
# and .exit.data (init_module3 is init_module4); and GCC renumbers the
# __func__.N of the functions below shown() (later's __func__.3 is
# __func__.5).  Paired by their names without the counter, by their users
# and, for __func__, by their bytes, they are all the same: only shown()
# changes, and the diff object carries shown(), its descriptor and its
# __func__, nothing else (readelf's view of the objects).
for objname in kpngmod vmlinux; do
	test_expect_success "$objname: a new pr_debug() renumbers __UNIQUE_ID_ names and __func__.N: no change but the function's own" '
		test_expect_code 0 cdo dyndbg-counter.x86_64 -n '"$objname"' &&
		echo "changed function: shown (size)" >expect &&
		test_cmp expect dyndbg-counter.x86_64/stdout &&
		test_file_empty dyndbg-counter.x86_64/stderr &&
		readelf -sW dyndbg-counter.x86_64/out.o |
			awk "\$4 == \"OBJECT\" || \$4 == \"FUNC\" { print \$3, \$4, \$8 }" >actual &&
		cat >expect <<-\EOF &&
		56 OBJECT __UNIQUE_ID_ddebug0.3
		6 OBJECT __func__.4
		65 FUNC shown
		EOF
		test_cmp expect actual &&
		relocs dyndbg-counter.x86_64/out.o __dyndbg | sed -n 2p >actual &&
		echo "R __dyndbg+0x8 R_X86_64_64 __func__.4 +0" >expect &&
		test_cmp expect actual
	'
done

# dyndbg-class: kms() changes, and its descriptor has class 2 of the
# module's class map: the livepatch's copy would be in a table of the
# livepatch's name, which no class map is attached to (the kernel
# attaches them by module name), so no query would enable it.  Refused,
# naming the place in kms() that points at it; plain()'s descriptor, of
# the default class, is not carried.
for objname in kpngmod vmlinux; do
	test_expect_success "$objname: a carried descriptor with a class of its own is refused, the site named" '
		test_expect_code 2 cdo dyndbg-class.x86_64 -n '"$objname"' &&
		test_file_empty dyndbg-class.x86_64/stdout &&
		echo "create-diff-object: error: patched.o: kms+0x7: dynamic debug descriptor descriptor.2 has class 2 (DECLARE_DYNDBG_CLASSMAP): the kernel attaches class maps to descriptors by their module'"'"'s name, so the livepatch'"'"'s own copy would answer neither its class'"'"'s controls nor any other query, and its messages would be lost; cannot be livepatched: leave that function out of the patch, or make its message a plain pr_debug()" >expect &&
		test_cmp expect dyndbg-class.x86_64/stderr
	'
done

# The word after the four pointers: lineno:18, class_id:6, flags:8.
test_expect_success 'dyndbg: the carried descriptor holds the patched line, the default class and no flags' '
	line=$(grep -n "pr_debug(\"changed" "$CDO_FIXTURES/dyndbg/patched.c" | cut -d: -f1) &&
	objcopy -O binary --only-section=__dyndbg dyndbg.x86_64/out.o dyndbg.bin &&
	od -An -tu4 -j32 -N4 dyndbg.bin | tr -d " " >actual &&
	echo $((line + (63 << 18))) >expect &&
	test_cmp expect actual
'

test_done
