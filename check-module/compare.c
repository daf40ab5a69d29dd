/*
 * compare.c - each relocation of the module against the same field of
 * the object its code or data came from.
 *
 * What a relocation reaches is the symbol and offset at S + A, and for a
 * PC-relative field of an instruction S + A + (end of the instruction -
 * the field): the CPU adds the field to the end of the instruction, and
 * the addend counts from the field (x86's PC32 of "addl $5, b(%rip)" has
 * addend -5, not -4).  The instruction is decoded on both sides (the two
 * must decode the same).  A place is named by the relocation's own symbol
 * when it lies inside it or at its end, else by the symbol holding it,
 * else by the symbol ending there; a place no symbol names is compared by
 * its bytes (string literals, constant pools, .altinstr_replacement).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../special-sections/special.h"
#include "../util/util.h"

#define PFX "__pfx_"

bool cm_is_klp_symbol(const struct symbol *s)
{
	return !s->sec && s->shndx == SHN_LIVEPATCH;
}

/*
 * The bytes from the field at @off of @sec to the end of its instruction,
 * when the field is an instruction's PC-relative displacement (function
 * @func holds it); else 0.  Start and length of the instruction in
 * *@start, *@len (0 when not code).  -1 after an error line.
 */
static int field_bias(const struct cm *c, const struct section *sec, const struct symbol *func,
		      uint64_t off, uint32_t type, int64_t *bias, uint64_t *start,
		      unsigned int *len)
{
	const struct arch_reloc *ar = arch_reloc(c->arch, type);
	struct arch_insn insn;
	uint64_t at = off - func->offset;

	*bias = 0;
	*start = 0;
	*len = 0;
	if (!is_text_section(sec) || func->type != STT_FUNC || !sec->data)
		return 0;
	if (arch_insn_at(c->arch, sec->data + func->offset, func->size, at, start, &insn))
		return error("%s: %s+%#lx: cannot decode the instruction holding the relocated field",
			     sec->kelf->path, func->name, (unsigned long)at);
	*len = insn.len;
	if (ar && ar->pcrel && insn.pcrel && insn.disp_off >= 0 &&
	    *start + insn.disp_off == at)
		*bias = (int64_t)(*start + insn.len - at);
	return 0;
}

static bool is_func_or_object(const struct symbol *s)
{
	return s->type == STT_FUNC || s->type == STT_OBJECT;
}

/* The symbol of @sec that holds the byte before @off and ends there, or NULL. */
static struct symbol *ending_at(struct section *sec, int64_t off)
{
	struct symbol *s = off > 0 ? kelf_find_symbol_containing(sec, off - 1) : NULL;

	return s && s->offset + s->size == (uint64_t)off ? s : NULL;
}


/* The FUNC or OBJECT symbol of @sec starting at @off (of size 0 too), or a
 * named asm label there ("mark:"), or NULL. */
static struct symbol *starting_at(struct section *sec, int64_t off)
{
	struct symbol *s = kelf_find_symbol_containing(sec, off);

	if (s && s->offset == (uint64_t)off && is_func_or_object(s))
		return s;
	s = kelf_find_symbol_by_offset(sec, off);
	return s && (is_func_or_object(s) || (s->type == STT_NOTYPE && !cm_is_label(s))) ? s : NULL;
}

/*
 * How a place is named: by the symbol holding it, else one of size 0 there
 * (lockdep's "static struct lock_class_key __key" without CONFIG_LOCKDEP,
 * a named asm label),
 * else the one ending there (ANY); or only by the symbol ending there
 * (END) or starting there (START), for a place that is both (boundary()).
 */
enum naming { ANY, END, START };

/* The symbol of @sec naming place @off as @how says, or NULL. */
static struct symbol *symbol_at(struct section *sec, int64_t off, enum naming how)
{
	struct symbol *s;

	if (off < 0 || (uint64_t)off > sec->size)
		return NULL;
	if (how == END)
		return ending_at(sec, off);
	if (how == START)
		return starting_at(sec, off);
	s = kelf_find_symbol_containing(sec, off);
	if (!s) {
		s = kelf_find_symbol_by_offset(sec, off);
		if (s && (s->size || (!is_func_or_object(s) &&
				      (s->type != STT_NOTYPE || cm_is_label(s)))))
			s = NULL;
	}
	return s ? s : ending_at(sec, off);
}

