/*
 * arch/arm64/special.c - layouts of arm64's special sections in Linux 6.12:
 *	__ex_table		struct exception_table_entry { int insn, fixup;
 *				short type, data; }
 *	.altinstructions	struct alt_instr: s32 orig, s32 alt, u16 cpucap,
 *				u8 orig_len, u8 alt_len; alt is a callback, or
 *				the replacement in ".subsection 1" of the
 *				function's section, past its end
 *				(create-diff-object/tail.c)
 *	__jump_table		struct jump_entry { s32 code; s32 target; long key; }
 *	__bug_table		struct bug_entry, relative pointers: s32 addr,
 *				s32 file, u16 line, u16 flags with
 *				DEBUG_BUGVERBOSE, else s32 addr, u16 flags,
 *				".align 2" (asm/asm-bug.h)
 *	__patchable_function_entries	one address per ftrace call site
 *	__dyndbg		struct _ddebug, as on x86_64 (56 bytes)
 *	runtime_ptr_SYM		one s32 per runtime_const_ptr(SYM) site, to
 *				its movz and three movk (16 bytes);
 *				runtime_shift_SYM: one per
 *				runtime_const_shift_right_32(val, SYM), to its
 *				lsr (asm/runtime-const.h)
 *
 * The runtime constants are refused rather than rewritten: the movz/movk
 * sequence could become adrp + ldr of the variable, but with two
 * relocations, and an adrp the module loader may have to move off a page
 * end for erratum 843419; an lsr by an immediate has no room for a load.
 */
#include "../arch.h"
#include "../../special-sections/special.h"

#define AT(off)		SPECIAL_AT(off)

static const struct arch_runtime_const arm64_runtime_ptr = {
	.macro = "runtime_const_ptr()",
	.placeholder = "0x0123456789abcdef",
	.why_not = "the differ does not rewrite arm64's movz/movk sequences",
};

static const struct arch_runtime_const arm64_runtime_shift = {
	.macro = "runtime_const_shift_right_32()",
	.placeholder = "shift count 12",
	.why_not = "lsr #imm has no room to load its count from memory",
};

const struct special_section arm64_special[] = {
	{ .name = "__ex_table", .layouts = { { .size = 12, .relocs = AT(0) | AT(4) } },
	  .behaviour = true },
	{ .name = ".altinstructions",
	  .layouts = { { .size = 12, .relocs = AT(0) | AT(4) } }, .behaviour = true,
	  .has_repl = true, .repl_offset = 4, .repl_len_offset = 11 },
	{ .name = "__jump_table",
	  .layouts = { { .size = 16, .relocs = AT(0) | AT(4) | AT(8) } },
	  .behaviour = true, .has_key = true, .key_offset = 8,
	  .tracepoint_key = "__tracepoint_", .tracepoint_key_at = 8 },
	{ .name = "__bug_table", .layouts = SPECIAL_BUG_ENTRY_LAYOUTS, .behaviour = true },
	{ .name = "__patchable_function_entries",
	  .layouts = { { .size = 8, .relocs = AT(0) } } },
	{ .name = "runtime_ptr_", .name_is_prefix = true,
	  .layouts = { { .size = 4, .relocs = AT(0) } },
	  .runtime_const = &arm64_runtime_ptr },
	{ .name = "runtime_shift_", .name_is_prefix = true,
	  .layouts = { { .size = 4, .relocs = AT(0) } },
	  .runtime_const = &arm64_runtime_shift },
	{ .name = "__dyndbg",
	  .layouts = { { .size = 56, .relocs = AT(0) | AT(8) | AT(16) | AT(24) } },
	  .descriptors = true,
	  .line_bit = 256, .line_bits = 18, .class_bit = 274, .class_bits = 6 },
	{ .name = NULL },	/* end */
};
