/*
 * coverage.c - the other direction: every relocation of a carried
 * function or object in its patched object must have one at the same
 * place in the module (ordinary or klp).  A relocation the differ drops
 * leaves the field as the compiler left it, zeros: a call to the next
 * instruction, a load from address 0.
 */
#include <stdlib.h>

#include "check-module.h"
#include "../util/util.h"

/* (section index, offset) of every relocated field of the module. */
static uint64_t field_key(const struct section *base, uint64_t off)
{
	return (uint64_t)base->index << 40 | off;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool has_field(const uint64_t *v, size_t n, uint64_t key)
{
	return n && bsearch(&key, v, n, sizeof(*v), cmp_u64) != NULL;
}

/* Every relocation of @psym (of @src) at the same place of @msym? */
static void check_symbol(struct cm *c, const uint64_t *fields, size_t n, struct symbol *msym,
			 struct cm_source *src, struct symbol *psym)
{
	struct reloc **rels;
	size_t count, i;

	rels = kelf_relocs_in_range(psym->sec, psym->offset, psym->offset + psym->size, &count);
	for (i = 0; i < count; i++) {
		uint64_t at = rels[i]->offset - psym->offset;

		if (rels[i]->priv == c)		/* seen through an alias */
			continue;
		rels[i]->priv = c;
		c->nr_covered++;
		if (at < msym->size && has_field(fields, n, field_key(msym->sec, msym->offset + at)))
			continue;
		c->nr_errors++;
		error("%s: %s+%#lx: %s has %s to %s there, the module no relocation: internal error, the module is wrong; not written",
		      c->mod->path, msym->name, (unsigned long)at, src->path,
		      arch_reloc_name(c->arch, rels[i]->type),
		      rels[i]->sym->name[0] ? rels[i]->sym->name :
		      rels[i]->sym->sec ? rels[i]->sym->sec->name : "?");
	}
}

void cm_check_coverage(struct cm *c)
{
	uint64_t *fields = NULL;
	size_t n = 0, alloc = 0;
	struct section *rela;
	struct symbol *msym;
	struct reloc *r;

	for_each_section(c->mod, rela)
		if (is_rela_section(rela) && rela->base)
			for_each_reloc(rela, r) {
				ALLOC_GROW(fields, n + 1, alloc);
				fields[n++] = field_key(rela->base, r->offset);
			}
	xqsort(fields, n, sizeof(*fields), cmp_u64);
	for_each_symbol(c->mod, msym) {
		struct cm_source *src;
		struct symbol *psym;

		if (!msym->sec || !msym->size || (msym->type != STT_FUNC && msym->type != STT_OBJECT) ||
		    !cm_origin(c, msym, &src, &psym))
			continue;
		check_symbol(c, fields, n, msym, src, psym);
	}
	free(fields);
}