/*
 * Is @s a label, standing for its section's place as a section symbol
 * would: an assembler-local one (.LC5, a constant of a module object's
 * .rodata.cst2) or an ARM mapping symbol ($x, $d.3)?  A named asm label
 * ("msg:", "tbl_end:") names its place, as create-diff-object names it.
 */
bool cm_is_label(const struct symbol *s)
{
	return s->type == STT_SECTION ||
	       (s->type == STT_NOTYPE && s->bind == STB_LOCAL && !s->size &&
		((s->name[0] == '.' && s->name[1] == 'L') ||
		 (s->name[0] == '$' && s->name[1] && (!s->name[2] || s->name[2] == '.'))));
}

/*
 * Do only NOPs lie from @secoff of function @f's section to @f's start
 * (-fpatchable-function-entry=N,M's M NOPs in front of it: arm64's
 * CALL_OPS, x86's call padding)?  Decoded with the arch of @f's file.
 */
static bool padding_of(const struct symbol *f, int64_t secoff)
{
	const struct arch *arch = arch_find_by_machine(f->sec->kelf->ehdr.e_machine);
	const struct section *sec = f->sec;
	struct arch_insn insn;
	uint64_t at = (uint64_t)secoff;

	if (!arch || secoff < 0 || !sec->data || f->offset > sec->size)
		return false;
	while (at < f->offset) {
		if (arch_decode(arch, sec->data + at, f->offset - at, &insn) || !insn.nop)
			return false;
		at += insn.len;
	}
	return at == f->offset;
}

/*
 * Name the place @value bytes from symbol @s (defined): @s itself when
 * the place is inside it or at its end (@how ANY; END: at its end, START:
 * at its start), or in the NOPs in front of it that no symbol holds (not
 * the end of the function before); else the symbol there.  NULL: no
 * symbol; *@secoff is the place in s->sec.
 */
static struct symbol *name_place(struct symbol *s, int64_t value, enum naming how,
				 int64_t *off, int64_t *secoff)
{
	struct symbol *n;

	*secoff = (int64_t)s->offset + value;
	if (!cm_is_label(s) &&
	    (how == ANY ? value >= 0 && (uint64_t)value <= s->size :
	     how == END ? s->size && (uint64_t)value == s->size : value == 0)) {
		*off = value;
		return s;
	}
	n = symbol_at(s->sec, *secoff, how);
	if (s->type == STT_FUNC && value < 0 &&
	    (!n || n->offset + n->size == (uint64_t)*secoff) && padding_of(s, *secoff)) {
		*off = value;
		return s;
	}
	if (n)
		*off = *secoff - (int64_t)n->offset;
	return n;
}

int cm_klp_target(struct cm *c, const struct symbol *s, struct cm_target **t,
		  struct symbol **tsym, unsigned long *sympos)
{
	static const char prefix[] = ".klp.sym.";
	const char *p = s->name + sizeof(prefix) - 1, *dot, *comma;
	char *end, *obj, *name;
	size_t i;

	*tsym = NULL;
	if (strncmp(s->name, prefix, sizeof(prefix) - 1))
		return error("%s: klp symbol %s: not .klp.sym.OBJ.NAME,POS", c->mod->path, s->name);
	dot = strchr(p, '.');
	comma = strrchr(p, ',');
	if (!dot || !comma || comma < dot)
		return error("%s: klp symbol %s: not .klp.sym.OBJ.NAME,POS", c->mod->path, s->name);
	*sympos = strtoul(comma + 1, &end, 10);
	if (end == comma + 1 || *end)
		return error("%s: klp symbol %s: position is not a number", c->mod->path, s->name);
	obj = xasprintf("%.*s", (int)(dot - p), p);
	name = xasprintf("%.*s", (int)(comma - dot - 1), dot + 1);
	*t = NULL;
	for (i = 0; i < c->nr_targets; i++)
		if (!strcmp(c->targets[i].objname, obj))
			*t = &c->targets[i];
	if (!*t)
		error("%s: klp symbol %s: no patched object of %s was given", c->mod->path,
		      s->name, obj);
	else
		*tsym = cm_kallsyms_find(c, *t, name, *sympos, s->name);
	free(obj);
	free(name);
	return *tsym ? 0 : -1;
}

