/*
 * edits.c - what the kernel's build makes of a function's code that
 * kpatch-build's compile (-ffunction-sections, objtool not yet run) does
 * not: the arch's facts in struct arch_target_check (arch.h).  Found by
 * comparing kpatch-build's objects of the x86_64 test kernel (IBT, call
 * depth tracking, retpolines, return thunks) with its vmlinux and modules:
 *
 *	- a static branch objtool NOPs: accepted where the object's jump
 *	  table flags the site, the object holds the jump and the target a
 *	  NOP instruction of its length;
 *	- a tail call the assembler shortened: accepted where the object's
 *	  long jump is relocated to the start of a function of the object
 *	  and the target's short jump reaches that same function in the
 *	  target;
 *	- alignment padding of another length (see padding() below).
 *
 * Each is recognised on decoded instructions (arch_decode()), never on
 * bytes that merely look like an opcode.
 *
 * Nothing else differs there: the __fentry__ call stays a call in the
 * file (ftrace rewrites it at boot), the padding before a function
 * (__pfx_, NOPs) and the alignment after it lie outside its symbol, ENDBR
 * is sealed at boot, not in the file, and the call, return and retpoline
 * sites are only listed by objtool (.call_sites, .return_sites,
 * .retpoline_sites) for boot to patch; their targets are relocated fields.
 */
#include <stdlib.h>
#include <string.h>

#include "check-target.h"
#include "../util/util.h"

struct ct_site {
	unsigned int sec;		/* section index in the object */
	uint64_t offset;
};

