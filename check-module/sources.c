/*
 * sources.c - where each symbol of the module comes from.
 *
 * The module is the link of the template objects (kmod/livepatch-main.c,
 * kbuild's .mod.c) and the diff objects; a diff object's functions and
 * data keep the names they have in the patched object.  So a module symbol
 * comes from a template object defining it, or from a patched object whose
 * diff object defines it, with the same type.  A local of one name carried
 * from two objects (each file's kpng_pre_patch callback) is told apart by
 * its block of the module's symbol table: ld keeps each input's STT_FILE
 * symbol and locals together, in link order, so the module's file blocks
 * are the sources', matched by name in the order they were given; without
 * file symbols, by bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* @k's defined symbol @name of type @type, or NULL. */
static struct symbol *defined(const struct kelf *k, const char *name, unsigned char type)
{
	struct symbol *s;

	for (s = kelf_find_symbol_by_name(k, name); s; s = kelf_next_symbol_same_name(s))
		if (s->sec && s->type == type)
			return s;
	return NULL;
}

bool cm_relocated(const struct cm *c, struct section *sec, uint64_t off)
{
	struct reloc **r;
	size_t n, i;

	if (!sec->rela)
		return false;
	r = kelf_relocs_in_range(sec, off > 7 ? off - 7 : 0, off + 1, &n);
	for (i = 0; i < n; i++) {
		const struct arch_reloc *ar = arch_reloc(c->arch, r[i]->type);

		if (off < r[i]->offset + (ar && ar->width ? ar->width : 1))
			return true;
	}
	return false;
}

/* The same bytes in @a and @b, but where either is relocated? */
static bool same_bytes(const struct cm *c, const struct symbol *a, const struct symbol *b)
{
	uint64_t i;

	if (a->size != b->size)
		return false;
	if (!a->sec->data || !b->sec->data)
		return !a->sec->data && !b->sec->data;
	for (i = 0; i < a->size; i++)
		if (a->sec->data[a->offset + i] != b->sec->data[b->offset + i] &&
		    !cm_relocated(c, a->sec, a->offset + i) && !cm_relocated(c, b->sec, b->offset + i))
			return false;
	return true;
}

void cm_map_files(struct cm *c)
{
	struct cm_source *cur = NULL;
	bool *used = xcalloc(c->nr_srcs + 1, sizeof(*used));
	struct symbol *s;
	size_t i;

	c->file_src = xcalloc(c->mod->nr_symbols, sizeof(*c->file_src));
	for_each_symbol(c->mod, s) {
		if (s->type == STT_FILE) {
			cur = NULL;
			for (i = 0; i < c->nr_srcs && !cur; i++)
				if (!used[i] && c->srcs[i].file && !strcmp(c->srcs[i].file, s->name)) {
					used[i] = true;
					cur = &c->srcs[i];
				}
		} else if (s->bind == STB_LOCAL) {
			c->file_src[s->index] = cur;
		}
	}
	free(used);
}

bool cm_origin(struct cm *c, struct symbol *msym, struct cm_source **src,
	       struct symbol **sym)
{
	struct cm_source *file = c->file_src[msym->index];
	struct cm_origin *o = &c->origins[msym->index], cand[4];
	size_t i, n = 0, same = 0;

	if (!o->looked_up) {
		o->looked_up = true;
		for (i = 0; i < c->nr_srcs && n < ARRAY_SIZE(cand); i++) {
			struct cm_source *s = &c->srcs[i];
			struct symbol *p;

			if ((file && s != file) ||
			    (s->diff && !defined(s->diff, msym->name, msym->type)))
				continue;
			p = defined(s->obj, msym->name, msym->type);
			if (p)
				cand[n++] = (struct cm_origin){ true, s, p };
		}
		/* Several: the one with the module symbol's bytes. */
		if (n > 1)
			for (i = 0; i < n; i++)
				if (same_bytes(c, msym, cand[i].sym))
					cand[same++] = cand[i];
		if (n == 1 || same == 1)
			*o = cand[0];
	}
	*src = o->src;
	*sym = o->sym;
	return o->src != NULL;
}
