/*
 * trace.c - changed functions the livepatch core cannot redirect, and the
 * callers that can stand in for them.
 *
 * The livepatch core replaces a function through its ftrace entry (the
 * __fentry__ call on x86_64, the patchable entry NOPs on arm64), listed in
 * the object's call-site table (__mcount_loc, __patchable_function_entries).
 * A function without one (notrace, or the kernel's "inline", which implies
 * notrace: e.g. the __do_sys_* bodies of SYSCALL_DEFINE) cannot be
 * replaced.  When such a function changed, its callers in this object are
 * patched instead, as if they had changed: their copies call the carried
 * new version.  That is only sound when every use of the function is a
 * call or jump from code of this object, so it is refused for a global
 * function (other objects call the old one), for one whose address is
 * stored in data (a function pointer reaches the old one), and for one no
 * function of this object calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"

#include "../special-sections/special.h"
#include "../util/util.h"

/* A call-site table: ftrace's (arch->ftrace_sites) or x86's call padding. */
static bool is_call_site_table(const struct cdo *cdo, const char *name)
{
	const char *const *t;

	for (t = cdo->arch->call_site_tables; t && *t; t++)
		if (!strcmp(*t, name))
			return true;
	return false;
}

void cdo_mark_call_site_tables(struct cdo *cdo)
{
	struct kelf *objs[] = { cdo->orig, cdo->patched };
	struct section *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		for_each_section(objs[i], s)
			if (s->priv && is_call_site_table(cdo, s->name)) {
				sec_info(s)->call_sites = true;
				if (s->rela && s->rela->priv)
					sec_info(s->rela)->call_sites = true;
			}
}

/*
 * The function a call-site table entry points into: at @where, or a few
 * bytes on when the entry points at padding NOPs in front of it
 * (-fpatchable-function-entry=N,M with M > 0).
 */
static struct symbol *traced_function(struct section *sec, int64_t where)
{
	struct symbol *f;
	int64_t k;

	if (where < 0)
		return NULL;
	for (k = 0; k <= 64; k++) {
		f = kelf_find_symbol_containing(sec, where + k);
		if (f)
			return f->type == STT_FUNC ? f : NULL;
	}
	return NULL;
}

/* Set ->traced on every function with an entry in a call-site table. */
static void mark_traced(struct cdo *cdo)
{
	struct section *s;
	struct reloc *r;

	for_each_section(cdo->patched, s) {
		if (strcmp(s->name, cdo->arch->ftrace_sites) || !s->rela)
			continue;
		for_each_reloc(s->rela, r) {
			struct symbol *f;

			if (!r->sym || !r->sym->sec)
				continue;
			f = traced_function(r->sym->sec, r->addend +
					    (r->sym->type == STT_SECTION ? 0 :
					     (int64_t)r->sym->offset));
			if (f)
				sym_info(f)->traced = true;
		}
	}
}

/* Would the livepatch core have to redirect @p through its ftrace entry? */
static bool needs_entry(const struct symbol *p)
{
	const struct sym_info *pi = sym_info(p);

	return p->type == STT_FUNC && p->sec && pi->status == CHANGED &&
	       !pi->traced && !strstr(p->name, ".cold") &&
	       !cdo_is_ignored_section(p->sec);
}

/* Is a reference from section @from harmless for an untraceable target:
 * code, or a table that points into code without calling through it? */
static bool is_code_or_table(const struct cdo *cdo, const struct section *from)
{
	return (from->sh.sh_flags & SHF_EXECINSTR) || is_call_site_table(cdo, from->name) ||
	       !strncmp(from->name, ".discard", 8) || cdo_is_ignored_section(from) ||
	       special_find(cdo, from->name);
}

struct promote {
	struct cdo *cdo;
	struct symbol **work;
	size_t n, alloc;
	int ret;
};

