/*
 * runtime-const.c - the sites of runtime constants in carried code.
 *
 * Linux 6.11+ vmlinux code loads some boot-time values (USER_PTR_MAX in
 * every access_ok(), dentry_hashtable and d_hash_shift in fs/dcache.c) as
 * instruction immediates that runtime_const_init() fills in at boot, once,
 * in vmlinux only: each site is a 4-byte place-relative entry of a section
 * named after the variable, "runtime_ptr_USER_PTR_MAX".  Module code reads
 * the variable instead.  A function the livepatch carries out of vmlinux
 * would keep the placeholder, so each of its sites is rewritten by the
 * arch (arch.h, struct arch_runtime_const) into a load of the variable,
 * and the reference to the variable is added to the patched object as an
 * ordinary relocation: output.c then resolves it like every other
 * reference to the running kernel (an undefined symbol for an export, a
 * klp relocation otherwise).  A site the arch cannot rewrite is refused.
 * The entries themselves are not carried (output.c), and the entries of
 * functions that are not carried do not matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "special.h"
#include "../create-diff-object/cdo.h"
#include "../util/util.h"

/*
 * The symbol of the patched object a rewritten site reads: the variable
 * @name itself when the object defines or references it (dentry_hashtable
 * in fs/dcache.o), else a new undefined global (USER_PTR_MAX, which
 * fs/select.o never names: the immediate was all it had).  NULL after an
 * error when several symbols go by that name.
 */
static struct symbol *variable(struct cdo *cdo, const struct section *sec,
			       const char *name)
{
	struct symbol *s, *found = NULL;
	unsigned int n = 0;

	for (s = kelf_find_symbol_by_name(cdo->patched, name); s;
	     s = kelf_next_symbol_same_name(s)) {
		if (s->type != STT_OBJECT && s->type != STT_NOTYPE &&
		    s->type != STT_TLS)
			continue;
		if (!n++)
			found = s;
	}
	if (n > 1) {
		error("%s: %s: %u symbols are called %s: cannot tell which variable the runtime constant reads",
		      cdo->patched->path, sec->name, n, name);
		return NULL;
	}
	if (found)
		return found;
	found = kelf_add_symbol(cdo->patched, name, STB_GLOBAL, STT_NOTYPE, NULL,
				SHN_UNDEF, 0, 0);
	found->priv = xcalloc(1, sizeof(struct sym_info));
	return found;
}

/* "48 b8 ef cd" */
static char *hex_bytes(const unsigned char *p, uint64_t n)
{
	char *s = xmalloc(n * 3 + 1), *w = s;
	uint64_t i;

	*w = '\0';
	for (i = 0; i < n; i++)
		w += sprintf(w, "%s%02x", i ? " " : "", p[i]);
	return s;
}

/* The function entry @index of @sec points into, and where: 0, or -1. */
static int entry_site(struct cdo *cdo, struct section *sec, size_t index,
		      struct symbol **func, uint64_t *at)
{
	unsigned int size = special_entry_size(sec);
	uint64_t off = index * size;
	struct reloc *rel = kelf_find_reloc_at(sec, off);
	const struct arch_reloc *ar = rel ? arch_reloc(cdo->arch, rel->type) : NULL;
	struct symbol *t = NULL;
	int64_t where = 0;

	if (!ar || !ar->pcrel || ar->width != size)
		return error("%s: %s+%#lx: entry %zu is not a %u-byte place-relative relocation (%s): not the runtime constant table this kernel builds",
			     cdo->patched->path, sec->name, (unsigned long)off, index,
			     size, rel ? arch_reloc_name(cdo->arch, rel->type) : "none");
	t = cdo->special->reloc_target(cdo, rel, &where);
	if (!t || t->type != STT_FUNC || !t->sec || !is_text_section(t->sec) ||
	    !t->sec->data || where < 0 || (uint64_t)where > t->size ||
	    t->offset + t->size > t->sec->size)
		return error("%s: %s+%#lx: entry %zu points at %s%+ld, not into the code of a function",
			     cdo->patched->path, sec->name, (unsigned long)off, index,
			     t ? t->name : rel->sym ? rel->sym->name : "?", (long)where);
	*func = t;
	*at = (uint64_t)where;
	return 0;
}