/* @pl: the bytes at @secoff of @sec, which no symbol names; 0. */
static int bytes_place(struct cm_place *pl, struct section *sec, int64_t secoff)
{
	pl->where = CM_BYTES;
	pl->sec = sec;
	pl->secoff = secoff;
	pl->name = sec->name;
	pl->off = secoff;
	return 0;
}

#define DISABLED "__kpng_disabled."

/*
 * Module symbol @n is the differ's stand-in for module tracepoint key
 * NAME, "__kpng_disabled.NAME": the kernel sets up the livepatch's jump
 * labels before its klp relocations to a module are written, so a
 * jump label of the patched code testing the module's tracepoint tests a
 * key of the livepatch's own instead, never enabled.  Only that: a local
 * object of a writable section, all zeros (a disabled static key),
 * reached from the key field of an entry of a key table whose keys are
 * tracepoints, NAME a tracepoint, @off past @n (the entry's flags, two
 * bits).  Then @r reaches, for the check, what a reference to the key of
 * tracepoint NAME with those flags reaches: in the source's own NAME, or
 * the running kernel's.  True with *@pl set; false
 * when @n is not such a stand-in.
 */
static bool disabled_key_place(struct cm *c, const struct reloc *r, struct symbol *n,
			       int64_t off, struct cm_place *pl)
{
	const struct special_section *ss;
	const char *name = n->name + strlen(DISABLED);
	const struct section *sec = n->sec;
	uint64_t i;
	size_t k;

	if (strncmp(n->name, DISABLED, strlen(DISABLED)) || n->bind != STB_LOCAL ||
	    n->type != STT_OBJECT || !(sec->sh.sh_flags & SHF_WRITE) ||
	    sec->sh.sh_type == SHT_NOBITS || !sec->data || n->offset > sec->size ||
	    n->size > sec->size - n->offset || !n->size)
		return false;
	for (i = 0; i < n->size; i++)
		if (((const unsigned char *)sec->data)[n->offset + i])
			return false;
	for (ss = c->arch->special; ss && ss->name; ss++)
		if (ss->has_key && ss->tracepoint_key && !ss->name_is_prefix &&
		    !strcmp(ss->name, r->sec->base->name) && ss->layouts[0].size &&
		    r->offset % ss->layouts[0].size == ss->key_offset &&
		    !strncmp(name, ss->tracepoint_key, strlen(ss->tracepoint_key)) &&
		    name[strlen(ss->tracepoint_key)])
			break;
	if (!ss || !ss->name || off < 0 || off > 3)
		return false;
	memset(pl, 0, sizeof(*pl));
	pl->where = CM_KERNEL;
	pl->name = name;
	pl->off = ss->tracepoint_key_at + off;	/* the key, with the entry's flags */
	for (k = 0; k < c->nr_srcs; k++) {
		struct symbol *d = kelf_find_symbol_by_name(c->srcs[k].obj, name);

		if (d && d->sec && d->bind != STB_LOCAL) {
			pl->where = CM_SYMBOL;
			pl->src = &c->srcs[k];
			pl->sym = d;
			break;
		}
	}
	return true;
}

static int module_place(struct cm *c, const struct reloc *r, int64_t value, enum naming how,
			struct cm_place *pl)
{
	struct symbol *s = r->sym, *n;
	int64_t secoff;

