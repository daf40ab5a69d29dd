/*
 * arch/x86_64/decode.c - x86_64 instruction decoding (arch.h, struct
 * arch_insn), through Zydis (Debian's libzydis-dev, 4.0).
 *
 * Zydis reports where each encoded field sits (raw.disp, raw.imm[] with
 * offsets and sizes) and whether an immediate is a branch displacement,
 * and it knows every extension the kernel's code uses (AVX-512, VAES,
 * GFNI, SERIALIZE, CET shadow-stack and ENQCMD instructions).  Capstone
 * 4.0.2, the other packaged decoder, fails on those and reads "ud1
 * 0x10(%rax),%eax" (4 bytes) as a 2-byte ud2b, and reports a 2-byte
 * displacement for "movw $0x1234, x(%rip)": it cannot be trusted with
 * lengths or fields.
 *
 * Zydis 4.0 does not know LKGS (F2 0F 00 /6, "load kernel GS"), which Linux
 * 6.12 emits as .byte (asm/special_insns.h, LKGS_DI: f2 0f 00 f7) in
 * native_lkgs() and wherever native_load_gs_index() is inlined: the
 * table below knows its register form, the only one the kernel uses.
 *
 * Layout of an instruction: prefixes, opcode, ModRM/SIB, then the
 * displacement, then the immediate(s).  A RIP-relative operand (ModRM
 * mod 00, r/m 101, no SIB) and a relative branch (call/jmp/jcc/loop/
 * xbegin rel8/rel32) both count from the end of the instruction: gas
 * gives the relocation in "addl $5, b(%rip)" (83 05 <disp32> 05) the
 * addend b - 5, not b - 4.
 */
#include <stdbool.h>
#include <Zydis/Zydis.h>

#include "../arch.h"

static const ZydisDecoder *decoder(void)
{
	static ZydisDecoder d;
	static bool ready;

	if (!ready) {
		if (!ZYAN_SUCCESS(ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64,
						   ZYDIS_STACK_WIDTH_64)))
			return NULL;
		ready = true;
	}
	return &d;
}

/*
 * Instructions newer than Zydis 4.0, register forms only: mandatory
 * prefix, an optional REX, two opcode bytes, a ModRM with mod 3 whose
 * reg field is given.  No displacement, no immediate.
 */
struct x86_extra {
	unsigned char prefix, op[2], reg;
	const char *name;
};

static const struct x86_extra x86_extras[] = {
	{ 0xf2, { 0x0f, 0x00 }, 6, "lkgs" },	/* Intel SDM, FRED spec: LKGS r/m16 */
	{ 0, { 0, 0 }, 0, NULL },
};

static int decode_extra(const unsigned char *code, size_t avail, struct arch_insn *insn)
{
	const struct x86_extra *e;
	size_t rex;

	for (e = x86_extras; e->name; e++) {
		if (avail < 4 || code[0] != e->prefix)
			continue;
		rex = (code[1] & 0xf0) == 0x40;
		if (avail < 4 + rex || code[1 + rex] != e->op[0] || code[2 + rex] != e->op[1] ||
		    (code[3 + rex] & 0xf8) != (0xc0 | e->reg << 3))
			continue;
		insn->len = 4 + rex;
		insn->disp_off = insn->imm_off = -1;
		insn->disp_len = insn->imm_len = 0;
		insn->pcrel = insn->branch = insn->stop = insn->nop = insn->page = false;
		insn->indexed = false;
		insn->deref_off = -1;
		return 0;
	}
	return -1;
}

/* Is the ModRM of @in a RIP-relative operand? */
static bool rip_relative(const ZydisDecodedInstruction *in)
{
	return in->raw.modrm.offset && in->raw.modrm.mod == 0 && in->raw.modrm.rm == 5;
}

/*
 * Does @in read or write memory at exactly its displacement (plus RIP, or
 * a segment's base: %gs: per-CPU data): a memory operand without base or
 * index register that is accessed?  lea computes an address (AGEN), nop
 * and prefetch touch nothing a program sees, so "&a[N]" (one past the end
 * of a) may be their operand; an access never is.  Only RIP-relative and
 * absolute operands (ModRM mod 00 with r/m 101, or a SIB without base and
 * index) are worth decoding the operands for.
 */
