/*
 * compare.c - special-section entries that changed under code that did not.
 *
 * A function is compared by its own bytes and relocations, but the kernel
 * also acts on what its table entries say: which handler an exception
 * table entry runs, which feature and replacement an alternative has,
 * which key a jump label tests, whether a warning fires once.  A patch can
 * change those and leave the function's bytes alone: a header's macro
 * switches an alternative's replacement (lfence for mfence), a uaccess
 * gets another fixup type, WARN_ON() becomes WARN_ON_ONCE().  The
 * livepatch carries changed functions only, with their entries, so the
 * running kernel would keep the old entry and the change would be lost
 * without a word.  Such a function is refused (kpatch-build does the same:
 * "changed section not selected for inclusion"), naming the table, the
 * function and the rule.
 *
 * Only the tables whose entries matter for behaviour are compared (the
 * arch table's ->behaviour); within an entry, bytes that do not (a bug
 * entry's line) are left out, and an alternative's replacement code is
 * compared by content, wherever it lies.  An entry belongs to the function
 * its first relocation into a function reaches; the entries of a function
 * pair in table order.
 */
#include <stdlib.h>
#include <string.h>

#include "special.h"
#include "../create-diff-object/cdo.h"
#include "../util/util.h"

struct entry {
	struct symbol *owner;
	int64_t off;		/* where the entry points in it */
	size_t index;
};

struct table {
	const struct special_section *ss;
	struct section *sec;	/* NULL: no such section, no entries */
	const struct special_layout *l;	/* @sec's */
	struct entry *e;	/* sorted by owner, then index */
	size_t n;
};

static int by_owner(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->owner->index != y->owner->index)
		return x->owner->index < y->owner->index ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Fill @t with the entries of @t->sec that belong to a function. */
static void read_table(struct cdo *cdo, struct table *t)
{
	size_t n = t->sec ? t->sec->size / t->l->size : 0, i, j, nrels;

	t->e = xcalloc(n ? n : 1, sizeof(*t->e));
	for (i = 0; i < n; i++) {
		struct reloc **rels = kelf_relocs_in_range(t->sec, i * t->l->size,
							   (i + 1) * t->l->size, &nrels);

		for (j = 0; j < nrels; j++) {
			int64_t off = 0;
			struct symbol *f = cdo->special->reloc_target(cdo, rels[j], &off);

			if (f && f->type == STT_FUNC && f->sec) {
				t->e[t->n].owner = f;
				t->e[t->n].off = off;
				t->e[t->n].index = i;
				t->n++;
				break;
			}
		}
	}
	xqsort(t->e, t->n, sizeof(*t->e), by_owner);
}

/* The first entry of @f in @t (sorted), or @t->n. */
static size_t first_of(const struct table *t, const struct symbol *f)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->e[mid].owner->index < f->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t count_of(const struct table *t, size_t first, const struct symbol *f)
{
	size_t i = first;

	while (i < t->n && t->e[i].owner == f)
		i++;
	return i - first;
}

/* Is @p a function the livepatch leaves as it is, by the differ's choice? */
static bool is_left_alone(const struct cdo *cdo, const struct symbol *p)
{
	const struct sym_info *pi = sym_info(p);

	return p->type == STT_FUNC && p->sec && pi->twin && pi->status == SAME &&
	       !pi->ignored && !(pi->parent && sym_info(pi->parent)->ignored) &&
	       !cdo->special->is_ignored_section(p->sec);
}

/* Where relocation @rel points in its symbol's section. */
static bool place_of(const struct reloc *rel, struct section **sec, uint64_t *at)
{
	int64_t where;

	if (!rel->sym || !rel->sym->sec || !rel->sym->sec->data)
		return false;
	where = (rel->sym->type == STT_SECTION ? 0 : (int64_t)rel->sym->offset) +
		rel->addend;
	if (where < 0)
		return false;
	*sec = rel->sym->sec;
	*at = where;
	return true;
}

