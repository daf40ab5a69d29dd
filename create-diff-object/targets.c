/*
 * targets.c - where each PC-relative relocation in code points, decoded.
 *
 * A PC-relative field in code holds S + A - P (the psABI's PC32, PLT32,
 * GOTPCREL...: symbol plus addend minus the field's own address), and the
 * CPU adds it to the address of the instruction's end (x86_64: RIP-relative
 * operands, call/jmp/jcc rel32).  So through a section symbol the offset
 * referenced is the addend plus the distance from the field to the end of
 * the instruction, which depends on the instruction: gas writes
 * ".data..read_mostly - 1" for "addl $5, b(%rip)" with b at offset 4 (83 05
 * <disp32> 05: the immediate follows the field, 5 bytes to the end), and
 * ".data..read_mostly + 0" for "movl b(%rip), %eax".  A fixed bias of 4
 * would charge the first to the variable before b.
 *
 * Before anything compares targets, cdo_decode_relocs() decodes the
 * instruction holding each PC-relative relocation of each code section, in
 * one pass per section (relocations in offset order, the decoder walking
 * forward from the start of the function holding them), and records that
 * distance.  arm64's fields count from the instruction's start, so its
 * decoder reports no distance and the addend is exact.  In data (".long
 * x - .", ".quad key + 2 - ." in __jump_table) nothing is added: the
 * kernel reads such an entry as its own address plus its value
 * (offset_to_ptr()), which is S + A.
 *
 * A relocation in code that lands in an instruction the decoder does not
 * know, or not on its PC-relative field, is refused: its target cannot be
 * known.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cdo.h"
#include "../special-sections/special.h"
#include "../util/util.h"

/* The decoder walking through a section's code, one instruction ahead. */
struct walk {
	const struct arch *arch;
	struct section *sec;
	uint64_t lo, hi;		/* the range decoded from lo */
	uint64_t at;			/* the next instruction's start */
	uint64_t start;			/* the last instruction decoded */
	struct arch_insn insn;
	bool func;			/* [lo, hi) is one function */
	bool have;
};

/*
 * Where decoding must start to reach @off of @w->sec: the function holding
 * it; else, outside functions (.altinstr_replacement holds bare
 * instructions), the range being walked when it is one of those, or the
 * end of the last function walked, or the section's start.
 */
static void walk_range(struct walk *w, uint64_t off, uint64_t *lo, uint64_t *hi, bool *func)
{
	struct symbol *f = kelf_find_symbol_containing(w->sec, off);

	*func = f && f->type == STT_FUNC && f->offset + f->size <= w->sec->size;
	if (*func) {
		*lo = f->offset;
		*hi = f->offset + f->size;
	} else if (w->have && !w->func && w->lo <= off) {
		*lo = w->lo;
		*hi = w->hi;
	} else {
		*lo = w->have && w->hi <= off ? w->hi : 0;
		*hi = w->sec->size;
	}
}

/* Decode up to the instruction holding byte @off: 0, or -1. */
static int walk_to(struct walk *w, uint64_t off)
{
	uint64_t lo, hi;
	bool func;

	walk_range(w, off, &lo, &hi, &func);
	if (!w->have || lo != w->lo || hi != w->hi || off < w->start) {
		w->lo = w->at = w->start = lo;
		w->hi = hi;
		w->func = func;
		w->have = true;
		w->insn.len = 0;
	}
	if (off >= w->start && off < w->start + w->insn.len)
		return 0;
	while (w->at < w->hi) {
		if (arch_decode(w->arch, w->sec->data + w->at, w->hi - w->at, &w->insn))
			break;
		w->start = w->at;
		w->at += w->insn.len;
		if (off < w->at)
			return 0;
	}
	/* Undecodable at w->at: the next relocation starts afresh. */
	w->have = false;
	return -1;
}

/* "func+0x1a" or ".altinstr_replacement+0x3" for an error message. */
static char *where(struct section *sec, uint64_t off)
{
	struct symbol *f = kelf_find_symbol_containing(sec, off);

	if (f && f->type == STT_FUNC)
		return xasprintf("%s+%#lx", f->name, (unsigned long)(off - f->offset));
	return xasprintf("%s+%#lx", sec->name, (unsigned long)off);
}

/*
 * Refuse relocation @r: @what is wrong with the @n bytes at @at, where
 * decoding stopped or the instruction holding @r starts.
 */
