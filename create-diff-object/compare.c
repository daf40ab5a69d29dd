/*
 * compare.c - decide what changed.
 *
 * The unit is the symbol: each function and data object is compared over
 * its own byte range, so functions GCC packs into one section (.sched.text,
 * .init.text) are judged one by one.  Two ranges are the same when their
 * sizes match, their bytes match outside relocated fields, and their
 * relocations match pairwise: same offset, same type, same target after
 * correlation.  Targets are compared symbolically: "counter+0" rather than
 * ".bss.counter-4", string literals by their text, anonymous data by its
 * correlated section and contents, so code moving around in an object does
 * not look like a change.
 *
 * What never changes behaviour is ignored: debug info, .comment, notes, and
 * the call-site tables the compiler writes (arch->call_site_tables:
 * __mcount_loc, __patchable_function_entries): account.c's table, with the
 * reason for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../special-sections/special.h"
#include "../util/util.h"

int64_t cdo_reloc_offset(const struct cdo *cdo, const struct reloc *rel)
{
	int64_t bias, where;

	/* kelf_open() bounds the addend (KELF_MAX_ADDEND); the sum too */
	if (cdo_reloc_bias(cdo, rel, &bias) || __builtin_add_overflow(rel->addend, bias, &where))
		return -1;
	return where;
}

/*
 * A mapping symbol of the ARM ELF ABIs ("$x", "$d", "$d.12"): marks where
 * code or data starts in a section, names nothing.  GNU as for arm64 puts
 * "$d" at offset 0 of every string section, so it must not stand for the
 * strings a relocation reaches.
 */
bool cdo_is_mapping_symbol(const struct symbol *sym)
{
	return sym->type == STT_NOTYPE && sym->bind == STB_LOCAL &&
	       sym->name[0] == '$' && sym->name[1] &&
	       (!sym->name[2] || sym->name[2] == '.');
}

/*
 * The function a call-site table entry at @where of @sec (text) stands for
 * when no function contains @where: the one that starts after the NOPs
 * there, which -fpatchable-function-entry=N,M with M > 0 puts in front of
 * each function (arm64's CALL_OPS: two, the ftrace_ops literal; x86's
 * call padding: 16).  Decoded, not guessed: only NOPs may lie between;
 * NULL otherwise.
 */
static struct symbol *padded_function(const struct cdo *cdo, struct section *sec,
				      int64_t where)
{
	struct arch_insn insn;
	uint64_t at = (uint64_t)where;
	struct symbol *f;

	if (!sec->data)
		return NULL;
	while (at < sec->size) {
		f = kelf_find_symbol_by_offset(sec, at);
		if (f && f->type == STT_FUNC)
			return f;
		if (arch_decode(cdo->arch, sec->data + at, sec->size - at, &insn) ||
		    !insn.nop)
			return NULL;
		at += insn.len;
	}
	return NULL;
}

struct symbol *cdo_reloc_target(const struct cdo *cdo, const struct reloc *rel,
				int64_t *off)
{
	struct symbol *sym = rel->sym, *t = NULL;
	int64_t where;

	if (!sym)
		return NULL;
	if (sym->type != STT_SECTION) {
		if (off)
			*off = rel->addend;
		return sym;
	}
	if (!sym->sec || cdo_reloc_bias(cdo, rel, &where))
		return NULL;
	/* "addl $5, b(%rip)": .data..read_mostly - 1 + 5 is b at 4 (targets.c) */
	if (__builtin_add_overflow(where, rel->addend, &where))
		return NULL;
	/* "b[i + 5]" is .bss.b + 0x14(,%rdi,4), past b, and a loop's end
	 * may lie past its table: cdo_refuse_loose() refuses what cannot be
	 * known. */
	if (cdo_reloc_loose(cdo, rel)) {
		t = cdo_loose_object(sym->sec, where, NULL);
	} else if (where >= 0) {
		t = kelf_find_symbol_containing(sym->sec, where);
		if (!t && rel->sec->priv && sec_info(rel->sec)->call_sites &&
		    is_text_section(sym->sec))
			t = padded_function(cdo, sym->sec, where);
		if (!t) {
			t = kelf_find_symbol_by_offset(sym->sec, where);
			if (t && (cdo_is_mapping_symbol(t) || cdo_is_local_label(t)))
				t = NULL;
		}
		/* The end of a symbol: ORC's last entry, a loop bound. */
		if (!t && where > 0)
			t = kelf_find_symbol_containing(sym->sec, where - 1);
		/* Past the end: arm64's alternative replacements (tail.c). */
		if (!t) {
			uint64_t start;
			struct symbol *owner = cdo_tail_owner(sym->sec, &start);

			if (owner && (uint64_t)where >= start)
				t = owner;
		}
	}
	if (!t)
		return NULL;
	if (off && __builtin_sub_overflow(rel->addend, (int64_t)t->offset, off))
		return NULL;
	return t;
}

