/*
 * arch/x86_64/arch.c - x86_64 facts: relocation kinds.
 * Types and widths from the x86-64 psABI, chapter "Relocation Types".
 */
#include <elf.h>

#include "../arch.h"
#include "../../special-sections/special.h"

/* special.c: the special sections, ending with an entry without a name. */
extern const struct special_section x86_64_special[];


#define R(t, w, pc) { R_X86_64_##t, "R_X86_64_" #t, w, pc, false }
/* What arch/x86/kernel/module.c, __write_relocate_add(), applies. */
#define RL(t, w, pc) { R_X86_64_##t, "R_X86_64_" #t, w, pc, true }

/* Sorted by type number. */
static const struct arch_reloc x86_64_relocs[] = {
	RL(NONE, 0, false),
	RL(64, 8, false),
	RL(PC32, 4, true),
	R(GOT32, 4, false),
	RL(PLT32, 4, true),
	R(GOTPCREL, 4, true),
	RL(32, 4, false),
	RL(32S, 4, false),
	R(16, 2, false),
	R(PC16, 2, true),
	R(8, 1, false),
	R(PC8, 1, true),
	RL(PC64, 8, true),
	R(GOTPCRELX, 4, true),
	R(REX_GOTPCRELX, 4, true),
};

/* -mrecord-mcount's, and -fpatchable-function-entry's call padding
 * (CONFIG_CALL_PADDING) */
static const char *const x86_64_call_site_tables[] = {
	"__mcount_loc", "__patchable_function_entries", NULL,
};

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.kernel_arch = "x86",
	.cross_compile = "x86_64-linux-gnu-",
	.uname = "x86_64",
	/* scripts/Makefile.build: objtool runs on the linked module with
	 * IBT (its seal list needs every reference) or Clang LTO. */
	.module_objtool_configs = "CONFIG_X86_KERNEL_IBT CONFIG_LTO_CLANG",
	.machine = EM_X86_64,
	.abs64 = R_X86_64_64,
	.ftrace_sites = "__mcount_loc",
	.call_site_tables = x86_64_call_site_tables,
	.reloc_needs_zero_place = true,
	.relocs = x86_64_relocs,
	.special = x86_64_special,
	.target_check = &x86_64_target_check,
	.decode = x86_64_decode,
	.nr_relocs = sizeof(x86_64_relocs) / sizeof(x86_64_relocs[0]),
};
