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
 *     is still left pairs by exact name as in rule 1.  The kernel's
 *     __UNIQUE_ID_ names carry __COUNTER__, which a new pr_debug() above
 *     them shifts: they are numbered too.  correlate-numbered.c.
 *  3. Sections: through the functions and objects they hold (so .text.foo
 *     and .text.unlikely.foo pair when foo moved), else by a name unique on
 *     both sides; relocation sections through the section they relocate;
 *     groups through their signature symbol; section symbols through their
 *     section.
 * Whatever is left has no twin: new in the patched object, or gone from it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

/*
 * The records of the symbols and sections the object was read with, in one
 * block each; a stage that adds a symbol or section later gives it a
 * record of its own (xcalloc), which cdo_detach_info() frees too.
 */
struct info_block {
	struct sym_info *syms;
	struct sec_info *secs;
	size_t nr_syms, nr_secs;
};

void cdo_attach_info(struct kelf *kelf)
{
	struct info_block *b = xcalloc(1, sizeof(*b));
	size_t i;

	b->syms = xcalloc(kelf->nr_symbols, sizeof(*b->syms));
	b->secs = xcalloc(kelf->nr_sections, sizeof(*b->secs));
	b->nr_syms = kelf->nr_symbols;
	b->nr_secs = kelf->nr_sections;
	for (i = 0; i < kelf->nr_symbols; i++)
		kelf->symbols[i]->priv = &b->syms[i];
	for (i = 0; i < kelf->nr_sections; i++)
		kelf->sections[i]->priv = &b->secs[i];
	kelf->priv = b;
}

/* Free what cdo_attach_info() and the stages hung on @kelf (NULL is fine). */
void cdo_detach_info(struct kelf *kelf)
{
	struct info_block *b;
	size_t i;

	if (!kelf || !kelf->priv)
		return;
	b = kelf->priv;
	for (i = 0; i < kelf->nr_sections; i++) {
		struct sec_info *si = kelf->sections[i]->priv;

		if (!si)
			continue;
		free(si->kept);
		free(si->pieces);
		free(si->rels);
		if ((uintptr_t)si < (uintptr_t)b->secs ||
		    (uintptr_t)si >= (uintptr_t)(b->secs + b->nr_secs))
			free(si);
	}
	for (i = 0; i < kelf->nr_symbols; i++) {
		struct sym_info *si = kelf->symbols[i]->priv;

		if (si && ((uintptr_t)si < (uintptr_t)b->syms ||
			   (uintptr_t)si >= (uintptr_t)(b->syms + b->nr_syms)))
			free(si);
	}
	free(b->syms);
	free(b->secs);
	free(b);
	kelf->priv = NULL;
}

void cdo_pair_symbols(struct symbol *o, struct symbol *p)
{
	sym_info(o)->twin = p;
	sym_info(p)->twin = o;
}

static void pair_sections(struct section *o, struct section *p)
{
	sec_info(o)->twin = p;
	sec_info(p)->twin = o;
}

/*
 * The kernel's __UNIQUE_ID(prefix) is "__UNIQUE_ID_" prefix __COUNTER__:
 * every earlier use of the counter in the file (a new pr_debug() holds
 * one) shifts it, so the module_init() of a file whose patch adds a
 * pr_debug() above it has its __UNIQUE_ID___addressable_init_module688
 * renamed ...690.  The number of digits of the counter ending the name's
 * first part (before a '.' of GCC's own numbers), or 0.  The prefix's own
 * last digits cannot be told from the counter's; the pairing of what
 * this groups is checked by the comparison of the pair like any other.
 */
size_t cdo_unique_id_counter(const char *name)
{
	static const char pfx[] = "__UNIQUE_ID_";
	const char *end, *d;

	if (strncmp(name, pfx, sizeof(pfx) - 1))
		return 0;
	name += sizeof(pfx) - 1;
	end = strchr(name, '.');
	if (!end)
		end = name + strlen(name);
	for (d = end; d > name && isdigit((unsigned char)d[-1]); d--)
		;
	return d > name ? (size_t)(end - d) : 0;
}

/*
 * Locals whose names carry a number given out per build: GCC's static
 * locals (calls.0), clones (foo.isra.0) and their parts (foo.cold), and
 * the kernel's __UNIQUE_ID_ names.
 */
bool cdo_is_numbered(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL &&
	       (sym->type == STT_OBJECT || sym->type == STT_FUNC) &&
	       (strchr(sym->name, '.') || cdo_unique_id_counter(sym->name));
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
		    cdo_is_numbered(p) != numbered ||
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
				cdo_pair_symbols(oo, pp);
	}
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
			cdo_pair_symbols(os->secsym, ps->secsym);
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
	cdo_correlate_numbered(cdo);
	correlate_by_name(cdo, true);
	correlate_sections(cdo);
}
