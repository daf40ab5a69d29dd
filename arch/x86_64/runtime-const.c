/*
 * arch/x86_64/runtime-const.c - x86_64's runtime constants in Linux 6.12
 * (arch/x86/include/asm/runtime-const.h), see struct arch_runtime_const.
 *
 * runtime_const_ptr(sym) is "mov $0x0123456789abcdef, %reg", which GNU as
 * encodes as movabs (REX.W B8+r imm64, 10 bytes: the immediate needs 64
 * bits); its entry in runtime_ptr_SYM points at the immediate, two bytes
 * in.  Module code reads the variable instead, and so does the rewrite:
 *
 *	48|49 B8+r imm64	movabs $0x0123456789abcdef, %reg
 * becomes
 *	48|4C 8B modrm disp32	mov SYM(%rip), %reg	(R_X86_64_PC32 SYM-4)
 *	0F 1F 00		nopl (%rax)
 *
 * the same 10 bytes, so nothing else in the function moves.  REX.B, which
 * extends the register in the opcode of B8+r, becomes REX.R, which extends
 * ModRM.reg; ModRM is mod 00, reg r, rm 101: RIP-relative, its disp32
 * counting from the end of the 7-byte load.  The variable holds exactly
 * what runtime_const_init() wrote into the immediate at boot.
 *
 * runtime_const_shift_right_32(val, sym) is "shr $12, %reg32" (C1 /5 ib,
 * 3 or 4 bytes) with its entry in runtime_shift_SYM pointing at the count.
 * A count from memory needs %cl: no room in 4 bytes, so it is refused.
 */
#include <elf.h>
#include <string.h>

#include "../arch.h"

#define MOVABS_LEN	10
#define IMM_OFFSET	2		/* REX, opcode */
#define LOAD_LEN	7		/* REX, 8B, ModRM, disp32 */

/* 0x0123456789abcdef, little-endian. */
static const unsigned char placeholder[8] = {
	0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
};

static const char *rewrite_ptr(unsigned char *code, uint64_t size, uint64_t at,
			       struct arch_site *site)
{
	unsigned char *insn;
	unsigned int reg;

	/* What can be examined of the 10 bytes, for the caller's message. */
	site->start = at >= IMM_OFFSET ? at - IMM_OFFSET : 0;
	site->len = site->start < size ? size - site->start : 0;
	if (site->len > MOVABS_LEN)
		site->len = MOVABS_LEN;
	if (at < IMM_OFFSET)
		return "the 10-byte movabs would start before the function";
	if (at > size || size - at < sizeof(placeholder))
		return "the 10-byte movabs would end past the function";
	insn = code + site->start;
	if (insn[0] != 0x48 && insn[0] != 0x49)
		return "not movabs $0x0123456789abcdef, %reg: no REX.W prefix (48 or 49)";
	if ((insn[1] & 0xf8) != 0xb8)
		return "not movabs $0x0123456789abcdef, %reg: the opcode is not B8+r";
	if (memcmp(insn + IMM_OFFSET, placeholder, sizeof(placeholder)))
		return "not movabs $0x0123456789abcdef, %reg: the immediate is not the placeholder";

	reg = insn[1] & 7;
	insn[0] = 0x48 | (insn[0] & 1) << 2;	/* REX.W, REX.R = old REX.B */
	insn[1] = 0x8b;				/* mov r/m64, r64 */
	insn[2] = reg << 3 | 5;			/* mod 00, rm 101: disp32(%rip) */
	memset(insn + 3, 0, 4);			/* disp32, relocated */
	insn[7] = 0x0f;				/* nopl (%rax) */
	insn[8] = 0x1f;
	insn[9] = 0x00;
	site->ref = site->start + 3;
	site->ref_type = R_X86_64_PC32;
	site->ref_addend = 3 - LOAD_LEN;	/* from the end of the load: -4 */
	return NULL;
}

const struct arch_runtime_const x86_64_runtime_ptr = {
	.macro = "runtime_const_ptr()",
	.placeholder = "0x0123456789abcdef",
	.rewrite = rewrite_ptr,
};

const struct arch_runtime_const x86_64_runtime_shift = {
	.macro = "runtime_const_shift_right_32()",
	.placeholder = "shift count 12",
	.why_not = "shr $imm8 has no room to load its count from memory",
};