static int refuse(const struct cdo *cdo, struct kelf *kelf, struct section *sec,
		  const struct reloc *r, uint64_t at, uint64_t n, const char *what)
{
	char *w = where(sec, r->offset), *w_at = where(sec, at), *bytes, *p;
	uint64_t i;

	if (n > sec->size - at)
		n = sec->size - at;
	p = bytes = xmalloc(n * 3 + 1);
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%02x", i ? " " : "", sec->data[at + i]);
	error("%s: %s: %s to %s %s (%s at %s): where it points cannot be known; report this, with the object",
	      kelf->path, w, arch_reloc_name(cdo->arch, r->type),
	      r->sym ? (r->sym->type == STT_SECTION && r->sym->sec ? r->sym->sec->name :
			r->sym->name) : "?",
	      what, bytes, w_at);
	free(bytes);
	free(w_at);
	free(w);
	return -1;
}

/*
 * Whether the instruction holding relocation @r, decoded, reads or writes
 * the place its field gives (rel_info's deref), or forms its page.  A
 * relocation the decoder cannot place (an immediate, code it does not
 * know) is neither: the place may be one past an object's end.
 */
static void note_access(struct walk *w, const struct arch_reloc *ar, const struct reloc *r,
			struct rel_info *ri)
{
	int64_t field;

	if (walk_to(w, r->offset))
		return;
	field = (int64_t)(r->offset - w->start);
	ri->deref = w->insn.deref_off >= 0 && field == w->insn.deref_off &&
		    (field == w->insn.disp_off ? ar->width == w->insn.disp_len :
		     ar->width == w->insn.imm_len);
	ri->page = w->insn.page;
	ri->indexed = w->insn.indexed && field == w->insn.disp_off;
}

/* Decode the instruction of each relocation of @rela. */
static int decode_section(const struct cdo *cdo, struct kelf *kelf, struct section *rela)
{
	struct section *sec = rela->base;
	struct walk w = { .arch = cdo->arch, .sec = sec };
	struct rel_info *info;
	struct reloc **rs;
	uint64_t dead_lo = 0, dead_hi = 0;	/* the range that did not decode */
	size_t n, i;
	int ret = 0;

	rs = kelf_relocs_in_range(sec, 0, sec->size, &n);
	info = xcalloc(n ? n : 1, sizeof(*info));
	sec_info(rela)->rels = info;
	for (i = 0; i < n; i++) {
		struct reloc *r = rs[i];
		const struct arch_reloc *ar = arch_reloc(cdo->arch, r->type);
		uint64_t field;

		if (!ar)
			continue;
		r->priv = &info[i];
		if (!ar->pcrel) {
			note_access(&w, ar, r, &info[i]);
			continue;
		}
		if (r->offset >= dead_lo && r->offset < dead_hi)
			continue;	/* one error per function */
		if (walk_to(&w, r->offset)) {
			ret = refuse(cdo, kelf, sec, r, w.at, 8,
				     "lies in code the instruction decoder does not know");
			dead_lo = w.lo;
			dead_hi = w.hi;
			continue;
		}
		field = r->offset - w.start;
		if (w.insn.disp_off < 0 || field != (uint64_t)w.insn.disp_off ||
		    ar->width != w.insn.disp_len) {
			ret = refuse(cdo, kelf, sec, r, w.start, w.insn.len,
				     "is not on the PC-relative field of its instruction");
			continue;
		}
		info[i].decoded = true;
		/* A branch reaches an instruction: the start of what is there. */
		info[i].deref = w.insn.deref_off == w.insn.disp_off || w.insn.branch;
		info[i].page = w.insn.page;
		if (w.insn.pcrel)
			info[i].to_end = w.insn.len - field;
	}
	return ret;
}

int cdo_decode_relocs(const struct cdo *cdo, struct kelf *kelf)
{
	size_t i;
	int ret = 0;

	for (i = 1; i < kelf->nr_sections; i++) {
		struct section *rela = kelf->sections[i];

		if (is_rela_section(rela) && rela->base && rela->base->rela == rela &&
		    is_text_section(rela->base) && rela->base->data &&
		    decode_section(cdo, kelf, rela))
			ret = -1;
	}
	return ret;
}

int cdo_reloc_bias(const struct cdo *cdo, const struct reloc *rel, int64_t *bias)
{
	const struct arch_reloc *ar = arch_reloc(cdo->arch, rel->type);
	const struct rel_info *ri = rel->priv;

	*bias = 0;
	if (!ar || !ar->pcrel || !rel->sec->base || !is_text_section(rel->sec->base))
		return 0;
	/* Every relocation in code was decoded before comparing. */
	if (!ri || !ri->decoded)
		return -1;
	*bias = ri->to_end;
	return 0;
}

/* The sized function or object of @sec ending at @off, or NULL. */
static struct symbol *ending_at(struct section *sec, int64_t off)
{
	struct symbol *s = off > 0 ? kelf_find_symbol_containing(sec, off - 1) : NULL;

	return s && is_object_symbol(s) && s->size && s->offset + s->size == (uint64_t)off ?
	       s : NULL;
}