	memset(pl, 0, sizeof(*pl));
	pl->off = value;
	if (cm_is_klp_symbol(s)) {
		struct symbol *t;

		pl->where = CM_KERNEL;
		if (cm_klp_target(c, s, &pl->target, &t, &pl->sympos))
			return -1;
		n = name_place(t, value, how, &pl->off, &secoff);
		pl->tsym = n ? n : t;
		if (!n)
			pl->off = value;
		pl->name = pl->tsym->name;
		return 0;
	}
	if (!s->sec) {
		pl->where = CM_KERNEL;
		pl->name = s->name;
		return 0;
	}
	n = name_place(s, value, how, &pl->off, &secoff);
	if (!n)
		return bytes_place(pl, s->sec, secoff);
	pl->where = CM_SYMBOL;
	pl->name = n->name;
	if (cm_origin(c, n, &pl->src, &pl->sym))
		return 0;
	/*
	 * objtool names the padding before each function of the linked module
	 * __pfx_NAME (CONFIG_CALL_PADDING): name the place from NAME, which
	 * the sources define.
	 */
	if (!strncmp(n->name, PFX, strlen(PFX))) {
		struct symbol *f;

		for (f = kelf_find_symbol_by_name(c->mod, n->name + strlen(PFX)); f;
		     f = kelf_next_symbol_same_name(f))
			if (f->sec == n->sec && f->offset == n->offset + n->size &&
			    cm_origin(c, f, &pl->src, &pl->sym)) {
				pl->name = f->name;
				pl->off = secoff - (int64_t)f->offset;
				return 0;
			}
	}
	/* The module's link defines it (livepatch.lds: __lp_funcs_start). */
	pl->sym = n;
	if (n->bind != STB_LOCAL && n->type == STT_NOTYPE)
		return 0;
	if (r->sec && r->sec->base && disabled_key_place(c, r, n, pl->off, pl))
		return 0;
	return error("%s: %s: a module symbol that no patched or template object defines",
		     c->mod->path, n->name);
}

int cm_module_place(struct cm *c, const struct reloc *r, int64_t value, struct cm_place *pl)
{
	return module_place(c, r, value, ANY, pl);
}

static void source_place(struct cm_source *src, const struct reloc *r, int64_t value,
			 enum naming how, struct cm_place *pl)
{
	struct symbol *s = r->sym, *n;
	int64_t secoff;

	memset(pl, 0, sizeof(*pl));
	pl->src = src;
	pl->off = value;
	pl->name = s->name;
	if (!s->sec) {
		pl->where = CM_KERNEL;
		return;
	}
	n = name_place(s, value, how, &pl->off, &secoff);
	if (!n) {
		bytes_place(pl, s->sec, secoff);
		return;
	}
	pl->where = CM_SYMBOL;
	pl->sym = n;
	pl->name = n->name;
}

void cm_source_place(struct cm_source *src, const struct reloc *r, int64_t value,
		     struct cm_place *pl)
{
	source_place(src, r, value, ANY, pl);
}

/* "NAME+0x4", "NAME-0x1" into @buf. */
static const char *sym_off(char *buf, size_t size, const char *name, int64_t off)
{
	snprintf(buf, size, "%s%c0x%lx", name, off < 0 ? '-' : '+',
		 (unsigned long)(off < 0 ? -off : off));
	return buf;
}

const char *cm_describe(char *buf, size_t size, const struct cm_place *pl, bool module)
{
	char so[600];

	sym_off(so, sizeof(so), pl->name, pl->off);
	switch (pl->where) {
	case CM_SYMBOL:
		if (module)
			snprintf(buf, size, "its own %s (from %s)", so,
				 pl->src ? pl->src->path : "its link");
		else
			snprintf(buf, size, "%s", so);
		break;
	case CM_KERNEL:
		if (pl->target)
			snprintf(buf, size, "%s's %s (position %lu: symbol %u of %s)",
				 pl->target->objname, so, pl->sympos, pl->tsym->index,
				 pl->target->path);
		else
			snprintf(buf, size, "the running kernel's %s", so);
		break;
	case CM_BYTES:
		snprintf(buf, size, "%s (no symbol there)", so);
		break;
	}
	return buf;
}

/*
 * Bytes of place @p (patched) found at place @m (module)?  NULL or why
 * not.  Code, by what can run from there (code.c); else, or when that
 * cannot be followed, the bytes up to the end of the patched object's
 * section (of its string, of its entry in a merged section).
 */
