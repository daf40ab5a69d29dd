/*
 * arch/arm64/decode.c - arm64 instruction decoding (arch.h, struct
 * arch_insn).
 *
 * Every A64 instruction is one little-endian 32-bit word, so the length is
 * always known; what is arch data is which words hold a field that a
 * relocation of "ELF for the Arm 64-bit Architecture" patches and which are
 * calls or jumps.  Encodings from the Arm ARM (DDI 0487), "A64 Instruction
 * Set Encoding": the class of a word is given by fixed bits (mask, value).
 * PC-relative fields count from the instruction's own address (from its
 * 4 KiB page for ADRP), so the addends of their relocations are exact and
 * pcrel is false.
 */
#include "../arch.h"

enum field { NONE, PC_FIELD, IMM_FIELD };
/* What the word does with the address in its field (arch_insn's deref_off
 * and page): nothing known, load or store there, form its page. */
enum use { OTHER, ACCESS, PAGE };

struct arm64_class {
	uint32_t mask, value;
	enum field field;
	bool branch;
	bool stop;			/* no fall-through: b, br, ret */
	const char *what;
	enum use use;
};

static const struct arm64_class arm64_classes[] = {
	/* imm26: JUMP26, CALL26 */
	{ 0xfc000000, 0x14000000, PC_FIELD, true, true, "b", OTHER },
	{ 0xfc000000, 0x94000000, PC_FIELD, true, false, "bl", OTHER },
	/* imm19: CONDBR19 */
	{ 0xff000010, 0x54000000, PC_FIELD, true, false, "b.cond", OTHER },
	{ 0x7e000000, 0x34000000, PC_FIELD, true, false, "cbz/cbnz", OTHER },
	/* imm14: TSTBR14 */
	{ 0x7e000000, 0x36000000, PC_FIELD, true, false, "tbz/tbnz", OTHER },
	/* register branches, bit 24 set in the pointer-authenticated forms */
	{ 0xfeff0000, 0xd61f0000, NONE, true, true, "br", OTHER },
	{ 0xfeff0000, 0xd63f0000, NONE, true, false, "blr", OTHER },
	{ 0xfffffc1f, 0xd65f0000, NONE, false, true, "ret", OTHER },	/* no branch, as x86 */
	/* ADR_PREL_LO21, ADR_PREL_PG_HI21, ADR_GOT_PAGE */
	{ 0x9f000000, 0x10000000, PC_FIELD, false, false, "adr", OTHER },
	{ 0x9f000000, 0x90000000, PC_FIELD, false, false, "adrp", PAGE },
	/* LD_PREL_LO19: ldr/ldrsw/prfm (literal), general and SIMD */
	{ 0x3b000000, 0x18000000, PC_FIELD, false, false, "ldr literal", OTHER },
	/* ADD_ABS_LO12_NC: add/sub (immediate) */
	{ 0x1f800000, 0x11000000, IMM_FIELD, false, false, "add/sub immediate", OTHER },
	/* LDST*_ABS_LO12_NC, LD64_GOT_LO12_NC: load/store (unsigned offset) */
	{ 0xffc00000, 0xf9800000, IMM_FIELD, false, false, "prfm unsigned offset", OTHER },
	{ 0x3b000000, 0x39000000, IMM_FIELD, false, false, "ldr/str unsigned offset", ACCESS },
	/* MOVW_UABS_G*: movn/movz/movk */
	{ 0x1f800000, 0x12800000, IMM_FIELD, false, false, "mov wide", OTHER },
	{ 0, 0, NONE, false, false, NULL, OTHER },
};

int arm64_decode(const unsigned char *code, size_t avail, struct arch_insn *insn)
{
	const struct arm64_class *c;
	uint32_t word;

	if (avail < 4)
		return -1;
	word = code[0] | code[1] << 8 | code[2] << 16 | (uint32_t)code[3] << 24;
	insn->len = 4;
	insn->disp_off = insn->imm_off = -1;
	insn->disp_len = insn->imm_len = 0;
	insn->pcrel = insn->branch = insn->page = insn->stop = false;
	/* A64 adds registers in a separate instruction (ldr w0, [x1, x0, lsl 2]
	 * after the adrp/add pair): no field of a relocation is indexed. */
	insn->indexed = false;
	insn->deref_off = -1;
	insn->nop = word == 0xd503201f;		/* nop (hint #0) */
	for (c = arm64_classes; c->what; c++) {
		if ((word & c->mask) != c->value)
			continue;
		insn->branch = c->branch;
		insn->page = c->use == PAGE;
		if (c->use == ACCESS)
			insn->deref_off = 0;
		insn->stop = c->stop;
		if (c->field == PC_FIELD) {
			insn->disp_off = 0;
			insn->disp_len = 4;
		} else if (c->field == IMM_FIELD) {
			insn->imm_off = 0;
			insn->imm_len = 4;
		}
		break;
	}
	return 0;
}
