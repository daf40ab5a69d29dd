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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* One relocation of a source's table: what it reaches, its type, its key. */
struct entry {
	uint64_t key;
	struct cm_place place;
	uint32_t type;
};

/*
 * The relocations of @src's sections named @name, sorted by key: a hash
 * of the name and offset they reach (a GCC number, "calls.3", left out of
 * the name; see compare.c), or of the section and offset for bytes no
 * symbol names.
 */
struct table {
	struct cm_source *src;
	const char *name;
	struct entry *v;
	size_t n;
	bool found;			/* @src has such a section */
};

struct tables {
	struct table *v;
	size_t n, alloc;
};

static uint64_t key_of(const char *name, int64_t off)
{
	size_t len = strlen(name), base = len;
	const char *dot = strrchr(name, '.');
	char buf[512];

	if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
		base = dot - name;
	snprintf(buf, sizeof(buf), "%.*s", (int)base, name);
	return hash_str(buf) ^ hash_u64((uint64_t)off);
}

static uint64_t place_key(const struct cm_place *p)
{
	return p->where == CM_BYTES ? key_of(p->sec->name, p->secoff) : key_of(p->name, p->off);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static struct table *table_of(struct tables *ts, struct cm_source *src, const char *name)
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
			struct entry *e;

			ALLOC_GROW(t->v, t->n + 1, alloc);
			e = &t->v[t->n++];
			cm_source_place(src, r, r->addend, &e->place);
			e->type = r->type;
			e->key = place_key(&e->place);
		}
	}
	xqsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	return t;
}

/* Does an entry of @t under @key reach @m with type @type? */
static bool match_key(struct cm *c, const struct table *t, uint64_t key,
		      const struct cm_place *m, uint32_t type)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->n && t->v[lo].key == key; lo++)
		if (t->v[lo].type == type && !cm_same_place(c, m, &t->v[lo].place))
			return true;
	return false;
}

/* Does a relocation of @t reach @m with type @type? */
static bool in_table(struct cm *c, const struct table *t, const struct cm_place *m,
		     uint32_t type)
{
	size_t i;

	if (m->where == CM_BYTES) {	/* anonymous in the module too: by bytes */
		for (i = 0; i < t->n; i++)
			if (t->v[i].place.where == CM_BYTES && t->v[i].type == type &&
			    !cm_same_place(c, m, &t->v[i].place))
				return true;
		return false;
	}
	if (m->where == CM_SYMBOL && m->src)
		return match_key(c, t, key_of(m->sym->name, m->off), m, type) ||
		       match_key(c, t, key_of(m->sym->sec->name,
					      (int64_t)m->sym->offset + m->off), m, type);
	return match_key(c, t, key_of(m->name, m->off), m, type);
}

static void check_table_reloc(struct cm *c, struct tables *ts, const struct reloc *r)
{
	const char *name = r->sec->base->name;
	struct cm_place m;
	bool found = false;
	size_t i;
	char a[1024];

	/*
	 * The module's build made it (-b: kpatch-build strips objtool's
	 * tables from the diff objects when objtool runs on the linked
	 * module, IBT kernels), or no source has such a table, or not the
	 * one the entry points into (objects of vmlinux and the template
	 * have no .call_sites there): nothing to compare with.
	 */
	for (i = 0; i < c->nr_built_names; i++)
		if (!strcmp(c->built[i], name)) {
			c->nr_built++;
			return;
		}
	for (i = 0; i < c->nr_srcs && !found; i++)
		found = table_of(ts, &c->srcs[i], name)->found;
	if (!found) {
		c->nr_built++;
		return;
	}
	if (cm_module_place(c, r, r->addend, &m)) {
		c->nr_errors++;
		return;
	}
	if (m.where == CM_SYMBOL && m.src) {
		struct table *t = table_of(ts, m.src, name);

		if (!t->found) {
			c->nr_built++;
			return;
		}
		if (in_table(c, t, &m, r->type))
			return;
	} else {
		for (i = 0; i < c->nr_srcs; i++)
			if (in_table(c, table_of(ts, &c->srcs[i], name), &m, r->type))
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
	for (i = 0; i < ts.n; i++)
		free(ts.v[i].v);
	free(ts.v);
}