static const char *same_anonymous(struct cm *c, const struct cm_place *m,
				  const struct cm_place *p, unsigned int depth)
{
	struct section *ps = p->sec, *ms = m->sec;
	uint64_t len, i;
	const char *why = cm_same_code(c, m, p, depth);

	if (why != CM_CANNOT_FOLLOW)
		return why;
	if (p->secoff < 0 || (uint64_t)p->secoff > ps->size ||
	    m->secoff < 0 || (uint64_t)m->secoff > ms->size)
		return "the place is outside its section";
	len = ps->size - p->secoff;
	if ((ps->sh.sh_flags & SHF_STRINGS) && ps->data) {
		const unsigned char *z = memchr(ps->data + p->secoff, '\0', len);

		len = z ? (uint64_t)(z - ps->data - p->secoff) + 1 : len;
	} else if ((ps->sh.sh_flags & SHF_MERGE) && ps->sh.sh_entsize && len > ps->sh.sh_entsize) {
		len = ps->sh.sh_entsize;
	}
	if (len > ms->size - m->secoff)
		return "the module's section ends before the bytes the patched object has there";
	if (!ps->data || !ms->data)
		return ps->data || ms->data ? "one side has no contents" : NULL;
	for (i = 0; i < len; i++)
		if (ps->data[p->secoff + i] != ms->data[m->secoff + i] &&
		    !cm_relocated(c, ps, p->secoff + i) && !cm_relocated(c, ms, m->secoff + i))
			return "other bytes";
	return NULL;
}

bool cm_carried(const struct cm_source *src, const struct symbol *sym)
{
	const struct symbol *s;

	if (!src->diff)
		return false;
	for (s = kelf_find_symbol_by_name(src->diff, sym->name); s; s = kelf_next_symbol_same_name(s))
		if (s->sec && s->type == sym->type)
			return true;
	return false;
}

/*
 * Do the target's @t and the patched object's @p name the same symbol?
 * GCC numbers the static locals of functions (calls.3) per compile, so a
 * build of the patched source may number the one of the kernel
 * differently (calls.4): the number does not count, cm_same_symbol()
 * checks the rest.
 */
bool cm_same_name(const char *t, const char *p)
{
	const char *dt = strrchr(t, '.'), *dp = strrchr(p, '.');

	if (!strcmp(t, p))
		return true;
	if (!dt || !dp || dt - t != dp - p || strncmp(t, p, dt - t) ||
	    !dt[1] || !dp[1] || strspn(dt + 1, "0123456789") != strlen(dt + 1) ||
	    strspn(dp + 1, "0123456789") != strlen(dp + 1))
		return false;
	return true;
}

const char *cm_same_place(struct cm *c, const struct cm_place *m, const struct cm_place *p)
{
	return cm_same_place_depth(c, m, p, 0);
}

const char *cm_same_place_depth(struct cm *c, const struct cm_place *m,
				const struct cm_place *p, unsigned int depth)
{
	const char *why;

	/* No symbol names it in the source: the same distance from the same symbol? */
	if (p->where == CM_BYTES && m->where == CM_SYMBOL && m->sym && m->src == p->src &&
	    m->sym->sec == p->sec && (int64_t)m->sym->offset + m->off == p->secoff)
		return NULL;
	if (p->where == CM_BYTES)
		return m->where != CM_BYTES ? "different places" : same_anonymous(c, m, p, depth);
	if (m->where == CM_BYTES)
		return "different places";
	/* A global the source does not define: the module's own, linked. */
	if (m->where == CM_SYMBOL && p->where == CM_KERNEL) {
		if (m->sym->bind == STB_LOCAL || strcmp(m->sym->name, p->name))
			return "different symbols";
	} else if (m->where == CM_SYMBOL) {
		if (p->where != CM_SYMBOL || m->sym != p->sym)
			return "different symbols";
	} else if (!cm_same_name(m->name, p->name)) {
		return "different symbols";
	}
	if (m->off != p->off)
		return "different offsets";
	if (m->where == CM_SYMBOL)
		return NULL;
	/* The module reaches the running kernel's symbol. */
	if (p->sym && p->sym->type == STT_OBJECT && cm_carried(p->src, p->sym))
		return "the patched object's data is carried in the module, which reaches the running kernel's instead";
	if (m->tsym && (why = cm_same_symbol(p->src, p->sym, m->tsym)))
		return why;
	if (!m->tsym && p->sym && p->sym->bind == STB_LOCAL)
		return "a local of the patched object, reached as an exported symbol";
	return NULL;
}

