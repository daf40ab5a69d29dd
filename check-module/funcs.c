/*
 * funcs.c - each entry of the module's .livepatch.funcs: the function the
 * livepatch core will replace (old_name and sympos in objname, resolved
 * as the kernel resolves them) must be the one the new function was
 * compiled from.  Layout: struct lp_func of kmod/livepatch-format.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check-module.h"
#include "../kmod/livepatch-format.h"
#include "../util/util.h"

#define LP_FUNC_SIZE	sizeof(struct lp_func)
#define LP_FUNC_NEW	offsetof(struct lp_func, new_func)
#define LP_FUNC_NAME	offsetof(struct lp_func, old_name)
#define LP_FUNC_OBJNAME	offsetof(struct lp_func, objname)
#define LP_FUNC_SYMPOS	offsetof(struct lp_func, sympos)

/* The defined symbol and offset the pointer at @off of @sec points to. */
static struct symbol *pointee(struct section *sec, uint64_t off, int64_t *at)
{
	struct reloc *r = kelf_find_reloc_at(sec, off);
	struct symbol *s;

	if (!r || !r->sym || !r->sym->sec)
		return NULL;
	*at = (int64_t)r->sym->offset + r->addend;
	if (r->sym->type != STT_SECTION && !r->addend)
		return r->sym;
	if (*at < 0 || (uint64_t)*at >= r->sym->sec->size)
		return NULL;
	s = kelf_find_symbol_containing(r->sym->sec, *at);
	return s && s->offset == (uint64_t)*at ? s : r->sym;
}

/* The string the pointer at @off of @sec points to, or NULL. */
static const char *string_at(struct section *sec, uint64_t off)
{
	struct reloc *r = kelf_find_reloc_at(sec, off);
	struct section *s;
	int64_t at;

	if (!r || !r->sym || !(s = r->sym->sec) || !s->data)
		return NULL;
	at = (int64_t)r->sym->offset + r->addend;
	if (at < 0 || (uint64_t)at >= s->size || !memchr(s->data + at, '\0', s->size - at))
		return NULL;
	return (const char *)s->data + at;
}

static void check_entry(struct cm *c, struct section *sec, uint64_t off)
{
	const char *name = string_at(sec, off + LP_FUNC_NAME);
	const char *objname = string_at(sec, off + LP_FUNC_OBJNAME);
	struct symbol *f, *psym, *t;
	struct cm_source *src;
	const char *why;
	uint64_t sympos;
	int64_t at;
	char what[600];

	c->nr_funcs++;
	f = pointee(sec, off + LP_FUNC_NEW, &at);
	if (!name || !objname || !f || f->type != STT_FUNC) {
		c->nr_errors++;
		error("%s: .livepatch.funcs+%#lx: an entry without its new function, name or object name",
		      c->mod->path, (unsigned long)off);
		return;
	}
	memcpy(&sympos, sec->data + off + LP_FUNC_SYMPOS, sizeof(sympos));
	snprintf(what, sizeof(what), ".livepatch.funcs+0x%lx: the function %s replaces (%s,%lu)",
		 (unsigned long)off, f->name, name, (unsigned long)sympos);
	if (!cm_origin(c, f, &src, &psym) || !src->diff) {
		c->nr_errors++;
		error("%s: .livepatch.funcs+%#lx: new function %s comes from no patched object",
		      c->mod->path, (unsigned long)off, f->name);
		return;
	}
	if (strcmp(objname, src->target->objname)) {
		c->nr_errors++;
		error("%s: .livepatch.funcs+%#lx: new function %s comes from %s, which patches %s, not %s: internal error, the module is wrong; not written",
		      c->mod->path, (unsigned long)off, f->name, src->path,
		      src->target->objname, objname);
		return;
	}
	t = cm_kallsyms_find(c, src->target, name, sympos, what);
	if (!t) {
		c->nr_errors++;
		return;
	}
	/* A clone GCC numbered (foo.constprop.0) may replace another number. */
	why = t->type != STT_FUNC ? "the target's symbol is not a function" :
	      !strchr(psym->name, '.') && strcmp(psym->name, name) ? "another name" :
	      cm_same_symbol(src, psym, t);
	if (why) {
		c->nr_errors++;
		error("%s: .livepatch.funcs+%#lx: new function %s of %s replaces %s's %s (position %lu: symbol %u of %s): %s: internal error, the module is wrong; not written",
		      c->mod->path, (unsigned long)off, f->name, src->path, objname, name,
		      (unsigned long)sympos, t->index, src->target->path, why);
	}
}

size_t cm_check_funcs(struct cm *c)
{
	struct section *sec = kelf_find_section_by_name(c->mod, LP_FUNCS_SECTION);
	uint64_t off;

	struct section *cbs = kelf_find_section_by_name(c->mod, ".livepatch.callbacks");

	if (!sec)
		return 0;
	/* livepatch-main.c's lp_build() refuses it: "patches no function". */
	if (!sec->size && (!cbs || !cbs->size)) {
		c->nr_errors++;
		error("%s: .livepatch.funcs and .livepatch.callbacks are empty: the module patches no function, and the kernel would refuse to load it",
		      c->mod->path);
		return c->nr_errors;
	}
	if (sec->size % LP_FUNC_SIZE || (sec->size && !sec->data)) {
		c->nr_errors++;
		error("%s: .livepatch.funcs: %zu bytes is not a whole number of %zu-byte entries",
		      c->mod->path, sec->size, LP_FUNC_SIZE);
		return c->nr_errors;
	}
	for (off = 0; off < sec->size; off += LP_FUNC_SIZE)
		check_entry(c, sec, off);
	return c->nr_errors;
}