/* Is the replacement code @orel and @prel point at the same, @len bytes? */
static bool same_replacement(struct cdo *cdo, const struct reloc *orel,
			     const struct reloc *prel, unsigned int len)
{
	struct section *os, *ps;
	uint64_t oat, pat;

	/* A symbol (arm64: a callback, or the function's own tail): the same
	 * one, at the same offset. */
	if ((cdo->special->reloc_target(cdo, orel, NULL) || cdo->special->reloc_target(cdo, prel, NULL)) &&
	    !cdo->special->same_target(cdo, orel, prel))
		return false;
	if (!place_of(orel, &os, &oat) || !place_of(prel, &ps, &pat))
		return cdo->special->same_target(cdo, orel, prel);
	if (sec_twin(ps) != os || oat + len > os->size || pat + len > ps->size)
		return false;
	return cdo->special->same_range(cdo, os, oat, ps, pat, len);
}

/* Width of relocation @rel's field, at least 1. */
static unsigned int width(const struct cdo *cdo, const struct reloc *rel)
{
	const struct arch_reloc *ar = arch_reloc(cdo->arch, rel->type);

	return ar && ar->width ? ar->width : 1;
}

/* Blank in @buf (the entry at @base) the fields relocated by @rels. */
static void blank_relocated(const struct cdo *cdo, unsigned char *buf, size_t size,
			    uint64_t base, struct reloc **rels, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t from = rels[i]->offset - base, to = from + width(cdo, rels[i]);

		if (from < size)
			memset(buf + from, 0, (to > size ? size : to) - from);
	}
}

/*
 * Compare entry @oi of @o with entry @pi of @p (of the same layout); NULL
 * when they are the same, else what differs.
 */
static const char *compare_entry(struct cdo *cdo, const struct table *o, size_t oi,
				 const struct table *p, size_t pi)
{
	const struct special_section *ss = p->ss;
	const struct special_layout *l = p->l;
	unsigned int size = l->size;
	uint64_t obase = oi * size, pbase = pi * size;
	unsigned char obuf[64], pbuf[64];
	struct reloc **orels, **prels;
	size_t no, np, i;

	if (size > sizeof(obuf) || o->l != l)
		BUG();
	orels = kelf_relocs_in_range(o->sec, obase, obase + size, &no);
	prels = kelf_relocs_in_range(p->sec, pbase, pbase + size, &np);

	memcpy(obuf, o->sec->data + obase, size);
	memcpy(pbuf, p->sec->data + pbase, size);
	blank_relocated(cdo, obuf, size, obase, orels, no);
	blank_relocated(cdo, pbuf, size, pbase, prels, np);
	if (l->noise_size) {
		memset(obuf + l->noise_offset, 0, l->noise_size);
		memset(pbuf + l->noise_offset, 0, l->noise_size);
	}
	if (memcmp(obuf, pbuf, size))
		return "its contents changed";
	if (no != np)
		return "what it points at changed";
	for (i = 0; i < np; i++) {
		uint64_t at = prels[i]->offset - pbase;
		bool same;

		if (orels[i]->offset - obase != at || orels[i]->type != prels[i]->type)
			same = false;
		else if (ss->has_repl && at == ss->repl_offset)
			same = same_replacement(cdo, orels[i], prels[i],
						p->sec->data[pbase + ss->repl_len_offset]);
		else
			same = cdo->special->same_target(cdo, orels[i], prels[i]);
		if (!same)
			return ss->has_repl && at == ss->repl_offset ?
			       "its replacement code changed" :
			       "what it points at changed";
	}
	return NULL;
}

static int refuse(struct cdo *cdo, const struct table *t, const struct entry *e,
		  const char *what)
{
	const char *fn = e->owner->name;

	return error("%s: %s: %s entry at %s+%#lx: %s, but the function's code did not change: the livepatch carries changed functions only, with their entries, so the running kernel would keep the old entry; change %s itself in the patch so that it is carried with the new entry, or mark it KPATCH_IGNORE_FUNCTION(%s) to keep the old one",
		     cdo->patched->path, fn, t->ss->name, fn, (unsigned long)e->off,
		     what, fn, fn);
}

