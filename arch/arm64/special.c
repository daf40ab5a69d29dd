/*
 * arch/arm64/special.c - layouts of arm64's special sections in Linux 6.12:
 *	__ex_table		struct exception_table_entry { int insn, fixup;
 *				short type, data; }
 *	.altinstructions	struct alt_instr: s32 orig, s32 alt, u16 cpucap,
 *				u8 orig_len, u8 alt_len
 *	__jump_table		struct jump_entry { s32 code; s32 target; long key; }
 *	__bug_table		struct bug_entry, relative pointers, verbose:
 *				s32 addr, s32 file, u16 line, u16 flags
 *	__patchable_function_entries	one address per ftrace call site
 */
#include "../arch.h"
#include "../../special-sections/special.h"

const struct special_section arm64_special[] = {
	{ .name = "__ex_table", .entry_size = 12 },
	{ .name = ".altinstructions", .entry_size = 12 },
	{ .name = "__jump_table", .entry_size = 16,
	  .key_needs_plain_reloc = true, .key_offset = 8 },
	{ .name = "__bug_table", .entry_size = 12 },
	{ .name = "__patchable_function_entries", .entry_size = 8 },
	{ .name = NULL },	/* end */
};
