#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='arch/: relocation tables and the lookups by machine and name'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# arch-test (test/tools/arch-test.c) checks every table itself (sorted
# strictly by type so arch_reloc() can binary-search it, every entry
# found by its own type, names prefixed R_X86_64_ / R_AARCH64_, widths 0,
# 1, 2, 4 or 8), printing "FAIL: ..." and exiting 1 on a violation, and
# prints what the lookups return.

test_expect_success 'every table is sorted and searchable' '
	arch-test >out &&
	grep -E "^(FAIL|all checks)" out >actual &&
	echo "all checks passed" >expect &&
	test_cmp expect actual
'

test_expect_success 'the architectures and their tables' '
	grep -E "^(arch_names|x86_64: kernel|arm64: kernel)" out >actual &&
	cat >expect <<-\EOF &&
	arch_names: x86_64 arm64
	x86_64: kernel_arch=x86 machine=62 cross_compile=x86_64-linux-gnu- relocs=15 pcrel=8 first=R_X86_64_NONE last=R_X86_64_REX_GOTPCRELX
	arm64: kernel_arch=arm64 machine=183 cross_compile=aarch64-linux-gnu- relocs=29 pcrel=11 first=R_AARCH64_NONE last=R_AARCH64_LD64_GOT_LO12_NC
	EOF
	test_cmp expect actual
'

test_expect_success 'lookups by ELF machine and by our name or the kernel'\''s' '
	grep "^by " out >actual &&
	cat >expect <<-\EOF &&
	by machine EM_X86_64: x86_64
	by machine EM_AARCH64: arm64
	by machine EM_386: (none)
	by name x86: x86_64
	by name riscv: (none)
	by name "": (none)
	EOF
	test_cmp expect actual
'

test_expect_success 'relocations the fixtures use: name, width, PC-relative; unknown types' '
	grep -E "^(x86_64|arm64): [0-9]+ = |^no arch" out >actual &&
	cat >expect <<-\EOF &&
	x86_64: 2 = R_X86_64_PC32 width=4 pcrel=1
	x86_64: 4 = R_X86_64_PLT32 width=4 pcrel=1
	x86_64: 1 = R_X86_64_64 width=8 pcrel=0
	x86_64: 11 = R_X86_64_32S width=4 pcrel=0
	x86_64: 200 = unknown, named "type 200"
	arm64: 283 = R_AARCH64_CALL26 width=4 pcrel=1
	arm64: 275 = R_AARCH64_ADR_PREL_PG_HI21 width=4 pcrel=1
	arm64: 277 = R_AARCH64_ADD_ABS_LO12_NC width=4 pcrel=0
	arm64: 257 = R_AARCH64_ABS64 width=8 pcrel=0
	arm64: 4096 = unknown, named "type 4096"
	no arch: type 2
	EOF
	test_cmp expect actual
'

test_expect_success '"$BUILD/create-diff-object" --arch-info: by name (ours, kbuild'\''s, uname -m'\''s) and by ELF file' '
	echo "int x;" >ai.c && gcc -c -o ai.x86_64.o ai.c && aarch64-linux-gnu-gcc -c -o ai.arm64.o ai.c &&
	for w in arm64 aarch64 ai.arm64.o x86 x86_64 ai.x86_64.o; do
		echo "# $w" && "$BUILD/create-diff-object" --arch-info $w || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	# arm64
	name=arm64
	kernel_arch=arm64
	cross_compile=aarch64-linux-gnu-
	uname=aarch64
	module_objtool_configs=
	# aarch64
	name=arm64
	kernel_arch=arm64
	cross_compile=aarch64-linux-gnu-
	uname=aarch64
	module_objtool_configs=
	# ai.arm64.o
	name=arm64
	kernel_arch=arm64
	cross_compile=aarch64-linux-gnu-
	uname=aarch64
	module_objtool_configs=
	# x86
	name=x86_64
	kernel_arch=x86
	cross_compile=x86_64-linux-gnu-
	uname=x86_64
	module_objtool_configs=CONFIG_X86_KERNEL_IBT CONFIG_LTO_CLANG
	# x86_64
	name=x86_64
	kernel_arch=x86
	cross_compile=x86_64-linux-gnu-
	uname=x86_64
	module_objtool_configs=CONFIG_X86_KERNEL_IBT CONFIG_LTO_CLANG
	# ai.x86_64.o
	name=x86_64
	kernel_arch=x86
	cross_compile=x86_64-linux-gnu-
	uname=x86_64
	module_objtool_configs=CONFIG_X86_KERNEL_IBT CONFIG_LTO_CLANG
	EOF
	test_cmp expect actual
'

test_expect_success '"$BUILD/create-diff-object" --arch-info: what it cannot tell is an error' '
	test_expect_code 1 "$BUILD/create-diff-object" --arch-info riscv 2>err &&
	printf "int x;\n" >notelf &&
	test_expect_code 1 "$BUILD/create-diff-object" --arch-info notelf 2>>err &&
	printf "\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\001\000\003\000" >elf32 &&
	test_expect_code 1 "$BUILD/create-diff-object" --arch-info elf32 2>>err &&
	cp ai.x86_64.o s390.o && printf "\026\000" | dd of=s390.o bs=1 seek=18 conv=notrunc 2>/dev/null &&
	test_expect_code 1 "$BUILD/create-diff-object" --arch-info s390.o 2>>err &&
	cat >expect <<-\EOF &&
	create-diff-object: error: riscv: neither a file nor a known architecture (supported: x86_64 arm64)
	create-diff-object: error: notelf: not a 64-bit ELF file
	create-diff-object: error: elf32: not a 64-bit ELF file
	create-diff-object: error: s390.o: ELF machine 22 is not supported (supported: x86_64 arm64)
	EOF
	test_cmp expect err
'

test_done