/* Compare the entries of @p (patched, @pn of them from @pf) with those of
 * its twin in @o. */
static int compare_function(struct cdo *cdo, const struct table *o,
			    const struct table *p, struct symbol *f, size_t pf, size_t pn)
{
	struct symbol *twin = sym_info(f)->twin;
	size_t of = first_of(o, twin), on = count_of(o, of, twin), i;
	const char *what;

	for (i = 0; i < on && i < pn; i++) {
		what = compare_entry(cdo, o, o->e[of + i].index, p, p->e[pf + i].index);
		if (what)
			return refuse(cdo, p, &p->e[pf + i], what);
	}
	if (pn > on)
		return refuse(cdo, p, &p->e[pf + i], "added");
	if (on > pn) {
		struct entry e = o->e[of + i];

		e.owner = f;	/* name the patched function */
		return refuse(cdo, p, &e, "removed");
	}
	return 0;
}

static int compare_table(struct cdo *cdo, const struct special_section *ss,
			 struct section *osec, struct section *psec)
{
	struct table o = { .ss = ss, .sec = osec }, p = { .ss = ss, .sec = psec };
	size_t i, n;
	int ret = 0;

	o.l = osec ? special_layout(cdo, cdo->orig, osec, ss) : NULL;
	p.l = psec ? special_layout(cdo, cdo->patched, psec, ss) : NULL;
	if ((osec && !o.l) || (psec && !p.l))
		return -1;
	/* Both objects come from one configuration. */
	if (o.l && p.l && o.l != p.l)
		return error("%s: %s: its entries are %u bytes, and %u in %s: the two objects were not built with one configuration",
			     cdo->patched->path, psec->name, p.l->size, o.l->size,
			     cdo->orig->path);
	read_table(cdo, &o);
	read_table(cdo, &p);
	for (i = 0; i < p.n; i += n) {
		struct symbol *f = p.e[i].owner;

		n = count_of(&p, i, f);
		if (is_left_alone(cdo, f) && compare_function(cdo, &o, &p, f, i, n))
			ret = -1;
	}
	/* Functions whose every entry went away. */
	for (i = 0; i < o.n; i += n) {
		struct symbol *f = sym_twin(o.e[i].owner);

		n = count_of(&o, i, o.e[i].owner);
		if (f && is_left_alone(cdo, f) && !count_of(&p, first_of(&p, f), f) &&
		    compare_function(cdo, &o, &p, f, p.n, 0))
			ret = -1;
	}
	free(o.e);
	free(p.e);
	return ret;
}

/* @sec, when it has entries to compare (its layout is known or refused
 * by compare_table()). */
static struct section *usable(const struct cdo *cdo, struct section *sec)
{
	if (!sec || !sec->data || cdo->special->is_ignored_section(sec))
		return NULL;
	return sec;
}

int special_refuse_changed_entries(struct cdo *cdo)
{
	const struct special_section *ss;
	int ret = 0;

	for (ss = cdo->arch->special; ss && ss->name; ss++) {
		struct section *osec, *psec;

		if (!ss->behaviour || ss->name_is_prefix)
			continue;
		osec = kelf_find_section_by_name(cdo->orig, ss->name);
		psec = kelf_find_section_by_name(cdo->patched, ss->name);
		/* An ignored table (KPATCH_IGNORE_SECTION) is not compared. */
		if ((psec && cdo->special->is_ignored_section(psec)) ||
		    (osec && cdo->special->is_ignored_section(osec)))
			continue;
		osec = usable(cdo, osec);
		psec = usable(cdo, psec);
		if ((osec || psec) && compare_table(cdo, ss, osec, psec))
			ret = -1;
	}
	return ret;
}
