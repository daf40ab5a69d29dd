/*
 * correlate.c - pair each symbol and section of the patched object with
 * the same one in the original ("twins").
 *
 * Rules, in order; a pair is only ever one-to-one:
 *  1. Symbols with the same name and type.  Names used more than once on a
 *     side pair in order only when both sides have the same count and types.
 *     Not the locals of rule 2, whose numbers say nothing across builds.
 *  2. Locals GCC numbers afresh in every build: static locals (counter.12
 *     vs counter.15) and clones (foo.part.0, foo.isra.1, foo.constprop.0):
 *     the name without its numbers must match, and when several do, the
 *     functions that reference them must match too.  GCC 12 numbers static
 *     locals from the end of the file: a new "static int calls" in the last
 *     function turns counted()'s calls.0 into calls.1 and tallied()'s
 *     calls.1 into calls.2, so pairing by name first would swap them.
 *     As many alike with the same users on both sides (two "static int x"
 *     in blocks of one function) pair in the order of their numbers; what
 *     is still left pairs by exact name as in rule 1.
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

/*
 * Locals whose names carry a number GCC gives out per build: static locals
 * (calls.0), clones (foo.isra.0) and their parts (foo.cold).
 */
static bool is_numbered(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL &&
	       (sym->type == STT_OBJECT || sym->type == STT_FUNC) &&
	       strchr(sym->name, '.');
}

/*
 * Rule 1: same name and type; duplicate names pair in order.  With
 * @numbered, only the numbered locals rule 2 left; else all but those.
 */
