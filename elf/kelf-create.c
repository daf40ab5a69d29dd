/*
 * kelf-create.c - build or extend a model: new objects, sections, symbols,
 * relocations and group members.  (Removal is in kelf-remove.c.)
 *
 * Everything added here is owned by the kelf and freed by kelf_close().
 * Indexes are positions in the model; the writer keeps them, except that it
 * moves local symbols before global ones as the ELF rules require.
 */
#include <stdlib.h>
#include <string.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"

static const char *own_name(struct kelf *kelf, const char *name)
{
	char *copy = xstrdup(name);

	kelf_track(kelf, copy);
	return copy;
}

static struct section *new_section(struct kelf *kelf)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	kelf_track(kelf, sec);
	sec->kelf = kelf;
	sec->index = kelf->nr_sections;
	ALLOC_GROW(kelf->sections, kelf->nr_sections + 1, kelf->alloc_sections);
	kelf->sections[kelf->nr_sections++] = sec;
	return sec;
}

struct kelf *kelf_create(const char *path, uint16_t machine)
{
	struct kelf *kelf = xcalloc(1, sizeof(*kelf));
	struct symbol *null_sym;
	struct section *null_sec;

	elf_version(EV_CURRENT);
	kelf->path = xstrdup(path);
	kelf->fd = -1;
	kelf->ehdr.e_type = ET_REL;
	kelf->ehdr.e_machine = machine;
	kelf->ehdr.e_version = EV_CURRENT;
	hash_init(&kelf->section_names, 64);
	hash_init(&kelf->symbol_names, 256);

	null_sec = new_section(kelf);
	null_sec->name = "";
	null_sym = xcalloc(1, sizeof(*null_sym));
	kelf_track(kelf, null_sym);
	null_sym->name = "";
	ALLOC_GROW(kelf->symbols, 1, kelf->alloc_symbols);
	kelf->symbols[kelf->nr_symbols++] = null_sym;

	kelf->strtab = kelf_add_section(kelf, ".strtab", SHT_STRTAB, 0, 1, 0, NULL, 0);
	kelf->symtab = kelf_add_section(kelf, ".symtab", SHT_SYMTAB, 0, 8,
					sizeof(Elf64_Sym), NULL, 0);
	kelf->symtab->link = kelf->strtab;
	kelf->shstrtab = kelf_add_section(kelf, ".shstrtab", SHT_STRTAB, 0, 1, 0, NULL, 0);
	return kelf;
}

struct section *kelf_add_section(struct kelf *kelf, const char *name,
				 uint32_t type, uint64_t flags, uint64_t align,
				 uint64_t entsize, const void *data, size_t size)
{
	struct section *sec = new_section(kelf);

	sec->name = own_name(kelf, name);
	sec->name_off = 0;
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align;
	sec->sh.sh_entsize = entsize;
	sec->by_offset_stale = true;
	if (type == SHT_NOBITS)
		sec->size = size;
	else
		kelf_set_section_data(sec, data, size);
	hash_add(&kelf->section_names, &sec->name_node, hash_str(sec->name));
	return sec;
}

void kelf_set_section_data(struct section *sec, const void *data, size_t size)
{
	unsigned char *copy = NULL;

	if (size) {
		copy = xmalloc(size);
		if (data)
			memcpy(copy, data, size);
		else
			memset(copy, 0, size);
	}
	if (sec->data_owned)
		free(sec->data);
	sec->data = copy;
	sec->data_owned = copy != NULL;
	sec->data_alloc = size;
	sec->size = size;
	kelf_section_changed(sec);
}

uint64_t kelf_append_section_data(struct section *sec, const void *data, size_t size)
{
	uint64_t off = sec->size;

	if (!sec->data_owned) {
		/* Take a private copy of mapped bytes before growing them. */
		unsigned char *copy = xmalloc(sec->size + size);

		if (sec->size)
			memcpy(copy, sec->data, sec->size);
		sec->data = copy;
		sec->data_owned = true;
		sec->data_alloc = sec->size + size;
	}
	if (sec->size + size > sec->data_alloc) {
		size_t n = sec->data_alloc ? sec->data_alloc : 64;

		while (n < sec->size + size)
			n *= 2;
		sec->data = xrealloc(sec->data, n);
		sec->data_alloc = n;
	}
	if (data)
		memcpy(sec->data + off, data, size);
	else
		memset(sec->data + off, 0, size);
	sec->size += size;
	kelf_section_changed(sec);
	return off;
}