/*
 * Runtime constants (asm/runtime-const.h, both arches): a patched object's
 * runtime_ptr_SYM section has an entry pointing into each instruction
 * whose immediate the kernel fills in at boot with SYM's value.  Module
 * code is never filled in, so the differ rewrites the instruction to read
 * SYM: a module relocation with no counterpart in the patched object is
 * right when an entry points into the instruction at the same place and
 * the relocation reaches SYM itself.  The instruction is decoded from the
 * patched object, at @at of @psym.  Fills @pl and returns true then.
 */
#define RUNTIME_PTR_PREFIX "runtime_ptr_"

static bool runtime_const_place(const struct cm *c, struct cm_source *src,
				struct symbol *psym, uint64_t at, struct cm_place *pl)
{
	uint64_t start, lo, hi;
	struct arch_insn insn;
	struct section *sec;
	struct reloc *r;

	if (!is_text_section(psym->sec) || !psym->sec->data || psym->type != STT_FUNC ||
	    arch_insn_at(c->arch, psym->sec->data + psym->offset, psym->size, at, &start, &insn))
		return false;
	lo = psym->offset + start;
	hi = lo + insn.len;
	for_each_section(src->obj, sec) {
		const char *var;
		struct symbol *v;

		if (!is_rela_section(sec) || !sec->base ||
		    strncmp(sec->base->name, RUNTIME_PTR_PREFIX, strlen(RUNTIME_PTR_PREFIX)))
			continue;
		var = sec->base->name + strlen(RUNTIME_PTR_PREFIX);
		for_each_reloc(sec, r) {
			int64_t o = r->sym ? (int64_t)r->sym->offset + r->addend : -1;

			if (!r->sym || r->sym->sec != psym->sec || o < (int64_t)lo || o >= (int64_t)hi)
				continue;
			memset(pl, 0, sizeof(*pl));
			pl->src = src;
			pl->name = var;
			for (v = kelf_find_symbol_by_name(src->obj, var); v && !v->sec;
			     v = kelf_next_symbol_same_name(v))
				;
			pl->where = v ? CM_SYMBOL : CM_KERNEL;
			pl->sym = v;
			return true;
		}
	}
	return false;
}

bool cm_special_table(const struct cm *c, const char *name)
{
	const struct special_section *ss;

	for (ss = c->arch->special; ss && ss->name; ss++)
		if (ss->name_is_prefix ? !strncmp(name, ss->name, strlen(ss->name)) :
		    !strcmp(name, ss->name))
			return true;
	return false;
}

bool cm_reads_or_writes(const struct cm *c, struct symbol *psym, const struct reloc *pr,
			bool follow_page)
{
	struct section *sec = psym->sec;
	struct arch_insn insn;
	uint64_t start, at = pr->offset - psym->offset;
	struct reloc **rs;
	size_t n, i;
	bool any = false;

	if (!is_text_section(sec) || !sec->data || psym->type != STT_FUNC ||
	    psym->offset + psym->size > sec->size ||
	    arch_insn_at(c->arch, sec->data + psym->offset, psym->size, at, &start, &insn))
		return false;
	/* A branch reaches an instruction: the start of a function there. */
	if (insn.branch && insn.disp_off >= 0 && at - start == (uint64_t)insn.disp_off)
		return true;
	if (!insn.page)
		return insn.deref_off >= 0 && at - start == (uint64_t)insn.deref_off;
	if (!follow_page || !sec->rela)
		return false;
	/* The function's own relocations (sorted by offset), not the
	 * section's: an adrp in a large shared .text costs its function. */
	rs = kelf_relocs_in_range(sec, psym->offset, psym->offset + psym->size, &n);
	for (i = 0; i < n; i++) {
		struct reloc *r = rs[i];

		if (r == pr || r->sym != pr->sym || r->addend != pr->addend)
			continue;
		if (!cm_reads_or_writes(c, psym, r, false))
			return false;
		any = true;
	}
	return any;
}

/*
 * Is the place @value past label @pr->sym (a section symbol) of function
 * or object @psym where one sized function or object ends and another
 * starts, with nothing reading or writing there ("&a[N]", a loop's bound,
 * is "&b")?  The module must then reach a place that is both.
 */