/* Patch caller @g in place of @f; queue it when it is untraceable too. */
static void promote(struct promote *st, struct symbol *g, struct symbol *f)
{
	struct sym_info *gi;

	/* A .cold or .part piece stands for its parent. */
	while (sym_info(g)->parent && strstr(g->name, ".cold"))
		g = sym_info(g)->parent;
	gi = sym_info(g);
	if (g == f || gi->status != SAME)
		return;
	gi->status = CHANGED;
	gi->reason = f->name;
	gi->via_caller = true;
	if (!gi->traced) {
		ALLOC_GROW(st->work, st->n + 1, st->alloc);
		st->work[st->n++] = g;
	}
}

/* Visit the references to @f through @via (itself or its section symbol). */
static unsigned int promote_refs(struct promote *st, struct symbol *f,
				 struct symbol *via)
{
	struct cdo *cdo = st->cdo;
	unsigned int callers = 0;
	struct reloc *rel;

	for_each_ref(via, rel) {
		struct section *from = rel->sec->base;
		struct symbol *g;

		if (!from || (via != f && cdo_reloc_target(cdo, rel, NULL) != f))
			continue;
		if (!is_code_or_table(cdo, from) && cdo_is_forced(f)) {
			warn("%s: %s: changed, and has no ftrace entry, and its address is stored in %s, allowed by KPATCH_FORCE_UNSAFE(%s): its callers are patched; a call through the pointer still reaches the old code",
			     cdo->patched->path, f->name, from->name, f->name);
			continue;
		}
		if (!is_code_or_table(cdo, from)) {
			st->ret = error("%s: %s: changed, and has no ftrace entry (notrace or inline), but its address is stored in %s: a function pointer would still reach the old code; patch the functions that call through it, or make it traceable",
					cdo->patched->path, f->name, from->name);
			continue;
		}
		if (!(from->sh.sh_flags & SHF_EXECINSTR))
			continue;
		g = kelf_find_symbol_containing(from, rel->offset);
		if (!g || g->type != STT_FUNC)
			continue;
		callers++;
		promote(st, g, f);
	}
	return callers;
}

int cdo_promote_callers(struct cdo *cdo)
{
	struct promote st = { .cdo = cdo };
	struct symbol *p;
	size_t i;

	mark_traced(cdo);
	for_each_symbol(cdo->patched, p) {
		if (cdo->debug && p->type == STT_FUNC && sym_info(p)->status == CHANGED)
			fprintf(stderr, "%s: %s: changed, %s\n", get_progname(), p->name,
				sym_info(p)->traced ? "traced" : "no ftrace entry");
		if (needs_entry(p)) {
			ALLOC_GROW(st.work, st.n + 1, st.alloc);
			st.work[st.n++] = p;
		}
	}
	/* The queue grows as untraceable callers are promoted. */
	for (i = 0; i < st.n; i++) {
		struct symbol *f = st.work[i];
		unsigned int callers;

		sym_info(f)->untraceable = true;
		if (f->bind != STB_LOCAL && cdo_is_forced(f))
			warn("%s: %s: changed, and has no ftrace entry, and is global, allowed by KPATCH_FORCE_UNSAFE(%s): its callers in this object are patched; callers in other objects still run the old code",
			     cdo->patched->path, f->name, f->name);
		else if (f->bind != STB_LOCAL) {
			st.ret = error("%s: %s: changed, and has no ftrace entry (notrace or inline), and is global: callers in other objects would still run the old code; make the change in its traceable callers, or in a traceable function it calls",
				       cdo->patched->path, f->name);
			continue;
		}
		callers = promote_refs(&st, f, f);
		if (f->sec->secsym)
			callers += promote_refs(&st, f, f->sec->secsym);
		if (!callers)
			st.ret = error("%s: %s: changed, and has no ftrace entry (notrace or inline), and no function of this object calls it: nothing can be patched to reach the new code",
				       cdo->patched->path, f->name);
	}
	free(st.work);
	return st.ret;
}