/* Refuse the site at @at of @func: @detail says why it cannot be rewritten. */
static int refuse(struct cdo *cdo, const struct special_section *ss,
		  const struct section *sec, size_t index, const struct symbol *func,
		  uint64_t at, const char *detail)
{
	const struct arch_runtime_const *rc = ss->runtime_const;
	const char *var = sec->name + strlen(ss->name);

	return error("%s: %s+%#lx: %s entry %zu: the kernel writes %s into this instruction at boot (%s), in vmlinux only, so the livepatch's copy would use the placeholder %s, and the differ cannot rewrite it to read the variable: %s; use %s directly in the patched function instead of %s",
		     cdo->patched->path, func->name, (unsigned long)at, sec->name,
		     index, var, rc->macro, rc->placeholder, detail, var, rc->macro);
}

/* Rewrite the site of kept entry @index of @sec: 0, or -1. */
static int rewrite_site(struct cdo *cdo, const struct special_section *ss,
			struct section *sec, size_t index)
{
	const struct arch_runtime_const *rc = ss->runtime_const;
	const char *var = sec->name + strlen(ss->name);
	const struct arch_reloc *ar;
	struct arch_site site = { 0 };
	struct section *text;
	struct symbol *func = NULL, *v;
	struct reloc *rel;
	unsigned char *copy;
	const unsigned char *code;
	const char *why;
	uint64_t at = 0;
	bool new_rela;
	size_t n;
	int ret = 0;

	if (entry_site(cdo, sec, index, &func, &at))
		return -1;
	if (!rc->rewrite)
		return refuse(cdo, ss, sec, index, func, at, rc->why_not);
	text = func->sec;
	code = text->data + func->offset;
	/* The arch rewrites a copy: the bytes stay as read until all is well. */
	copy = xmalloc(func->size ? func->size : 1);
	memcpy(copy, code, func->size);
	why = rc->rewrite(copy, func->size, at, &site);
	if (!why) {
		ar = arch_reloc(cdo->arch, site.ref_type);
		BUG_ON(!ar || site.start + site.len > func->size ||
		       site.ref < site.start || site.ref + ar->width > site.start + site.len);
		/* Nothing else may write into the instruction. */
		kelf_relocs_in_range(text, func->offset + site.start,
				     func->offset + site.start + site.len, &n);
		if (n)
			why = "a relocation lies inside the instruction";
	}
	if (why) {
		char *bytes = hex_bytes(code + site.start, site.len);
		char *msg = xasprintf("bytes %s at %s+%#lx: %s", bytes, func->name,
				      (unsigned long)site.start, why);

		ret = refuse(cdo, ss, sec, index, func, at, msg);
		free(msg);
		free(bytes);
		goto out;
	}
	v = variable(cdo, sec, var);
	if (!v) {
		ret = -1;
		goto out;
	}
	/* Own the section's bytes before writing them (they may be mapped). */
	if (!text->data_owned)
		kelf_set_section_data(text, text->data, text->size);
	memcpy(text->data + func->offset + site.start, copy + site.start, site.len);
	new_rela = !text->rela;
	rel = kelf_add_reloc(text, func->offset + site.ref, site.ref_type, v,
			     site.ref_addend);
	/* A relocation section the differ has not seen: give it its record. */
	if (new_rela)
		text->rela->priv = xcalloc(1, sizeof(struct sec_info));
	cdo->special->include_reloc_target(cdo, rel);
	if (cdo->debug)
		fprintf(stderr, "%s: %s+%#lx: %s site rewritten to read %s\n",
			cdo->patched->path, func->name, (unsigned long)site.start,
			sec->name, var);
out:
	free(copy);
	return ret;
}

int special_rewrite_runtime_consts(struct cdo *cdo, const struct special_section *ss,
				   struct section *sec)
{
	size_t n = sec->size / special_entry_size(sec), i;
	int ret = 0;

	for (i = 0; i < n; i++)
		if (special_entry_kept(sec, i) && rewrite_site(cdo, ss, sec, i))
			ret = -1;
	return ret;
}