static bool is_string_section(const struct section *sec)
{
	return (sec->sh.sh_flags & (SHF_MERGE | SHF_STRINGS)) ==
	       (SHF_MERGE | SHF_STRINGS) && sec->data;
}

/* The NUL-terminated string at @off of a string section, or NULL. */
static const char *string_at(const struct section *sec, int64_t off)
{
	if (off < 0 || (uint64_t)off >= sec->size ||
	    !memchr(sec->data + off, '\0', sec->size - off))
		return NULL;
	return (const char *)sec->data + off;
}

/* The string literal @rel reaches through a section symbol, or NULL. */
static const char *string_of(const struct cdo *cdo, const struct reloc *rel)
{
	int64_t bias;

	if (!rel->sym || rel->sym->type != STT_SECTION || !rel->sym->sec ||
	    !is_string_section(rel->sym->sec) || cdo_reloc_bias(cdo, rel, &bias))
		return NULL;
	return string_at(rel->sym->sec, rel->addend + bias);
}

struct diff {
	const char *reason;		/* NULL when the ranges are the same */
	uint64_t offset;		/* first difference, from the range start */
	const struct reloc *orel, *prel;	/* the relocations that differ */
};

static bool same_section(struct cdo *cdo, struct section *o, struct section *p);
static struct diff compare_range(struct cdo *cdo, struct section *os, uint64_t ostart,
				 struct section *ps, uint64_t pstart, uint64_t size);

/*
 * References into shared anonymous code cut into pieces (pieces.c): the
 * same when they reach the same place of twin pieces holding the same
 * code, wherever the pieces lie in their sections.  A piece reached again
 * while being compared counts as the same.
 */
static bool same_piece(struct cdo *cdo, const struct reloc *o, const struct reloc *p,
		       struct piece *op, struct piece *pp)
{
	int64_t ooff = cdo_reloc_offset(cdo, o) - (int64_t)op->start;
	int64_t poff = cdo_reloc_offset(cdo, p) - (int64_t)pp->start;
	bool same;

	if (ooff != poff || op->end - op->start != pp->end - pp->start)
		return false;
	if (pp->comparing)
		return true;
	pp->comparing = true;
	same = !compare_range(cdo, o->sym->sec, op->start, p->sym->sec, pp->start,
			      pp->end - pp->start).reason;
	pp->comparing = false;
	return same;
}

/* Do two relocations point at the same thing? */
static bool same_target(struct cdo *cdo, const struct reloc *o, const struct reloc *p)
{
	struct symbol *ot, *pt;
	int64_t ooff = 0, poff = 0;

	if (!o->sym || !p->sym)
		return o->sym == p->sym;
	ot = cdo_reloc_target(cdo, o, &ooff);
	pt = cdo_reloc_target(cdo, p, &poff);
	if (ot && pt) {
		if (ooff != poff)
			return false;
		if (sym_twin(pt) == ot)
			/* A changed data object changes the code using it. */
			return !(pt->type == STT_OBJECT &&
				 sym_info(pt)->status != SAME);
		return false;
	}
	if (ot || pt)
		return false;
	/* Anonymous data, reached through section symbols. */
	if (o->sym->type != STT_SECTION || p->sym->type != STT_SECTION)
		return false;
	if (sec_twin(p->sym->sec) == o->sym->sec) {
		struct piece *op = cdo_piece_at(cdo, o->sym->sec, cdo_reloc_offset(cdo, o));
		struct piece *pp = cdo_piece_at(cdo, p->sym->sec, cdo_reloc_offset(cdo, p));

		if (op || pp)
			return op && pp && same_piece(cdo, o, p, op, pp);
	}
	if (is_string_section(o->sym->sec) && is_string_section(p->sym->sec)) {
		const char *os = string_of(cdo, o), *ps = string_of(cdo, p);

		return os && ps ? !strcmp(os, ps) : o->addend == p->addend;
	}
	return o->addend == p->addend && sec_twin(p->sym->sec) == o->sym->sec &&
	       same_section(cdo, o->sym->sec, p->sym->sec);
}