static int cmp_site(const void *a, const void *b)
{
	const struct ct_site *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The sites objtool NOPs in c->obj, sorted, into c->sites. */
static int read_sites(struct ct *c, const struct arch_target_check *tc)
{
	struct section *table;
	size_t alloc = 0;
	uint64_t off;

	c->sites_state = -1;
	table = tc->jump_table ? kelf_find_section_by_name(c->obj, tc->jump_table) : NULL;
	if (!table) {
		c->sites_state = 1;
		return 0;
	}
	if (table->size % tc->entry_size || (table->size && !table->data))
		return error("%s: %s: %zu bytes is not a whole number of %u-byte entries",
			     c->obj->path, table->name, table->size, tc->entry_size);
	for (off = 0; off < table->size; off += tc->entry_size) {
		struct reloc *code = kelf_find_reloc_at(table, off + tc->code_offset);
		struct reloc *key = kelf_find_reloc_at(table, off + tc->key_offset);
		struct symbol *s = code ? code->sym : NULL;

		/* Without both references objtool would not know the site
		 * either; the bytes are then compared as they are. */
		if (!s || !s->sec || !key || !(key->addend & tc->key_flag) ||
		    code->addend < 0)
			continue;
		ALLOC_GROW(c->sites, c->nr_sites + 1, alloc);
		c->sites[c->nr_sites].sec = s->sec->index;
		c->sites[c->nr_sites].offset = s->offset + code->addend;
		c->nr_sites++;
	}
	if (c->nr_sites)
		xqsort(c->sites, c->nr_sites, sizeof(*c->sites), cmp_site);
	c->sites_state = 1;
	return 0;
}

static bool is_site(const struct ct *c, unsigned int sec, uint64_t offset)
{
	struct ct_site key = { .sec = sec, .offset = offset };

	return c->nr_sites &&
	       bsearch(&key, c->sites, c->nr_sites, sizeof(key), cmp_site);
}

/* The NOP objtool wrote over the static branch @oi at @i: its length, or 0. */
static uint64_t jump_nop(struct ct *c, const struct symbol *f, uint64_t i,
			 const struct arch_insn *oi, const struct arch_insn *ti)
{
	if (!oi->branch || !ti->nop || ti->len != oi->len ||
	    !is_site(c, f->sec->index, f->offset + i))
		return 0;
	return ti->len;
}

/* The function of the object the relocated jump @oi at @i of @f reaches
 * the start of, or NULL. */
static struct symbol *jump_destination(struct ct *c, const struct symbol *f, uint64_t i,
				       const struct arch_insn *oi)
{
	struct reloc *r = oi->disp_off >= 0 ?
		kelf_find_reloc_at(f->sec, f->offset + i + oi->disp_off) : NULL;
	const struct arch_reloc *ar = r ? arch_reloc(c->arch, r->type) : NULL;
	struct symbol *s = r ? r->sym : NULL, *g;
	int64_t dest;

	if (!ar || !ar->pcrel || !oi->pcrel || ar->width != oi->disp_len || !s ||
	    !s->sec || !is_text_section(s->sec))
		return NULL;
	/* S + A - P, counted from the end of the jump */
	dest = (int64_t)s->offset + r->addend + (int64_t)(oi->len - oi->disp_off);
	if (dest < 0)
		return NULL;
	g = kelf_find_symbol_by_offset(s->sec, dest);
	return g && g->type == STT_FUNC && g != f ? g : NULL;
}

/* A tail call the target's assembler shortened, @oi at @i and @ti at @j:
 * the short jump's length, or 0. */
static uint64_t relaxed_jump(struct ct *c, const struct arch_target_check *tc,
			     const struct symbol *f, const struct symbol *t,
			     uint64_t i, uint64_t j, const struct arch_insn *oi,
			     const struct arch_insn *ti)
{
	const unsigned char *tb = t->sec->data + t->offset;
	struct symbol *g, *tg;
	int64_t dest;

	if (!tc->long_len || f->sec->data[f->offset + i] != tc->long_jump ||
	    oi->len != tc->long_len || tb[j] != tc->short_jump ||
	    ti->len != tc->short_len)
		return 0;
	g = jump_destination(c, f, i, oi);
	if (!g)
		return 0;
	tg = ct_find_in_target(c, g, NULL);
	if (!tg || tg->sec != t->sec)
		return 0;
	if (!arch_insn_dest(tb + j, ti, &dest))
		return 0;
	return (int64_t)(t->offset + j) + dest == (int64_t)tg->offset ? ti->len : 0;
}

/* Padding longer than this many NOPs is not looked into. */
#define MAX_PAD_NOPS 64

/*
 * The ends of the NOP instructions from @off of the @size bytes at @code,
 * as lengths from @off: 0 first, then one per NOP; returns how many.
 */
static size_t nop_ends(const struct arch *arch, const unsigned char *code, uint64_t size,
		       uint64_t off, uint64_t *ends)
{
	struct arch_insn in;
	uint64_t n = off;
	size_t k = 0;

	ends[k++] = 0;
	while (k < MAX_PAD_NOPS && n < size && !arch_decode(arch, code + n, size - n, &in) &&
	       in.nop) {
		n += in.len;
		ends[k++] = n - off;
	}
	return k;
}

/*
 * Alignment padding inside a function (zstd's __asm__(".p2align 6")
 * before its decoding loops, then "nop", ".p2align 5", ...): the assembler
 * pads to a boundary of the section, and the function starts its section
 * in the object, not in the target, so the NOPs differ in length.
 * Accepted: the shortest NOPs on each side (not as many bytes) that end
 * on a boundary of the smallest power of two longer than both, which both
 * sections are aligned to; from there the two are in step and compared
 * as usual, and the branches across the padding are checked by where
 * they land (compare.c).
 */
int ct_padding(struct ct *c, const struct symbol *f, const struct symbol *t,
	       uint64_t i, uint64_t j, const struct arch_insn *oi,
	       const struct arch_insn *ti, uint64_t *olen, uint64_t *tlen)
{
	uint64_t oends[MAX_PAD_NOPS], tends[MAX_PAD_NOPS];
	size_t no, nt, x, y;

	if (!oi->nop && !ti->nop)
		return 0;
	no = nop_ends(c->arch, f->sec->data + f->offset, f->size, i, oends);
	nt = nop_ends(c->arch, t->sec->data + t->offset, t->size, j, tends);
	for (x = 0; x < no; x++) {
		for (y = 0; y < nt; y++) {
			uint64_t lo = oends[x], lt = tends[y], a = 1;

			if (lo == lt)
				continue;
			while (a <= lo || a <= lt)
				a <<= 1;
			if (a > f->sec->sh.sh_addralign || a > t->sec->sh.sh_addralign ||
			    (f->offset + i + lo) % a ||
			    (t->sec->sh.sh_addr + t->offset + j + lt) % a)
				continue;
			*olen = lo;
			*tlen = lt;
			return 1;
		}
	}
	return 0;
}

int ct_build_edit(struct ct *c, const struct symbol *f, const struct symbol *t,
		  uint64_t i, uint64_t j, const struct arch_insn *oi,
		  const struct arch_insn *ti, uint64_t *olen, uint64_t *tlen)
{
	const struct arch_target_check *tc = c->arch->target_check;
	uint64_t n;

	if (!tc)
		return 0;
	if (c->sites_state < 0 || (!c->sites_state && read_sites(c, tc)))
		return -1;
	n = jump_nop(c, f, i, oi, ti);
	if (n) {
		*olen = *tlen = n;
		return 1;
	}
	n = relaxed_jump(c, tc, f, t, i, j, oi, ti);
	if (n) {
		*olen = oi->len;
		*tlen = n;
		return 1;
	}
	return 0;
}
