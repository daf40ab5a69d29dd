/*
 * kallsyms.c - find a klp symbol's target as the Linux 6.12 livepatch core
 * does (kernel/livepatch/core.c, klp_find_object_symbol()), written from
 * the kernel's rules, not from lookup/, so that it can disagree with the
 * differ:
 *
 * - vmlinux: kallsyms_on_each_match_symbol() visits the symbols of that
 *   name in address order.  kallsyms lists what "nm -n vmlinux" prints
 *   (no file or section symbols), less what scripts/mksysmap drops (local
 *   absolute, undefined) and scripts/kallsyms ignores (absolute globals);
 *   without CONFIG_KALLSYMS_ALL only text (here: SHF_EXECINSTR sections).
 * - a module: module_kallsyms_on_each_symbol() visits mod->kallsyms in
 *   symbol-table order, skipping SHN_UNDEF.  Before the module's init ran
 *   (the module loads after the livepatch: klp_module_coming()) that is
 *   the whole .symtab; after it (already loaded) the core subset that
 *   add_kallsyms() keeps (kernel/module/kallsyms.c, is_core_symbol()): a
 *   name, a real section index, SHF_ALLOC, not .init*, and text only
 *   without CONFIG_KALLSYMS_ALL.  A position must be right for both.
 * - sympos 0: the name must be unique; N: the Nth of that name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

/* Does vmlinux's kallsyms list @s? */
static bool in_vmlinux_kallsyms(const struct cm *c, const struct symbol *s)
{
	if (s->type == STT_FILE || s->type == STT_SECTION || !s->name[0])
		return false;
	if (!s->sec)		/* undefined, absolute */
		return false;
	return c->kallsyms_all || (s->sec->sh.sh_flags & SHF_EXECINSTR);
}

/* Does a module's kallsyms list @s: before its init ran (@core false), after? */
static bool in_module_kallsyms(const struct cm *c, const struct symbol *s, bool core)
{
	if (!core)
		return s->sec || s->shndx != SHN_UNDEF;
	if (!s->sec || !s->name[0])
		return false;
	if (!(s->sec->sh.sh_flags & SHF_ALLOC) || !strncmp(s->sec->name, ".init", 5))
		return false;
	return c->kallsyms_all || (s->sec->sh.sh_flags & SHF_EXECINSTR);
}

/* vmlinux's order of two symbols of one name: address, then table order. */
static int cmp_vmlinux(const void *x, const void *y)
{
	const struct symbol *a = *(const struct symbol * const *)x;
	const struct symbol *b = *(const struct symbol * const *)y;

	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * The @sympos-th symbol named @name that @t's kallsyms lists (view @core
 * for a module); NULL with the count of them in *@count.
 */
static struct symbol *nth(const struct cm *c, const struct cm_target *t, const char *name,
			  unsigned long sympos, bool core, unsigned long *count)
{
	struct symbol *s, **v = NULL;
	size_t n = 0, alloc = 0;
	struct symbol *found = NULL;

	for (s = kelf_find_symbol_by_name(t->kelf, name); s; s = kelf_next_symbol_same_name(s)) {
		if (t->kelf->linked ? !in_vmlinux_kallsyms(c, s) : !in_module_kallsyms(c, s, core))
			continue;
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = s;
	}
	if (t->kelf->linked && n > 1)
		xqsort(v, n, sizeof(*v), cmp_vmlinux);
	*count = n;
	if (sympos == 0 ? n == 1 : sympos <= n)
		found = v[sympos ? sympos - 1 : 0];
	free(v);
	return found;
}

static void why_not(const struct cm *c, const struct cm_target *t, const char *name,
		    unsigned long sympos, unsigned long count, const char *view,
		    const char *what)
{
	if (!count)
		error("%s: %s: %s (%s) has no symbol %s%s", c->mod->path, what, t->objname,
		      t->path, name, view);
	else if (!sympos)
		error("%s: %s: %s (%s) has %lu symbols %s%s, and the kernel refuses position 0 for a name that is not unique",
		      c->mod->path, what, t->objname, t->path, count, name, view);
	else
		error("%s: %s: %s (%s) has %lu symbols %s%s, not %lu", c->mod->path, what,
		      t->objname, t->path, count, name, view, sympos);
}

struct symbol *cm_kallsyms_find(struct cm *c, struct cm_target *t, const char *name,
				unsigned long sympos, const char *what)
{
	struct symbol *core, *coming;
	unsigned long n_core, n_coming;

	if (t->kelf->linked) {
		core = nth(c, t, name, sympos, true, &n_core);
		if (!core)
			why_not(c, t, name, sympos, n_core, " in kallsyms", what);
		return core;
	}
	core = nth(c, t, name, sympos, true, &n_core);
	coming = nth(c, t, name, sympos, false, &n_coming);
	if (!core) {
		why_not(c, t, name, sympos, n_core, " in the kallsyms of the loaded module", what);
		return NULL;
	}
	if (!coming) {
		why_not(c, t, name, sympos, n_coming, " in the symbol table of the module while it loads", what);
		return NULL;
	}
	if (core != coming) {
		error("%s: %s: position %lu of %s in %s (%s) is symbol %u in the kallsyms of the loaded module but symbol %u while it loads: it depends on whether %s loads before the livepatch",
		      c->mod->path, what, sympos, name, t->objname, t->path, core->index,
		      coming->index, t->objname);
		return NULL;
	}
	return core;
}

/* The STT_FILE symbol whose block of locals holds @sym in @k, or NULL. */
static const struct symbol *file_of(const struct kelf *k, const struct symbol *sym)
{
	size_t i;

	for (i = sym->index; i > 0; i--) {
		const struct symbol *s = k->symbols[i];

		if (s->type == STT_FILE)
			return s;
		if (s->bind != STB_LOCAL)
			return NULL;
	}
	return NULL;
}

static bool has_file_symbols(const struct kelf *k)
{
	size_t i;

	for (i = 1; i < k->nr_symbols; i++)
		if (k->symbols[i]->type == STT_FILE)
			return true;
	return false;
}

const char *cm_same_symbol(const struct cm_source *src, const struct symbol *psym,
			   const struct symbol *tsym)
{
	const struct symbol *f;

	if (!psym || !psym->sec)
		return tsym->bind == STB_LOCAL ?
		       "the patched object's symbol is an undefined global, the target's a local" : NULL;
	if ((psym->bind == STB_LOCAL) != (tsym->bind == STB_LOCAL))
		return psym->bind == STB_LOCAL ?
		       "the patched object's symbol is a local, the target's a global" :
		       "the patched object's symbol is a global, the target's a local";
	if (psym->type != tsym->type && psym->type != STT_NOTYPE && tsym->type != STT_NOTYPE)
		return psym->type == STT_FUNC ? "the patched object's symbol is a function, the target's not" :
		       "the patched object's symbol is not a function, the target's is";
	/* Data keeps its size; a function's may differ (the kernel's build
	 * relaxes jumps the object's -ffunction-sections keeps long). */
	if (psym->type == STT_OBJECT && psym->size && tsym->size && psym->size != tsym->size)
		return "the target's object has another size";
	if (psym->bind != STB_LOCAL || !src->file || !has_file_symbols(tsym->sec->kelf))
		return NULL;
	f = file_of(tsym->sec->kelf, tsym);
	if (!f || strcmp(f->name, src->file))
		return "the target's local belongs to another source file";
	return NULL;
}
