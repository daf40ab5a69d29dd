/*
 * correlate.c - pair each symbol and section of the patched object with
 * the same one in the original ("twins").
 *
 * Rules, in order; a pair is only ever one-to-one:
 *  1. Symbols with the same name and type.  Names used more than once on a
 *     side pair in order only when both sides have the same count and types.
 *  2. Locals GCC numbers afresh in every build: static locals (counter.12
 *     vs counter.15) and clones (foo.part.0, foo.isra.1, foo.constprop.0):
 *     the name without its numbers must match, and when several do, the
 *     functions that reference them must match too.
 *  3. Sections: through the functions and objects they hold (so .text.foo
 *     and .text.unlikely.foo pair when foo moved), else by a name unique on
 *     both sides; relocation sections through the section they relocate;
 *     groups through their signature symbol; section symbols through their
 *     section.
 * Whatever is left has no twin: new in the patched object, or gone from it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

struct info_block {
	struct sym_info *syms;
	struct sec_info *secs;
};

void cdo_attach_info(struct kelf *kelf)
{
	struct info_block *b = xcalloc(1, sizeof(*b));
	size_t i;

	b->syms = xcalloc(kelf->nr_symbols, sizeof(*b->syms));
	b->secs = xcalloc(kelf->nr_sections, sizeof(*b->secs));
	for (i = 0; i < kelf->nr_symbols; i++)
		kelf->symbols[i]->priv = &b->syms[i];
	for (i = 0; i < kelf->nr_sections; i++)
		kelf->sections[i]->priv = &b->secs[i];
	kelf->priv = b;
}

static void pair_symbols(struct symbol *o, struct symbol *p)
{
	sym_info(o)->twin = p;
	sym_info(p)->twin = o;
}

static void pair_sections(struct section *o, struct section *p)
{
	sec_info(o)->twin = p;
	sec_info(p)->twin = o;
}

static bool correlatable(const struct symbol *sym)
{
	return sym->name[0] && sym->type != STT_SECTION && !sym_twin(sym);
}

/* Rule 1: same name and type; duplicate names pair in order. */
static void correlate_by_name(struct cdo *cdo)
{
	struct symbol *p;

	for_each_symbol(cdo->patched, p) {
		struct symbol *o, *pp, *oo;
		size_t np = 0, no = 0;
		bool types_match = true;

		if (!correlatable(p) ||
		    kelf_find_symbol_by_name(cdo->patched, p->name) != p)
			continue;	/* handled with the first of its name */
		o = kelf_find_symbol_by_name(cdo->orig, p->name);
		if (!o)
			continue;
		for (pp = p; pp; pp = kelf_next_symbol_same_name(pp))
			np++;
		for (oo = o, pp = p; oo && pp; oo = kelf_next_symbol_same_name(oo),
		     pp = kelf_next_symbol_same_name(pp))
			if (oo->type != pp->type ||
			    (oo->bind == STB_LOCAL) != (pp->bind == STB_LOCAL))
				types_match = false;
		for (oo = o; oo; oo = kelf_next_symbol_same_name(oo))
			no++;
		if (np != no || !types_match)
			continue;
		for (oo = o, pp = p; oo && pp; oo = kelf_next_symbol_same_name(oo),
		     pp = kelf_next_symbol_same_name(pp))
			if (!sym_twin(oo) && !sym_twin(pp))
				pair_symbols(oo, pp);
	}
}

