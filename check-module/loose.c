/*
 * loose.c - relocations of code whose place need not lie in the object it
 * was computed from.
 *
 * "b[i + 5]" compiles to "movl .bss.b+0x14(,%rdi,4), %eax": the index
 * register brings the address back into b, and the place lies past b, in
 * whatever follows it.  A loop over t[i].field ends at the immediate
 * &t[N].field, past t, in a gap or in the next variable; arm64 forms a
 * variable's address with adrp/add and adds indexes later.  Such a place
 * (in code, on a field its instruction adds a register to, or neither
 * reads, writes nor branches there) says nothing of the object it was
 * computed from, so naming it by the symbol holding it, as for any other
 * relocation, can be wrong both ways.  What is checked instead, from the
 * patched object and the target alone:
 *  - through a named symbol: the module reaches that symbol (its own copy
 *    or the running kernel's) at the same offset, wherever that lies;
 *  - through a label of a section: the module's relocation names one
 *    object O of the patched section (its own copy of O, or the running
 *    kernel's O), with the place as far from O as in the patched object;
 *    and when the section holds other objects, any of which may be the
 *    one meant, O is the running kernel's, and so is each of the others,
 *    not carried, as far from O in the target as in the patched object
 *    (a template object, linked as it is, keeps its layout).
 * Places in code (a function's own labels, _THIS_IP_) are exact.
 */
#include <stdio.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* Is @pr, in function @psym, on a displacement its instruction indexes? */
static bool indexed_field(const struct cm *c, struct symbol *psym, const struct reloc *pr)
{
	struct section *sec = psym->sec;
	struct arch_insn insn;
	uint64_t start, at = pr->offset - psym->offset;

	return !arch_insn_at(c->arch, sec->data + psym->offset, psym->size, at, &start, &insn) &&
	       insn.indexed && insn.disp_off >= 0 && at - start == (uint64_t)insn.disp_off;
}

/* The places a loose reference may mean: functions and objects (of size 0 too),
 * named asm labels ("tbl:"). */
static bool is_candidate(const struct symbol *s)
{
	/* of size 0 too: lockdep's "static struct lock_class_key __key"
	 * without CONFIG_LOCKDEP */
	if (s->type == STT_FUNC || s->type == STT_OBJECT)
		return true;
	return s->type == STT_NOTYPE && !cm_is_label(s) &&
	       strncmp(s->name, "__pfx_", 6) && strncmp(s->name, "__cfi_", 6);
}

/* The candidate of @sec holding @off, else the last starting at or before
 * it, else the first (kelf_symbol_near()); their number in *@nr. */
static struct symbol *object_near(struct cm *c, struct section *sec, int64_t off, size_t *nr)
{
	struct symbol **syms;
	size_t n, i;

	if (c->loose_sec != sec) {
		c->loose_sec = sec;
		c->loose_nr = 0;
		syms = kelf_section_symbols(sec, &n);
		for (i = 0; i < n; i++)
			if (is_candidate(syms[i]))
				c->loose_nr++;
	}
	*nr = c->loose_nr;
	return kelf_symbol_near(sec, off, is_candidate);
}

/* The candidate of @psec that the target's @t is, or NULL. */
static struct symbol *patched_twin(struct cm_source *src, struct section *psec,
				   const struct symbol *t)
{
	struct symbol **syms;
	size_t n, i;

	syms = kelf_section_symbols(psec, &n);
	for (i = 0; i < n; i++)
		if (is_candidate(syms[i]) && cm_same_name(t->name, syms[i]->name) &&
		    !cm_same_symbol(src, syms[i], t))
			return syms[i];
	return NULL;
}

/* Is the patched object's @s, in the target, @dist bytes from its @t? */
static bool kept_at(struct cm_source *src, const struct symbol *s, const struct symbol *t,
		    int64_t dist)
{
	const struct symbol *k;

	if (!t->sec)
		return false;
	for (k = kelf_find_symbol_by_name(t->sec->kelf, s->name); k; k = kelf_next_symbol_same_name(k))
		if (k->sec == t->sec && (int64_t)k->offset - (int64_t)t->offset == dist &&
		    !cm_same_symbol(src, s, k))
			return true;
	return false;
}

/*
 * Why the candidates of @psec other than @o do not keep their distances
 * from the target's @t (@o's), into @why; false when they do.
 */
static bool moved_uncached(struct cm_source *src, struct section *psec, const struct symbol *o,
			   const struct symbol *t, char *why, size_t size)
{
	struct symbol **syms;
	size_t n, i;

	syms = kelf_section_symbols(psec, &n);
	for (i = 0; i < n; i++) {
		struct symbol *s = syms[i];

		if (s == o || !is_candidate(s))
			continue;
		if (cm_carried(src, s))
			snprintf(why, size, "the module carries %s", s->name);
		else if (!kept_at(src, s, t, (int64_t)s->offset - (int64_t)o->offset))
			snprintf(why, size, "the target has no %s %+ld bytes from %s",
				 s->name, (long)s->offset - (long)o->offset, t->name);
		else
			continue;
		return true;
	}
	return false;
}

/* moved_uncached(), remembered for the last section and distance asked. */
static bool moved(struct cm *c, struct cm_source *src, struct section *psec,
		  const struct symbol *o, const struct symbol *t, char *why, size_t size)
{
	int64_t delta = (int64_t)t->offset - (int64_t)o->offset;

	if (c->moved_psec != psec || c->moved_tsec != t->sec || c->moved_delta != delta) {
		c->moved_psec = psec;
		c->moved_tsec = t->sec;
		c->moved_delta = delta;
		c->moved_result = moved_uncached(src, psec, o, t, c->moved_why, sizeof(c->moved_why));
	}
	if (c->moved_result)
		snprintf(why, size, "%s", c->moved_why);
	return c->moved_result;
}

