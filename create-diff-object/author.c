/*
 * author.c - what the patch author asks of the differ through
 * kmod/kpatch-macros.h: KPATCH_IGNORE_FUNCTION, KPATCH_IGNORE_SECTION and
 * KPATCH_FORCE_UNSAFE.
 *
 * Each macro leaves a pointer in a marker section of the patched object:
 * .kpatch.ignore.functions and .kpatch.force point at a function of this
 * object, .kpatch.ignore.sections at the name of a section.  The marker
 * sections are ignored sections (compare.c): never compared, carried or
 * reported.
 *
 * An ignored section is not compared: what it holds counts as unchanged
 * (reported when its bytes or relocations differ).
 * An ignored function that changed is set back to unchanged once compared
 * (with its .cold and .part pieces): the livepatch leaves it out, and
 * carried code calls the running kernel's.  A forced function is patched
 * where a rule would refuse it and patching it is still possible; each
 * rule that yields is a warning saying what stays unsafe:
 *
 *	changed writable data that only forced functions use (here): the
 *		livepatch carries a new copy for them;
 *	a changed function without an ftrace entry that is global, or whose
 *		address is stored in data (trace.c): its callers in this
 *		object are patched anyway.
 *
 * Changed __init code, export changes, runtime constants that cannot be
 * rewritten and untraceable functions nothing calls stay refused: the
 * differ has nothing it could patch instead.  So do jump labels and
 * static calls whose key is not exported: without its table entry a site
 * keeps the instruction the compiler wrote, which on x86_64 kernels that
 * run objtool at link time (IBT) is a jmp objtool would have turned into
 * a NOP; objtool then rejects the module for the code it cannot reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

#define IGNORE_FUNCTIONS	".kpatch.ignore.functions"
#define IGNORE_SECTIONS		".kpatch.ignore.sections"
#define FORCE			".kpatch.force"

/*
 * The function marker relocation @rel points at, or NULL after an error:
 * it must be a function this object defines.
 */
static struct symbol *marked_function(struct cdo *cdo, const struct reloc *rel,
				      const char *macro)
{
	struct symbol *f;
	int64_t off = 0;

	f = cdo_reloc_target(cdo, rel, &off);
	if (f && f->type == STT_FUNC && f->sec && !off)
		return f;
	error("%s: %s+%#lx: %s(%s): not a function defined in this file; use the macro in the file that defines the function",
	      cdo->patched->path, rel->sec->base->name, (unsigned long)rel->offset,
	      macro, f ? f->name : rel->sym ? rel->sym->name : "?");
	return NULL;
}

/* The string marker relocation @rel points at, or NULL. */
static const char *marked_string(const struct reloc *rel)
{
	const struct symbol *s = rel->sym;
	int64_t off;

	if (!s || !s->sec || !s->sec->data)
		return NULL;
	off = (s->type == STT_SECTION ? 0 : (int64_t)s->offset) + rel->addend;
	if (off < 0 || (uint64_t)off >= s->sec->size ||
	    !memchr(s->sec->data + off, '\0', s->sec->size - off))
		return NULL;
	return (const char *)s->sec->data + off;
}

/* Mark the sections called @name of @kelf (and their relocations) ignored;
 * returns how many were not yet. */
static unsigned int ignore_sections_named(struct kelf *kelf, const char *name)
{
	struct section *sec;
	unsigned int n = 0;

	for_each_section(kelf, sec) {
		if (strcmp(sec->name, name) || sec_info(sec)->ignored)
			continue;
		sec_info(sec)->ignored = true;
		if (sec->rela)
			sec_info(sec->rela)->ignored = true;
		n++;
	}
	return n;
}

/* The name a relocation's target goes by, for same_section(). */
static const char *target_name(const struct reloc *rel)
{
	if (!rel->sym)
		return "";
	if (rel->sym->type == STT_SECTION && rel->sym->sec)
		return rel->sym->sec->name;
	return rel->sym->name;
}

