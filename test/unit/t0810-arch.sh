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

test_done
