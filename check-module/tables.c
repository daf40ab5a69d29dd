/*
 * tables.c - the relocations of the module outside any function or
 * object: the entries of its tables (__mcount_loc, __jump_table,
 * .altinstructions, __ex_table, __bug_table, .static_call_sites, ...),
 * which the linker concatenated from the diff objects and the template.
 *
 * An entry has no name to find it by in the patched object, and its size
 * is the kernel's configuration's; so each relocation is checked alone:
 * what it reaches must be what a relocation of the same type, in a
 * section of the same name of the source it points into (any source, for
 * one reaching the running kernel), reaches.  An entry pointing at the
 * wrong instruction, the wrong key or the wrong replacement is caught;
 * two halves of different entries put together are not.  Tables the
 * module's own build made (no source has them) are counted, not checked.
 */
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* The relocations of @src's sections named @name, their places resolved. */
struct table {
	struct cm_source *src;
	const char *name;
	struct cm_place *places;
	uint32_t *types;
	size_t n;
	bool found;			/* @src has such a section */
};

struct tables {
	struct table *v;
	size_t n, alloc;
};

static struct table *table_of(struct cm *c, struct tables *ts, struct cm_source *src,
			      const char *name)
{
	struct section *sec;
	struct table *t;
	size_t i, alloc = 0;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].src == src && !strcmp(ts->v[i].name, name))
			return &ts->v[i];
	ALLOC_GROW(ts->v, ts->n + 1, ts->alloc);
	t = &ts->v[ts->n++];
	memset(t, 0, sizeof(*t));
	t->src = src;
	t->name = name;
	for_each_section(src->obj, sec) {
		struct reloc *r;

		if (!strcmp(sec->name, name))
			t->found = true;
		if (!is_rela_section(sec) || !sec->base || strcmp(sec->base->name, name))
			continue;
		for_each_reloc(sec, r) {
			ALLOC_GROW(t->places, t->n + 1, alloc);
			t->types = xrealloc(t->types, alloc * sizeof(*t->types));
			cm_source_place(src, r, r->addend, &t->places[t->n]);
			t->types[t->n++] = r->type;
		}
	}
	(void)c;
	return t;
}

/* Does a relocation of @t reach @m with type @type? */
static bool in_table(const struct cm *c, const struct table *t, const struct cm_place *m,
		     uint32_t type)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->types[i] == type && !cm_same_place(c, m, &t->places[i]))
			return true;
	return false;
}

static void check_table_reloc(struct cm *c, struct tables *ts, const struct reloc *r)
{
	const char *name = r->sec->base->name;
	struct cm_place m;
	bool found = false;
	size_t i;
	char a[1024];

	/*
	 * No source has such a table: the module's build made it (objtool's
	 * .call_sites, .return_sites and ORC of the linked module, on IBT
	 * kernels); nothing to compare with.
	 */
	for (i = 0; i < c->nr_srcs && !found; i++)
		found = table_of(c, ts, &c->srcs[i], name)->found;
	if (!found) {
		c->nr_built++;
		return;
	}
	if (cm_module_place(c, r, r->addend, &m)) {
		c->nr_errors++;
		return;
	}
	if (m.where == CM_SYMBOL && m.src) {
		if (in_table(c, table_of(c, ts, m.src, name), &m, r->type))
			return;
	} else {
		for (i = 0; i < c->nr_srcs; i++)
			if (in_table(c, table_of(c, ts, &c->srcs[i], name), &m, r->type))
				return;
	}
	c->nr_errors++;
	error("%s: %s+%#lx: %s reaches %s, which no relocation of %s in %s reaches: internal error, the module is wrong; not written",
	      c->mod->path, name, (unsigned long)r->offset, arch_reloc_name(c->arch, r->type),
	      cm_describe(a, sizeof(a), &m, true), name,
	      m.where == CM_SYMBOL && m.src ? m.src->path : "any object the module was made from");
}

void cm_check_tables(struct cm *c, struct reloc **relocs, size_t n)
{
	struct tables ts = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		check_table_reloc(c, &ts, relocs[i]);
	for (i = 0; i < ts.n; i++) {
		free(ts.v[i].places);
		free(ts.v[i].types);
	}
	free(ts.v);
}
