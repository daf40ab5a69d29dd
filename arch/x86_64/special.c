/*
 * arch/x86_64/special.c - layouts of x86_64's special sections in Linux
 * 6.12, from the structures the kernel reads them into:
 *	__ex_table		struct exception_table_entry { int insn, fixup, data; }
 *	.altinstructions	struct alt_instr (packed): s32 instr, s32 repl,
 *				u32 ft_flags, u8 instrlen, u8 replacementlen
 *	__jump_table		struct jump_entry { s32 code; s32 target; long key; }
 *	.static_call_sites	struct static_call_site { s32 addr; s32 key; }
 *	__bug_table		struct bug_entry with GENERIC_BUG_RELATIVE_POINTERS
 *				and DEBUG_BUGVERBOSE: s32 addr, s32 file, u16 line,
 *				u16 flags
 *	objtool's site lists	one s32 per site
 *	.orc_unwind_ip		one s32 per ORC entry; .orc_unwind holds the
 *				6-byte struct orc_entry of each, in the same order
 *	__mcount_loc		one address per ftrace call site
 *	runtime_ptr_SYM		one s32 per runtime_const_ptr(SYM) site, to
 *				its imm64; runtime_shift_SYM: one per
 *				runtime_const_shift_right_32(val, SYM), to its
 *				imm8 (asm/runtime-const.h; runtime-const.c)
 */
#include "../arch.h"
#include "../../special-sections/special.h"

const struct special_section x86_64_special[] = {
	{ .name = "__ex_table", .entry_size = 12, .behaviour = true },
	{ .name = ".altinstructions", .entry_size = 14, .behaviour = true,
	  .has_repl = true, .repl_offset = 4, .repl_len_offset = 13 },
	{ .name = "__jump_table", .entry_size = 16, .behaviour = true,
	  .key_needs_plain_reloc = true, .key_offset = 8 },
	{ .name = ".static_call_sites", .entry_size = 8, .behaviour = true,
	  .key_needs_plain_reloc = true, .key_offset = 4 },
	{ .name = "__bug_table", .entry_size = 12, .behaviour = true,
	  .noise_offset = 8, .noise_size = 2 },
	{ .name = ".retpoline_sites", .entry_size = 4 },
	{ .name = ".return_sites", .entry_size = 4 },
	{ .name = ".call_sites", .entry_size = 4 },
	{ .name = ".ibt_endbr_seal", .entry_size = 4 },
	{ .name = ".cfi_sites", .entry_size = 4 },
	{ .name = ".smp_locks", .entry_size = 4 },
	{ .name = ".orc_unwind_ip", .entry_size = 4,
	  .companion = ".orc_unwind", .companion_size = 6 },
	{ .name = "__mcount_loc", .entry_size = 8 },
	{ .name = "runtime_ptr_", .name_is_prefix = true, .entry_size = 4,
	  .runtime_const = &x86_64_runtime_ptr },
	{ .name = "runtime_shift_", .name_is_prefix = true, .entry_size = 4,
	  .runtime_const = &x86_64_runtime_shift },
	{ .name = NULL },	/* end */
};
