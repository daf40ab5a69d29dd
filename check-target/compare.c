/*
 * compare.c - one function of the original object against the same
 * function in the target.
 *
 * The target's function is found as create-diff-object finds the function
 * a livepatch replaces (lookup/): a global by name, a local inside the
 * target's block of symbols of the object's source file.  Its bytes are
 * the target's section at the symbol (an address in vmlinux, an offset in
 * a .ko).  The two are decoded from their starts and walked instruction
 * by instruction; every byte must match, except:
 *	- the fields of the object's relocations (width from the arch's
 *	  relocation table), on both sides: the object holds zeros or an
 *	  addend there, the target the linked value (or, in a .ko, its own
 *	  unapplied relocation);
 *	- the displacement of a branch inside the function (no relocation):
 *	  it must land on the same instruction on both sides, wherever the
 *	  edits below moved it;
 *	- what the kernel's build makes of the object's code that
 *	  kpatch-build's compile does not (edits.c): NOPs objtool writes over
 *	  static branches, tail calls the assembler shortens, alignment
 *	  padding of another length (which is why the sizes may differ).
 * A weak function of the object that the target overrides differs
 * whatever its bytes.
 */
#include <stdio.h>
#include <string.h>

#include "check-target.h"
#include "../util/util.h"

/* Bytes shown on each side of a difference. */
#define SHOW_BYTES 8

/* Mark the fields of the relocations of @f's section that fall in @f. */
static int mask_relocs(struct ct *c, const struct symbol *f, unsigned char *mask)
{
	uint64_t start = f->offset, end = f->offset + f->size;
	struct reloc **r;
	size_t n, i;

	/* A field starting up to 8 bytes before @f may reach into it. */
	r = kelf_relocs_in_range(f->sec, start > 8 ? start - 8 : 0, end, &n);
	for (i = 0; i < n; i++) {
		const struct arch_reloc *ar = arch_reloc(c->arch, r[i]->type);
		uint64_t a, b;

		if (!ar)
			return error("%s: %s+%#lx: relocation %s of unknown width in %s",
				     c->obj->path, f->name,
				     (unsigned long)(r[i]->offset - start),
				     arch_reloc_name(c->arch, r[i]->type),
				     r[i]->sec->name);
		a = r[i]->offset;
		b = a + ar->width;
		if (b <= start)
			continue;
		a = a < start ? start : a;
		b = b > end ? end : b;
		memset(mask + (a - start), 1, b - a);
	}
	return 0;
}

/* Up to SHOW_BYTES of the @len bytes at @p as hex, masked bytes as "..",
 * into @buf. */
static const char *hex(const unsigned char *p, const unsigned char *mask,
		       uint64_t len, char *buf)
{
	size_t i;

	if (len > SHOW_BYTES)
		len = SHOW_BYTES;
	for (i = 0; i < len; i++) {
		if (mask[i])
			memcpy(buf + 2 * i, "..", 2);
		else
			sprintf(buf + 2 * i, "%02x", p[i]);
	}
	buf[2 * len] = '\0';
	return buf;
}

struct symbol *ct_find_in_target(struct ct *c, const struct symbol *sym,
				 unsigned long *sympos)
{
	bool local = sym->bind == STB_LOCAL;
	struct lookup_result res;

	if (lookup_symbol(c->lookup, sym->name, local, &res))
		return NULL;
	if (sympos)
		*sympos = res.sympos;
	return res.sym;
}

/* The target's function for @f, or NULL after a "not found" line or an
 * error (*@bad). */
