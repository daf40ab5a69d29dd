/*
 * tail.c - code after a function's end that belongs to the function.
 *
 * arm64's ALTERNATIVE() (asm/alternative-macros.h, Linux 6.12) assembles
 * the replacement instructions into ".subsection 1" of the current
 * section: after everything else in it, past the end GCC gives the
 * function's symbol.  With -ffunction-sections that is the tail of the
 * function's own section, .text.foo = foo's bytes, then the replacements
 * of foo's alternatives, which .altinstructions points at and which may
 * branch back into foo without a relocation.  So the tail travels with
 * the function: references into it are references to the function (at
 * offsets past its size), and a carried copy of the function holds it at
 * the same distance.  x86_64 keeps its replacements in
 * .altinstr_replacement instead; its function sections have no tail.
 *
 * A section shared by several functions (.sched.text, .noinstr.text)
 * holds the replacements of all of them at its end, mixed: no tail there
 * is given an owner (special.c refuses a carried entry pointing into it).
 * Nor is one where a symbol names a place past the function's end (code
 * without .size after it): those bytes are the accounting's to refuse
 * (gaps.c), not the function's to carry.
 */
#include "cdo.h"

struct symbol *cdo_tail_owner(struct section *sec, uint64_t *start)
{
	struct symbol *owner = NULL;
	uint64_t end = 0;
	size_t i;

	if (!sec || !is_text_section(sec) || !sec->data)
		return NULL;
	kelf_find_symbol_containing(sec, 0);	/* builds sec->by_offset */
	for (i = 0; i < sec->nr_by_offset; i++) {
		struct symbol *s = sec->by_offset[i];

		if (s->offset + s->size > end)
			end = s->offset + s->size;
		if (s->type != STT_FUNC || cdo_is_prefix_symbol(s))
			continue;
		if (owner)
			return NULL;	/* shared by several functions */
		owner = s;
	}
	if (!owner || end >= sec->size)
		return NULL;
	/* A symbol naming a place in what follows (an asm stub without
	 * .size) says the bytes there are not the function's: no tail. */
	for (i = 0; i < sec->nr_by_offset; i++) {
		struct symbol *s = sec->by_offset[i];

		if (s->offset >= end && s->type != STT_SECTION &&
		    !cdo_is_mapping_symbol(s) && !cdo_is_local_label(s))
			return NULL;
	}
	if (start)
		*start = end;
	return owner;
}

uint64_t cdo_extent(struct symbol *sym)
{
	if (sym->type == STT_FUNC && cdo_tail_owner(sym->sec, NULL) == sym)
		return sym->sec->size - sym->offset;
	return sym->size;
}