/*
 * The function or object of @sec starting at @off (of size 0 too), or
 * NULL; or an asm label without a type there ("mark: .long 0" after a sized
 * object), which names the place as well.
 */
static struct symbol *starting_at(struct section *sec, int64_t off)
{
	struct symbol *s = kelf_find_symbol_containing(sec, off);

	if (s && s->offset == (uint64_t)off && is_object_symbol(s))
		return s;
	s = kelf_find_symbol_by_offset(sec, off);
	if (s && s->type == STT_NOTYPE && !cdo_is_local_label(s) && !cdo_is_mapping_symbol(s))
		return s;
	return s && is_object_symbol(s) ? s : NULL;
}

/*
 * Does the instruction of @rel read or write where it points?  An adrp
 * (rel_info's page) only forms the page: it does when every other
 * relocation of its function reaching the same place does (the loads and
 * stores completing it), and there is one.
 */
static bool derefs(const struct reloc *rel)
{
	const struct rel_info *ri = rel->priv;
	struct symbol *f;
	struct reloc **rs;
	size_t n, i;
	bool any = false;

	if (!ri || !ri->page)
		return ri && ri->deref;
	f = kelf_find_symbol_containing(rel->sec->base, rel->offset);
	if (!f || f->type != STT_FUNC)
		return false;
	rs = kelf_relocs_in_range(rel->sec->base, f->offset, f->offset + f->size, &n);
	for (i = 0; i < n; i++) {
		const struct rel_info *oi = rs[i]->priv;

		if (rs[i] == rel || rs[i]->sym != rel->sym || rs[i]->addend != rel->addend)
			continue;
		if (!oi || oi->page || !oi->deref)
			return false;
		any = true;
	}
	return any;
}

bool cdo_reloc_boundary(const struct cdo *cdo, const struct reloc *rel, struct symbol **end,
			struct symbol **start)
{
	struct symbol *sym = rel->sym;
	int64_t where;

	*end = *start = NULL;
	if (!sym || sym->type != STT_SECTION || !sym->sec)
		return false;
	where = cdo_reloc_offset(cdo, rel);
	if (where <= 0 || (uint64_t)where > sym->sec->size)
		return false;
	*end = ending_at(sym->sec, where);
	/* The padding objtool names before a function (__pfx_foo) is part of
	 * it: nothing means its end. */
	if (*end && cdo_is_prefix_symbol(*end))
		*end = NULL;
	*start = *end ? starting_at(sym->sec, where) : NULL;
	/* Code is pointed at by where it starts (calls, function pointers):
	 * nothing but the unwind tables means the end of a function. */
	if (!*start || *start == *end || (*start)->type == STT_FUNC || derefs(rel)) {
		*end = *start = NULL;
		return false;
	}
	return true;
}

bool cdo_reloc_loose(const struct cdo *cdo, const struct reloc *rel)
{
	const struct rel_info *ri = rel->priv;
	const struct symbol *sym = rel->sym;

	if (!ri || !sym || sym->type != STT_SECTION || !sym->sec ||
	    (sym->sec->sh.sh_flags & SHF_EXECINSTR) || !rel->sec->base ||
	    !is_text_section(rel->sec->base) ||
	    /* a table's entries are pointed at by where they start
	     * (__dyndbg descriptors passed to __dynamic_pr_debug()) */
	    special_find(cdo, sym->sec->name))
		return false;
	return ri->indexed || !derefs(rel);
}

/* Does @s stand for a place of its section a loose reference may mean? */
static bool is_candidate(const struct symbol *s)
{
	/* of size 0 too: lockdep's "static struct lock_class_key __key"
	 * without CONFIG_LOCKDEP */
	if (is_object_symbol(s))
		return true;
	/* a named asm label ("tbl:"), not .L5, $d or __pfx_ padding */
	return s->type == STT_NOTYPE && s->sec && !cdo_is_local_label(s) &&
	       !cdo_is_mapping_symbol(s);
}

size_t cdo_loose_count(struct section *sec)
{
	struct sec_info *si = sec->priv;
	struct symbol **syms;
	size_t n, i, nr = 0;

	if (si && si->loose_counted)
		return si->loose_nr;
	syms = kelf_section_symbols(sec, &n);
	for (i = 0; i < n; i++)
		if (is_candidate(syms[i]))
			nr++;
	if (si) {
		si->loose_counted = true;
		si->loose_nr = nr;
	}
	return nr;
}

struct symbol *cdo_loose_object(struct section *sec, int64_t where, size_t *nr)
{
	if (nr)
		*nr = cdo_loose_count(sec);
	return kelf_symbol_near(sec, where, is_candidate);
}

bool cdo_loose_candidate(const struct symbol *s)
{
	return is_candidate(s);
}