/* Width of the field a relocation writes (at least 1 to step past it). */
static unsigned int reloc_width(const struct cdo *cdo, const struct reloc *rel)
{
	const struct arch_reloc *ar = arch_reloc(cdo->arch, rel->type);

	return ar && ar->width ? ar->width : 1;
}

struct symbol *cdo_func_at(struct section *sec, int64_t off)
{
	struct symbol *s;

	if (off < 0 || (uint64_t)off >= sec->size)
		return NULL;
	s = kelf_find_symbol_by_offset(sec, (uint64_t)off);
	return s && s->type == STT_FUNC && s->offset == (uint64_t)off ? s : NULL;
}

/*
 * Is the first difference at @pos (from the range starts) inside the
 * displacement of the same call or jump to the same function, moved only
 * because a function before or between them in a shared section (.sched.
 * text) changed size?  The assembler resolves such a branch without a
 * relocation.  The instruction holding @pos (decoded from the start of the
 * @size-byte ranges, alike on both sides up to @pos) must be a branch
 * whose displacement holds @pos, lie wholly before @next (the next
 * relocated field) and land on the entry of twin functions on both sides;
 * then *@resume is where comparing goes on.
 */
static bool moved_branch(struct cdo *cdo, struct section *os, uint64_t ostart,
			 struct section *ps, uint64_t pstart, uint64_t size, uint64_t pos,
			 uint64_t next, uint64_t *resume)
{
	const unsigned char *oc = os->data + ostart, *pc = ps->data + pstart;
	struct arch_insn oi, pi;
	uint64_t at, pat;
	int64_t oto, pto;
	struct symbol *ot, *pt;

	if (arch_insn_at(cdo->arch, oc, size, pos, &at, &oi) ||
	    arch_insn_at(cdo->arch, pc, size, pos, &pat, &pi) ||
	    pat != at || oi.len != pi.len || !oi.branch || !pi.branch ||
	    at + oi.len > next || oi.disp_off < 0 || pi.disp_off != oi.disp_off ||
	    pos < at + oi.disp_off || pos >= at + oi.disp_off + oi.disp_len ||
	    !arch_insn_dest(oc + at, &oi, &oto) || !arch_insn_dest(pc + at, &pi, &pto))
		return false;
	ot = cdo_func_at(os, (int64_t)(ostart + at) + oto);
	pt = cdo_func_at(ps, (int64_t)(pstart + at) + pto);
	if (!ot || !pt || (sym_twin(pt) != ot && strcmp(ot->name, pt->name)))
		return false;
	*resume = at + oi.len;
	return true;
}

/*
 * Compare [ostart, ostart+size) of @os with [pstart, pstart+size) of @ps.
 */
static struct diff compare_range(struct cdo *cdo, struct section *os, uint64_t ostart,
				 struct section *ps, uint64_t pstart, uint64_t size)
{
	struct diff d = { 0 };
	struct reloc **orels, **prels;
	size_t no, np, i;
	uint64_t pos = 0;

	if (os->sh.sh_type == SHT_NOBITS || ps->sh.sh_type == SHT_NOBITS) {
		if (os->sh.sh_type != ps->sh.sh_type)
			d.reason = "section type";
		return d;
	}
	orels = kelf_relocs_in_range(os, ostart, ostart + size, &no);
	prels = kelf_relocs_in_range(ps, pstart, pstart + size, &np);
	for (i = 0;; i++) {
		uint64_t onext = i < no ? orels[i]->offset - ostart : size;
		uint64_t pnext = i < np ? prels[i]->offset - pstart : size;
		uint64_t next = onext < pnext ? onext : pnext;

		/* The bytes up to the next relocated field of either side. */
		while (next > pos && memcmp(os->data + ostart + pos,
					    ps->data + pstart + pos, next - pos)) {
			uint64_t resume;

			while (os->data[ostart + pos] == ps->data[pstart + pos])
				pos++;
			if (is_text_section(ps) &&
			    moved_branch(cdo, os, ostart, ps, pstart, size, pos, next, &resume)) {
				pos = resume;
				continue;
			}
			d.reason = is_text_section(ps) ? "code" : "data";
			d.offset = pos;
			return d;
		}
		if (i >= no && i >= np)
			break;
		/* A field relocated on one side only, or differently. */
		if (onext != pnext || orels[i]->type != prels[i]->type ||
		    !same_target(cdo, orels[i], prels[i])) {
			d.reason = "relocation";
			d.offset = next;
			d.orel = onext == next && i < no ? orels[i] : NULL;
			d.prel = pnext == next && i < np ? prels[i] : NULL;
			return d;
		}
		pos = next + reloc_width(cdo, orels[i]);
		if (pos > size)
			pos = size;
	}
	return d;
}

