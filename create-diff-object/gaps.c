/*
 * gaps.c - the bytes of a section that no sized function or object covers
 * (asm data or code without .size, labels of size 0, alignment fill),
 * for the final accounting (account.c).
 *
 * The covers (sized functions and objects) and the labels (symbols of
 * size 0) of a section cut the rest of it into pieces: from a cover's end
 * or a label to the next cover's start or label.  Each piece has a twin in
 * the twin section, between the twins of the symbols around it, and must
 * have its twin's length and bytes: a label whose place moved (tbl_end
 * after a table that shrank) or bytes that changed under a label are a
 * change nothing carries.  Only alignment fill between covers may differ,
 * and only when the twin's range is fill too: zeros where the original has
 * data are data.  NOBITS sections have no bytes, only lengths; in strings
 * sections (SHF_STRINGS) a label names the string starting there, compared
 * by its text, since the linker merges the rest and the relocations that
 * reach it compare it (compare.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

/* A sized function or object (hi > lo), or a label (hi == lo). */
struct point {
	size_t sec;		/* section index */
	uint64_t lo, hi;
	struct symbol *sym;
};

static int cmp_point(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Does @s name a place of its section (not the section, a file, .LC3)? */
static bool names_place(const struct symbol *s)
{
	return s->sec && s->type != STT_SECTION && s->type != STT_FILE &&
	       !cdo_is_local_label(s) && !cdo_is_mapping_symbol(s);
}

/* The covers and labels of @kelf, sorted by section and place; a function
 * covers its tail too (tail.c: compared and carried with it). */
static struct point *points_of(struct kelf *kelf, size_t *np)
{
	struct point *pt = NULL;
	size_t n = 0, alloc = 0;
	struct symbol *s;

	for_each_symbol(kelf, s) {
		if (!names_place(s))
			continue;
		ALLOC_GROW(pt, n + 1, alloc);
		pt[n++] = (struct point){ s->sec->index, s->offset,
					  s->offset + (is_object_symbol(s) ? cdo_extent(s) : 0), s };
	}
	if (n)
		qsort(pt, n, sizeof(*pt), cmp_point);
	*np = n;
	return pt;
}

/* The first point of section @sec in @pt[@n] after offset @off, or NULL. */
static const struct point *point_after(const struct point *pt, size_t n, size_t sec,
				       uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pt[mid].sec < sec || (pt[mid].sec == sec && pt[mid].lo <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pt[lo].sec == sec ? &pt[lo] : NULL;
}

/*
 * Is [@lo, @hi) of @sec fill: without relocations, zeros (data, NOBITS),
 * or zeros and nops (code, decoded), and either shorter than the section's
 * alignment or, in code, right before the function @next starts (the NOPs
 * -fpatchable-function-entry=N,N writes in front of each function for
 * CONFIG_CALL_PADDING, which objtool names __pfx_ only in some builds)?
 */
static bool is_fill(const struct cdo *cdo, struct section *sec, uint64_t lo, uint64_t hi,
		    const struct symbol *next)
{
	bool code = sec->sh.sh_flags & SHF_EXECINSTR;
	struct arch_insn insn;
	uint64_t q;

	if (lo == hi)
		return true;
	if ((hi - lo >= (sec->sh.sh_addralign ? sec->sh.sh_addralign : 1) &&
	     !(code && next && next->type == STT_FUNC && next->offset == hi)) ||
	    cdo_is_relocated(cdo, sec, lo, hi - lo))
		return false;
	for (q = lo; sec->data && q < hi; ) {
		if (!sec->data[q]) {
			q++;
			continue;
		}
		if (!code || arch_decode(cdo->arch, sec->data + q, hi - q, &insn) || !insn.nop)
			return false;
		q += insn.len;
	}
	return true;
}

/* One side of a piece: [lo, hi) of sec, from the symbol from (NULL: the
 * section's start) to next (NULL: its end); each a label or a cover. */
struct piece_side {
	struct section *sec;
	uint64_t lo, hi;
	const struct symbol *from, *next;
};

static bool is_label(const struct symbol *s)
{
	return s && !(is_object_symbol(s) && s->size);
}

/* Where the twin of a piece starts (after @from's twin) in @o, or -1. */
static int64_t twin_start(const struct section *o, const struct symbol *from)
{
	const struct symbol *t = from ? sym_twin((struct symbol *)from) : NULL;

	if (!from)
		return 0;
	if (!t || t->sec != o)
		return -1;
	return (int64_t)(t->offset + (is_label(from) ? 0 : t->size));
}

/*
 * Is @p the same as its twin @o: the same length and bytes, or, the longer
 * one's excess fill where the piece ends at a cover or the section's end;
 * or, between covers, fill on both sides.
 */
static bool same_piece(struct cdo *cdo, const struct piece_side *o, const struct piece_side *p)
{
	uint64_t olen = o->hi - o->lo, plen = p->hi - p->lo;
	uint64_t m = olen < plen ? olen : plen;

	if (!is_label(p->from) && !is_label(p->next) &&
	    is_fill(cdo, p->sec, p->lo, p->hi, p->next) &&
	    is_fill(cdo, o->sec, o->lo, o->hi, o->next))
		return true;
	if (olen != plen && is_label(p->next))
		return false;
	return cdo_same_range(cdo, o->sec, o->lo, p->sec, p->lo, m) &&
	       is_fill(cdo, o->sec, o->lo + m, o->hi, o->next) &&
	       is_fill(cdo, p->sec, p->lo + m, p->hi, p->next);
}

/* Account piece @p of the patched object; @opt[@on]: the original's points. */
static int account_piece(struct cdo *cdo, const struct piece_side *p,
			 const struct point *opt, size_t on)
{
	struct section *o = sec_twin(p->sec);
	struct piece_side os = { o, 0, 0, NULL, NULL };
	const struct symbol *t = p->next ? sym_twin((struct symbol *)p->next) : NULL;
	const struct point *after;
	const char *what = "new";
	char len[48] = "";
	int64_t start;

	if (o && o->sh.sh_type == p->sec->sh.sh_type && (o->data || !p->sec->data)) {
		start = twin_start(o, p->from);
		if (start >= 0) {
			os.lo = (uint64_t)start;
			os.from = p->from ? sym_twin((struct symbol *)p->from) : NULL;
			/* To the twin of the next one, but not past what
			 * comes first in the original (another cover). */
			after = point_after(opt, on, o->index, os.lo);
			if (!p->next) {
				os.hi = o->size;
			} else if (t && t->sec == o && t->offset >= os.lo) {
				os.hi = t->offset;
				os.next = t;
			} else {
				os.hi = after ? after->lo : o->size;	/* it is new */
			}
			if (after && after->lo < os.hi) {
				os.hi = after->lo;
				os.next = after->sym;
			} else if (after && after->lo == os.hi && !os.next) {
				os.next = after->sym;
			}
			if (os.hi >= os.lo && os.hi <= o->size) {
				if (same_piece(cdo, &os, p))
					return 0;
				what = "changed";
				if (os.hi - os.lo != p->hi - p->lo)
					snprintf(len, sizeof(len), " (%#lx in the original)",
						 (unsigned long)(os.hi - os.lo));
			} else {
				what = "moved";
			}
		} else if (p->lo == p->hi || (!is_label(p->from) &&
					      is_fill(cdo, p->sec, p->lo, p->hi, p->next))) {
			return 0;	/* after something new: its fill */
		}
	} else if (is_fill(cdo, p->sec, p->lo, p->hi, p->next)) {
		return 0;		/* a new section's fill */
	}
	return error("%s: %s+%#lx..%#lx: %s bytes%s that no sized function or object covers (asm data or code without .size, a symbol of size 0%s%s): kpatch-ng cannot tell what they belong to, and the livepatch would leave the change out; give them a symbol with a .size, or keep them as they are",
		     cdo->patched->path, p->sec->name, (unsigned long)p->lo, (unsigned long)p->hi,
		     what, len, p->from ? "; after " : "", p->from ? p->from->name : "");
}

/* The string at @off of @sec, or NULL when it is not terminated there. */
static const char *string_at(const struct section *sec, uint64_t off)
{
	if (!sec->data || off >= sec->size ||
	    !memchr((const char *)sec->data + off, 0, sec->size - off))
		return NULL;
	return (const char *)sec->data + off;
}

/* A label of a strings section: the same text at its twin. */
static int account_string(struct cdo *cdo, const struct symbol *p)
{
	const struct symbol *o = sym_twin((struct symbol *)p);
	const char *ps = string_at(p->sec, p->offset);
	const char *os = o && o->sec && o->sec == sec_twin(p->sec) ? string_at(o->sec, o->offset) : NULL;

	if (ps && os && !strcmp(ps, os))
		return 0;
	return error("%s: %s: %s string in %s that the symbol names: the running kernel keeps the original text, and the livepatch would leave the change out; use a string literal in the changed code, or keep the text as it is",
		     cdo->patched->path, p->name, o ? "changed" : "new", p->sec->name);
}

/*
 * Is @sec, whose points are @pt[@i, @end), its twin over again: the same
 * type, length, bytes and relocations, and every symbol that has a twin
 * at the twin's offset?  Then no byte of it changed, whatever symbols
 * without a twin name in it: the labels the compiler numbers by
 * __COUNTER__ and __LINE__ (an initcall's __initcall__kmod_*), which a
 * carried reference cannot reach in the running kernel anyway (no such
 * name there: the lookup refuses it).
 */
static bool same_section(struct cdo *cdo, struct section *sec, const struct point *pt,
			 size_t i, size_t end)
{
	struct section *o = sec_twin(sec);
	const struct symbol *t;

	if (!o || o->sh.sh_type != sec->sh.sh_type || o->size != sec->size ||
	    (sec->sh.sh_type != SHT_NOBITS &&
	     (!o->data || !sec->data || !cdo_same_range(cdo, o, 0, sec, 0, sec->size))))
		return false;
	for (; i < end; i++) {
		t = pt[i].sym ? sym_twin(pt[i].sym) : NULL;
		if (t && (t->sec != o || t->offset != pt[i].sym->offset))
			return false;
	}
	return true;
}

/* The pieces of @sec whose points are @pt[@i, @end). */
static int account_section(struct cdo *cdo, struct section *sec, const struct point *pt,
			   size_t i, size_t end, const struct point *opt, size_t on)
{
	struct piece_side p = { sec, 0, 0, NULL, NULL };
	int ret = 0;

	if (same_section(cdo, sec, pt, i, end))
		return 0;
	if (sec->sh.sh_flags & SHF_STRINGS) {
		for (; i < end; i++)
			if (is_label(pt[i].sym) && account_string(cdo, pt[i].sym))
				ret = -1;
		return ret;
	}
	for (; i < end; i++) {
		const struct point *q = &pt[i];

		if (q->lo < p.lo) {	/* inside a cover: a longer one extends it */
			if (q->hi > p.lo) {
				p.lo = q->hi;
				p.from = q->sym;
			}
			continue;
		}
		p.hi = q->lo;
		p.next = q->sym;
		if ((p.hi > p.lo || is_label(p.from) || is_label(p.next)) &&
		    account_piece(cdo, &p, opt, on))
			ret = -1;
		p.lo = q->hi;
		p.from = q->sym;
	}
	p.hi = sec->size;
	p.next = NULL;
	if ((p.hi > p.lo || is_label(p.from)) && account_piece(cdo, &p, opt, on))
		ret = -1;
	return ret;
}

int cdo_account_gaps(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	size_t n, on, i = 0, end;
	struct point *pt = points_of(kelf, &n), *opt = points_of(cdo->orig, &on);
	struct section *sec;
	int ret = 0;

	for_each_section(kelf, sec) {
		while (i < n && pt[i].sec < sec->index)
			i++;
		for (end = i; end < n && pt[end].sec == sec->index; end++)
			;
		if (end == i || !(sec->sh.sh_flags & SHF_ALLOC) || cdo_is_bookkeeping(sec) ||
		    (!sec->data && sec->sh.sh_type != SHT_NOBITS) ||
		    cdo_is_ignored_section(sec) || cdo_is_special_section(cdo, sec))
			continue;
		if (account_section(cdo, sec, pt, i, end, opt, on))
			ret = -1;
		i = end;
	}
	free(pt);
	free(opt);
	return ret;
}
