/*
 * arch/arm64/arch.c - arm64 facts: relocation kinds.
 * Types from "ELF for the Arm 64-bit Architecture" (AAELF64); every
 * instruction relocation patches one 4-byte instruction.
 */
#include <elf.h>

#include "../arch.h"
#include "../../special-sections/special.h"

/* special.c: the special sections, ending with an entry without a name. */
extern const struct special_section arm64_special[];


#define R(t, w, pc) { R_AARCH64_##t, "R_AARCH64_" #t, w, pc, false }
/* What arch/arm64/kernel/module.c, apply_relocate_add(), applies: all
 * but the GOT's (the kernel has none). */
#define RL(t, w, pc) { R_AARCH64_##t, "R_AARCH64_" #t, w, pc, true }

/* Sorted by type number. */
static const struct arch_reloc arm64_relocs[] = {
	RL(NONE, 0, false),
	RL(ABS64, 8, false),
	RL(ABS32, 4, false),
	RL(ABS16, 2, false),
	RL(PREL64, 8, true),
	RL(PREL32, 4, true),
	RL(PREL16, 2, true),
	RL(MOVW_UABS_G0, 4, false),
	RL(MOVW_UABS_G0_NC, 4, false),
	RL(MOVW_UABS_G1, 4, false),
	RL(MOVW_UABS_G1_NC, 4, false),
	RL(MOVW_UABS_G2, 4, false),
	RL(MOVW_UABS_G2_NC, 4, false),
	RL(MOVW_UABS_G3, 4, false),
	RL(ADR_PREL_LO21, 4, true),
	RL(ADR_PREL_PG_HI21, 4, true),
	RL(ADR_PREL_PG_HI21_NC, 4, true),
	RL(ADD_ABS_LO12_NC, 4, false),
	RL(LDST8_ABS_LO12_NC, 4, false),
	RL(TSTBR14, 4, true),
	RL(CONDBR19, 4, true),
	RL(JUMP26, 4, true),
	RL(CALL26, 4, true),
	RL(LDST16_ABS_LO12_NC, 4, false),
	RL(LDST32_ABS_LO12_NC, 4, false),
	RL(LDST64_ABS_LO12_NC, 4, false),
	RL(LDST128_ABS_LO12_NC, 4, false),
	R(ADR_GOT_PAGE, 4, true),
	R(LD64_GOT_LO12_NC, 4, false),
};

/* -fpatchable-function-entry's (CONFIG_DYNAMIC_FTRACE_WITH_ARGS) */
static const char *const arm64_call_site_tables[] = {
	"__patchable_function_entries", NULL,
};

const struct arch arch_arm64 = {
	.name = "arm64",
	.kernel_arch = "arm64",
	.cross_compile = "aarch64-linux-gnu-",
	.uname = "aarch64",
	.machine = EM_AARCH64,
	.abs64 = R_AARCH64_ABS64,
	.ftrace_sites = "__patchable_function_entries",
	.call_site_tables = arm64_call_site_tables,
	.relocs = arm64_relocs,
	.special = arm64_special,
	.decode = arm64_decode,
	.insn_len = 4,
	.nr_relocs = sizeof(arm64_relocs) / sizeof(arm64_relocs[0]),
};