/*
 * What module relocation @r reaches, @mvalue past its symbol, named by
 * that symbol alone (no neighbour): 0, or -1 after an error line.
 */
static int module_symbol_place(struct cm *c, const struct reloc *r, int64_t mvalue,
			       struct cm_place *m)
{
	memset(m, 0, sizeof(*m));
	m->off = mvalue;
	m->name = r->sym->name;
	if (cm_is_klp_symbol(r->sym)) {
		m->where = CM_KERNEL;
		if (cm_klp_target(c, r->sym, &m->target, &m->tsym, &m->sympos))
			return -1;
		m->name = m->tsym->name;
	} else if (!r->sym->sec) {
		m->where = CM_KERNEL;
	} else {
		m->where = CM_SYMBOL;
		if (!cm_origin(c, r->sym, &m->src, &m->sym)) {
			m->sym = r->sym;	/* none: cm_same_place() tells */
			m->src = NULL;
		}
	}
	return 0;
}

/* Through named symbol @pr->sym: the module reaches it, at @pvalue. */
static void check_named(struct cm *c, const struct reloc *r, struct symbol *msym, uint64_t at,
			int64_t mvalue, struct cm_source *src, const struct reloc *pr,
			int64_t pvalue)
{
	struct cm_place m, p;
	const char *why;
	char a[1024];

	if (module_symbol_place(c, r, mvalue, &m)) {
		c->nr_errors++;
		return;
	}
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.name = pr->sym->name;
	p.off = pvalue;
	p.where = pr->sym->sec ? CM_SYMBOL : CM_KERNEL;
	p.sym = pr->sym->sec ? pr->sym : NULL;
	why = cm_same_place(c, &m, &p);
	if (!why)
		return;
	c->nr_errors++;
	error("%s: %s+%#lx: %s reaches %s, but in %s the instruction reaches %s%+ld, a place computed from %s, not necessarily inside it (%s): internal error, the module is wrong; not written",
	      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
	      cm_describe(a, sizeof(a), &m, true), src->path, pr->sym->name, (long)pvalue,
	      pr->sym->name, why);
}

bool cm_check_loose(struct cm *c, const struct reloc *r, struct symbol *msym, uint64_t at,
		    int64_t mvalue, struct cm_source *src, struct symbol *psym,
		    const struct reloc *pr, int64_t pvalue)
{
	struct symbol *ms = r->sym, *o = NULL, *t = NULL;
	struct section *psec = psym->sec, *to;
	bool indexed;
	int64_t psecoff, off = 0;
	size_t nr, n;
	char why[600];

	if (!pr->sym || !is_text_section(psec) || !psec->data || psym->type != STT_FUNC ||
	    psym->offset + psym->size > psec->size)
		return false;
	/* Calls, jumps and a function's own labels: code is exact; a
	 * table's entries are pointed at by where they start (__dyndbg). */
	if (pr->sym->sec && ((pr->sym->sec->sh.sh_flags & SHF_EXECINSTR) ||
			     cm_special_table(c, pr->sym->sec->name)))
		return false;
	indexed = indexed_field(c, psym, pr);
	if (!indexed && cm_reads_or_writes(c, psym, pr, true))
		return false;
	if (!cm_is_label(pr->sym)) {
		check_named(c, r, msym, at, mvalue, src, pr, pvalue);
		return true;
	}
	to = pr->sym->sec;
	psecoff = (int64_t)pr->sym->offset + pvalue;
	if (!to || !object_near(c, to, psecoff, &nr))
		return false;	/* no object there (strings): its bytes are compared */
	if (cm_is_klp_symbol(ms)) {
		struct cm_target *target;
		unsigned long sympos;

		if (cm_klp_target(c, ms, &target, &t, &sympos)) {
			c->nr_errors++;
			return true;
		}
		o = patched_twin(src, to, t);
		off = mvalue;
	} else if (ms->sec) {
		struct symbol *mo = cm_is_label(ms) ?
				    object_near(c, ms->sec, (int64_t)ms->offset + mvalue, &n) : ms;
		struct cm_source *osrc;
		struct symbol *osym;

		if (mo && cm_origin(c, mo, &osrc, &osym) && osrc == src && osym->sec == to) {
			o = osym;
			off = (int64_t)ms->offset + mvalue - (int64_t)mo->offset;
		}
	}
	if (!o)
		snprintf(why, sizeof(why), "the module's %s%+ld is none of them", ms->name,
			 (long)mvalue);
	else if (off != psecoff - (int64_t)o->offset)
		snprintf(why, sizeof(why), "the module reaches %s%+ld, the patched object %s%+ld",
			 o->name, (long)off, o->name, (long)(psecoff - (int64_t)o->offset));
	else if (t && cm_carried(src, o))
		snprintf(why, sizeof(why), "the module carries %s but reaches the running kernel's",
			 o->name);
	/* A template object is linked as it is: its sections keep their
	 * layout in the module. */
	else if (nr > 1 && !t && src->diff)
		snprintf(why, sizeof(why), "the module reaches its own %s, apart from the others",
			 o->name);
	else if (nr < 2 || !src->diff || !moved(c, src, to, o, t, why, sizeof(why)))
		return true;
	c->nr_errors++;
	error("%s: %s+%#lx: %s: in %s the instruction %s %s%+ld, a place that need not lie in the object it was computed from, which may be any of the %zu of %s; the module's reference is right for every one of them only if it names one and they all keep their distances (%s): internal error, the module is wrong; not written",
	      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
	      src->path, indexed ? "adds a register to" : "does not read or write",
	      to->name, (long)psecoff, nr, to->name, why);
	return true;
}