/*
 * Are @o and @p byte for byte the same, with the same relocations to the
 * same names?  Only says whether "ignored section" is worth a line: a
 * section GCC merely renumbered counts as changed.
 */
static bool same_section(const struct section *o, const struct section *p)
{
	size_t n = o->rela ? o->rela->nr_relocs : 0, i;

	if (o->size != p->size || o->sh.sh_type != p->sh.sh_type ||
	    (o->data && p->data && memcmp(o->data, p->data, o->size)) ||
	    n != (p->rela ? p->rela->nr_relocs : 0))
		return false;
	for (i = 0; i < n; i++) {
		const struct reloc *ro = o->rela->relocs[i], *rp = p->rela->relocs[i];

		if (ro->offset != rp->offset || ro->type != rp->type ||
		    ro->addend != rp->addend || strcmp(target_name(ro), target_name(rp)))
			return false;
	}
	return true;
}

/* Does a section called @name differ between the two objects? */
static bool section_changed(struct cdo *cdo, const char *name)
{
	struct section *o = kelf_find_section_by_name(cdo->orig, name);
	struct section *p = kelf_find_section_by_name(cdo->patched, name);

	return !o || !p || !same_section(o, p);
}

static int read_ignored_sections(struct cdo *cdo, struct section *marker)
{
	struct reloc *rel;
	int ret = 0;

	for_each_reloc(marker->rela, rel) {
		const char *name = marked_string(rel);
		unsigned int n;

		if (!name) {
			ret = error("%s: %s+%#lx: KPATCH_IGNORE_SECTION: the section name is not a string constant",
				    cdo->patched->path, marker->name, (unsigned long)rel->offset);
			continue;
		}
		n = ignore_sections_named(cdo->patched, name);
		n += ignore_sections_named(cdo->orig, name);
		if (n && section_changed(cdo, name))
			printf("ignored section: %s\n", name);
		else if (!kelf_find_section_by_name(cdo->patched, name) &&
			 !kelf_find_section_by_name(cdo->orig, name))
			warn("%s: KPATCH_IGNORE_SECTION(\"%s\"): no such section in this object",
			     cdo->patched->path, name);
	}
	return ret;
}

int cdo_read_marks(struct cdo *cdo)
{
	struct section *sec;
	struct reloc *rel;
	int ret = 0;

	for_each_section(cdo->patched, sec) {
		bool ignore = !strcmp(sec->name, IGNORE_FUNCTIONS);

		if (!sec->rela || is_rela_section(sec))
			continue;
		if (!strcmp(sec->name, IGNORE_SECTIONS)) {
			if (read_ignored_sections(cdo, sec))
				ret = -1;
			continue;
		}
		if (!ignore && strcmp(sec->name, FORCE))
			continue;
		for_each_reloc(sec->rela, rel) {
			struct symbol *f = marked_function(cdo, rel, ignore ?
				"KPATCH_IGNORE_FUNCTION" : "KPATCH_FORCE_UNSAFE");

			if (!f)
				ret = -1;
			else if (ignore)
				sym_info(f)->ignored = true;
			else
				sym_info(f)->forced = true;
		}
	}
	return ret;
}

/* The ignored function @p stands for: itself, or its parent. */
static struct symbol *ignored_owner(struct symbol *p)
{
	struct sym_info *pi = sym_info(p);

	if (pi->ignored)
		return p;
	if (pi->parent && sym_info(pi->parent)->ignored)
		return pi->parent;
	return NULL;
}

