/*
 * refuse.c - changes a livepatch cannot carry safely.
 *
 * A livepatch replaces functions; it cannot re-run initialisation, rewrite
 * data the running kernel already holds, or change what the kernel exports.
 * Each refusal names the symbol, the rule, and what to do instead.  Every
 * violation is reported before the differ exits with EXIT_REFUSED.
 */
#include <stdint.h>
#include <string.h>

#include "cdo.h"
#include "../special-sections/special.h"
#include "../util/util.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Code and data that exist only while booting or loading a module. */
static bool is_init_section(const struct section *sec)
{
	return starts_with(sec->name, ".init.") || starts_with(sec->name, ".exit.") ||
	       starts_with(sec->name, ".meminit.");
}

/*
 * The exported name behind an export marker, or NULL: since Linux 6.5
 * EXPORT_SYMBOL(foo) leaves "__export_symbol_foo" in .export_symbol and
 * modpost makes the ksymtab; before, objects held "__ksymtab_foo".
 */
static const char *exported_name(const struct symbol *sym)
{
	static const char *const prefixes[] = { "__export_symbol_", "__ksymtab_" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (starts_with(sym->name, prefixes[i]) &&
		    sym->name[strlen(prefixes[i])])
			return sym->name + strlen(prefixes[i]);
	return NULL;
}

static int refuse_changed_symbol(struct cdo *cdo, struct symbol *p)
{
	const char *obj = cdo->patched->path;
	struct sym_info *pi = sym_info(p);

	if (pi->status == SAME)
		return 0;
	if (is_init_section(p->sec) && pi->status == CHANGED)
		return error("%s: %s: changed %s code or data in %s: it runs only while booting or loading the module and cannot be livepatched; do one-time work in a pre-patch callback instead",
			     obj, p->name, p->type == STT_FUNC ? "__init" : "__initdata",
			     p->sec->name);
	if (p->type != STT_OBJECT || pi->status != CHANGED)
		return 0;
	if (!(p->sec->sh.sh_flags & SHF_WRITE))
		return 0;	/* read-only: a new copy is carried */
	if (special_descriptor_table(cdo, p))
		return 0;	/* dynamic debug's: the livepatch's own (include.c) */
	if (cdo_force_data(cdo, p, p->sec->sh.sh_type == SHT_NOBITS ?
			   "the size of an existing variable changed" :
			   "changed initialized data"))
		return 0;	/* KPATCH_FORCE_UNSAFE: a new copy too */
	if (p->sec->sh.sh_type == SHT_NOBITS)
		return error("%s: %s: the size of an existing variable changed (%s): the running kernel keeps the old one; keep the variable as it is and attach new state with a shadow variable (klp_shadow_*)",
			     obj, p->name, pi->reason);
	return error("%s: %s: changed initialized data (%s): the running kernel keeps its current value; leave the initializer alone and change the value in a post-patch callback, or attach new state with a shadow variable (klp_shadow_*)",
		     obj, p->name, pi->reason);
}

/* Exports added or removed: the sets of export markers must match. */
static int refuse_export_changes(struct cdo *cdo)
{
	struct symbol *sym;
	int ret = 0;

	for_each_symbol(cdo->patched, sym)
		if (exported_name(sym) && !sym_twin(sym))
			ret = error("%s: %s: newly exported: a livepatch cannot change the kernel's export set; call the function from the patched code without exporting it",
				    cdo->patched->path, exported_name(sym));
	for_each_symbol(cdo->orig, sym)
		if (exported_name(sym) && !sym_twin(sym))
			ret = error("%s: %s: no longer exported: a livepatch cannot change the kernel's export set; keep the EXPORT_SYMBOL",
				    cdo->patched->path, exported_name(sym));
	return ret;
}

bool cdo_is_relocated(const struct cdo *cdo, struct section *sec, uint64_t start,
		      uint64_t len)
{
	size_t n, i;
	struct reloc **r = kelf_relocs_in_range(sec, start > 8 ? start - 8 : 0,
					       start + len, &n);

	for (i = 0; i < n; i++) {
		const struct arch_reloc *ar = arch_reloc(cdo->arch, r[i]->type);
		unsigned int width = ar && ar->width ? ar->width : 8;

		if (r[i]->offset + width > start && r[i]->offset < start + len)
			return true;
	}
	return false;
}

/*
 * A branch of carried function @f, in a section it shares with other
 * functions (__sched puts them all in .sched.text), to the entry of one of
 * them: the assembler resolved it without a relocation, so the copy in the
 * livepatch would branch into nowhere.  @f's instructions are decoded from
 * its start; one the decoder does not know is refused too, since its
 * branches cannot be known.
 */
static int refuse_sibling_branch(struct cdo *cdo, struct symbol *f)
{
	struct section *sec = f->sec;
	uint64_t q, end = f->offset + f->size;
	struct arch_insn insn;

	if (sec->sh.sh_type != SHT_PROGBITS || !sec->data || end > sec->size)
		return 0;
	for (q = f->offset; q < end; q += insn.len) {
		int64_t target;
		struct symbol *t;

		if (arch_decode(cdo->arch, sec->data + q, end - q, &insn))
			return error("%s: %s+%#lx: an instruction the decoder does not know, in a section shared with other functions (%s): whether it branches to one of them cannot be known, and kpatch-ng cannot carry %s",
				     cdo->patched->path, f->name, (unsigned long)(q - f->offset),
				     sec->name, f->name);
		if (!insn.branch || !arch_insn_dest(sec->data + q, &insn, &target) ||
		    cdo_is_relocated(cdo, sec, q + insn.disp_off, insn.disp_len))
			continue;
		target += (int64_t)q;
		if (target >= (int64_t)f->offset && target < (int64_t)end)
			continue;
		t = cdo_func_at(sec, target);
		if (t && t != f)
			return error("%s: %s+%#lx: a branch to %s, which shares %s with it, has no relocation (the assembler resolved it): the copy in the livepatch would branch into nowhere, and kpatch-ng cannot carry %s yet",
				     cdo->patched->path, f->name, (unsigned long)(q - f->offset),
				     t->name, sec->name, f->name);
	}
	return 0;
}

/* Does the livepatch carry @s (else the running kernel's stays in use)? */
static bool is_carried(const struct symbol *s)
{
	return sym_info(s)->include || sec_info(s->sec)->include;
}

/* What the author of a patch can do about an ambiguous reference to @sec. */
static const char *advice(const struct section *sec, char *buf, size_t size)
{
	if (!strcmp(sec->name, ".data..percpu"))
		snprintf(buf, size, "keep the per-CPU variables of this file as the running kernel has them: allocate a new one with alloc_percpu() in a pre-patch callback (KPATCH_PRE_PATCH_CALLBACK) instead");
	else
		snprintf(buf, size, "give the new or changed variable a section of its own (no __read_mostly or other section attribute), or keep the variables of %s as the running kernel has them",
			 sec->name);
	return buf;
}

/*
 * References of carried function or object @p to a place where one
 * symbol ends and another starts (cdo_reloc_boundary(): "&a[N]", a loop's
 * bound, and "&b" are the same offset of a section a and b share, and
 * nothing reads or writes there).  The livepatch can only point at one of
 * the two, so either is right only when both stay together: both the
 * running kernel's, one after the other there as in the original object.
 * "for (p = limits; p < &limits[10]; p++)" beside a new "shown" placed
 * after limits would otherwise run from the kernel's limits to the
 * livepatch's shown.
 */
static int refuse_boundaries(struct cdo *cdo, struct symbol *p)
{
	struct reloc **rels;
	size_t n, i;
	int ret = 0;

	if (!p->sec->rela)
		return 0;
	rels = kelf_relocs_in_range(p->sec, p->offset, p->offset + p->size, &n);
	for (i = 0; i < n; i++) {
		struct symbol *end, *start, *oe, *os;
		char adv[512];

		if (!cdo_reloc_boundary(cdo, rels[i], &end, &start) ||
		    /* a table's entries are pointed at by where they start
		     * (__dyndbg descriptors) */
		    special_find(cdo, rels[i]->sym->sec->name))
			continue;
		oe = sym_twin(end);
		os = sym_twin(start);
		if (!is_carried(end) && !is_carried(start) && oe && os && oe->sec == os->sec &&
		    oe->offset + oe->size == os->offset)
			continue;
		if (!is_carried(end) && !is_carried(start))
			ret = error("%s: %s+%#lx: %s to %s+%#lx reaches both the end of %s and the start of %s, and the instruction does not read, write or branch there: which one the code means cannot be known, and in the running kernel %s does not start where %s ends (a variable between them was removed, or they moved); keep the variables of %s as the running kernel has them",
				    cdo->patched->path, p->name,
				    (unsigned long)(rels[i]->offset - p->offset),
				    arch_reloc_name(cdo->arch, rels[i]->type), rels[i]->sym->sec->name,
				    (unsigned long)cdo_reloc_offset(cdo, rels[i]), end->name,
				    start->name, start->name, end->name, rels[i]->sym->sec->name);
		else
			ret = error("%s: %s+%#lx: %s to %s+%#lx reaches both the end of %s and the start of %s, and the instruction does not read, write or branch there: which one the code means cannot be known, and the livepatch keeps the two apart (%s %s, %s %s); %s",
				    cdo->patched->path, p->name,
				    (unsigned long)(rels[i]->offset - p->offset),
				    arch_reloc_name(cdo->arch, rels[i]->type), rels[i]->sym->sec->name,
				    (unsigned long)cdo_reloc_offset(cdo, rels[i]), end->name,
				    start->name, end->name,
				    is_carried(end) ? "carried" : "the running kernel's", start->name,
				    is_carried(start) ? "carried" : "the running kernel's",
				    advice(rels[i]->sym->sec, adv, sizeof(adv)));
	}
	return ret;
}

/*
 * Why the candidates of @sec (cdo_loose_candidate()) do not keep, in the
 * livepatch, the distances they have in the patched object, into @buf
 * with the one it names; NULL when they do: each is the running kernel's,
 * at the offset its twin has in the original object's one section.
 * Worked out once per section (sec_info's loose_*).
 */
static const char *moved_object(struct section *sec, char *buf, size_t size)
{
	struct sec_info *si = sec_info(sec);
	struct symbol **syms;
	struct section *osec = NULL;
	size_t n, i;

	if (!si->loose_checked) {
		si->loose_checked = true;
		syms = kelf_section_symbols(sec, &n);
		for (i = 0; i < n && !si->loose_bad; i++) {
			struct symbol *s = syms[i], *o;

			if (!cdo_loose_candidate(s))
				continue;
			o = sym_twin(s);
			if (is_carried(s))
				si->loose_why = LOOSE_CARRIED;
			else if (!o || !o->sec)
				si->loose_why = LOOSE_NEW;
			else if ((osec && o->sec != osec) || o->offset != s->offset)
				si->loose_why = LOOSE_MOVED;
			else
				osec = o->sec;
			if (si->loose_why != LOOSE_KEPT)
				si->loose_bad = s;
		}
	}
	if (!si->loose_bad)
		return NULL;
	snprintf(buf, size, si->loose_why == LOOSE_CARRIED ? "the livepatch carries %s" :
		 si->loose_why == LOOSE_NEW ? "%s is new" : "%s is not where the running kernel has it",
		 si->loose_bad->name);
	return buf;
}

/* Is byte @off of code section @sec carried: its function, its piece of
 * shared code (.altinstr_replacement), or the whole section? */
static bool carried_code(struct cdo *cdo, struct section *sec, uint64_t off)
{
	struct symbol *f = kelf_find_symbol_containing(sec, off);
	struct piece *pc;

	if (f && f->type == STT_FUNC)
		return is_carried(f);
	pc = cdo_piece_at(cdo, sec, (int64_t)off);
	if (pc)
		return pc->include;
	return sec->priv && sec_info(sec)->include;
}

/* "func+0x1a", or "SECTION+0x3" outside functions, into @buf. */
static const char *code_place(struct section *sec, uint64_t off, char *buf, size_t size)
{
	struct symbol *f = kelf_find_symbol_containing(sec, off);

	if (f && f->type == STT_FUNC)
		snprintf(buf, size, "%s+%#lx", f->name, (unsigned long)(off - f->offset));
	else
		snprintf(buf, size, "%s+%#lx", sec->name, (unsigned long)off);
	return buf;
}

/*
 * Loose references of carried code (cdo_reloc_loose(): "b[i + 5]" is
 * .bss + 0x14(,%rdi,4), past b; a loop over t[i].field ends at
 * &t[N].field, past t, in a gap or in what follows).  The variable the
 * place was computed from cannot be told from it: with one in the
 * section it is that one; with several, the reference is right whichever
 * it is only when all keep their distances in the running kernel.
 */
int cdo_refuse_loose(struct cdo *cdo)
{
	struct section *rela;
	int ret = 0;

	for_each_section(cdo->patched, rela) {
		struct section *sec = rela->base;
		struct reloc *r;

		if (!is_rela_section(rela) || !sec || sec->rela != rela || !is_text_section(sec))
			continue;
		for_each_reloc(rela, r) {
			char why[512], at[512], adv[512];
			const struct rel_info *ri = r->priv;
			struct section *to;
			int64_t where;
			size_t nr;

			if (!cdo_reloc_loose(cdo, r) || !carried_code(cdo, sec, r->offset))
				continue;
			to = r->sym->sec;
			where = cdo_reloc_offset(cdo, r);
			if (!cdo_loose_object(to, where, &nr) || nr < 2 ||
			    !moved_object(to, why, sizeof(why)))
				continue;
			ret = error("%s: %s: %s to %s%c%#lx: the instruction %s, so the place need not lie in the variable it was computed from (an index's or a loop bound's offset: \"a[i + 5]\", \"&t[N].field\"); which of the %zu variables of %s that is cannot be known, and they do not keep their distances in the livepatch (%s); %s",
				    cdo->patched->path, code_place(sec, r->offset, at, sizeof(at)),
				    arch_reloc_name(cdo->arch, r->type), to->name, where < 0 ? '-' : '+',
				    (unsigned long)(where < 0 ? -where : where),
				    ri && ri->indexed ? "adds a register to it" : "does not read or write there",
				    nr, to->name, why, advice(to, adv, sizeof(adv)));
		}
	}
	return ret;
}

/* Does @f's section hold another function? */
static bool shares_section(struct symbol *f)
{
	struct symbol **syms;
	size_t n, i;

	syms = kelf_section_symbols(f->sec, &n);
	for (i = 0; i < n; i++)
		if (syms[i] != f && syms[i]->type == STT_FUNC)
			return true;
	return false;
}

int cdo_refuse_carried(struct cdo *cdo)
{
	struct symbol *f;
	int ret = 0;

	for_each_symbol(cdo->patched, f) {
		if (!is_object_symbol(f) || !sym_info(f)->include)
			continue;
		if (refuse_boundaries(cdo, f))
			ret = -1;
		if (f->type == STT_FUNC && shares_section(f) && refuse_sibling_branch(cdo, f))
			ret = -1;
	}
	return ret;
}

int cdo_refuse(struct cdo *cdo)
{
	struct symbol *p;
	int ret = 0;

	for_each_symbol(cdo->patched, p)
		if (is_object_symbol(p) && !cdo_is_ignored_section(p->sec) &&
		    refuse_changed_symbol(cdo, p))
			ret = -1;
	if (refuse_export_changes(cdo))
		ret = -1;
	/* Table entries that changed under code that did not. */
	if (special_refuse_changed_entries(cdo))
		ret = -1;
	return ret;
}
