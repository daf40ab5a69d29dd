/*
 * indexed.c - relocations on a displacement that the instruction adds a
 * register to (arch_insn's indexed).
 *
 * "b[i + 5]" compiles to "movl .bss.b+0x14(,%rdi,4), %eax": the place the
 * field gives lies past b, in whatever follows it, and the register brings
 * the address back into b.  Which object the instruction reaches cannot be
 * told from the place, so naming the place by the symbol holding it, as
 * for any other relocation, can be wrong both ways.  What is checked
 * instead, from the patched object and the target alone:
 *  - the module's relocation names one object O of the patched section
 *    (its own copy of O, or the running kernel's O), with the place as far
 *    from O as in the patched object;
 *  - when the patched section holds other objects, any of which may be the
 *    one reached: O is the running kernel's, and so is each of the others,
 *    not carried, as far from O in the target as in the patched object.
 */
#include <stdio.h>

#include "check-module.h"
#include "../util/util.h"

/* Is @pr, in function @psym, on a displacement its instruction indexes? */
static bool indexed_field(const struct cm *c, struct symbol *psym, const struct reloc *pr)
{
	struct section *sec = psym->sec;
	struct arch_insn insn;
	uint64_t start, at = pr->offset - psym->offset;

	return is_text_section(sec) && sec->data && psym->type == STT_FUNC &&
	       psym->offset + psym->size <= sec->size &&
	       !arch_insn_at(c->arch, sec->data + psym->offset, psym->size, at, &start, &insn) &&
	       insn.indexed && insn.disp_off >= 0 && at - start == (uint64_t)insn.disp_off;
}

static bool is_sized_object(const struct symbol *s)
{
	return (s->type == STT_FUNC || s->type == STT_OBJECT) && s->size;
}

/*
 * The sized function or object of @sec holding @off, else the one ending
 * last before it, else the first; NULL when there is none.  Their number
 * in *@nr.
 */
static struct symbol *object_near(struct section *sec, int64_t off, size_t *nr)
{
	struct symbol **syms, *before = NULL, *first = NULL;
	size_t n, i;

	*nr = 0;
	syms = kelf_section_symbols(sec, &n);
	for (i = 0; i < n; i++) {
		struct symbol *s = syms[i];

		if (!is_sized_object(s))
			continue;
		++*nr;
		if (!first)
			first = s;
		if ((int64_t)s->offset <= off &&
		    (!before || s->offset + s->size > before->offset + before->size))
			before = s;
	}
	return before ? before : first;
}

/* The object of @psec that the target's @t is, or NULL. */
static struct symbol *patched_twin(struct cm_source *src, struct section *psec,
				   const struct symbol *t)
{
	struct symbol **syms;
	size_t n, i;

	syms = kelf_section_symbols(psec, &n);
	for (i = 0; i < n; i++)
		if (is_sized_object(syms[i]) && cm_same_name(t->name, syms[i]->name) &&
		    !cm_same_symbol(src, syms[i], t))
			return syms[i];
	return NULL;
}

/* Is the patched object's @s, in the target, @dist bytes from its @t? */
static bool kept_at(struct cm_source *src, const struct symbol *s, const struct symbol *t,
		    int64_t dist)
{
	const struct symbol *k;

	for (k = kelf_find_symbol_by_name(t->sec->kelf, s->name); k; k = kelf_next_symbol_same_name(k))
		if (k->sec == t->sec && (int64_t)k->offset - (int64_t)t->offset == dist &&
		    !cm_same_symbol(src, s, k))
			return true;
	return false;
}

/*
 * Why the objects of @psec other than @o do not keep their distances from
 * the target's @t (@o's), into @why; false when they do.
 */
static bool moved(struct cm_source *src, struct section *psec, const struct symbol *o,
		  const struct symbol *t, char *why, size_t size)
{
	struct symbol **syms;
	size_t n, i;

	syms = kelf_section_symbols(psec, &n);
	for (i = 0; i < n; i++) {
		struct symbol *s = syms[i];

		if (s == o || !is_sized_object(s))
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

bool cm_check_indexed(struct cm *c, const struct reloc *r, struct symbol *msym, uint64_t at,
		      int64_t mvalue, struct cm_source *src, struct symbol *psym,
		      const struct reloc *pr, int64_t pvalue)
{
	struct symbol *ms = r->sym, *o = NULL, *t = NULL;
	struct cm_target *target;
	struct section *psec;
	unsigned long sympos;
	int64_t psecoff, off = 0;
	size_t nr, n;
	char why[600];

	if (!pr->sym || !pr->sym->sec || !cm_is_label(pr->sym) || !indexed_field(c, psym, pr))
		return false;
	psec = pr->sym->sec;
	psecoff = (int64_t)pr->sym->offset + pvalue;
	if (!object_near(psec, psecoff, &nr))
		return false;	/* no object there: its bytes are compared */
	if (cm_is_klp_symbol(ms)) {
		if (cm_klp_target(c, ms, &target, &t, &sympos)) {
			c->nr_errors++;
			return true;
		}
		o = patched_twin(src, psec, t);
		off = mvalue;
	} else if (ms->sec) {
		struct symbol *mo = cm_is_label(ms) ?
				    object_near(ms->sec, (int64_t)ms->offset + mvalue, &n) : ms;
		struct cm_source *osrc;
		struct symbol *osym;

		if (mo && cm_origin(c, mo, &osrc, &osym) && osrc == src && osym->sec == psec) {
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
	else if (nr > 1 && !t)
		snprintf(why, sizeof(why), "the module reaches its own %s, apart from the others",
			 o->name);
	else if (nr < 2 || !moved(src, psec, o, t, why, sizeof(why)))
		return true;
	c->nr_errors++;
	error("%s: %s+%#lx: %s: in %s the instruction adds a register to %s%+ld (an indexed access), which may reach any of the %zu objects of %s, and the module's reference is right for every one of them only if it names one and they all keep their distances (%s): internal error, the module is wrong; not written",
	      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
	      src->path, psec->name, (long)psecoff, nr, psec->name, why);
	return true;
}
