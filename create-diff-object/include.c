/*
 * include.c - choose what the diff object carries.
 *
 * Changed and new functions, and, following their relocations, what they
 * need that only the patched object has: new functions and data objects,
 * changed read-only objects, and anonymous data reached through section
 * symbols (string literals, constant pools), carried whole, or of shared
 * anonymous code only the pieces reached (pieces.c).  Everything
 * else they reference stays in the running kernel and is referenced there
 * (see output.c), but for the dynamic debug descriptors of their
 * pr_debug()s, which are carried.  Also the sections patch authors fill through
 * kmod/livepatch-api.h (callbacks), whole.
 */
#include <string.h>

#include "cdo.h"

#include "../special-sections/special.h"

static void include_section(struct cdo *cdo, struct section *sec);
static void include_relocs(struct cdo *cdo, struct section *sec,
			   uint64_t start, uint64_t size);

/* Only the piece of shared anonymous code that a function reaches (pieces.c). */
static void include_piece(struct cdo *cdo, struct section *sec, struct piece *pc)
{
	if (pc->include)
		return;
	pc->include = true;
	include_relocs(cdo, sec, pc->start, pc->end - pc->start);
}

/*
 * A dynamic debug descriptor becomes the livepatch's own, whatever its
 * status, with every object it points at (__func__; its other strings are
 * anonymous and carried whole): the kernel lists it from the moment the
 * livepatch loads, when klp relocations to a module may not be written
 * yet, and reads its strings for every query of
 * /proc/dynamic_debug/control.
 */
static void include_descriptor(struct cdo *cdo, struct symbol *d)
{
	struct reloc **rels;
	size_t n, i;

	if (sym_info(d)->include)
		return;
	sym_info(d)->include = true;
	rels = kelf_relocs_in_range(d->sec, d->offset, d->offset + d->size, &n);
	for (i = 0; i < n; i++) {
		struct symbol *t = cdo_reloc_target(cdo, rels[i], NULL);

		if (t && t->type == STT_OBJECT && t->sec)
			cdo_include_symbol(cdo, t);
		else
			cdo_include_reloc_target(cdo, rels[i]);
	}
}

void cdo_include_reloc_target(struct cdo *cdo, const struct reloc *rel)
{
	struct symbol *t = cdo_reloc_target(cdo, rel, NULL);

	if (t) {
		if (t->type == STT_OBJECT && special_descriptor_table(cdo, t))
			include_descriptor(cdo, t);
		else if (t->sec && (sym_info(t)->status == NEW ||
				    (sym_info(t)->status == CHANGED &&
				     t->type == STT_OBJECT)))
			cdo_include_symbol(cdo, t);
	} else if (rel->sym && rel->sym->type == STT_SECTION && rel->sym->sec) {
		struct piece *pc = cdo_piece_at(cdo, rel->sym->sec, cdo_reloc_offset(cdo, rel));

		if (pc)
			include_piece(cdo, rel->sym->sec, pc);
		else
			include_section(cdo, rel->sym->sec);
	}
}

static void include_relocs(struct cdo *cdo, struct section *sec,
			   uint64_t start, uint64_t size)
{
	struct reloc **rels;
	size_t n, i;

	rels = kelf_relocs_in_range(sec, start, start + size, &n);
	for (i = 0; i < n; i++)
		cdo_include_reloc_target(cdo, rels[i]);
}

void cdo_include_symbol(struct cdo *cdo, struct symbol *sym)
{
	struct sym_info *si = sym_info(sym);

	if (si->include)
		return;
	si->include = true;
	include_relocs(cdo, sym->sec, sym->offset, cdo_extent(sym));
}

static void include_section(struct cdo *cdo, struct section *sec)
{
	struct sec_info *si = sec_info(sec);

	if (si->include)
		return;
	si->include = true;
	include_relocs(cdo, sec, 0, sec->size);
}

bool cdo_links_plainly(const struct cdo *cdo, const struct symbol *t)
{
	/*
	 * Exports of vmlinux link as usual.  A module's own symbols never do,
	 * even exported ones, so that the livepatch loads before the module
	 * and patches it when it arrives; what a module's code imports is an
	 * export of someone else and links as usual.
	 */
	if (t->bind != STB_LOCAL && !t->sec && cdo_is_shared(cdo, t->name))
		return true;	/* another diff object of this livepatch defines it */
	return t->bind != STB_LOCAL && lookup_is_exported(cdo->lookup, t->name) &&
	       (!strcmp(cdo->objname, "vmlinux") || !t->sec);
}

/*
 * Sections a patch author fills through kmod/livepatch-api.h: nothing
 * references them, the livepatch module reads them by name.
 */
static bool is_author_section(const struct section *sec)
{
	return !strcmp(sec->name, ".livepatch.callbacks");
}

unsigned int cdo_include(struct cdo *cdo)
{
	struct section *sec;
	struct symbol *p;
	unsigned int n = 0;

	for_each_section(cdo->patched, sec)
		if (is_author_section(sec))
			include_section(cdo, sec);

	/* A new global variable another object of the livepatch uses. */
	for_each_symbol(cdo->patched, p)
		if (p->type == STT_OBJECT && p->sec && p->bind != STB_LOCAL &&
		    sym_info(p)->status == NEW && cdo_is_shared(cdo, p->name))
			cdo_include_symbol(cdo, p);

	for_each_symbol(cdo->patched, p) {
		if (p->type != STT_FUNC || !p->sec || sym_info(p)->status == SAME ||
		    cdo_is_ignored_section(p->sec) || cdo_is_prefix_symbol(p))
			continue;
		cdo_include_symbol(cdo, p);
		n++;
	}
	return n;
}
