#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: carried functions and objects keep their section class (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# placed OBJ NAME...: "NAME SECTION align=N" for each defined symbol NAME
# of OBJ, as readelf sees it (not kelf-dump: an independent reading).
placed() {
	local obj=$1
	shift
	readelf -SW "$obj" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .* \([0-9]*\)$/\1 \2 \3/p' >sections.lst
	readelf -sW "$obj" | awk -v names=" $* " 'NR > 3 && $7 ~ /^[0-9]+$/ &&
		index(names, " " $8 " ") { print $7, $8 }' |
	while read -r ndx name; do
		awk -v ndx="$ndx" -v name="$name" '$1 == ndx { print name, $2, "align=" $3 }' sections.lst
	done | LC_ALL=C sort
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 section-classes refuse-section-class
'

test_expect_success 'section-classes: the changed functions and their callers are reported' '
	test_expect_code 0 cdo section-classes.x86_64 &&
	cat >expect <<-\EOF &&
	changed function: entry_work (code; no ftrace entry: patched through its callers)
	changed function: idle_step (size; no ftrace entry: patched through its callers)
	changed function: calls_entry_work (calls entry_work)
	changed function: probe_handler (code)
	changed function: sleeper (code)
	changed function: calls_idle_step (calls idle_step)
	changed function: report (size)
	EOF
	test_cmp expect section-classes.x86_64/stdout &&
	test_file_empty section-classes.x86_64/stderr
'

test_expect_success 'section-classes: the originals sit in their classes' '
	placed section-classes.x86_64/patched.o entry_work idle_step probe_handler sleeper \
		pcpu_hits pcpu_shared pcpu_page pcpu_mostly mostly_limit boot_mode report >actual &&
	cat >expect <<-\EOF &&
	boot_mode .data..ro_after_init align=4
	entry_work .noinstr.text align=16
	idle_step .cpuidle.text align=16
	mostly_limit .data..read_mostly align=4
	pcpu_hits .data..percpu align=4
	pcpu_mostly .data..percpu..read_mostly align=4
	pcpu_page .data..percpu..page_aligned align=4096
	pcpu_shared .data..percpu..shared_aligned align=64
	probe_handler .kprobes.text align=16
	report .text.report align=16
	sleeper .sched.text align=16
	EOF
	test_cmp expect actual
'

test_expect_success 'section-classes: each copy comes out in the section that has its meaning in a module' '
	placed section-classes.x86_64/out.o entry_work idle_step probe_handler sleeper \
		pcpu_hits pcpu_shared pcpu_page pcpu_mostly mostly_limit boot_mode report \
		calls_entry_work calls_idle_step >actual &&
	cat >expect <<-\EOF &&
	boot_mode .data..ro_after_init align=4
	calls_entry_work .text.calls_entry_work align=16
	calls_idle_step .text.calls_idle_step align=16
	entry_work .noinstr.text align=16
	idle_step .noinstr.text align=16
	mostly_limit .data..read_mostly align=4
	pcpu_hits .data..percpu align=4
	pcpu_mostly .data..percpu align=4
	pcpu_page .data..percpu align=4096
	pcpu_shared .data..percpu align=64
	probe_handler .kprobes.text align=16
	report .text.report align=16
	sleeper .sched.text align=16
	EOF
	test_cmp expect actual
'

test_expect_success 'section-classes: linked as a module is (ld -r), every per-CPU variable is in the one .data..percpu' '
	ld -r -o linked.o section-classes.x86_64/out.o &&
	readelf -SW linked.o | grep -c "\.data\.\.percpu" >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	placed linked.o pcpu_hits pcpu_shared pcpu_page pcpu_mostly entry_work idle_step >actual &&
	cat >expect <<-\EOF &&
	entry_work .noinstr.text align=16
	idle_step .noinstr.text align=16
	pcpu_hits .data..percpu align=4096
	pcpu_mostly .data..percpu align=4096
	pcpu_page .data..percpu align=4096
	pcpu_shared .data..percpu align=4096
	EOF
	test_cmp expect actual
'

test_expect_success 'section-classes: the carried code reaches the per-CPU copies, not neighbours' '
	relocs section-classes.x86_64/out.o .text.report | grep pcpu >actual &&
	cat >expect <<-\EOF &&
	R .text.report+0xf R_X86_64_PC32 pcpu_shared -4
	R .text.report+0x24 R_X86_64_PC32 pcpu_hits -5
	R .text.report+0x31 R_X86_64_32S pcpu_page +0
	R .text.report+0x38 R_X86_64_PC32 pcpu_mostly -4
	EOF
	test_cmp expect actual
'

test_expect_success 'refuse-section-class: new objects whose class a module cannot have are refused, each named' '
	cdo_refused refuse-section-class.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: early_setup: new function is in .init.text: __init code and data: the livepatch'"'"'s init section is freed once it is loaded, and it runs no initcalls; do one-time work in a pre-patch callback
	create-diff-object: error: patched.o: first_counter: new object is in .data..percpu..first: DEFINE_PER_CPU_FIRST: it must come first in vmlinux'"'"'s per-CPU area, and a module'"'"'s per-CPU data is allocated elsewhere; keep the variable as it is
	create-diff-object: error: patched.o: resume_count: new object is in .data..nosave: __nosave: hibernation leaves vmlinux'"'"'s nosave pages alone and would save and restore a module'"'"'s copy
	EOF
	test_cmp expect refuse-section-class.x86_64/stderr
'

test_done
