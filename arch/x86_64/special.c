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
 *	.discard.reachable	objtool's annotations (linux/objtool.h, asm/ibt.h,
 *	and the like		asm/alternative.h, asm/nospec-branch.h,
 *				linux/instrumentation.h): one s32 per place,
 *				but .discard.unwind_hints, struct unwind_hint
 *				(12 bytes), and the pointers of
 *				.discard.ibt_endbr_noseal and
 *				.discard.func_stack_frame_non_standard
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
	/*
	 * objtool's annotations, read by objtool alone: when it runs on the
	 * whole livepatch module (IBT or LTO kernels), a carried function
	 * needs its own (a ud2 of WARN is not a dead end: .discard.reachable;
	 * an ENDBR-less address taken on purpose: .discard.noendbr...).
	 */
	{ .name = ".discard.reachable", .entry_size = 4 },
	{ .name = ".discard.noendbr", .entry_size = 4 },
	{ .name = ".discard.retpoline_safe", .entry_size = 4 },
	{ .name = ".discard.ignore_alts", .entry_size = 4 },
	{ .name = ".discard.instr_begin", .entry_size = 4 },
	{ .name = ".discard.instr_end", .entry_size = 4 },
	{ .name = ".discard.intra_function_calls", .entry_size = 4 },
	{ .name = ".discard.validate_unret", .entry_size = 4 },
	{ .name = ".discard.unwind_hints", .entry_size = 12 },
	{ .name = ".discard.ibt_endbr_noseal", .entry_size = 8 },
	{ .name = ".discard.func_stack_frame_non_standard", .entry_size = 8 },
	{ .name = "runtime_ptr_", .name_is_prefix = true, .entry_size = 4,
	  .runtime_const = &x86_64_runtime_ptr },
	{ .name = "runtime_shift_", .name_is_prefix = true, .entry_size = 4,
	  .runtime_const = &x86_64_runtime_shift },
	{ .name = NULL },	/* end */
};