/* "counter.12" -> "counter", "foo.constprop.0.isra.1" -> "foo.constprop.isra". */
static char *strip_numbers(const char *name)
{
	char *out = xstrdup(name), *w = out;
	const char *r = name;

	while (*r) {
		if (*r == '.' && isdigit((unsigned char)r[1])) {
			const char *q = r + 1;

			while (isdigit((unsigned char)*q))
				q++;
			if (*q == '.' || !*q) {
				r = q;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	return out;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

struct name_list {
	const char **names;
	size_t n, alloc;
};

/* Add the functions holding the relocations that reference @sym. */
static void add_users(struct name_list *l, const struct symbol *sym)
{
	struct reloc *rel;

	for_each_ref(sym, rel) {
		struct symbol *f;

		if (!rel->sec->base)
			continue;
		f = kelf_find_symbol_containing(rel->sec->base, rel->offset);
		if (!f || f->type != STT_FUNC)
			continue;
		ALLOC_GROW(l->names, l->n + 1, l->alloc);
		l->names[l->n++] = f->name;
	}
}

/* The sorted, comma-separated names of the functions referencing @sym,
 * directly or through its section symbol (how GCC reaches static locals). */
static char *users_of(const struct symbol *sym)
{
	struct name_list l = { 0 };
	size_t i, len = 1;
	char *out, *w;

	add_users(&l, sym);
	if (sym->sec && sym->sec->secsym && sym->sec->secsym != sym)
		add_users(&l, sym->sec->secsym);
	qsort(l.names, l.n, sizeof(*l.names), cmp_names);
	for (i = 0; i < l.n; i++)
		len += strlen(l.names[i]) + 1;
	out = w = xmalloc(len);
	*w = '\0';
	for (i = 0; i < l.n; i++) {
		if (i && !strcmp(l.names[i], l.names[i - 1]))
			continue;
		w += sprintf(w, "%s%s", w == out ? "" : ",", l.names[i]);
	}
	free(l.names);
	return out;
}

struct numbered {
	struct hnode node;
	struct symbol *sym;
	char *key;
	char *users;
};

static bool is_numbered_local(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL && correlatable(sym) &&
	       (sym->type == STT_OBJECT || sym->type == STT_FUNC) &&
	       strchr(sym->name, '.');
}

static struct numbered *collect(struct kelf *kelf, size_t *count)
{
	struct numbered *list = NULL;
	size_t n = 0, alloc = 0;
	struct symbol *sym;

	for_each_symbol(kelf, sym) {
		if (!is_numbered_local(sym))
			continue;
		ALLOC_GROW(list, n + 1, alloc);
		list[n].sym = sym;
		list[n].key = strip_numbers(sym->name);
		list[n].users = NULL;
		n++;
	}
	*count = n;
	return list;
}

static const char *users(struct numbered *n)
{
	if (!n->users)
		n->users = users_of(n->sym);
	return n->users;
}

static void hash_numbered(struct hashtab *h, struct numbered *list, size_t n)
{
	size_t i;

	hash_init(h, n);
	for (i = 0; i < n; i++)
		hash_add(h, &list[i].node, hash_str(list[i].key));
}

/* Same stripped name and type; with @by_users, also the same users. */
static bool alike(struct numbered *a, struct numbered *b, bool by_users)
{
	if (a->sym->type != b->sym->type || strcmp(a->key, b->key))
		return false;
	return !by_users || !strcmp(users(a), users(b));
}

/* How many entries of @h are alike @x and still without a twin. */
static size_t count_alike(struct hashtab *h, struct numbered *x, bool by_users,
			  struct numbered **last)
{
	struct hnode *n;
	size_t count = 0;

	hash_for_each_match(h, n, hash_str(x->key)) {
		struct numbered *e = container_of(n, struct numbered, node);

		if (!sym_twin(e->sym) && alike(e, x, by_users)) {
			count++;
			*last = e;
		}
	}
	return count;
}

/*
 * Rule 2: renumbered locals.  A pair is made when the stripped name (and
 * type) is unique on both sides; otherwise when the set of functions using
 * the symbol is, e.g. __func__.12 used by foo only.
 */
static void correlate_numbered(struct cdo *cdo)
{
	size_t no, np, i;
	struct numbered *olist = collect(cdo->orig, &no);
	struct numbered *plist = collect(cdo->patched, &np);
	struct hashtab okeys, pkeys;

	hash_numbered(&okeys, olist, no);
	hash_numbered(&pkeys, plist, np);
	for (i = 0; i < np; i++) {
		struct numbered *pn = &plist[i], *om = NULL, *pm = NULL;

		if (sym_twin(pn->sym))
			continue;
		if (count_alike(&okeys, pn, false, &om) == 1 &&
		    count_alike(&pkeys, pn, false, &pm) == 1) {
			pair_symbols(om->sym, pn->sym);
			continue;
		}
		if (count_alike(&okeys, pn, true, &om) == 1 &&
		    count_alike(&pkeys, pn, true, &pm) == 1)
			pair_symbols(om->sym, pn->sym);
	}
	for (i = 0; i < no; i++) {
		free(olist[i].key);
		free(olist[i].users);
	}
	for (i = 0; i < np; i++) {
		free(plist[i].key);
		free(plist[i].users);
	}
	free(olist);
	free(plist);
	hash_free(&okeys);
	hash_free(&pkeys);
}

/* Rule 3: sections. */
static void correlate_sections(struct cdo *cdo)
{
	struct section *ps, *os;
	struct symbol *p;

	/* Through the functions and objects they hold. */
	for_each_symbol(cdo->patched, p) {
		struct symbol *o = sym_twin(p);

		if (!o || !is_object_symbol(p) || !is_object_symbol(o))
			continue;
		if (!sec_twin(p->sec) && !sec_twin(o->sec))
			pair_sections(o->sec, p->sec);
	}
	/* By a name unique on both sides. */
	for_each_section(cdo->patched, ps) {
		if (sec_twin(ps) || is_rela_section(ps) ||
		    ps->sh.sh_type == SHT_GROUP)
			continue;
		os = kelf_find_section_by_name(cdo->orig, ps->name);
		if (!os || sec_twin(os) || is_rela_section(os) ||
		    kelf_find_section_by_name(cdo->patched, ps->name) != ps)
			continue;
		pair_sections(os, ps);
	}
	for_each_section(cdo->patched, ps) {
		/* Relocation sections through what they relocate. */
		if (is_rela_section(ps) && ps->base && sec_twin(ps->base) &&
		    sec_twin(ps->base)->rela && !sec_twin(sec_twin(ps->base)->rela))
			pair_sections(sec_twin(ps->base)->rela, ps);
		/* Section symbols through their section. */
		os = sec_twin(ps);
		if (os && ps->secsym && os->secsym && !sym_twin(ps->secsym))
			pair_symbols(os->secsym, ps->secsym);
	}
	/* Groups through their signature (every group is named .group). */
	for_each_section(cdo->patched, ps) {
		struct symbol *sig;

		if (ps->sh.sh_type != SHT_GROUP || sec_twin(ps))
			continue;
		sig = sym_twin(ps->group_sig);
		if (!sig)
			continue;
		for_each_section(cdo->orig, os)
			if (os->sh.sh_type == SHT_GROUP && os->group_sig == sig &&
			    !sec_twin(os)) {
				pair_sections(os, ps);
				break;
			}
	}
}

void cdo_correlate(struct cdo *cdo)
{
	correlate_by_name(cdo);
	correlate_numbered(cdo);
	correlate_sections(cdo);
}
