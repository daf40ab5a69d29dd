/*
 * code.c - anonymous code compared by what runs from the place reached.
 *
 * Code no symbol names is reached by its offset: the slow paths that
 * Linux 6.12's static_cpu_has() assembles into one .altinstr_aux for the
 * whole file, the replacements of .altinstr_replacement.  The differ may
 * carry only the parts of such a section that the carried functions reach,
 * packed, so the module reaches the same code at another offset than the
 * patched object.  The two places are the same when the code that can run
 * from each is: from both places at once, every instruction control can
 * reach without leaving through a relocation (the next instruction, the
 * targets of the branches the assembler resolved inside the section) is
 * decoded in the patched object and must have, in the module, the same
 * bytes outside relocated fields and relocations at the same places, of
 * the same types, each reaching the same place (compare.c) -- until an
 * instruction control does not pass (arch_insn.stop) or the patched
 * object's section ends.  Nothing here knows how the differ cut the
 * section: each reference is followed on its own.
 *
 * Code this cannot follow (an instruction that does not decode, a branch
 * whose destination the arch cannot compute, an operand the assembler
 * resolved to another place of the section, which the module may not
 * hold) is left to the caller's comparison of the bytes up to the end of
 * the section.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* How deep a relocation of followed code into other anonymous code is
 * followed in turn (a jump from one slow path into another). */
#define MAX_DEPTH 4

const char CM_CANNOT_FOLLOW[] = "code that cannot be followed";

struct walk {
	struct cm *c;
	const struct cm_place *m, *p;
	unsigned int depth;
	unsigned char *seen;		/* a bit per byte of the patched section */
	uint64_t *todo;
	size_t nr_todo, alloc;
	char why[768];
};

static void push(struct walk *w, uint64_t off)
{
	ALLOC_GROW(w->todo, w->nr_todo + 1, w->alloc);
	w->todo[w->nr_todo++] = off;
}

/* @fmt into w->why; the reason returned. */
__attribute__((format(printf, 2, 3)))
static const char *differ(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return w->why;
}

