/*
 * special.c - keep the special-section entries of included functions
 * (see special.h).
 *
 * An entry is kept when one of its relocations reaches a function the
 * livepatch carries: the __ex_table entry of a uaccess in a changed
 * function, its __bug_table entry, its alternatives.  What a kept entry
 * references is included in turn (the replacement code in
 * .altinstr_replacement, the file name string of a bug entry, a static key
 * owned by new code), until nothing more is added.
 */
#include <stdlib.h>
#include <string.h>

#include "special.h"
#include "../create-diff-object/cdo.h"
#include "../util/util.h"

const struct special_section *special_find(const struct cdo *cdo, const char *name)
{
	const struct special_section *ss;

	for (ss = cdo->arch->special; ss && ss->name; ss++) {
		size_t len = strlen(ss->name);

		if (ss->name_is_prefix ? !strncmp(ss->name, name, len) && name[len]
				       : !strcmp(ss->name, name))
			return ss;
	}
	return NULL;
}

/* Is @name the companion of a special section (.orc_unwind)? */
static bool is_companion(const struct cdo *cdo, const char *name)
{
	const struct special_section *ss;

	for (ss = cdo->arch->special; ss && ss->name; ss++)
		if (ss->companion && !strcmp(ss->companion, name))
			return true;
	return false;
}

bool special_entry_kept(const struct section *sec, size_t index)
{
	const struct sec_info *si = sec_info(sec);

	return index < si->nr_kept && si->kept[index];
}

static bool reaches_included_function(const struct cdo *cdo, const struct reloc *rel)
{
	struct symbol *t = cdo_reloc_target(cdo, rel, NULL);

	return t && t->type == STT_FUNC && t->sec && sym_info(t)->include;
}

/* The key of a kept jump label or static call site must link plainly. */
static int check_key(const struct cdo *cdo, const struct special_section *ss,
		     struct section *sec, size_t index)
{
	unsigned int size = special_entry_size(sec);
	uint64_t at = index * size + ss->key_offset;
	struct reloc *rel = kelf_find_reloc_at(sec, at);
	struct symbol *key, *func = NULL;
	struct reloc **rels;
	size_t n, i;

	if (!rel)
		return error("%s: %s entry %zu: no relocation for its key at +%#lx",
			     cdo->patched->path, sec->name, index, (unsigned long)at);
	key = cdo_reloc_target(cdo, rel, NULL);
	if (key && (sym_info(key)->include || cdo_links_plainly(cdo, key)))
		return 0;
	rels = kelf_relocs_in_range(sec, index * size, (index + 1) * size, &n);
	for (i = 0; i < n && !func; i++)
		if (reaches_included_function(cdo, rels[i]))
			func = cdo_reloc_target(cdo, rels[i], NULL);
	return error("%s: %s: %s entry uses key %s, which is not exported: the kernel sets up a module's %s entries when it loads, before klp relocations can resolve the key; test the key without a jump label (static_key_enabled()) or call through an exported function",
		     cdo->patched->path, func ? func->name : "?", sec->name,
		     key ? key->name : rel->sym->name, sec->name);
}

/*
 * The replacement code a kept alternative points at must lie in a function
 * (arm64: its tail, see create-diff-object/tail.c) or in a section of
 * anonymous code (x86_64's .altinstr_replacement).  arm64 puts the
 * replacements of every function of a shared section (.sched.text) at its
 * end, mixed: they cannot be carried with their function.  0, or -1 after
 * an error.
 */
static int check_replacement(const struct cdo *cdo, const struct special_section *ss,
			     struct section *sec, size_t index, const struct reloc *site)
{
	int64_t off = 0;
	struct symbol *f = cdo_reloc_target(cdo, site, &off);
	struct reloc *rel = kelf_find_reloc_at(sec, index * special_entry_size(sec) +
						ss->repl_offset);
	struct section *to = rel && rel->sym ? rel->sym->sec : NULL;
	int64_t at;

