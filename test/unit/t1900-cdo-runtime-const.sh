#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck disable=SC2016,SC2317
test_description='create-diff-object: runtime constants in carried code (runtime_ptr_ rewritten, runtime_shift_ refused)'
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
# shellcheck source=fixtures/cdo/pairs.sh
. "$FIXTURES/cdo/pairs.sh"

# Linux 6.12 vmlinux code loads USER_PTR_MAX (every access_ok()) and
# dentry_hashtable as "movabs $0x0123456789abcdef, %reg" and shifts by
# d_hash_shift as "shr $12, %reg32"; runtime_const_init() writes the
# values into those instructions at boot, in vmlinux only.  A carried copy
# must read the variable instead: the movabs becomes "mov SYM(%rip), %reg"
# and a 3-byte NOP, with an R_X86_64_PC32 SYM-4 made like every other
# reference to the running kernel.  The fixtures write their own asm with
# the kernel's section names and entry format.

# bytes OBJ SECTION OFF LEN: LEN bytes at OFF of SECTION, in hex.
bytes() {
	objcopy -O binary --only-section="$2" "$1" "$1.$2.bin" &&
	od -An -tx1 -v -j "$(($3))" -N "$4" "$1.$2.bin" | tr -s ' \n' '  ' |
	sed -e 's/^ //' -e 's/ $//'
	echo
}

# refused DIR: exit 2, nothing on stdout, no output file.
refused() {
	test_expect_code 2 cdo "$1" &&
	test_file_empty "$1/stdout" &&
	cdo_missing "$1/out.o"
}

test_expect_success 'setup: the fixture pairs' '
	cdo_pairs x86_64 runtime-const-ptr runtime-const-shift runtime-const-malformed \
		runtime-const-notrace &&
	cdo_pairs arm64 runtime-const-arm64 &&
	cdo_symvers runtime-const-ptr.x86_64/Module.symvers USER_PTR_MAX &&
	cdo_symvers runtime-const-notrace.x86_64/Module.symvers USER_PTR_MAX
'

test_expect_success 'the input: movabs sites, one 4-byte entry each, to the imm64' '
	d=runtime-const-ptr.x86_64 &&
	cdo_relocs $d/patched.o runtime_ptr_USER_PTR_MAX runtime_ptr_table_base >actual &&
	cat >expect <<-\EOF &&
	R runtime_ptr_USER_PTR_MAX+0 R_X86_64_PC32 .text.user_ok +15
	R runtime_ptr_USER_PTR_MAX+0x4 R_X86_64_PC32 .text.user_below +9
	R runtime_ptr_table_base+0 R_X86_64_PC32 .text.bucket +14
	EOF
	test_cmp expect actual &&
	{ bytes $d/patched.o .text.user_ok 0xd 10 &&
	  bytes $d/patched.o .text.bucket 0xc 10; } >actual &&
	cat >expect <<-\EOF &&
	48 ba ef cd ab 89 67 45 23 01
	49 b9 ef cd ab 89 67 45 23 01
	EOF
	test_cmp expect actual
'

test_expect_success 'runtime_ptr_: the carried functions read the variable; user_below() stays out' '
	d=runtime-const-ptr.x86_64 &&
	test_expect_code 0 cdo $d &&
	cat >expect <<-\EOF &&
	changed function: user_ok (size)
	changed function: bucket (size)
	EOF
	test_cmp expect $d/stdout &&
	test_file_empty $d/stderr &&
	cdo_view $d/out.o .text.user_ok .text.bucket >actual &&
	cat >expect <<-\EOF &&
	# sections
	.livepatch.funcs
	.livepatch.relocs
	.livepatch.strings
	.text.bucket
	.text.user_ok
	__mcount_loc
	# symbols
	.klp.sym.vmlinux.table_base,0 GLOBAL NOTYPE UNDEF size=0
	USER_PTR_MAX GLOBAL NOTYPE UNDEF size=0
	__fentry__ GLOBAL NOTYPE UNDEF size=0
	bucket GLOBAL FUNC .text.bucket size=27
	user_ok GLOBAL FUNC .text.user_ok size=44
	# relocations
	R .text.user_ok+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.user_ok+0x10 R_X86_64_PC32 USER_PTR_MAX -4
	R .text.bucket+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.bucket+0xf R_X86_64_PC32 .klp.sym.vmlinux.table_base,0 -4
	# livepatch tables
	F user_ok user_ok vmlinux sympos=0
	F bucket bucket vmlinux sympos=0
	K .text.bucket+0xf R_X86_64_PC32 table_base vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'runtime_ptr_: the exact bytes: mov SYM(%rip), %reg; nopl (%rax); the rest unchanged' '
	d=runtime-const-ptr.x86_64 &&
	{ bytes $d/out.o .text.user_ok 0xd 10 &&
	  bytes $d/out.o .text.bucket 0xc 10; } >actual &&
	cat >expect <<-\EOF &&
	48 8b 15 00 00 00 00 0f 1f 00
	4c 8b 0d 00 00 00 00 0f 1f 00
	EOF
	test_cmp expect actual &&
	for f in user_ok:0xd:44 bucket:0xc:27; do
		IFS=: read -r fn site size <<<"$f" &&
		bytes $d/patched.o .text.$fn 0 "$site" >expect &&
		bytes $d/out.o .text.$fn 0 "$site" >actual &&
		test_cmp expect actual &&
		bytes $d/patched.o .text.$fn $((site + 10)) $((size - site - 10)) >expect &&
		bytes $d/out.o .text.$fn $((site + 10)) $((size - site - 10)) >actual &&
		test_cmp expect actual || return 1
	done &&
	objdump -d --section=.text.user_ok $d/out.o | grep -c "mov    0x0(%rip),%rdx"