bool cdo_same_target(struct cdo *cdo, const struct reloc *o, const struct reloc *p)
{
	return same_target(cdo, o, p);
}

bool cdo_same_range(struct cdo *cdo, struct section *os, uint64_t ostart,
		    struct section *ps, uint64_t pstart, uint64_t size)
{
	return !compare_range(cdo, os, ostart, ps, pstart, size).reason;
}

/* Whole anonymous sections (no symbols): compared once, then remembered;
 * a section reached again while being compared counts as the same. */
static bool same_section(struct cdo *cdo, struct section *o, struct section *p)
{
	struct sec_info *pi = sec_info(p);
	struct diff d;

	if (o->size != p->size || o->sh.sh_type != p->sh.sh_type)
		return false;
	if (pi->comparing)
		return true;
	if (!pi->compared) {
		pi->comparing = true;
		d = compare_range(cdo, o, 0, p, 0, p->size);
		pi->comparing = false;
		pi->compared = true;
		if (d.reason)
			pi->status = CHANGED;
	}
	return pi->status == SAME;
}

/* Print @s as a C string literal, at most 40 characters of it. */
static void print_quoted(const char *s)
{
	size_t i;

	putchar('"');
	for (i = 0; s[i] && i < 40; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < ' ' || c >= 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
	fputs(s[i] ? "\"..." : "\"", stdout);
}

/* "original: .text.foo+0x10 R_X86_64_PC32 -> bar-4", or the string a
 * string literal reference reaches: -> "hello\n". */
static void describe_reloc(const struct cdo *cdo, const char *side,
			   const struct reloc *rel)
{
	struct symbol *t;
	int64_t off = 0;
	const char *str = NULL;

	if (!rel) {
		printf("    %s: no relocation\n", side);
		return;
	}
	t = cdo_reloc_target(cdo, rel, &off);
	if (!t)
		str = string_of(cdo, rel);
	printf("    %s: %s+%#lx %s -> ", side, rel->sec->base->name,
	       (unsigned long)rel->offset, arch_reloc_name(cdo->arch, rel->type));
	if (str)
		print_quoted(str);
	else
		printf("%s%+ld", t ? t->name :
		       (rel->sym && rel->sym->sec ? rel->sym->sec->name : "?"),
		       (long)(t ? off : rel->addend));
	/* The same reference on both sides: what it reaches changed. */
	if (t && t->type == STT_OBJECT && sym_info(t)->status != SAME)
		printf(" (%s)", sym_info(t)->status == NEW ? "new" : "changed");
	putchar('\n');
}

/* The lines under a "first difference" line: the bytes or relocations. */
static void explain_detail(const struct cdo *cdo, const struct symbol *o,
			   const struct symbol *p, const struct diff *d)
{
	uint64_t i;

	if (!strcmp(d->reason, "code") || !strcmp(d->reason, "data")) {
		printf("    original:");
		for (i = d->offset; i < d->offset + 8 && i < o->size; i++)
			printf(" %02x", o->sec->data[o->offset + i]);
		printf("\n    patched: ");
		for (i = d->offset; i < d->offset + 8 && i < p->size; i++)
			printf(" %02x", p->sec->data[p->offset + i]);
		printf("\n");
	} else if (!strcmp(d->reason, "relocation")) {
		describe_reloc(cdo, "original", d->orel);
		describe_reloc(cdo, "patched", d->prel);
	}
}

/*
 * -e: where @p first differs from its original @o.  When the sizes differ,
 * where the bytes they have in common first differ, if they do.
 */
static void explain(struct cdo *cdo, struct symbol *o, struct symbol *p,
		    const struct diff *d)
{
	struct diff first;
	uint64_t common;

	if (o->type != p->type) {
		printf("  %s: symbol type differs (%s -> %s)\n", p->name,
		       kelf_symbol_type_name(o->type), kelf_symbol_type_name(p->type));
		return;
	}
	if (o->size == p->size) {
		printf("  %s: first difference at %s+%#lx (%s)\n", p->name, p->name,
		       (unsigned long)d->offset, d->reason);
		explain_detail(cdo, o, p, d);
		return;
	}
	printf("  %s: size differs (%lu -> %lu bytes)\n", p->name,
	       (unsigned long)o->size, (unsigned long)p->size);
	if (o->sec->sh.sh_type == SHT_NOBITS || p->sec->sh.sh_type == SHT_NOBITS)
		return;
	common = o->size < p->size ? o->size : p->size;
	first = compare_range(cdo, o->sec, o->offset, p->sec, p->offset, common);
	if (!first.reason) {
		printf("    the first %lu bytes are the same\n", (unsigned long)common);
		return;
	}
	printf("    first difference at %s+%#lx (%s)\n", p->name,
	       (unsigned long)first.offset, first.reason);
	explain_detail(cdo, o, p, &first);
}

/* Clear bits [@bit, @bit + @n) of the little-endian bytes at @b. */
static void clear_bits(unsigned char *b, unsigned int bit, unsigned int n)
{
	for (; n; n--, bit++)
		b[bit / 8] &= ~(1u << (bit % 8));
}

/*
 * Do @o and @p, at the same place of two descriptors, point at the same
 * offset of read-only objects with the same bytes and no relocations (a
 * function's name, __func__.N, numbered afresh in each build)?
 */
static bool same_constant(struct cdo *cdo, const struct reloc *o, const struct reloc *p)
{
	int64_t ooff = 0, poff = 0;
	struct symbol *ot, *pt;
	size_t n;

	if (!o || !p || o->type != p->type)
		return false;
	ot = cdo_reloc_target(cdo, o, &ooff);
	pt = cdo_reloc_target(cdo, p, &poff);
	if (!ot || !pt || ooff != poff || ot->type != STT_OBJECT || pt->type != STT_OBJECT ||
	    !ot->sec || !pt->sec || ot->size != pt->size ||
	    (ot->sec->sh.sh_flags & SHF_WRITE) || (pt->sec->sh.sh_flags & SHF_WRITE) ||
	    ot->sec->sh.sh_type == SHT_NOBITS || pt->sec->sh.sh_type == SHT_NOBITS)
		return false;
	kelf_relocs_in_range(ot->sec, ot->offset, ot->offset + ot->size, &n);
	if (n)
		return false;
	kelf_relocs_in_range(pt->sec, pt->offset, pt->offset + pt->size, &n);
	return !n && !memcmp(ot->sec->data + ot->offset, pt->sec->data + pt->offset, ot->size);
}

/*
 * A dynamic debug descriptor (special.h, ->descriptors) compared without
 * its line number (moved by a change above it, it says nothing about the
 * code) and with its strings compared by their text.  The livepatch carries its own copy of each descriptor the carried
 * code uses, with the new line.
 */
static struct diff compare_descriptor(struct cdo *cdo, const struct special_section *ss,
				      struct symbol *o, struct symbol *p)
{
	unsigned char osave[64], psave[64];
	unsigned int n = ss->layouts[0].size;
	struct diff d;

	if (o->size != n || p->size != n || n > sizeof(osave) ||
	    ss->line_bit + ss->line_bits > 8 * n ||
	    o->sec->sh.sh_type == SHT_NOBITS || p->sec->sh.sh_type == SHT_NOBITS)
		return compare_range(cdo, o->sec, o->offset, p->sec, p->offset, p->size);
	/* Own the sections' bytes before writing them (they may be mapped). */
	if (!o->sec->data_owned)
		kelf_set_section_data(o->sec, o->sec->data, o->sec->size);
	if (!p->sec->data_owned)
		kelf_set_section_data(p->sec, p->sec->data, p->sec->size);
	memcpy(osave, o->sec->data + o->offset, n);
	memcpy(psave, p->sec->data + p->offset, n);
	clear_bits(o->sec->data + o->offset, ss->line_bit, ss->line_bits);
	clear_bits(p->sec->data + p->offset, ss->line_bit, ss->line_bits);
	d = compare_range(cdo, o->sec, o->offset, p->sec, p->offset, n);
	/* Pointers to the same text: __func__.57 may be __func__.58 now. */
	while (d.reason && !strcmp(d.reason, "relocation") &&
	       same_constant(cdo, d.orel, d.prel)) {
		uint64_t next = d.offset + reloc_width(cdo, d.orel);

		d = compare_range(cdo, o->sec, o->offset + next, p->sec, p->offset + next,
				  next < n ? n - next : 0);
		d.offset += next;
	}
	memcpy(o->sec->data + o->offset, osave, n);
	memcpy(p->sec->data + p->offset, psave, n);
	return d;
}

static void compare_symbol(struct cdo *cdo, struct symbol *p)
{
	struct sym_info *pi = sym_info(p);
	struct symbol *o = pi->twin;
	const struct special_section *ss;
	struct diff d = { 0 };

	if (!o) {
		pi->status = NEW;
		return;
	}
	if (o->type != p->type)
		d.reason = "symbol type";
	else if (o->size != p->size)
		d.reason = "size";
	else if (!o->sec || !p->sec)
		/* One side is absolute, common or OS-specific (st_shndx): no
		 * bytes to compare, and not what the other side is. */
		d.reason = "section index";
	else if ((ss = special_descriptor_table(cdo, p)))
		d = compare_descriptor(cdo, ss, o, p);
	/* A function with its tail (tail.c: arm64's alternative replacements,
	 * which its carried copy holds too): a change there is its change. */
	else if (cdo_extent(o) != cdo_extent(p))
		d.reason = "replacement code";
	else
		d = compare_range(cdo, o->sec, o->offset, p->sec, p->offset, cdo_extent(p));
	if (!d.reason)
		return;
	pi->status = sym_info(o)->status = CHANGED;
	pi->reason = d.reason;
	if (cdo->explain)
		explain(cdo, o, p, &d);
}

/* "foo" for "foo.cold", "foo.part.0", "foo.isra.1.cold", else NULL. */
static struct symbol *find_parent(struct kelf *kelf, const struct symbol *sym)
{
	static const char *const markers[] = {
		".cold", ".part.", ".isra.", ".constprop.", ".lto_priv.",
	};
	const char *cut = NULL;
	struct symbol *parent;
	char *name;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(markers); i++) {
		const char *m = strstr(sym->name, markers[i]);

		if (m && m != sym->name && (!cut || m < cut))
			cut = m;
	}
	if (!cut)
		return NULL;
	name = xstrdup(sym->name);
	name[cut - sym->name] = '\0';
	parent = kelf_find_symbol_by_name(kelf, name);
	free(name);
	return parent && parent->type == STT_FUNC && parent->sec ? parent : NULL;
}