	if (!to || !is_text_section(to))
		return 0;
	at = (rel->sym->type == STT_SECTION ? 0 : (int64_t)rel->sym->offset) + rel->addend;
	if (at < 0 || (uint64_t)at >= to->size ||
	    kelf_find_symbol_containing(to, at) || cdo_tail_owner(to, NULL))
		return 0;
	if (!to->nr_by_offset)
		return 0;	/* anonymous code: .altinstr_replacement */
	return error("%s: %s: %s entry at %s+%#lx: its replacement code at %s+%#lx lies after the functions of %s, which holds several: the differ carries such code only from a section of one function; leave the functions of %s that have alternatives unchanged",
		     cdo->patched->path, f->name, sec->name, f->name, (unsigned long)off,
		     to->name, (unsigned long)at, to->name, to->name);
}

/* Mark the kept entries of @sec; returns how many were newly kept, or -1. */
static long keep_entries(struct cdo *cdo, const struct special_section *ss,
			 struct section *sec)
{
	struct sec_info *si = sec_info(sec);
	const struct special_layout *l = special_layout(cdo, cdo->patched, sec, ss);
	size_t n, i, j, nrels;
	long added = 0;

	if (!l)
		return -1;
	n = sec->size / l->size;
	if (!si->kept) {
		si->kept = xcalloc(n ? n : 1, 1);
		si->nr_kept = n;
	}
	for (i = 0; i < n; i++) {
		struct reloc **rels;

		if (si->kept[i])
			continue;
		rels = kelf_relocs_in_range(sec, i * l->size, (i + 1) * l->size, &nrels);
		for (j = 0; j < nrels; j++)
			if (reaches_included_function(cdo, rels[j]))
				break;
		if (j == nrels)
			continue;
		si->kept[i] = 1;
		added++;
		if (ss->key_needs_plain_reloc && check_key(cdo, ss, sec, i))
			return -1;
		if (ss->has_repl && check_replacement(cdo, ss, sec, i, rels[j]))
			return -1;
		for (j = 0; j < nrels; j++)
			cdo_include_reloc_target(cdo, rels[j]);
	}
	return added;
}

/*
 * A section that is neither special, nor ignored, nor carried, whose
 * entries (not data objects) point at an included function is a table the
 * differ does not know: refuse rather than drop it.
 */
static int check_unknown_sections(struct cdo *cdo)
{
	struct section *sec;
	int ret = 0;

	for_each_section(cdo->patched, sec) {
		struct reloc *rel;

		if (!sec->rela || is_rela_section(sec) || is_text_section(sec) ||
		    !(sec->sh.sh_flags & SHF_ALLOC) || sec_info(sec)->include ||
		    cdo_is_ignored_section(sec) || special_find(cdo, sec->name) ||
		    is_companion(cdo, sec->name))
			continue;
		for_each_reloc(sec->rela, rel) {
			struct symbol *holder, *t;

			if (!reaches_included_function(cdo, rel))
				continue;
			holder = kelf_find_symbol_containing(sec, rel->offset);
			if (holder && holder->type == STT_OBJECT)
				continue;	/* a data object pointing at code */
			t = cdo_reloc_target(cdo, rel, NULL);
			ret = error("%s: %s+%#lx: unknown special section %s refers to %s, which the livepatch replaces; the differ cannot tell what the kernel does with it",
				    cdo->patched->path, sec->name,
				    (unsigned long)rel->offset, sec->name, t->name);
			break;
		}
	}
	return ret;
}

int special_include(struct cdo *cdo)
{
	struct section *sec;
	long added;
	int ret = 0;

	/* Kept entries can include new code, whose entries are kept in turn. */
	do {
		added = 0;
		for_each_section(cdo->patched, sec) {
			const struct special_section *ss = special_find(cdo, sec->name);
			long n;

			if (!ss)
				continue;
			n = keep_entries(cdo, ss, sec);
			if (n < 0)
				return -1;
			added += n;
		}
	} while (added);
	/* Every site is checked, so that every refusal is reported. */
	for_each_section(cdo->patched, sec) {
		const struct special_section *ss = special_find(cdo, sec->name);

		if (ss && ss->runtime_const &&
		    special_rewrite_runtime_consts(cdo, ss, sec))
			ret = -1;
	}
	if (check_unknown_sections(cdo))
		ret = -1;
	return ret;
}