void cdo_ignore_functions(struct cdo *cdo)
{
	bool *left_out = NULL;
	struct symbol *p;

	for_each_symbol(cdo->patched, p) {
		struct sym_info *pi = sym_info(p);
		struct symbol *owner;

		if (p->type != STT_FUNC || pi->status != CHANGED ||
		    !(owner = ignored_owner(p)))
			continue;
		pi->status = SAME;
		pi->reason = NULL;
		if (pi->twin)
			sym_info(pi->twin)->status = SAME;
		if (!left_out)
			left_out = xcalloc(cdo->patched->nr_symbols, sizeof(*left_out));
		left_out[owner->index] = true;
	}
	if (!left_out)
		return;
	for_each_symbol(cdo->patched, p)
		if (left_out[p->index])
			printf("ignored function: %s\n", p->name);
	free(left_out);
}

bool cdo_is_forced(const struct symbol *func)
{
	const struct sym_info *fi = sym_info(func);

	return fi && (fi->forced || (fi->parent && sym_info(fi->parent)->forced));
}

struct users {
	struct symbol **funcs;		/* the forced functions using it */
	size_t n, alloc;
	const char *other;		/* else: the first other user */
	bool other_is_code;		/* a function, not a section */
};

/*
 * Note in @u the functions that reference @p through @via (itself or its
 * section symbol): the forced ones, and the first other user (data, a
 * table, a function that is not forced).  Debug info and markers do not
 * count.
 */
static void find_users(struct cdo *cdo, struct symbol *p, struct symbol *via,
		       struct users *u)
{
	struct reloc *rel;
	size_t i;

	for_each_ref(via, rel) {
		struct section *from = rel->sec->base;
		struct symbol *g = NULL;

		if (via != p && cdo_reloc_target(cdo, rel, NULL) != p)
			continue;
		if (!from || cdo_is_ignored_section(from))
			continue;
		if (from->sh.sh_flags & SHF_EXECINSTR)
			g = kelf_find_symbol_containing(from, rel->offset);
		if (!g || g->type != STT_FUNC || !cdo_is_forced(g)) {
			if (!u->other) {
				u->other = g && g->type == STT_FUNC ? g->name : from->name;
				u->other_is_code = g && g->type == STT_FUNC;
			}
			continue;
		}
		for (i = 0; i < u->n && u->funcs[i] != g; i++)
			;
		if (i == u->n) {
			ALLOC_GROW(u->funcs, u->n + 1, u->alloc);
			u->funcs[u->n++] = g;
		}
	}
}

static int by_index(const void *a, const void *b)
{
	const struct symbol *x = *(const struct symbol *const *)a;
	const struct symbol *y = *(const struct symbol *const *)b;

	return x->index < y->index ? -1 : x->index > y->index;
}

bool cdo_force_data(struct cdo *cdo, struct symbol *p, const char *rule)
{
	struct users u = { 0 };
	char *names = NULL;
	size_t i;
	bool ok;

	find_users(cdo, p, p, &u);
	if (p->sec->secsym)
		find_users(cdo, p, p->sec->secsym, &u);
	if (!u.n)
		return false;
	xqsort(u.funcs, u.n, sizeof(*u.funcs), by_index);
	for (i = 0; i < u.n; i++) {
		char *more = xasprintf("%s%s%s", names ? names : "",
				       names ? ", " : "", u.funcs[i]->name);

		free(names);
		names = more;
	}
	ok = p->bind == STB_LOCAL && !u.other;
	if (ok)
		warn("%s: %s: %s (%s), allowed by KPATCH_FORCE_UNSAFE(%s): the livepatch carries a new copy, initialized anew, for the functions it replaces; the running kernel's copy keeps its current value",
		     cdo->patched->path, p->name, rule, sym_info(p)->reason, names);
	else
		warn("%s: %s: KPATCH_FORCE_UNSAFE(%s) cannot carry a new copy of it: %s%s",
		     cdo->patched->path, p->name, names,
		     p->bind != STB_LOCAL ? "it is global, other files may use it" :
		     u.other, p->bind != STB_LOCAL ? "" : u.other_is_code ?
		     ", which is not marked, uses it too" : " refers to it");
	free(names);
	free(u.funcs);
	return ok;
}