static bool derefs_disp(const ZydisDecoder *d, const ZydisDecoderContext *ctx,
			const ZydisDecodedInstruction *in)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	unsigned int i;

	if (!in->raw.modrm.offset || in->raw.modrm.mod != 0 ||
	    (in->raw.modrm.rm != 5 && (in->raw.modrm.rm != 4 || in->raw.sib.base != 5)) ||
	    in->meta.category == ZYDIS_CATEGORY_NOP || in->meta.category == ZYDIS_CATEGORY_PREFETCH ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeOperands(d, ctx, in, ops, in->operand_count)))
		return false;
	for (i = 0; i < in->operand_count; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    ops[i].mem.type == ZYDIS_MEMOP_TYPE_MEM &&
		    (ops[i].mem.base == ZYDIS_REGISTER_NONE || ops[i].mem.base == ZYDIS_REGISTER_RIP) &&
		    ops[i].mem.index == ZYDIS_REGISTER_NONE &&
		    (ops[i].actions & (ZYDIS_OPERAND_ACTION_MASK_READ | ZYDIS_OPERAND_ACTION_MASK_WRITE)))
			return true;
	return false;
}

/*
 * Does the address of @in's memory operand (an access or lea's AGEN) add a
 * register to its 32-bit displacement: a base other than RIP, or an index
 * ("movl b+20(,%rdi,4), %eax" for b[i + 5])?  Only operands with a 32-bit
 * displacement that is not RIP-relative can carry a relocation and a
 * register; the rest are not decoded for it.
 */
static bool adds_register(const ZydisDecoder *d, const ZydisDecoderContext *ctx,
			  const ZydisDecodedInstruction *in)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	unsigned int i;

	if (in->raw.disp.size != 32 || rip_relative(in) ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeOperands(d, ctx, in, ops, in->operand_count)))
		return false;
	for (i = 0; i < in->operand_count; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    (ops[i].mem.type == ZYDIS_MEMOP_TYPE_MEM || ops[i].mem.type == ZYDIS_MEMOP_TYPE_AGEN ||
		     ops[i].mem.type == ZYDIS_MEMOP_TYPE_VSIB) &&
		    ((ops[i].mem.base != ZYDIS_REGISTER_NONE && ops[i].mem.base != ZYDIS_REGISTER_RIP) ||
		     ops[i].mem.index != ZYDIS_REGISTER_NONE))
			return true;
	return false;
}

int x86_64_decode(const unsigned char *code, size_t avail, struct arch_insn *insn)
{
	const ZydisDecoder *d = decoder();
	ZydisDecoderContext ctx;
	ZydisDecodedInstruction in;
	const struct ZydisDecodedInstructionRawImm_ *imm;
	unsigned int i, end;

	if (!d)
		return -1;
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(d, &ctx, code, avail, &in)))
		return decode_extra(code, avail, insn);
	insn->len = in.length;
	insn->disp_off = -1;
	insn->disp_len = 0;
	insn->imm_off = -1;
	insn->imm_len = 0;
	insn->pcrel = false;
	insn->page = false;
	insn->indexed = false;
	insn->deref_off = -1;
	insn->branch = in.meta.category == ZYDIS_CATEGORY_CALL ||
		       in.meta.category == ZYDIS_CATEGORY_COND_BR ||
		       in.meta.category == ZYDIS_CATEGORY_UNCOND_BR;
	/*
	 * ud2 is no stop: the kernel's WARN() is a ud2 whose handler returns
	 * to the next instruction (arch/x86/kernel/traps.c, handle_bug()).
	 */
	insn->stop = in.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
		     in.meta.category == ZYDIS_CATEGORY_RET ||
		     in.mnemonic == ZYDIS_MNEMONIC_INT3;
	/* 90, 66 90, 0f 1f /0 with any prefixes: what gas pads with and
	 * objtool writes over static branches */
	insn->nop = in.mnemonic == ZYDIS_MNEMONIC_NOP;

	end = 0;
	if (in.raw.disp.size) {
		insn->disp_off = in.raw.disp.offset;
		insn->disp_len = in.raw.disp.size / 8;
		insn->pcrel = rip_relative(&in);
		end = in.raw.disp.offset + in.raw.disp.size / 8;
		if (derefs_disp(d, &ctx, &in))
			insn->deref_off = insn->disp_off;
		insn->indexed = adds_register(d, &ctx, &in);
	}
	/*
	 * At most one immediate is a field a relocation fills; ENTER's two
	 * (imm16, imm8) are constants, the first is reported.
	 */
	for (i = 0; i < 2; i++) {
		imm = &in.raw.imm[i];
		if (!imm->size)
			continue;
		if (imm->offset < end)
			return -1;	/* not the layout above: do not guess */
		end = imm->offset + imm->size / 8;
		if (imm->is_relative) {
			if (insn->disp_off >= 0)
				return -1;
			insn->disp_off = imm->offset;
			insn->disp_len = imm->size / 8;
			insn->pcrel = true;
		} else if (insn->imm_off < 0) {
			insn->imm_off = imm->offset;
			insn->imm_len = imm->size / 8;
		}
	}
	if (end > in.length)
		return -1;
	return 0;
}