static bool boundary(const struct cm *c, struct symbol *psym, const struct reloc *pr,
		     int64_t value)
{
	struct symbol *e, *b;
	int64_t off;

	if (!pr->sym || !pr->sym->sec || !cm_is_label(pr->sym) ||
	    /* a table's entries are pointed at by where they start (__dyndbg) */
	    cm_special_table(c, pr->sym->sec->name))
		return false;
	off = (int64_t)pr->sym->offset + value;
	if (off <= 0 || (uint64_t)off > pr->sym->sec->size)
		return false;
	e = ending_at(pr->sym->sec, off);
	b = starting_at(pr->sym->sec, off);
	/* objtool's padding before a function (__pfx_NAME, __cfi_NAME) is
	 * part of it: nothing means its end. */
	if (e && (!strncmp(e->name, PFX, strlen(PFX)) || !strncmp(e->name, "__cfi_", 6)))
		return false;
	/* Code is pointed at by where it starts (calls, function pointers). */
	return e && b && e != b && is_func_or_object(e) && e->size && b->type != STT_FUNC &&
	       !cm_reads_or_writes(c, psym, pr, true);
}

/*
 * The module's @r at a patched boundary (boundary()) against the patched
 * @pr: the same symbol ending there and the same one starting there.
 * NULL, or why not, naming the one (*@end: the ending one) that differs.
 */
static const char *same_boundary(struct cm *c, const struct reloc *r, int64_t mvalue,
				 struct cm_source *src, const struct reloc *pr, int64_t pvalue,
				 bool *end)
{
	static const enum naming hows[] = { END, START };
	struct cm_place m, p;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hows); i++) {
		*end = hows[i] == END;
		if (module_place(c, r, mvalue, hows[i], &m))
			return "the module's place cannot be named";
		source_place(src, pr, pvalue, hows[i], &p);
		why = cm_same_place(c, &m, &p);
		if (why)
			return why;
	}
	return NULL;
}

