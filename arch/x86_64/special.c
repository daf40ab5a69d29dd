/*
 * arch/x86_64/special.c - layouts of x86_64's special sections in Linux
 * 6.12 and 7.x, from the structures the kernel reads them into:
 *	__ex_table		struct exception_table_entry { int insn, fixup, data; }
 *	.altinstructions	struct alt_instr (packed): s32 instr, s32 repl,
 *				u32 ft_flags, u8 instrlen, u8 replacementlen
 *	__jump_table		struct jump_entry { s32 code; s32 target; long key; }
 *	.static_call_sites	struct static_call_site { s32 addr; s32 key; }
 *	__bug_table		struct bug_entry with GENERIC_BUG_RELATIVE_POINTERS:
 *				s32 addr, s32 file, u16 line, u16 flags with
 *				DEBUG_BUGVERBOSE, else s32 addr, u16 flags and
 *				2 bytes of padding (asm/bug.h: ".org 2b+%c1");
 *				Linux 7.x (HAVE_ARCH_BUG_FORMAT on x86_64) adds
 *				s32 format after addr, 16 and 12 bytes, and
 *				marks each entry (ANNOTATE_DATA_SPECIAL), which
 *				tells its 12 bytes from 6.12's (special.h)
 *	objtool's site lists	one s32 per site
 *	.orc_unwind_ip		one s32 per ORC entry; .orc_unwind holds the
 *				6-byte struct orc_entry of each, in the same order
 *	__mcount_loc		one address per ftrace call site
 *	.discard.reachable	objtool's annotations (linux/objtool.h, asm/ibt.h,
 *	and the like		asm/alternative.h, asm/nospec-branch.h,
 *				linux/instrumentation.h): one s32 per place,
 *				but .discard.unwind_hints, struct unwind_hint
 *				(12 bytes), the pointers of
 *				.discard.ibt_endbr_noseal, and those of
 *				.discard.func_stack_frame_non_standard (C), or
 *				its s32 (the assembler's macro); Linux 7.x
 *				has them all in .discard.annotate_insn, an s32
 *				place and a u32 type each (linux/annotate.h)
 *	__dyndbg		struct _ddebug with CONFIG_JUMP_LABEL: four
 *				pointers (modname, function, filename, format),
 *				u32 lineno:18, class_id:6, flags:8, then a
 *				struct static_key (16 bytes at +40); 56 bytes
 *	runtime_ptr_SYM		one s32 per runtime_const_ptr(SYM) site, to
 *				its imm64; runtime_shift_SYM: one per
 *				runtime_const_shift_right_32(val, SYM), to its
 *				imm8 (asm/runtime-const.h; runtime-const.c)
 */
#include "../arch.h"
#include "../../special-sections/special.h"

#define AT(off)		SPECIAL_AT(off)
/* One field relocated at +0: a place (s32) or an address (64 bits). */
#define S32_SITES	.layouts = { { .size = 4, .relocs = AT(0) } }
#define PTR_SITES	.layouts = { { .size = 8, .relocs = AT(0) } }

const struct special_section x86_64_special[] = {
	{ .name = "__ex_table", .layouts = { { .size = 12, .relocs = AT(0) | AT(4) } },
	  .behaviour = true },
	{ .name = ".altinstructions",
	  .layouts = { { .size = 14, .relocs = AT(0) | AT(4) } }, .behaviour = true,
	  .has_repl = true, .repl_offset = 4, .repl_len_offset = 13 },
	{ .name = "__jump_table",
	  .layouts = { { .size = 16, .relocs = AT(0) | AT(4) | AT(8) } },
	  .behaviour = true, .has_key = true, .key_offset = 8,
	  .tracepoint_key = "__tracepoint_", .tracepoint_key_at = 8 },
	{ .name = ".static_call_sites",
	  .layouts = { { .size = 8, .relocs = AT(0) | AT(4) } }, .behaviour = true,
	  .has_key = true, .key_offset = 4,
	  .tracepoint_key = "__SCK__tp_func_", .static_call = true,
	  .tramp_prefix = "__SCT__", .key_prefix = "__SCK__" },
	{ .name = "__bug_table",
	  .layouts = { SPECIAL_BUG_ENTRY_LAYOUT_VERBOSE(SPECIAL_MARKS_NONE),
		       SPECIAL_BUG_ENTRY_LAYOUT_SHORT(SPECIAL_MARKS_NONE),
		       { .size = 16, .relocs = AT(0) | AT(4) | AT(8),
			 .noise_offset = 12, .noise_size = 2, .marks = SPECIAL_MARKS_EACH,
			 .config = "CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format" },
		       { .size = 12, .relocs = AT(0) | AT(4), .marks = SPECIAL_MARKS_EACH,
			 .config = "no CONFIG_DEBUG_BUGVERBOSE, with bug_entry::format" } },
	  .behaviour = true },
	{ .name = ".retpoline_sites", S32_SITES },
	{ .name = ".return_sites", S32_SITES },
	{ .name = ".call_sites", S32_SITES },
	{ .name = ".ibt_endbr_seal", S32_SITES },
	{ .name = ".cfi_sites", S32_SITES },
	{ .name = ".smp_locks", S32_SITES },
	{ .name = ".orc_unwind_ip", S32_SITES, .companion = ".orc_unwind" },
	{ .name = "__mcount_loc", PTR_SITES },
	/*
	 * objtool's annotations, read by objtool alone: when it runs on the
	 * whole livepatch module (IBT or LTO kernels), a carried function
	 * needs its own (a ud2 of WARN is not a dead end: .discard.reachable;
	 * an ENDBR-less address taken on purpose: .discard.noendbr...).
	 */
	{ .name = ".discard.reachable", S32_SITES },
	{ .name = ".discard.noendbr", S32_SITES },
	{ .name = ".discard.retpoline_safe", S32_SITES },
	{ .name = ".discard.ignore_alts", S32_SITES },
	{ .name = ".discard.instr_begin", S32_SITES },
	{ .name = ".discard.instr_end", S32_SITES },
	{ .name = ".discard.intra_function_calls", S32_SITES },
	{ .name = ".discard.validate_unret", S32_SITES },
	{ .name = ".discard.unwind_hints", .layouts = { { .size = 12, .relocs = AT(0) } } },
	/* Linux 7.x's one table of them all: s32 place, u32 type. */
	{ .name = ".discard.annotate_insn", .layouts = { { .size = 8, .relocs = AT(0) } } },
	{ .name = ".discard.ibt_endbr_noseal", PTR_SITES },
	{ .name = ".discard.func_stack_frame_non_standard",
	  .layouts = { { .size = 8, .relocs = AT(0), .config = "C" },
		       { .size = 4, .relocs = AT(0), .config = "assembly" } } },
	{ .name = "runtime_ptr_", .name_is_prefix = true, S32_SITES,
	  .runtime_const = &x86_64_runtime_ptr },
	{ .name = "runtime_shift_", .name_is_prefix = true, S32_SITES,
	  .runtime_const = &x86_64_runtime_shift },
	{ .name = "__dyndbg",
	  .layouts = { { .size = 56, .relocs = AT(0) | AT(8) | AT(16) | AT(24) } },
	  .descriptors = true,
	  .line_bit = 256, .line_bits = 18, .class_bit = 274, .class_bits = 6 },
	{ .name = NULL },	/* end */
};
