#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: bytes no sized symbol covers are their twins'"'"', length and text included (x86_64)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# Each refused pair also changes g(), so that a change left out would
# show as exit 0 with "changed function: g" (gaps.c, review2 g1 g2 g4 b1 m1).
# shellcheck disable=SC2034 # read by the test bodies
PAIRS="refuse-unsized-zeroed refuse-unsized-zeroed-aligned refuse-unsized-shrunk
	refuse-nobits-resized refuse-named-string refuse-label-after-new"

# refused_as PAIR: PAIR is refused with exactly the text on stdin.
refused_as() {
	cat >expect &&
	cdo_refused "$1.x86_64" &&
	test_cmp expect "$1.x86_64/stderr"
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 $PAIRS named-string-kept unsized-table-kept initcall-renamed &&
	printf "%s\n" "extern int printk(const char *, ...);" \
		"int lp_init(void) { return printk(\"lp\"); }" >mod.c &&
	kernel_cc x86_64 mod.c mod.o
'

test_expect_success 'the objects: labels of size 0, the sections as the fixtures say' '
	for o in orig patched; do
		kelf-dump -s "refuse-unsized-shrunk.x86_64/$o.o" |
			awk "\$3 == \"tbl_end\" { print \$3, \$5, \$6, \$7, \$8 }" || return 1
	done >actual &&
	kelf-dump -s refuse-nobits-resized.x86_64/patched.o |
		awk "\$3 ~ /^buf/ { print \$3, \$5, \$6, \$7, \$8 }" >>actual &&
	# flags 0x32: SHF_ALLOC, SHF_MERGE, SHF_STRINGS
	section refuse-named-string.x86_64/patched.o .rodata.str1.1 |
		awk "{ print \$2, \$3, \$4 }" >>actual &&
	cat >expect <<-\EOF &&
	tbl_end NOTYPE .rodata.tbl off=0x10 size=0
	tbl_end NOTYPE .rodata.tbl off=0xc size=0
	buf NOTYPE .bss.buf off=0 size=0
	buf_end NOTYPE .bss.buf off=0x20 size=0
	.rodata.str1.1 SHT_PROGBITS flags=0x32
	EOF
	test_cmp expect actual
'

test_expect_success 'zeroed: one unsized byte made 0 is not alignment fill when the original has 1 there' '
	refused_as refuse-unsized-zeroed <<-\EOF
	create-diff-object: error: patched.o: .data..read_mostly+0..0x1: changed bytes that no sized function or object covers (asm data or code without .size, a symbol of size 0; after flags): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
'

test_expect_success 'zeroed: 12 bytes zeroed in a section aligned to 64' '
	refused_as refuse-unsized-zeroed-aligned <<-\EOF
	create-diff-object: error: patched.o: .data..cacheline_aligned+0..0xc: changed bytes that no sized function or object covers (asm data or code without .size, a symbol of size 0; after limits): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
'

test_expect_success 'shrunk: the table before tbl_end is shorter, though its bytes are a prefix of the original'"'"'s' '
	refused_as refuse-unsized-shrunk <<-\EOF
	create-diff-object: error: patched.o: .rodata.tbl+0..0xc: changed bytes (0x10 in the original) that no sized function or object covers (asm data or code without .size, a symbol of size 0; after tbl): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
'

test_expect_success 'NOBITS: a buffer between labels doubled' '
	refused_as refuse-nobits-resized <<-\EOF
	create-diff-object: error: patched.o: .bss.buf+0..0x20: changed bytes (0x10 in the original) that no sized function or object covers (asm data or code without .size, a symbol of size 0; after buf): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are
	EOF
'

test_expect_success 'strings: the text of a string its own symbol names changed' '
	refused_as refuse-named-string <<-\EOF
	create-diff-object: error: patched.o: msg: changed string in .rodata.str1.1 that the symbol names: the running kernel keeps the original text, and the livepatch would leave the change out; use a string literal in the changed code, or keep the text as it is
	EOF
'

test_expect_success 'strings: a named string kept, the function using it changed: carried, nothing refused' '
	test_expect_code 0 cdo named-string-kept.x86_64 &&
	echo "changed function: f (size)" >expect &&
	test_cmp expect named-string-kept.x86_64/stdout &&
	test_file_empty named-string-kept.x86_64/stderr
'

test_expect_success 'a new sized a before the kernel'"'"'s label mark: the loop bound &a[4] is mark'"'"'s place too, refused' '
	symbols refuse-label-after-new.x86_64/patched.o a mark >actual &&
	cat >expect <<-\EOF &&
	Y a LOCAL OBJECT .data..read_mostly off=0 size=16
	Y mark LOCAL NOTYPE .data..read_mostly off=0x10 size=0
	EOF
	test_cmp expect actual &&
	refused_as refuse-label-after-new <<-\EOF
	create-diff-object: error: patched.o: f+0x38: R_X86_64_32S to .data..read_mostly+0x10 reaches both the end of a and the start of mark, and the instruction does not read, write or branch there: which one the code means cannot be known, and the livepatch keeps the two apart (a carried, mark the running kernel'"'"'s); give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of .data..read_mostly as the running kernel has them
	EOF
'

# check-module named a reference through the section to a named asm label
# "no symbol there", refusing the module that reaches the kernel's label.
test_expect_success 'check-module: references to the kernel'"'"'s msg, tbl and tbl_end, labels of size 0, check' '
	test_expect_code 0 cdo unsized-table-kept.x86_64 &&
	echo "changed function: f (relocation)" >expect &&
	test_cmp expect unsized-table-kept.x86_64/stdout &&
	for p in named-string-kept unsized-table-kept; do
		cdo_module_checks "$p" &&
		readelf -rW "$p.ko" |
			awk "\$3 ~ /^R_X86/ && \$5 ~ /klp.sym/ { print \$5, \$6, \$7 }" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	.klp.sym.vmlinux.msg,0 + 0
	.klp.sym.vmlinux.tbl,0 + 0
	.klp.sym.vmlinux.tbl_end,0 + 0
	.klp.sym.vmlinux.tbl_end,0 + 0
	EOF
	test_cmp expect actual
'

test_expect_success 'an initcall label renamed by __COUNTER__ and __LINE__, its section the same bytes: only g changed' '
	symbols initcall-renamed.x86_64/orig.o __initcall__kmod_x__287_49_lp_init5 >actual &&
	symbols initcall-renamed.x86_64/patched.o __initcall__kmod_x__288_51_lp_init5 >>actual &&
	cat >expect <<-\EOF &&
	Y __initcall__kmod_x__287_49_lp_init5 LOCAL NOTYPE .initcall5.init off=0 size=0
	Y __initcall__kmod_x__288_51_lp_init5 LOCAL NOTYPE .initcall5.init off=0 size=0
	EOF
	test_cmp expect actual &&
	test_expect_code 0 cdo initcall-renamed.x86_64 &&
	echo "changed function: g (relocation)" >expect &&
	test_cmp expect initcall-renamed.x86_64/stdout &&
	test_file_empty initcall-renamed.x86_64/stderr
'

test_expect_success 'every pair diffed against itself: no change (exit 3), nothing refused' '
	cdo_self_unchanged $PAIRS named-string-kept unsized-table-kept initcall-renamed
'

test_done