/* Check relocation @r of the module, in function or object @msym. */
static void check_reloc(struct cm *c, const struct reloc *r, struct symbol *msym)
{
	struct section *base = r->sec->base;
	uint64_t at = r->offset - msym->offset, mstart, pstart;
	unsigned int mlen, plen;
	struct cm_place m, p;
	struct cm_source *src;
	struct symbol *psym;
	struct reloc *pr;
	int64_t mbias, pbias;
	const char *why;
	char a[1024], b[1024];

	if (!cm_origin(c, msym, &src, &psym)) {
		c->nr_errors++;
		error("%s: %s+%#lx: %s: no patched or template object defines %s",
		      c->mod->path, msym->name, (unsigned long)at,
		      arch_reloc_name(c->arch, r->type), msym->name);
		return;
	}
	pr = at < psym->size ? kelf_find_reloc_at(psym->sec, psym->offset + at) : NULL;
	/* Without a symbol (index 0) a relocation reaches its addend alone. */
	if (!r->sym || (pr && !pr->sym)) {
		if (r->sym || !pr || pr->sym || pr->type != r->type || pr->addend != r->addend) {
			c->nr_errors++;
			error("%s: %s+%#lx: %s %s, but %s has %s there: internal error, the module is wrong; not written",
			      c->mod->path, msym->name, (unsigned long)at,
			      arch_reloc_name(c->arch, r->type), r->sym ? r->sym->name : "without a symbol",
			      src->path, !pr ? "no relocation" : pr->sym ? "one with a symbol" :
			      "another one without a symbol");
		}
		return;
	}
	if (!src->diff)
		c->nr_template++;
	else if (cm_is_klp_symbol(r->sym))
		c->nr_klp++;
	if (!pr && runtime_const_place(c, src, psym, at, &p)) {
		if (field_bias(c, base, msym, r->offset, r->type, &mbias, &mstart, &mlen) ||
		    cm_module_place(c, r, r->addend + mbias, &m)) {
			c->nr_errors++;
			return;
		}
		why = cm_same_place(c, &m, &p);
		if (why) {
			c->nr_errors++;
			error("%s: %s+%#lx: %s reaches %s, but the runtime constant there in %s is %s (%s): internal error, the module is wrong; not written",
			      c->mod->path, msym->name, (unsigned long)at,
			      arch_reloc_name(c->arch, r->type), cm_describe(a, sizeof(a), &m, true),
			      src->path, p.name, why);
		}
		return;
	}
	if (!pr) {
		c->nr_errors++;
		error("%s: %s+%#lx: %s to %s, but %s has no relocation at %s+%#lx: internal error, the module is wrong; not written",
		      c->mod->path, msym->name, (unsigned long)at,
		      arch_reloc_name(c->arch, r->type), r->sym->name, src->path, psym->name,
		      (unsigned long)at);
		return;
	}
	if (field_bias(c, base, msym, r->offset, r->type, &mbias, &mstart, &mlen) ||
	    field_bias(c, psym->sec, psym, pr->offset, pr->type, &pbias, &pstart, &plen)) {
		c->nr_errors++;
		return;
	}
	if (mstart != pstart || mlen != plen || mbias != pbias) {
		c->nr_errors++;
		error("%s: %s+%#lx: the instruction at +%#lx (%u bytes) in the module is at +%#lx (%u bytes) in %s: internal error, the module is wrong; not written",
		      c->mod->path, msym->name, (unsigned long)at, (unsigned long)mstart, mlen,
		      (unsigned long)pstart, plen, src->path);
		return;
	}
	if (pr->type != r->type) {
		c->nr_errors++;
		error("%s: %s+%#lx: %s in the module, %s in %s: internal error, the module is wrong; not written",
		      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
		      arch_reloc_name(c->arch, pr->type), src->path);
		return;
	}
	if (cm_module_place(c, r, r->addend + mbias, &m)) {
		c->nr_errors++;
		return;
	}
	if (cm_check_loose(c, r, msym, at, r->addend + mbias, src, psym, pr, pr->addend + pbias))
		return;
	cm_source_place(src, pr, pr->addend + pbias, &p);
	if (boundary(c, psym, pr, pr->addend + pbias)) {
		int64_t off = (int64_t)pr->sym->offset + pr->addend + pbias;
		struct symbol *e = ending_at(pr->sym->sec, off), *st = starting_at(pr->sym->sec, off);
		bool end;

		why = same_boundary(c, r, r->addend + mbias, src, pr, pr->addend + pbias, &end);
		if (!why)
			return;
		c->nr_errors++;
		error("%s: %s+%#lx: %s reaches %s, but in %s it reaches %s+%#lx, where %s ends and %s starts, which the instruction does not read or write: the module must reach a place that is both, and it is not the %s of %s (%s): internal error, the module is wrong; not written",
		      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
		      cm_describe(a, sizeof(a), &m, true), src->path, pr->sym->sec->name,
		      (unsigned long)off, e->name, st->name, end ? "end" : "start",
		      end ? e->name : st->name, why);
		return;
	}
	why = cm_same_place(c, &m, &p);
	if (!why)
		return;
	c->nr_errors++;
	error("%s: %s+%#lx: %s reaches %s, but in %s it reaches %s (%s): internal error, the module is wrong; not written",
	      c->mod->path, msym->name, (unsigned long)at, arch_reloc_name(c->arch, r->type),
	      cm_describe(a, sizeof(a), &m, true), src->path, cm_describe(b, sizeof(b), &p, false), why);
}

size_t cm_check_relocs(struct cm *c)
{
	struct reloc **tables = NULL, *r;
	size_t nr_tables = 0, alloc = 0;
	struct section *rela;

	for_each_section(c->mod, rela) {
		struct section *base = rela->base;

		if (!is_rela_section(rela) || !base)
			continue;
		for_each_reloc(rela, r) {
			struct symbol *msym;

			c->nr_relocs++;
			if (!(base->sh.sh_flags & SHF_ALLOC)) {
				c->nr_uncompared++;
				continue;
			}
			if (!strcmp(base->name, ".livepatch.funcs"))
				continue;	/* funcs.c */
			msym = kelf_find_symbol_containing(base, r->offset);
			if (msym) {
				check_reloc(c, r, msym);
				continue;
			}
			ALLOC_GROW(tables, nr_tables + 1, alloc);
			tables[nr_tables++] = r;
		}
	}
	c->nr_tables = nr_tables;
	cm_check_tables(c, tables, nr_tables);
	free(tables);
	return c->nr_errors;
}