struct symbol *kelf_add_symbol(struct kelf *kelf, const char *name,
			       unsigned char bind, unsigned char type,
			       struct section *sec, unsigned int shndx,
			       uint64_t offset, uint64_t size)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	kelf_track(kelf, sym);
	sym->name = own_name(kelf, name);
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->shndx = sec ? 0 : shndx;
	sym->value = sym->offset = offset;
	sym->size = size;
	sym->in_section = sec != NULL;
	sym->index = kelf->nr_symbols;
	ALLOC_GROW(kelf->symbols, kelf->nr_symbols + 1, kelf->alloc_symbols);
	kelf->symbols[kelf->nr_symbols++] = sym;
	if (sym->name[0])
		hash_add(&kelf->symbol_names, &sym->name_node, hash_str(sym->name));
	if (sec) {
		kelf_section_changed(sec);
		if (type == STT_SECTION && !sec->secsym)
			sec->secsym = sym;
	}
	return sym;
}

void kelf_rename_symbol(struct kelf *kelf, struct symbol *sym, const char *name)
{
	if (sym->name[0])
		hash_del(&kelf->symbol_names, &sym->name_node);
	sym->name = own_name(kelf, name);
	if (sym->name[0])
		hash_add(&kelf->symbol_names, &sym->name_node, hash_str(sym->name));
}

struct symbol *kelf_section_symbol(struct section *sec)
{
	if (!sec->secsym)
		kelf_add_symbol(sec->kelf, "", STB_LOCAL, STT_SECTION, sec, 0, 0, 0);
	return sec->secsym;
}

struct section *kelf_add_rela_section(struct section *base, const char *name,
				      uint64_t flags)
{
	struct kelf *kelf = base->kelf;
	struct section *rela;

	rela = kelf_add_section(kelf, name, SHT_RELA, flags, 8,
				sizeof(Elf64_Rela), NULL, 0);
	rela->link = kelf->symtab;
	rela->base = base;
	if (base->group)
		kelf_group_add(base->group, rela);
	return rela;
}

struct reloc *kelf_rela_append(struct section *rela, uint64_t offset,
			       uint32_t type, struct symbol *sym, int64_t addend)
{
	struct reloc *r = xcalloc(1, sizeof(*r));

	kelf_track(rela->kelf, r);
	r->sec = rela;
	r->offset = offset;
	r->type = type;
	r->addend = addend;
	r->sym = sym;
	if (sym) {
		r->next_ref = sym->refs;
		sym->refs = r;
	}
	ALLOC_GROW(rela->relocs, rela->nr_relocs + 1, rela->alloc_relocs);
	rela->relocs[rela->nr_relocs++] = r;
	rela->relocs_sorted_stale = true;
	return r;
}

struct reloc *kelf_add_reloc(struct section *base, uint64_t offset,
			     uint32_t type, struct symbol *sym, int64_t addend)
{
	if (!base->rela) {
		char *name = xasprintf(".rela%s", base->name);

		base->rela = kelf_add_rela_section(base, name, SHF_INFO_LINK);
		free(name);
	}
	return kelf_rela_append(base->rela, offset, type, sym, addend);
}

void kelf_group_add(struct section *group, struct section *member)
{
	ALLOC_GROW(group->members, group->nr_members + 1, group->alloc_members);
	group->members[group->nr_members++] = member;
	member->group = group;
	/* gABI: every member of a group carries SHF_GROUP; without it
	 * eu-elflint rejects the .rela section kelf_add_reloc() adds. */
	member->sh.sh_flags |= SHF_GROUP;
}

void kelf_reloc_retarget(struct reloc *r, struct symbol *sym, int64_t addend)
{
	struct reloc **pp;

	if (r->sym)
		for (pp = &r->sym->refs; *pp; pp = &(*pp)->next_ref)
			if (*pp == r) {
				*pp = r->next_ref;
				break;
			}
	r->sym = sym;
	r->addend = addend;
	r->next_ref = NULL;
	if (sym) {
		r->next_ref = sym->refs;
		sym->refs = r;
	}
}
