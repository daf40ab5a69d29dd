#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='a place where one variable ends and the next starts: refused unless read or written, or both stay the kernel'"'"'s'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# "&limits[10]" (a loop's bound) and "&shown" are the same offset of the
# section both live in, and gas refers to either through the section
# symbol: create-diff-object (targets.c, refuse.c) and check-module
# (compare.c) each decide, on their own, whether a reference there can be
# known.  Before, both charged it to the variable starting there: the
# module's loop ran from the kernel's limits to the livepatch's shown.

test_expect_success 'setup: the fixture pairs and the template object' '
	cdo_pairs x86_64 refuse-one-past-end one-past-end-kept one-past-end-deref one-past-end-call \
		one-past-end-prefix &&
	cdo_pairs arm64 refuse-one-past-end &&
	printf "%s\n" "extern int printk(const char *, ...);" \
		"int lp_init(void) { return printk(\"lp\"); }" >mod.c &&
	kernel_cc x86_64 mod.c mod.o
'

test_expect_success 'refused: a loop bound at the end of the kernel'"'"'s limits, where the new shown starts' '
	symbols refuse-one-past-end.x86_64/patched.o limits shown >actual &&
	cat >expect <<-\EOF &&
	Y limits LOCAL OBJECT .data..read_mostly off=0 size=40
	Y shown LOCAL OBJECT .data..read_mostly off=0x28 size=4
	EOF
	test_cmp expect actual &&
	reloc_is refuse-one-past-end.x86_64/patched.o .text.show_limits 0x39 "R .text.show_limits+0x39 R_X86_64_32S .data..read_mostly +40" &&
	cdo_refused refuse-one-past-end.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: show_limits+0x39: R_X86_64_32S to .data..read_mostly+0x28 reaches both the end of limits and the start of shown, and the instruction does not read, write or branch there: which one the code means cannot be known, and the livepatch keeps the two apart (limits the running kernel'"'"'s, shown carried); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	EOF
	test_cmp expect refuse-one-past-end.x86_64/stderr
'

test_expect_success 'kept: the bound is where the kernel'"'"'s depth starts, right after limits as in the original' '
	test_expect_code 0 cdo one-past-end-kept.x86_64 &&
	echo "changed function: show_limits (relocation)" >expect &&
	test_cmp expect one-past-end-kept.x86_64/stdout &&
	test_file_empty one-past-end-kept.x86_64/stderr &&
	relocs one-past-end-kept.x86_64/out.o .text.show_limits | grep -e 0xc -e 0x31 >actual &&
	cat >expect <<-\EOF &&
	R .text.show_limits+0xc R_X86_64_32S .klp.sym.vmlinux.limits,0 +0
	R .text.show_limits+0x31 R_X86_64_32S .klp.sym.vmlinux.depth,0 +0
	EOF
	test_cmp expect actual
'

# shown++ writes where limits ends: the place is the new shown's, carried
# (PC32 +35 at 0x16, no error for it).  The loop over the kernel's limits
# beside it is loose (its start and end are immediates, nothing read or
# written there), and shown does not keep its distance to limits in the
# livepatch: refused (t2380).
test_expect_success 'dereferenced: "shown++" is the new shown; the loop over limits beside it is refused as loose' '
	relocs one-past-end-deref.x86_64/patched.o .text.show_limits | grep -e 0x16 -e 0x39 >actual &&
	cat >expect <<-\EOF &&
	R .text.show_limits+0x16 R_X86_64_PC32 .data..read_mostly +35
	R .text.show_limits+0x39 R_X86_64_32S .data..read_mostly +36
	EOF
	test_cmp expect actual &&
	cdo_refused one-past-end-deref.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: show_limits+0xc: R_X86_64_32S to .data..read_mostly+0: the instruction does not read or write there, so the place need not lie in the variable it was computed from (an index'"'"'s or a loop bound'"'"'s offset: "a[i + 5]", "&t[N].field"); which of the 2 variables of .data..read_mostly that is cannot be known, and they do not keep their distances in the livepatch (the livepatch carries shown); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	create-diff-object: error: patched.o: show_limits+0x39: R_X86_64_32S to .data..read_mostly+0x24: the instruction does not read or write there, so the place need not lie in the variable it was computed from (an index'"'"'s or a loop bound'"'"'s offset: "a[i + 5]", "&t[N].field"); which of the 2 variables of .data..read_mostly that is cannot be known, and they do not keep their distances in the livepatch (the livepatch carries shown); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	EOF
	test_cmp expect one-past-end-deref.x86_64/stderr
'

test_expect_success 'code: use()'"'"'s call and pass()'"'"'s pointer reach the start of the new sched_b, where the kernel'"'"'s sched_a ends' '
	symbols one-past-end-call.x86_64/patched.o sched_a sched_b >actual &&
	cat >expect <<-\EOF &&
	Y sched_a LOCAL FUNC .sched.text off=0 size=9
	Y sched_b LOCAL FUNC .sched.text off=0x9 size=9
	EOF
	test_cmp expect actual &&
	reloc_is one-past-end-call.x86_64/patched.o .text.use 0xe "R .text.use+0xe R_X86_64_PC32 .sched.text +5" &&
	test_expect_code 0 cdo one-past-end-call.x86_64 &&
	printf "%s\n" "changed function: sched_b (code)" "changed function: use (relocation)" \
		"changed function: pass (relocation)" >expect &&
	test_cmp expect one-past-end-call.x86_64/stdout &&
	reloc_is one-past-end-call.x86_64/patched.o .text.pass 0xe "R .text.pass+0xe R_X86_64_32S .sched.text +9" &&
	reloc_is one-past-end-call.x86_64/out.o .text.pass 0xe "R .text.pass+0xe R_X86_64_32S .sched.text +0" &&
	kelf-dump -s one-past-end-call.x86_64/out.o | awk "\$3 == \"sched_b\" { print \$6, \$7 }" >actual &&
	echo ".sched.text off=0" >expect &&
	test_cmp expect actual &&
	reloc_is one-past-end-call.x86_64/out.o .text.use 0xe "R .text.use+0xe R_X86_64_PC32 .sched.text -4" &&
	cdo_module_checks one-past-end-call
'

test_expect_success 'a prefix: the end of __pfx_handler is handler'"'"'s start, no boundary' '
	symbols one-past-end-prefix.x86_64/patched.o __pfx_handler handler >actual &&
	cat >expect <<-\EOF &&
	Y __pfx_handler LOCAL FUNC .sched.text off=0 size=16
	Y handler LOCAL FUNC .sched.text off=0x10 size=4
	EOF
	test_cmp expect actual &&
	reloc_is one-past-end-prefix.x86_64/patched.o .text.pick 0x1c "R .text.pick+0x1c R_X86_64_32S .sched.text +16" &&
	test_expect_code 0 cdo one-past-end-prefix.x86_64 &&
	test_file_empty one-past-end-prefix.x86_64/stderr &&
	reloc_is one-past-end-prefix.x86_64/out.o .text.pick 0x1c "R .text.pick+0x1c R_X86_64_32S .sched.text +16" &&
	# the padding is carried in front of handler, which it belongs to
	kelf-dump -s one-past-end-prefix.x86_64/out.o |
		awk "\$3 == \"handler\" { print \$3, \$6, \$7 }" >actual &&
	echo "handler .sched.text off=0x10" >expect &&
	test_cmp expect actual &&
	cdo_module_checks one-past-end-prefix
'

# arm64 computes the bound from limits' address (add x22, x19, #40): no
# relocation reaches the end of limits; shown's adrp is completed by a
# load and a store of the same place, so it is shown's, and not refused.
# limits' adrp/add only forms an address, loose, beside the carried
# shown: refused (t2380).
test_expect_success 'arm64: the adrp of shown, completed by its ldr and str, is shown; limits'"'"' adrp/add is refused as loose' '
	relocs refuse-one-past-end.arm64/patched.o .text.show_limits | grep "read_mostly" >actual &&
	cat >expect <<-\EOF &&
	R .text.show_limits+0xc R_AARCH64_ADR_PREL_PG_HI21 .data..read_mostly +40
	R .text.show_limits+0x14 R_AARCH64_LDST32_ABS_LO12_NC .data..read_mostly +40
	R .text.show_limits+0x1c R_AARCH64_ADR_PREL_PG_HI21 .data..read_mostly +0
	R .text.show_limits+0x20 R_AARCH64_ADD_ABS_LO12_NC .data..read_mostly +0
	R .text.show_limits+0x3c R_AARCH64_LDST32_ABS_LO12_NC .data..read_mostly +40
	EOF
	test_cmp expect actual &&
	cdo_refused refuse-one-past-end.arm64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: show_limits+0x1c: R_AARCH64_ADR_PREL_PG_HI21 to .data..read_mostly+0: the instruction does not read or write there, so the place need not lie in the variable it was computed from (an index'"'"'s or a loop bound'"'"'s offset: "a[i + 5]", "&t[N].field"); which of the 2 variables of .data..read_mostly that is cannot be known, and they do not keep their distances in the livepatch (the livepatch carries shown); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	create-diff-object: error: patched.o: show_limits+0x20: R_AARCH64_ADD_ABS_LO12_NC to .data..read_mostly+0: the instruction does not read or write there, so the place need not lie in the variable it was computed from (an index'"'"'s or a loop bound'"'"'s offset: "a[i + 5]", "&t[N].field"); which of the 2 variables of .data..read_mostly that is cannot be known, and they do not keep their distances in the livepatch (the livepatch carries shown); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	EOF
	test_cmp expect refuse-one-past-end.arm64/stderr
'

test_expect_success 'refused: both the kernel'"'"'s, but not one after the other there (a variable between them removed)' '
	mkdir removed removed/a removed/b &&
	printf "%s\n" "extern int printk(const char *, ...);" \
		"static int depth __attribute__((section(\".data..read_mostly\"))) = 3;" \
		"static int gone __attribute__((section(\".data..read_mostly\"))) = 4;" \
		"static int limits[10] __attribute__((section(\".data..read_mostly\"))) = { 1, 2 };" \
		"int show_limits(void) { int s = 0; for (int i = 0; i < 10; i++) s += printk(\"limit %d\\n\", limits[i]); return s; }" \
		"int show_depth(void) { return printk(\"depth %d %d\\n\", depth, gone); }" >removed/a/x.c &&
	sed -e "/gone __attr/d" -e "s/limit %d/limit: %d/" -e "s/depth %d %d/depth %d/" \
		-e "s/, depth, gone)/, depth)/" removed/a/x.c >removed/b/x.c &&
	(cd removed/a && "${CDO_X86_64_CC[@]}" -o ../orig.o x.c) &&
	(cd removed/b && "${CDO_X86_64_CC[@]}" -o ../patched.o x.c) &&
	symbols removed/orig.o limits gone depth >actual &&
	symbols removed/patched.o limits depth >>actual &&
	cat >expect <<-\EOF &&
	Y limits LOCAL OBJECT .data..read_mostly off=0 size=40
	Y gone LOCAL OBJECT .data..read_mostly off=0x28 size=4
	Y depth LOCAL OBJECT .data..read_mostly off=0x2c size=4
	Y limits LOCAL OBJECT .data..read_mostly off=0 size=40
	Y depth LOCAL OBJECT .data..read_mostly off=0x28 size=4
	EOF
	test_cmp expect actual &&
	cdo_symvers removed/Module.symvers &&
	cdo_refused removed &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: show_limits+0x31: R_X86_64_32S to .data..read_mostly+0x28 reaches both the end of limits and the start of depth, and the instruction does not read, write or branch there: which one the code means cannot be known, and in the running kernel depth does not start where limits ends (a variable between them was removed, or they moved); keep the variables of .data..read_mostly as the running kernel has them
	EOF
	test_cmp expect removed/stderr
'

# The module the differ used to write for the loop over limits: its start
# and end named by limits, the symbol holding them (made here by naming
# limits in the relocations of a copy of the patched object, which the
# differ then takes as exact).  check-module, against the real patched
# object, refuses both: the loose places may be shown's, carried apart.
test_expect_success 'check-module refuses the module reaching the kernel'"'"'s limits for the loop beside the new shown' '
	mkdir old &&
	cp one-past-end-deref.x86_64/orig.o one-past-end-deref.x86_64/Module.symvers old/ &&
	cp one-past-end-deref.x86_64/patched.o old/patched.o &&
	chmod u+w old/patched.o &&
	limits=$(kelf-dump -s old/patched.o | awk "\$3 == \"limits\" { print \$2 }") &&
	elf-patch old/patched.o rela .rela.text.show_limits 1 r_sym "$limits" >/dev/null &&
	elf-patch old/patched.o rela .rela.text.show_limits 5 r_sym "$limits" >/dev/null &&
	relocs old/patched.o .text.show_limits | grep -e "+0xc " -e "+0x39 " >actual &&
	cat >expect <<-\EOF &&
	R .text.show_limits+0xc R_X86_64_32S limits +0
	R .text.show_limits+0x39 R_X86_64_32S limits +36
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo old &&
	ld -r -z noexecstack -o old.lp.ko old/out.o mod.o &&
	create-klp-module old.lp.ko old.ko >/dev/null &&
	readelf -rW old.ko | grep -c "klp.sym.vmlinux.limits,0 + 24" >count &&
	echo 1 | test_cmp - count &&
	test_expect_code 1 check-module -a -T mod.o old.ko vmlinux one-past-end-deref.x86_64/orig.o \
		one-past-end-deref.x86_64/patched.o old/out.o >old.stdout 2>old.stderr &&
	cat >expect <<-\EOF &&
	check-module: error: old.ko: show_limits+0xc: R_X86_64_32S: in one-past-end-deref.x86_64/patched.o the instruction does not read or write .data..read_mostly+0, a place that need not lie in the object it was computed from, which may be any of the 2 of .data..read_mostly; the module'"'"'s reference is right for every one of them only if it names one and they all keep their distances (the module carries shown): internal error, the module is wrong; not written
	check-module: error: old.ko: show_limits+0x39: R_X86_64_32S: in one-past-end-deref.x86_64/patched.o the instruction does not read or write .data..read_mostly+36, a place that need not lie in the object it was computed from, which may be any of the 2 of .data..read_mostly; the module'"'"'s reference is right for every one of them only if it names one and they all keep their distances (the module carries shown): internal error, the module is wrong; not written
	EOF
	test_cmp expect old.stderr
'

test_done
