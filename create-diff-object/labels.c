/*
 * labels.c - see through assembler-local labels.
 *
 * GCC reaches constants and strings through section symbols, but some
 * objects reference them through local labels instead (.LC3, .LC6 in
 * .rodata.cst2 of the module objects objtool has rewritten), and those
 * numbers shift whenever a patch adds a constant anywhere in the file.
 * Before the differ looks, every relocation through such a label is
 * turned into one through its section symbol (label offset + addend), so
 * correlation, comparison and output treat it as any other anonymous
 * data.  Runs before cdo_attach_info(): it may add section symbols.
 */
#include <string.h>

#include "cdo.h"

void cdo_unlabel(struct kelf *kelf)
{
	struct section *s;
	struct reloc *r;

	for_each_section(kelf, s) {
		if (!is_rela_section(s))
			continue;
		for_each_reloc(s, r)
			if (cdo_is_local_label(r->sym))
				kelf_reloc_retarget(r, kelf_section_symbol(r->sym->sec),
						    r->addend + (int64_t)r->sym->offset);
	}
}

bool cdo_is_prefix_symbol(const struct symbol *sym)
{
	return sym->type == STT_FUNC &&
	       (!strncmp(sym->name, "__pfx_", 6) || !strncmp(sym->name, "__cfi_", 6));
}

struct symbol *cdo_prefix_of(const struct symbol *sym)
{
	struct symbol *pfx;

	if (sym->type != STT_FUNC || !sym->sec || !sym->offset)
		return NULL;
	pfx = kelf_find_symbol_containing(sym->sec, sym->offset - 1);
	if (!pfx || !cdo_is_prefix_symbol(pfx) ||
	    pfx->offset + pfx->size != sym->offset || strcmp(pfx->name + 6, sym->name))
		return NULL;
	return pfx;
}