static struct symbol *find_function(struct ct *c, const struct symbol *f,
				    const unsigned long *sympos, bool *bad)
{
	unsigned long pos = 0;
	struct symbol *t = ct_find_in_target(c, f, &pos);
	struct section *ts;

	*bad = false;
	if (!t) {
		printf("not found: %s\n", f->name);
		return NULL;
	}
	*bad = true;
	if (sympos && *sympos != pos) {
		error("%s: %s: the diff object replaces position %lu of that name, the target's is %lu",
		      c->obj->path, f->name, *sympos, pos);
		return NULL;
	}
	ts = t->sec;
	if (!ts || !t->in_section || ts->sh.sh_type == SHT_NOBITS ||
	    (!ts->data && t->size) || t->offset > ts->size ||
	    t->size > ts->size - t->offset) {
		error("%s: %s: [%#lx, +%#lx) is not inside the contents of its section %s",
		      ts ? ts->kelf->path : "target", t->name,
		      (unsigned long)t->value, (unsigned long)t->size,
		      ts ? ts->name : "(none)");
		return NULL;
	}
	*bad = false;
	return t;
}

static enum ct_verdict size_differs(const struct symbol *f, const struct symbol *t)
{
	printf("differs: %s size (object %#lx bytes, target %#lx bytes)\n",
	       f->name, (unsigned long)f->size, (unsigned long)t->size);
	return CT_DIFFERS;
}

/* A branch (or other PC-relative field no relocation fills) of the object
 * landing past itself: where it must land in the target. */
struct ct_branch {
	uint64_t at;			/* the field, in the object's function */
	uint64_t dest;			/* where it lands there */
	int64_t tdest;			/* and in the target's */
	uint64_t tat;			/* the field in the target's */
};

/* "differs: NAME at +OFF (object BYTES, target BYTES)": from offset @i of
 * the object's function and @j of the target's, masked alike. */
static enum ct_verdict differs_at(struct ct *c, const struct symbol *f,
				  const struct symbol *t, uint64_t i, uint64_t j)
{
	static const unsigned char none[SHOW_BYTES];
	char a[2 * SHOW_BYTES + 1], b[2 * SHOW_BYTES + 1];
	const unsigned char *ob = f->sec->data + f->offset, *tb = t->sec->data + t->offset;
	/* The object's relocated fields are the target's too where the
	 * rest of the function lines up. */
	bool aligned = f->size - i == t->size - j;

	if (t->size > f->size)
		return size_differs(f, t);
	printf("differs: %s at +%#lx (object %s, target %s)\n", f->name, (unsigned long)i,
	       hex(ob + i, c->mask + i, f->size - i, a),
	       hex(tb + j, aligned || i == j ? c->mask + i : none, t->size - j, b));
	return CT_DIFFERS;
}

/*
 * Compare the instructions @oi at @i and @ti at @j, of equal length,
 * byte by byte but for relocated fields and a PC-relative field that no
 * relocation fills (a branch inside the function), which must land on
 * the same instruction on both sides instead.  0 when they match, else
 * the offset in the instruction of the first difference, plus 1.
 */
static uint64_t compare_insn(struct ct *c, const struct symbol *f, const struct symbol *t,
			     uint64_t i, uint64_t j, const struct arch_insn *oi,
			     const struct arch_insn *ti)
{
	const unsigned char *ob = f->sec->data + f->offset, *tb = t->sec->data + t->offset;
	uint64_t k, skip_lo = 0, skip_hi = 0;

	int64_t d, td;

	if (ti->disp_off == oi->disp_off && ti->disp_len == oi->disp_len &&
	    arch_insn_dest(ob + i, oi, &d) && arch_insn_dest(tb + j, ti, &td) &&
	    !c->mask[i + oi->disp_off]) {
		d += (int64_t)i;
		td += (int64_t)j;

		/* Inside the function: checked by where it lands; elsewhere
		 * (another function of a shared section) compared as bytes. */
		if (d >= 0 && (uint64_t)d <= f->size) {
			skip_lo = oi->disp_off;
			skip_hi = skip_lo + oi->disp_len;
			if ((uint64_t)d <= i) {
				if (c->at[d] != td)
					return skip_lo + 1;
			} else {
				ALLOC_GROW(c->fwd, c->nr_fwd + 1, c->fwd_alloc);
				c->fwd[c->nr_fwd++] = (struct ct_branch){
					.at = i + skip_lo, .dest = d, .tdest = td,
					.tat = j + skip_lo,
				};
			}
		}
	}
	for (k = 0; k < oi->len; k++)
		if ((k < skip_lo || k >= skip_hi) && !c->mask[i + k] && ob[i + k] != tb[j + k])
			return k + 1;
	return 0;
}