'

test_expect_success 'runtime_ptr_: an unexported global becomes a klp relocation with its placeholder' '
	d=runtime-const-ptr.x86_64 &&
	mkdir unexported &&
	echo "unsigned long USER_PTR_MAX;" >unexported/var.c &&
	"${CDO_X86_64_CC[@]}" -o unexported/var.o unexported/var.c &&
	ld -r -o unexported/target.o $d/orig.o unexported/var.o &&
	cdo_symvers unexported/Module.symvers &&
	create-diff-object -n vmlinux $d/orig.o $d/patched.o unexported/target.o \
		unexported/Module.symvers unexported/out.o >/dev/null &&
	cdo_relocs unexported/out.o .text.user_ok >actual &&
	lp-dump unexported/out.o | grep "^K" >>actual &&
	cat >expect <<-\EOF &&
	R .text.user_ok+0x1 R_X86_64_PLT32 __fentry__ -4
	R .text.user_ok+0x10 R_X86_64_PC32 .klp.sym.vmlinux.USER_PTR_MAX,0 -4
	K .text.user_ok+0x10 R_X86_64_PC32 USER_PTR_MAX vmlinux addend=-4 sympos=0
	K .text.bucket+0xf R_X86_64_PC32 table_base vmlinux addend=-4 sympos=0
	EOF
	test_cmp expect actual
'

test_expect_success 'each side against itself: no change (exit 3)' '
	for side in orig patched; do
		mkdir self-$side &&
		cp -P runtime-const-ptr.x86_64/$side.o self-$side/orig.o &&
		cp -P runtime-const-ptr.x86_64/$side.o self-$side/patched.o &&
		cdo_symvers self-$side/Module.symvers USER_PTR_MAX &&
		test_expect_code 3 cdo self-$side || return 1
	done
'

test_expect_success 'a changed body without an ftrace entry: its site table is no function pointer' '
	d=runtime-const-notrace.x86_64 &&
	test_expect_code 0 cdo $d &&
	cat >expect <<-\EOF &&
	changed function: body (size; no ftrace entry: patched through its callers)
	changed function: wrapper (calls body)
	EOF
	test_cmp expect $d/stdout &&
	test_file_empty $d/stderr &&
	cdo_relocs $d/out.o .text.body >actual &&
	grep -c "R_X86_64_PC32 USER_PTR_MAX -4\$" actual &&
	test_must_fail grep -q runtime_ptr_ actual &&
	cdo_sections $d/out.o >actual &&
	test_must_fail grep -q runtime_ptr_ actual
'

test_expect_success 'runtime_shift_: refused, the unchanged hash_same() is not' '
	refused runtime-const-shift.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: hash_changed+0xc: runtime_shift_d_hash_shift entry 0: the kernel writes d_hash_shift into this instruction at boot (runtime_const_shift_right_32()), in vmlinux only, so the livepatch'"'"'s copy would use the placeholder shift count 12, and the differ cannot rewrite it to read the variable: shr $imm8 has no room to load its count from memory; use d_hash_shift directly in the patched function instead of runtime_const_shift_right_32()
	EOF
	test_cmp expect runtime-const-shift.x86_64/stderr
'

test_expect_success 'runtime_ptr_: a site that is not the movabs of the placeholder is refused, each one' '
	refused runtime-const-malformed.x86_64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: bad_imm+0xb: runtime_ptr_USER_PTR_MAX entry 0: the kernel writes USER_PTR_MAX into this instruction at boot (runtime_const_ptr()), in vmlinux only, so the livepatch'"'"'s copy would use the placeholder 0x0123456789abcdef, and the differ cannot rewrite it to read the variable: bytes 48 b8 ee cd ab 89 67 45 23 01 at bad_imm+0x9: not movabs $0x0123456789abcdef, %reg: the immediate is not the placeholder; use USER_PTR_MAX directly in the patched function instead of runtime_const_ptr()
	create-diff-object: error: patched.o: bad_entry+0xc: runtime_ptr_USER_PTR_MAX entry 1: the kernel writes USER_PTR_MAX into this instruction at boot (runtime_const_ptr()), in vmlinux only, so the livepatch'"'"'s copy would use the placeholder 0x0123456789abcdef, and the differ cannot rewrite it to read the variable: bytes b8 ef cd ab 89 67 45 23 01 48 at bad_entry+0xa: not movabs $0x0123456789abcdef, %reg: no REX.W prefix (48 or 49); use USER_PTR_MAX directly in the patched function instead of runtime_const_ptr()
	EOF
	test_cmp expect runtime-const-malformed.x86_64/stderr
