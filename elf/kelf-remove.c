/*
 * kelf-remove.c - take a section out of a model, with what cannot outlive
 * it: the relocation sections that relocate it and the symbols it defines.
 *
 * Everything is checked before anything changes, so a refused removal
 * leaves the model as it was.  A removal costs one pass over the sections,
 * the symbols and their references, then rebuilds the name indexes: meant
 * for the few sections a tool drops before writing (objcopy -R), not for a
 * loop over thousands.
 */
#include <stdlib.h>
#include <string.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"

static bool is_table(const struct kelf *kelf, const struct section *sec)
{
	return sec == kelf->sections[0] || sec == kelf->symtab ||
	       sec == kelf->strtab || sec == kelf->shstrtab ||
	       sec == kelf->symtab_shndx;
}

/* Is anything that stays in the model still using a section in @gone? */
static int check_removable(struct kelf *kelf, struct section *victim,
			   const bool *gone)
{
	struct section *s;
	struct symbol *sym;
	struct reloc *r;

	for_each_section(kelf, s)
		if (gone[s->index] && is_table(kelf, s))
			return error("%s: cannot remove section %s: the file's symbol or string table",
				     kelf->path, s->name);
	for_each_section(kelf, s) {
		if (gone[s->index])
			continue;
		if (s->link && gone[s->link->index])
			return error("%s: cannot remove section %s: section %s links to %s",
				     kelf->path, victim->name, s->name, s->link->name);
		if (s->base && gone[s->base->index])
			return error("%s: cannot remove section %s: section %s relocates %s",
				     kelf->path, victim->name, s->name, s->base->name);
		if (s->sh.sh_type == SHT_GROUP && s->group_sig &&
		    s->group_sig->sec && gone[s->group_sig->sec->index])
			return error("%s: cannot remove section %s: group %s is signed by its symbol %s",
				     kelf->path, victim->name, s->name,
				     s->group_sig->name);
	}
	for_each_symbol(kelf, sym) {
		if (!sym->sec || !gone[sym->sec->index])
			continue;
		for_each_ref(sym, r)
			if (!gone[r->sec->index])
				return error("%s: cannot remove section %s: %s+%#lx still refers to its symbol %s",
					     kelf->path, victim->name, r->sec->base ?
					     r->sec->base->name : r->sec->name,
					     (unsigned long)r->offset,
					     sym->name[0] ? sym->name : sym->sec->name);
	}
	return 0;
}

/* Drop the relocations of removed sections from the reference chains. */
static void unlink_refs(struct kelf *kelf, const bool *gone)
{
	struct symbol *sym;
	struct reloc **pp;

	for_each_symbol(kelf, sym)
		for (pp = &sym->refs; *pp;) {
			if (gone[(*pp)->sec->index])
				*pp = (*pp)->next_ref;
			else
				pp = &(*pp)->next_ref;
		}
}

/* Undo the links between a removed section and those that stay. */
static void detach(struct section *s, const bool *gone)
{
	size_t i, n;

	if (s->group && !gone[s->group->index]) {
		struct section *g = s->group;

		for (i = n = 0; i < g->nr_members; i++)
			if (g->members[i] != s)
				g->members[n++] = g->members[i];
		g->nr_members = n;
	}
	if (s->sh.sh_type == SHT_GROUP)
		for (i = 0; i < s->nr_members; i++)
			if (!gone[s->members[i]->index]) {
				s->members[i]->group = NULL;
				s->members[i]->sh.sh_flags &= ~(uint64_t)SHF_GROUP;
			}
	if (s->base && !gone[s->base->index] && s->base->rela == s)
		s->base->rela = NULL;
	if (s->data_owned)
		free(s->data);
	free(s->relocs);
	free(s->members);
	free(s->by_offset);
	free(s->max_end);
	free(s->relocs_sorted);
	s->data = NULL;
	s->relocs = NULL;
	s->members = NULL;
	s->by_offset = NULL;
	s->max_end = NULL;
	s->relocs_sorted = NULL;
	s->nr_relocs = s->nr_members = s->nr_by_offset = 0;
}

static void rebuild_name_indexes(struct kelf *kelf)
{
	size_t i;

	hash_free(&kelf->section_names);
	hash_init(&kelf->section_names, kelf->nr_sections);
	for (i = 1; i < kelf->nr_sections; i++)
		hash_add(&kelf->section_names, &kelf->sections[i]->name_node,
			 hash_str(kelf->sections[i]->name));
	hash_free(&kelf->symbol_names);
	hash_init(&kelf->symbol_names, kelf->nr_symbols);
	for (i = 1; i < kelf->nr_symbols; i++)
		if (kelf->symbols[i]->name[0])
			hash_add(&kelf->symbol_names, &kelf->symbols[i]->name_node,
				 hash_str(kelf->symbols[i]->name));
}

int kelf_remove_section(struct section *sec)
{
	struct kelf *kelf = sec->kelf;
	bool *gone = xcalloc(kelf->nr_sections, sizeof(*gone));
	struct section *s;
	size_t i, n;

	BUG_ON(sec->index >= kelf->nr_sections || kelf->sections[sec->index] != sec);
	if (!sec->index) {
		free(gone);
		return error("%s: cannot remove the null section", kelf->path);
	}
	gone[sec->index] = true;
	for_each_section(kelf, s)
		if (is_rela_section(s) && s->base == sec)
			gone[s->index] = true;
	if (check_removable(kelf, sec, gone)) {
		free(gone);
		return -1;
	}

	unlink_refs(kelf, gone);
	for_each_section(kelf, s)
		if (gone[s->index])
			detach(s, gone);

	for (i = n = 1; i < kelf->nr_symbols; i++) {
		struct symbol *sym = kelf->symbols[i];

		if (sym->sec && gone[sym->sec->index])
			continue;
		sym->index = n;
		kelf->symbols[n++] = sym;
	}
	kelf->nr_symbols = kelf->nr_symbols ? n : 0;
	for (i = n = 1; i < kelf->nr_sections; i++) {
		s = kelf->sections[i];
		if (gone[i])
			continue;
		s->index = n;
		kelf->sections[n++] = s;
	}
	kelf->nr_sections = n;
	rebuild_name_indexes(kelf);
	free(gone);
	return 0;
}

size_t kelf_remove_relocs(struct section *rela,
			  bool (*drop)(const struct reloc *r, void *arg), void *arg)
{
	struct reloc **pp;
	size_t i, n, removed;

	BUG_ON(!is_rela_section(rela));
	for (i = n = 0; i < rela->nr_relocs; i++) {
		struct reloc *r = rela->relocs[i];

		if (!drop(r, arg)) {
			rela->relocs[n++] = r;
			continue;
		}
		if (r->sym)
			for (pp = &r->sym->refs; *pp; pp = &(*pp)->next_ref)
				if (*pp == r) {
					*pp = r->next_ref;
					break;
				}
		/* Its memory belongs to the model (kelf_track): freed at close. */
	}
	removed = rela->nr_relocs - n;
	rela->nr_relocs = n;
	if (removed) {
		free(rela->relocs_sorted);
		rela->relocs_sorted = NULL;
		rela->relocs_sorted_stale = true;
	}
	return removed;
}