/* A changed child changes its parent, and a changed parent its children. */
static void propagate_families(struct cdo *cdo)
{
	struct symbol *p;
	bool again = true;

	for_each_symbol(cdo->patched, p)
		if (p->type == STT_FUNC && p->sec)
			sym_info(p)->parent = find_parent(cdo->patched, p);
	while (again) {
		again = false;
		for_each_symbol(cdo->patched, p) {
			struct sym_info *ci = sym_info(p);
			struct sym_info *pi = ci->parent ? sym_info(ci->parent) : NULL;

			if (!pi)
				continue;
			if (ci->status != SAME && pi->status == SAME) {
				pi->status = CHANGED;
				pi->reason = "part changed";
				again = true;
			} else if (pi->status != SAME && ci->status == SAME) {
				ci->status = CHANGED;
				ci->reason = "parent changed";
				again = true;
			}
		}
	}
}

int cdo_compare(struct cdo *cdo)
{
	struct symbol *p;

	/* Data first: code using a changed object changes with it. */
	for_each_symbol(cdo->patched, p)
		if (p->type == STT_OBJECT && p->sec &&
		    !cdo_is_ignored_section(p->sec))
			compare_symbol(cdo, p);
	for_each_symbol(cdo->patched, p)
		if (p->type == STT_FUNC && p->sec &&
		    !cdo_is_ignored_section(p->sec))
			compare_symbol(cdo, p);
	propagate_families(cdo);
	cdo_ignore_functions(cdo);
	if (cdo_promote_callers(cdo))
		return -1;
	/* A promoted parent brings its parts, and the other way round. */
	propagate_families(cdo);
	return 0;
}
