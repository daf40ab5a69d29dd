/*
 * edits.c - what the kernel's build makes of a function's code that
 * kpatch-build's compile (-ffunction-sections, objtool not yet run) does
 * not: the arch's facts in struct arch_target_check (arch.h).  Found by
 * comparing kpatch-build's objects of the x86_64 test kernel (IBT, call
 * depth tracking, retpolines, return thunks) with its vmlinux and modules:
 *
 *	- a static branch objtool NOPs: accepted where the object's jump
 *	  table flags the site, the object holds the jump and the target
 *	  exactly the NOP of its length;
 *	- a tail call the assembler shortened: accepted where the object's
 *	  long jump is relocated to the start of a function of the object
 *	  and the target's short jump reaches that same function in the
 *	  target.
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

/* The NOP objtool wrote over the static branch at @i, or 0. */
static uint64_t jump_nop(struct ct *c, const struct arch_target_check *tc,
			 const struct symbol *f, const struct symbol *t,
			 uint64_t i, uint64_t j)
{
	const unsigned char *ob = f->sec->data + f->offset;
	const unsigned char *tb = t->sec->data + t->offset;
	const struct arch_jump_nop *n;

	if (!is_site(c, f->sec->index, f->offset + i))
		return 0;
	for (n = tc->nops; n->len; n++)
		if (ob[i] == n->opcode && n->len <= f->size - i &&
		    n->len <= t->size - j && !memcmp(tb + j, n->nop, n->len))
			return n->len;
	return 0;
}

/* The function of the object a relocated jump field at @off of @f's
 * section reaches the start of, or NULL. */
static struct symbol *jump_destination(struct ct *c, const struct symbol *f,
				       uint64_t off, unsigned int width)
{
	struct reloc *r = kelf_find_reloc_at(f->sec, off);
	const struct arch_reloc *ar = r ? arch_reloc(c->arch, r->type) : NULL;
	struct symbol *s = r ? r->sym : NULL, *g;
	int64_t dest;

	if (!ar || !ar->pcrel || ar->width != width || !s || !s->sec ||
	    !is_text_section(s->sec))
		return NULL;
	dest = (int64_t)s->offset + r->addend + ar->bias;
	if (dest < 0)
		return NULL;
	g = kelf_find_symbol_by_offset(s->sec, dest);
	return g && g->type == STT_FUNC && g != f ? g : NULL;
}

/* A tail call the target's assembler shortened, at @i and @j: the short
 * jump's span in the target, or 0. */
static uint64_t relaxed_jump(struct ct *c, const struct arch_target_check *tc,
			     const struct symbol *f, const struct symbol *t,
			     uint64_t i, uint64_t j)
{
	const unsigned char *ob = f->sec->data + f->offset;
	const unsigned char *tb = t->sec->data + t->offset;
	struct symbol *g, *tg;
	int64_t disp = 0;
	unsigned int k;

	if (tc->long_len < 2 || tc->short_len < 2 || tc->short_len > 8 ||
	    ob[i] != tc->long_jump || tc->long_len > f->size - i ||
	    tb[j] != tc->short_jump || tc->short_len > t->size - j)
		return 0;
	g = jump_destination(c, f, f->offset + i + 1, tc->long_len - 1);
	if (!g)
		return 0;
	tg = ct_find_in_target(c, g, NULL);
	if (!tg || tg->sec != t->sec)
		return 0;
	/* The short displacement: signed, little-endian, from the end. */
	for (k = tc->short_len - 1; k >= 1; k--)
		disp = (disp << 8) | tb[j + k];
	k = 8 * (tc->short_len - 1);
	disp = (int64_t)((uint64_t)disp << (64 - k)) >> (64 - k);
	if ((int64_t)(t->offset + j + tc->short_len) + disp != (int64_t)tg->offset)
		return 0;
	return tc->short_len;
}

int ct_build_edit(struct ct *c, const struct symbol *f, const struct symbol *t,
		  uint64_t i, uint64_t j, uint64_t *olen, uint64_t *tlen)
{
	const struct arch_target_check *tc = c->arch->target_check;
	uint64_t n;

	if (!tc)
		return 0;
	if (c->sites_state < 0 || (!c->sites_state && read_sites(c, tc)))
		return -1;
	n = jump_nop(c, tc, f, t, i, j);
	if (n) {
		*olen = *tlen = n;
		return 1;
	}
	n = relaxed_jump(c, tc, f, t, i, j);
	if (n) {
		*olen = tc->long_len;
		*tlen = n;
		return 1;
	}
	return 0;
}
