/*
 * arch/x86_64/jumps.c - the jumps the kernel's build changes and
 * kpatch-build's compile does not (arch.h, struct arch_target_check).
 *
 * Static branches: Linux 6.12 arch/x86/include/asm/jump_label.h with
 * CONFIG_HAVE_JUMP_LABEL_HACK: arch_static_branch() emits "jmp l_yes" and
 * a __jump_table entry (struct jump_entry { s32 code; s32 target; long
 * key; }) whose key is "key + (2 | branch)"; objtool's handle_jump_alt()
 * replaces the jmp of every entry whose key addend has bit 1 by
 * arch_nop_insn() of its length: "jmp rel8" (EB) by 66 90, "jmp rel32"
 * (E9) by 0F 1F 44 00 00 (check-target accepts a NOP the decoder reads
 * there of the jump's length).
 *
 * Tail calls: gas relaxes "jmp rel32" (E9 + 4 bytes) to "jmp rel8" (EB +
 * 1 byte) when the destination is in the same section within -128..127
 * bytes of the instruction's end; GCC emits no conditional tail calls.
 */
#include "../arch.h"

const struct arch_target_check x86_64_target_check = {
	.jump_table = "__jump_table",
	.entry_size = 16,
	.code_offset = 0,
	.key_offset = 8,
	.key_flag = 2,
	.long_jump = 0xe9, .long_len = 5,
	.short_jump = 0xeb, .short_len = 2,
};