'

# corrupt NAME ELF-PATCH-ARGS...: runtime-const-ptr with one field of
# patched.o changed, in directory NAME.
corrupt() {
	local name=$1
	shift
	mkdir "$name" &&
	cp runtime-const-ptr.x86_64/orig.o runtime-const-ptr.x86_64/Module.symvers "$name/" &&
	cp runtime-const-ptr.x86_64/patched.o "$name/patched.o" &&
	chmod u+w "$name/patched.o" &&
	elf-patch "$name/patched.o" "$@"
}

# The message of entry 0 of runtime_ptr_USER_PTR_MAX, after "the variable: ".
ptr_refusal() {
	echo "create-diff-object: error: patched.o: user_ok+$1: runtime_ptr_USER_PTR_MAX entry 0: the kernel writes USER_PTR_MAX into this instruction at boot (runtime_const_ptr()), in vmlinux only, so the livepatch's copy would use the placeholder 0x0123456789abcdef, and the differ cannot rewrite it to read the variable: $2; use USER_PTR_MAX directly in the patched function instead of runtime_const_ptr()"
}

test_expect_success 'bounds: an entry too near the start or the end of the function' '
	corrupt start rela .relaruntime_ptr_USER_PTR_MAX 0 r_addend 1 &&
	refused start &&
	ptr_refusal 0x1 "bytes e8 00 00 00 00 31 c9 48 01 f7 at user_ok+0: the 10-byte movabs would start before the function" >expect &&
	test_cmp expect start/stderr &&
	corrupt end rela .relaruntime_ptr_USER_PTR_MAX 0 r_addend 0x25 &&
	refused end &&
	ptr_refusal 0x25 "bytes 0f 93 c0 0f b6 c0 21 d0 c3 at user_ok+0x23: the 10-byte movabs would end past the function" >expect &&
	test_cmp expect end/stderr
'

# An absolute one: the differ's decoder refuses a PC-relative relocation
# off its instruction's field before (t2300-cdo-targets.sh).
test_expect_success 'a relocation inside the movabs: refused' '
	corrupt inside rela .rela.text.user_ok 0 r_offset 0x12 &&
	elf-patch inside/patched.o rela .rela.text.user_ok 0 r_type 11 &&
	refused inside &&
	ptr_refusal 0xf "bytes 48 ba ef cd ab 89 67 45 23 01 at user_ok+0xd: a relocation lies inside the instruction" >expect &&
	test_cmp expect inside/stderr
'

test_expect_success 'an entry that is not a 4-byte place-relative relocation' '
	corrupt abs64 rela .relaruntime_ptr_USER_PTR_MAX 0 r_type 1 &&
	refused abs64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: runtime_ptr_USER_PTR_MAX+0: entry 0 is not a 4-byte place-relative relocation (R_X86_64_64): not the runtime constant table this kernel builds
	EOF
	test_cmp expect abs64/stderr
'

test_expect_success 'arm64: runtime_ptr_ and runtime_shift_ sites are refused' '
	refused runtime-const-arm64.arm64 &&
	cat >expect <<-\EOF &&
	create-diff-object: error: patched.o: d_hash+0xc: runtime_ptr_dentry_hashtable entry 0: the kernel writes dentry_hashtable into this instruction at boot (runtime_const_ptr()), in vmlinux only, so the livepatch'"'"'s copy would use the placeholder 0x0123456789abcdef, and the differ cannot rewrite it to read the variable: the differ does not rewrite arm64'"'"'s movz/movk sequences; use dentry_hashtable directly in the patched function instead of runtime_const_ptr()
	create-diff-object: error: patched.o: d_hash+0x1c: runtime_shift_d_hash_shift entry 0: the kernel writes d_hash_shift into this instruction at boot (runtime_const_shift_right_32()), in vmlinux only, so the livepatch'"'"'s copy would use the placeholder shift count 12, and the differ cannot rewrite it to read the variable: lsr #imm has no room to load its count from memory; use d_hash_shift directly in the patched function instead of runtime_const_shift_right_32()
	EOF
	test_cmp expect runtime-const-arm64.arm64/stderr
'

test_done