enum ct_verdict ct_check_function(struct ct *c, struct symbol *f,
				  const unsigned long *sympos)
{
	const unsigned char *ob, *tb;
	uint64_t i = 0, j = 0, olen, tlen, k;
	struct arch_insn oi, ti;
	struct symbol *t;
	size_t n, saved;
	bool bad;
	int edit;

	if (f->type != STT_FUNC || !f->sec || f->sec->sh.sh_type == SHT_NOBITS) {
		error("%s: %s: not a function defined in the object", c->obj->path, f->name);
		return CT_ERROR;
	}
	t = find_function(c, f, sympos, &bad);
	if (!t)
		return bad ? CT_ERROR : CT_NOT_FOUND;

	/* A weak function another object overrides: the linker keeps the
	 * binding of the definition it chose (free_initmem() of init/main.c,
	 * the __x64_sys_* stubs of kernel/sys_ni.c). */
	if (f->bind == STB_WEAK && t->bind == STB_GLOBAL) {
		printf("differs: %s (weak: the target's is another, global definition)\n",
		       f->name);
		return CT_DIFFERS;
	}
	/* Without the kernel's build edits, the sizes are the same. */
	if (t->size != f->size && !c->arch->target_check)
		return size_differs(f, t);

	ob = f->size ? f->sec->data + f->offset : NULL;
	tb = t->size ? t->sec->data + t->offset : NULL;
	ALLOC_GROW(c->mask, f->size + 1, c->mask_alloc);
	ALLOC_GROW(c->at, f->size + 1, c->at_alloc);
	memset(c->mask, 0, f->size);
	for (k = 0; k <= f->size; k++)
		c->at[k] = -1;
	c->nr_fwd = 0;
	if (mask_relocs(c, f, c->mask))
		return CT_ERROR;
	/* Instruction by instruction, both decoded from the function's start. */
	while (i < f->size && j < t->size) {
		c->at[i] = (int64_t)j;
		if (arch_decode(c->arch, ob + i, f->size - i, &oi)) {
			error("%s: %s+%#lx: an instruction the decoder does not know",
			      c->obj->path, f->name, (unsigned long)i);
			return CT_ERROR;
		}
		if (arch_decode(c->arch, tb + j, t->size - j, &ti))
			return differs_at(c, f, t, i, j);
		edit = ct_build_edit(c, f, t, i, j, &oi, &ti, &olen, &tlen);
		if (edit < 0)
			return CT_ERROR;
		if (edit) {
			i += olen;
			j += tlen;
			continue;
		}
		if (oi.len == ti.len) {
			saved = c->nr_fwd;
			k = compare_insn(c, f, t, i, j, &oi, &ti);
			if (!k) {
				i += oi.len;
				j += ti.len;
				continue;
			}
			c->nr_fwd = saved;
		} else {
			for (k = 0; k < oi.len && k < ti.len &&
			     (c->mask[i + k] || ob[i + k] == tb[j + k]); k++)
				;
			k++;
		}
		/* Only where the instructions differ: padding. */
		if (c->arch->target_check &&
		    ct_padding(c, f, t, i, j, &oi, &ti, &olen, &tlen)) {
			i += olen;
			j += tlen;
			continue;
		}
		return differs_at(c, f, t, i + k - 1, j + k - 1);
	}
	if (i < f->size || j < t->size)
		return size_differs(f, t);
	c->at[f->size] = (int64_t)j;
	for (n = 0; n < c->nr_fwd; n++)
		if (c->at[c->fwd[n].dest] != c->fwd[n].tdest)
			return differs_at(c, f, t, c->fwd[n].at, c->fwd[n].tat);
	printf("same: %s\n", f->name);
	return CT_SAME;
}