static void correlate_by_name(struct cdo *cdo, bool numbered)
{
	struct symbol *p;

	for_each_symbol(cdo->patched, p) {
		struct symbol *o, *pp, *oo;
		size_t np = 0, no = 0;
		bool types_match = true;

		if (!p->name[0] || p->type == STT_SECTION ||
		    is_numbered(p) != numbered ||
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

/*
 * Add the functions holding the relocations that reference @sym: directly,
 * or through its section symbol (how gas writes references to locals) at
 * an offset inside @sym, so static locals sharing one section are told
 * apart.  A user's own numbers are dropped: foo.constprop.0 and
 * foo.constprop.1 are both "foo.constprop".
 */
static void add_users(const struct cdo *cdo, struct name_list *l,
		      const struct symbol *sym, const struct symbol *via)
{
	struct reloc *rel;

	for_each_ref(via, rel) {
		struct symbol *f;

		if (!rel->sec->base)
			continue;
		if (via != sym && cdo_reloc_target(cdo, rel, NULL) != sym)
			continue;
		f = kelf_find_symbol_containing(rel->sec->base, rel->offset);
		if (!f || f->type != STT_FUNC)
			continue;
		ALLOC_GROW(l->names, l->n + 1, l->alloc);
		l->names[l->n++] = strip_numbers(f->name);
	}
}

/* The sorted, comma-separated names of the functions referencing @sym. */
static char *users_of(const struct cdo *cdo, const struct symbol *sym)
{
	struct name_list l = { 0 };
	size_t i, len = 1;
	char *out, *w;

	add_users(cdo, &l, sym, sym);
	if (sym->sec && sym->sec->secsym && sym->sec->secsym != sym)
		add_users(cdo, &l, sym, sym->sec->secsym);
	qsort(l.names, l.n, sizeof(*l.names), cmp_names);
	for (i = 0; i < l.n; i++)
		len += strlen(l.names[i]) + 1;
	out = w = xmalloc(len);
	*w = '\0';
	for (i = 0; i < l.n; i++) {
		if (!i || strcmp(l.names[i], l.names[i - 1]))
			w += sprintf(w, "%s%s", w == out ? "" : ",", l.names[i]);
	}
	for (i = 0; i < l.n; i++)
		free((char *)l.names[i]);
	free(l.names);
	return out;
}

struct numbered {
	struct hnode node;
	const struct cdo *cdo;
	struct symbol *sym;
	char *key;
	char *users;
};

static bool is_numbered_local(const struct symbol *sym)
{
	return is_numbered(sym) && correlatable(sym);
}

static struct numbered *collect(const struct cdo *cdo, struct kelf *kelf,
				size_t *count)
{
	struct numbered *list = NULL;
	size_t n = 0, alloc = 0;
	struct symbol *sym;

	for_each_symbol(kelf, sym) {
		if (!is_numbered_local(sym))
			continue;
		ALLOC_GROW(list, n + 1, alloc);
		list[n].cdo = cdo;
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
		n->users = users_of(n->cdo, n->sym);
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

/*
 * The entries of @h alike @x and still without a twin, into @out (grown as
 * needed); returns how many.
 */
static size_t gather_alike(struct hashtab *h, struct numbered *x, bool by_users,
			   struct numbered ***out, size_t *alloc)
{
	struct hnode *n;
	size_t count = 0;

	hash_for_each_match(h, n, hash_str(x->key)) {
		struct numbered *e = container_of(n, struct numbered, node);

		if (!sym_twin(e->sym) && alike(e, x, by_users)) {
			ALLOC_GROW(*out, count + 1, *alloc);
			(*out)[count++] = e;
		}
	}
	return count;
}

/* Names in the order of their numbers: calls.9 before calls.10. */
static int cmp_numbered(const void *a, const void *b)
{
	const struct numbered *x = *(struct numbered * const *)a;
	const struct numbered *y = *(struct numbered * const *)b;

	return strverscmp(x->sym->name, y->sym->name);
}

struct matcher {
	struct hashtab okeys, pkeys;
	struct numbered **o, **p;
	size_t oalloc, palloc;
};

/*
 * Pair @pn by one of rule 2's tests; returns true when it did.  @ordered
 * allows the last one: as many alike on both sides (two "static int x" of
 * one function), paired in the order of their numbers, which GCC hands out
 * in source order within a build.
 */
static bool match_numbered(struct matcher *m, struct numbered *pn, bool ordered)
{
	size_t no, np, i;

	no = gather_alike(&m->okeys, pn, false, &m->o, &m->oalloc);
	np = gather_alike(&m->pkeys, pn, false, &m->p, &m->palloc);
	if (no == 1 && np == 1) {
		pair_symbols(m->o[0]->sym, pn->sym);
		return true;
	}
	no = gather_alike(&m->okeys, pn, true, &m->o, &m->oalloc);
	np = gather_alike(&m->pkeys, pn, true, &m->p, &m->palloc);
	if (no == 1 && np == 1) {
		pair_symbols(m->o[0]->sym, pn->sym);
		return true;
	}
	if (!ordered || no != np || !no)
		return false;
	qsort(m->o, no, sizeof(*m->o), cmp_numbered);
	qsort(m->p, np, sizeof(*m->p), cmp_numbered);
	for (i = 0; i < no; i++)
		pair_symbols(m->o[i]->sym, m->p[i]->sym);
	return true;
}

/*
 * Rule 2: renumbered locals.  A pair is made when the stripped name (and
 * type) is unique on both sides; otherwise when the set of functions using
 * the symbol is, e.g. __func__.12 used by foo only.  Each pair made can
 * make another unique, so the unique tests run until nothing changes, and
 * only then the ordered one.
 */
static void correlate_numbered(struct cdo *cdo)
{
	size_t no, np, i;
	struct numbered *olist = collect(cdo, cdo->orig, &no);
	struct numbered *plist = collect(cdo, cdo->patched, &np);
	struct matcher m = { 0 };
	bool again = true, ordered = false;

	hash_numbered(&m.okeys, olist, no);
	hash_numbered(&m.pkeys, plist, np);
	while (again || !ordered) {
		if (!again)
			ordered = true;
		again = false;
		for (i = 0; i < np; i++)
			if (!sym_twin(plist[i].sym) &&
			    match_numbered(&m, &plist[i], ordered))
				again = true;
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
	free(m.o);
	free(m.p);
	hash_free(&m.okeys);
	hash_free(&m.pkeys);
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
	correlate_by_name(cdo, false);
	correlate_numbered(cdo);
	correlate_by_name(cdo, true);
	correlate_sections(cdo);
}