static int by_place(const void *a, const void *b)
{
	const struct reloc *x = *(const struct reloc *const *)a, *y = *(const struct reloc *const *)b;

	if (x->sec->base->index != y->sec->base->index)
		return x->sec->base->index < y->sec->base->index ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * The module's relocations of @base in [@lo, @hi), from every relocation
 * section of @base: a field of the module's code may be relocated by its
 * .rela section or by a .klp.rela one (create-klp-module), which
 * kelf_relocs_in_range() does not see.  *@n of them.
 */
static struct reloc **module_relocs(struct cm *c, struct section *base, uint64_t lo,
				    uint64_t hi, size_t *n)
{
	size_t first, last, alloc = 0;
	struct section *rela;
	struct reloc *r;

	if (!c->mod_relocs) {
		for_each_section(c->mod, rela) {
			if (!is_rela_section(rela) || !rela->base)
				continue;
			for_each_reloc(rela, r) {
				ALLOC_GROW(c->mod_relocs, c->nr_mod_relocs + 1, alloc);
				c->mod_relocs[c->nr_mod_relocs++] = r;
			}
		}
		if (!c->mod_relocs)
			c->mod_relocs = xcalloc(1, sizeof(*c->mod_relocs));
		xqsort(c->mod_relocs, c->nr_mod_relocs, sizeof(*c->mod_relocs), by_place);
	}
	for (first = 0, last = c->nr_mod_relocs; first < last;) {
		size_t mid = first + (last - first) / 2;
		const struct reloc *m = c->mod_relocs[mid];

		if (m->sec->base->index < base->index ||
		    (m->sec->base == base && m->offset < lo))
			first = mid + 1;
		else
			last = mid;
	}
	for (last = first; last < c->nr_mod_relocs && c->mod_relocs[last]->sec->base == base &&
	     c->mod_relocs[last]->offset < hi; last++)
		;
	*n = last - first;
	return c->mod_relocs + first;
}

/* Is the field at @off of @insn at @at of @sec relocated? */
static bool field_relocated(struct section *sec, uint64_t at, int off)
{
	return off >= 0 && kelf_find_reloc_at(sec, at + (uint64_t)off);
}

/*
 * Compare the relocations of the instruction @insn at @pq (patched) and
 * @mq (module).  NULL, a reason, or CM_CANNOT_FOLLOW.
 */
static const char *same_relocs(struct walk *w, const struct arch_insn *insn, uint64_t pq,
			       uint64_t mq)
{
	struct section *ps = w->p->sec, *ms = w->m->sec;
	struct reloc **pr, **mr;
	size_t pn, mn, k;

	/* Pointers into each section's sorted relocations (kelf-lookup.c). */
	pr = kelf_relocs_in_range(ps, pq, pq + insn->len, &pn);
	mr = module_relocs(w->c, ms, mq, mq + insn->len, &mn);
	if (pn != mn)
		return differ(w, "%zu relocations in the instruction at +0x%lx of the code there, %zu in the module's",
			      pn, (unsigned long)(pq - w->p->secoff), mn);
	for (k = 0; k < pn; k++) {
		const struct arch_reloc *ar = arch_reloc(w->c->arch, pr[k]->type);
		uint64_t field = pr[k]->offset - pq;
		struct cm_place mp, pp;
		int64_t bias = 0;
		const char *why;

		if (mr[k]->offset - mq != field || mr[k]->type != pr[k]->type) {
			differ(w, "other relocations in the instruction at +0x%lx of the code there",
			       (unsigned long)(pq - w->p->secoff));
			break;
		}
		if (ar && ar->pcrel && insn->pcrel && insn->disp_off >= 0 &&
		    field == (uint64_t)insn->disp_off)
			bias = (int64_t)(insn->len - field);
		if (cm_module_place(w->c, mr[k], mr[k]->addend + bias, &mp)) {
			differ(w, "its relocation at +0x%lx reaches no symbol of the target",
			       (unsigned long)(pq + field - w->p->secoff));
			break;
		}
		cm_source_place(w->p->src, pr[k], pr[k]->addend + bias, &pp);
		why = cm_same_place_depth(w->c, &mp, &pp, w->depth + 1);
		if (why) {
			char a[600], b[600];

			differ(w, "at +0x%lx of the code there, %s reaches %s, in the patched object %s: %s",
			       (unsigned long)(pq + field - w->p->secoff),
			       arch_reloc_name(w->c->arch, pr[k]->type),
			       cm_describe(a, sizeof(a), &mp, true), cm_describe(b, sizeof(b), &pp, false),
			       why);
			break;
		}
	}
	return k < pn ? w->why : NULL;
}

/* One instruction at @pq: compared, its successors queued.  NULL, a
 * reason, or CM_CANNOT_FOLLOW. */
static const char *step(struct walk *w, uint64_t pq)
{
	struct section *ps = w->p->sec, *ms = w->m->sec;
	int64_t mq = w->m->secoff + (int64_t)(pq - (uint64_t)w->p->secoff), dest;
	struct arch_insn insn;
	const char *why;
	unsigned int i;

	if (arch_decode(w->c->arch, ps->data + pq, ps->size - pq, &insn) || !insn.len ||
	    insn.len > ps->size - pq)
		return CM_CANNOT_FOLLOW;
	if (mq < 0 || (uint64_t)mq > ms->size || insn.len > ms->size - (uint64_t)mq)
		return differ(w, "the module's section ends inside the instruction at +0x%lx of the code there",
			      (unsigned long)(pq - w->p->secoff));
	for (i = 0; i < insn.len; i++)
		if (ps->data[pq + i] != ms->data[mq + i] && !cm_relocated(w->c, ps, pq + i) &&
		    !cm_relocated(w->c, ms, (uint64_t)mq + i))
			return differ(w, "other bytes in the instruction at +0x%lx of the code there",
				      (unsigned long)(pq - w->p->secoff));
	why = same_relocs(w, &insn, pq, (uint64_t)mq);
	if (why)
		return why;
	if (insn.disp_off >= 0 && !field_relocated(ps, pq, insn.disp_off)) {
		/*
		 * A field the assembler resolved: a branch inside the section
		 * is followed; a pc-relative operand reaches bytes that may
		 * not be control's to reach (and the module may not hold).
		 */
		if (!insn.branch)
			return insn.pcrel ? CM_CANNOT_FOLLOW : NULL;
		if (!arch_insn_dest(ps->data + pq, &insn, &dest) ||
		    (int64_t)pq + dest < 0 || (uint64_t)((int64_t)pq + dest) > ps->size)
			return CM_CANNOT_FOLLOW;
		push(w, (uint64_t)((int64_t)pq + dest));
	}
	if (!insn.stop)
		push(w, pq + insn.len);
	return NULL;
}

const char *cm_same_code(struct cm *c, const struct cm_place *m, const struct cm_place *p,
			 unsigned int depth)
{
	static char why[sizeof(((struct walk *)0)->why)];
	struct section *ps = p->sec;
	struct walk w = { c, m, p, depth, NULL, NULL, 0, 0, "" };
	const char *r = NULL;

	if (!c->arch->decode || depth >= MAX_DEPTH || !ps->data || !m->sec->data ||
	    !(ps->sh.sh_flags & SHF_EXECINSTR) || !(m->sec->sh.sh_flags & SHF_EXECINSTR) ||
	    !p->src || p->secoff < 0 || (uint64_t)p->secoff >= ps->size)
		return CM_CANNOT_FOLLOW;
	w.seen = xcalloc(ps->size / 8 + 1, 1);
	push(&w, (uint64_t)p->secoff);
	while (w.nr_todo && !r) {
		uint64_t pq = w.todo[--w.nr_todo];

		if (pq >= ps->size || (w.seen[pq / 8] & (1u << (pq % 8))))
			continue;	/* the patched section ends: so does its code */
		w.seen[pq / 8] |= 1u << (pq % 8);
		r = step(&w, pq);
	}
	free(w.seen);
	free(w.todo);
	if (r && r != CM_CANNOT_FOLLOW) {
		memcpy(why, w.why, sizeof(why));
		r = why;
	}
	return r;
}
