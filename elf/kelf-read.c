/*
 * kelf-read.c - open an ELF file and build the model of kelf.h.
 *
 * Reading is one pass per table: section headers, the symbol table,
 * relocation sections, section groups, then the name indexes.  Each pass
 * checks every index, offset and size it takes from the file before using
 * it, and reports the first violation as
 *	"FILE: section .rela.text: relocation 3: symbol index 912 out of range (symtab has 40)"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"
#include "../arch/arch.h"

/*
 * The largest section alignment read: the kernel aligns data to a page or a
 * huge page (PMD_SIZE) at most, and a writer pads the file to it.
 */
#define KELF_MAX_ALIGN 0x200000u

void kelf_track(struct kelf *kelf, void *block)
{
	ALLOC_GROW(kelf->allocs, kelf->nr_allocs + 1, kelf->alloc_allocs);
	kelf->allocs[kelf->nr_allocs++] = block;
}

static struct kelf *kelf_alloc(const char *path)
{
	struct kelf *kelf = xcalloc(1, sizeof(*kelf));

	kelf->path = xstrdup(path);
	kelf->fd = -1;
	return kelf;
}

static int read_sections(struct kelf *kelf)
{
	size_t shnum, shstrndx, want, i;
	struct section *secs;

	if (elf_getshdrnum(kelf->elf, &shnum) ||
	    elf_getshdrstrndx(kelf->elf, &shstrndx))
		return error("%s: cannot read the section header table: %s",
			     kelf->path, elf_errmsg(-1));
	/*
	 * libelf reports 0 sections, not an error, when the table does not
	 * fit in the file (elfutils 0.188 get_shnum()): check the count the
	 * ELF header claims (at least section 0, which holds the count of
	 * an extended-numbering file), not only libelf's.
	 */
	want = kelf->ehdr.e_shnum ? kelf->ehdr.e_shnum : kelf->ehdr.e_shoff != 0;
	if (shnum > want)
		want = shnum;
	if (kelf->ehdr.e_shoff > kelf->file_size ||
	    want > (kelf->file_size - kelf->ehdr.e_shoff) / sizeof(Elf64_Shdr))
		return error("%s: section header table (%zu entries at %#lx) extends past the end of the file (%zu bytes)",
			     kelf->path, want, (unsigned long)kelf->ehdr.e_shoff,
			     kelf->file_size);
	if (shnum && shstrndx >= shnum)
		return error("%s: section name table index %zu out of range (%zu sections)",
			     kelf->path, shstrndx, shnum);

	kelf->nr_sections = kelf->alloc_sections = shnum ? shnum : 1;
	kelf->sections = xcalloc(kelf->nr_sections, sizeof(*kelf->sections));
	secs = xcalloc(kelf->nr_sections, sizeof(*secs));
	kelf_track(kelf, secs);

	/* [0] stands for the null section so indexes line up. */
	secs[0].kelf = kelf;
	secs[0].name = "";
	kelf->sections[0] = &secs[0];

	for (i = 1; i < shnum; i++) {
		struct section *sec = &secs[i];
		Elf_Scn *scn = elf_getscn(kelf->elf, i);
		Elf_Data *d;

		sec->kelf = kelf;
		sec->index = i;
		kelf->sections[i] = sec;
		if (!scn || !gelf_getshdr(scn, &sec->sh))
			return error("%s: section %zu: cannot read its header: %s",
				     kelf->path, i, elf_errmsg(-1));
		sec->name_off = sec->sh.sh_name;
		sec->name = elf_strptr(kelf->elf, shstrndx, sec->sh.sh_name);
		if (!sec->name)
			return error("%s: section %zu: name offset %u lies outside the section name table",
				     kelf->path, i, sec->sh.sh_name);
		sec->size = sec->sh.sh_size;
		if (sec->sh.sh_link >= shnum)
			return error("%s: section %s: sh_link %u is not a section index (%zu sections)",
				     kelf->path, sec->name, sec->sh.sh_link, shnum);
		/* Writers pad to it: a 2^41 alignment made a 2 TiB file. */
		if (sec->sh.sh_addralign & (sec->sh.sh_addralign - 1) ||
		    sec->sh.sh_addralign > KELF_MAX_ALIGN)
			return error("%s: section %s: alignment %#lx is not a power of two of at most %#x (2 MiB, a huge page)",
				     kelf->path, sec->name,
				     (unsigned long)sec->sh.sh_addralign, KELF_MAX_ALIGN);
		if (sec->sh.sh_type == SHT_NOBITS || !sec->size)
			continue;
		if (sec->sh.sh_offset > kelf->file_size ||
		    sec->size > kelf->file_size - sec->sh.sh_offset)
			return error("%s: section %s: contents [%#lx, +%#zx) extend past the end of the file (%zu bytes)",
				     kelf->path, sec->name,
				     (unsigned long)sec->sh.sh_offset, sec->size,
				     kelf->file_size);
		d = elf_getdata(scn, NULL);
		if (!d || d->d_size != sec->size || !d->d_buf)
			return error("%s: section %s: cannot read its contents: %s",
				     kelf->path, sec->name, elf_errmsg(-1));
		sec->data = d->d_buf;
	}

	for (i = 1; i < shnum; i++) {
		struct section *sec = kelf->sections[i];

		if (sec->sh.sh_link)
			sec->link = kelf->sections[sec->sh.sh_link];
		switch (sec->sh.sh_type) {
		case SHT_SYMTAB:
			if (kelf->symtab)
				return error("%s: section %s: a second symbol table (first: %s)",
					     kelf->path, sec->name, kelf->symtab->name);
			kelf->symtab = sec;
			break;
		case SHT_SYMTAB_SHNDX:
			kelf->symtab_shndx = sec;
			break;
		}
	}
	kelf->shstrtab = shnum ? kelf->sections[shstrndx] : NULL;
	if (kelf->shstrtab == kelf->sections[0])
		kelf->shstrtab = NULL;
	return 0;
}

static int check_symbol_extent(struct kelf *kelf, struct symbol *sym)
{
	struct section *sec = sym->sec;

	if (!sec)
		return 0;
	if (kelf->linked) {
		/* Addresses: a symbol outside its section (per-cpu symbols,
		 * linker-script markers) is kept but not indexed by address. */
		uint64_t start = sec->sh.sh_addr;

		sym->in_section = sym->value >= start &&
				  sym->value - start <= sec->size;
		sym->offset = sym->in_section ? sym->value - start : sym->value;
		return 0;
	}
	sym->offset = sym->value;
	sym->in_section = true;
	if (sym->type == STT_SECTION)
		return 0;
	if (sym->value > sec->size || sym->size > sec->size - sym->value)
		return error("%s: symbol %s: [%#lx, +%#lx) lies outside its section %s (%#zx bytes)",
			     kelf->path, sym->name, (unsigned long)sym->value,
			     (unsigned long)sym->size, sec->name, sec->size);
	return 0;
}

static int read_symbols(struct kelf *kelf)
{
	struct section *symtab = kelf->symtab;
	Elf_Data *data, *xdata = NULL;
	struct symbol *syms;
	size_t n, i;

	if (!symtab) {
		kelf->nr_symbols = 0;
		return 0;
	}
	if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) ||
	    symtab->size % sizeof(Elf64_Sym))
		return error("%s: section %s: entry size %lu and size %zu do not describe an array of Elf64_Sym",
			     kelf->path, symtab->name,
			     (unsigned long)symtab->sh.sh_entsize, symtab->size);
	if (!symtab->link || symtab->link->sh.sh_type != SHT_STRTAB)
		return error("%s: section %s: sh_link %u is not a string table",
			     kelf->path, symtab->name, symtab->sh.sh_link);
	kelf->strtab = symtab->link;

	n = symtab->size / sizeof(Elf64_Sym);
	if (!n)
		return error("%s: section %s: empty (no null symbol)", kelf->path, symtab->name);
	data = elf_getdata(elf_getscn(kelf->elf, symtab->index), NULL);
	if (kelf->symtab_shndx) {
		if (kelf->symtab_shndx->link != symtab ||
		    kelf->symtab_shndx->size < n * sizeof(Elf32_Word))
			return error("%s: section %s: does not cover %s (%zu symbols)",
				     kelf->path, kelf->symtab_shndx->name,
				     symtab->name, n);
		xdata = elf_getdata(elf_getscn(kelf->elf, kelf->symtab_shndx->index), NULL);
	}
	if (!data)
		return error("%s: section %s: cannot read it: %s",
			     kelf->path, symtab->name, elf_errmsg(-1));

	kelf->nr_symbols = kelf->alloc_symbols = n;
	kelf->symbols = xcalloc(n, sizeof(*kelf->symbols));
	syms = xcalloc(n, sizeof(*syms));
	kelf_track(kelf, syms);

	for (i = 0; i < n; i++) {
		struct symbol *sym = &syms[i];
		GElf_Sym s;
		Elf32_Word xndx = 0;
		unsigned int shndx;

		kelf->symbols[i] = sym;
		sym->index = i;
		if (!gelf_getsymshndx(data, xdata, i, &s, &xndx))
			return error("%s: section %s: symbol %zu: cannot read it: %s",
				     kelf->path, symtab->name, i, elf_errmsg(-1));
		sym->name_off = s.st_name;
		sym->name = elf_strptr(kelf->elf, kelf->strtab->index, s.st_name);
		if (!sym->name)
			return error("%s: section %s: symbol %zu: name offset %u lies outside %s",
				     kelf->path, symtab->name, i, s.st_name,
				     kelf->strtab->name);
		sym->bind = GELF_ST_BIND(s.st_info);
		sym->type = GELF_ST_TYPE(s.st_info);
		sym->other = s.st_other;
		sym->value = sym->offset = s.st_value;
		sym->size = s.st_size;

		shndx = s.st_shndx;
		if (shndx == SHN_XINDEX) {
			if (!xdata)
				return error("%s: symbol %s: SHN_XINDEX without a .symtab_shndx section",
					     kelf->path, sym->name);
			shndx = xndx;
			/* The extended index replaces st_shndx: 0 there is no
			 * "undefined", it names no section (gABI). */
			if (shndx == SHN_UNDEF)
				return error("%s: symbol %s: SHN_XINDEX with extended section index 0",
					     kelf->path, sym->name);
		} else if (shndx >= SHN_LORESERVE || shndx == SHN_UNDEF) {
			/* A section symbol stands for its section (gABI). */
			if (sym->type == STT_SECTION)
				return error("%s: symbol %zu: a section symbol whose st_shndx %#x names no section",
					     kelf->path, i, shndx);
			sym->shndx = shndx;
			continue;
		}
		if (shndx >= kelf->nr_sections)
			return error("%s: symbol %s: section index %u out of range (%zu sections)",
				     kelf->path, sym->name, shndx, kelf->nr_sections);
		sym->sec = kelf->sections[shndx];
		if (check_symbol_extent(kelf, sym))
			return -1;
		if (sym->type == STT_SECTION && !sym->sec->secsym)
			sym->sec->secsym = sym;
	}
	/* Names: ignore the null symbol; section symbols have empty names. */
	hash_init(&kelf->symbol_names, n);
	for (i = 1; i < n; i++)
		if (syms[i].name[0])
			hash_add(&kelf->symbol_names, &syms[i].name_node,
				 hash_str(syms[i].name));
	return 0;
}

/*
 * A relocation section with OS-specific flags, applied by its own consumer
 * rather than by the linker (Linux's .klp.rela sections: SHF_RELA_LIVEPATCH).
 * A section may have any number of them besides its one plain relocation
 * section, which stays base->rela.
 */
static bool is_os_rela(const struct section *sec)
{
	return sec->sh.sh_flags & SHF_MASKOS;
}

static int read_relocs(struct kelf *kelf, struct section *sec)
{
	bool rela = sec->sh.sh_type == SHT_RELA;
	size_t entsize = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
	struct section *base;
	struct reloc *relocs;
	Elf_Data *data;
	size_t n, i;
	/* Relocation types the arch knows have a width: the field they
	 * write must lie inside the section (unknown types are the
	 * consumers' to refuse). */
	const struct arch *arch = arch_find_by_machine(kelf->ehdr.e_machine);

	if (!sec->sh.sh_info) {
		if (!kelf->linked)
			return error("%s: section %s: sh_info 0 names no section to relocate",
				     kelf->path, sec->name);
		return 0;	/* dynamic relocations of a linked image */
	}
	if (sec->sh.sh_info >= kelf->nr_sections)
		return error("%s: section %s: sh_info %u is not a section index (%zu sections)",
			     kelf->path, sec->name, sec->sh.sh_info, kelf->nr_sections);
	if (!kelf->symtab || sec->link != kelf->symtab)
		return error("%s: section %s: sh_link %u is not the symbol table",
			     kelf->path, sec->name, sec->sh.sh_link);
	if (sec->sh.sh_entsize != entsize || sec->size % entsize)
		return error("%s: section %s: entry size %lu and size %zu do not describe an array of %s",
			     kelf->path, sec->name, (unsigned long)sec->sh.sh_entsize,
			     sec->size, rela ? "Elf64_Rela" : "Elf64_Rel");
	base = kelf->sections[sec->sh.sh_info];
	sec->base = base;
	if (!base->rela || (is_os_rela(base->rela) && !is_os_rela(sec))) {
		base->rela = sec;
	} else if (!is_os_rela(sec) && !is_os_rela(base->rela)) {
		return error("%s: section %s: %s already has relocations in %s",
			     kelf->path, sec->name, base->name, base->rela->name);
	}

	n = sec->size / entsize;
	if (!n)
		return 0;
	data = elf_getdata(elf_getscn(kelf->elf, sec->index), NULL);
	if (!data)
		return error("%s: section %s: cannot read it: %s",
			     kelf->path, sec->name, elf_errmsg(-1));
	relocs = xcalloc(n, sizeof(*relocs));
	kelf_track(kelf, relocs);
	sec->relocs = xcalloc(n, sizeof(*sec->relocs));
	sec->nr_relocs = sec->alloc_relocs = n;
	sec->relocs_sorted_stale = true;

	for (i = 0; i < n; i++) {
		struct reloc *r = &relocs[i];
		uint64_t info, offset;
		size_t symidx;

		if (rela) {
			GElf_Rela ra;

			if (!gelf_getrela(data, i, &ra))
				goto bad;
			info = ra.r_info;
			offset = ra.r_offset;
			r->addend = ra.r_addend;
			/* No symbol is 2^62 bytes from where it points: the
			 * arithmetic on places cannot overflow. */
			if (r->addend > KELF_MAX_ADDEND || r->addend < -KELF_MAX_ADDEND)
				return error("%s: section %s: relocation %zu: addend %lld is beyond any address",
					     kelf->path, sec->name, i, (long long)r->addend);
		} else {
			GElf_Rel rl;

			if (!gelf_getrel(data, i, &rl))
				goto bad;
			info = rl.r_info;
			offset = rl.r_offset;
		}
		symidx = GELF_R_SYM(info);
		r->type = GELF_R_TYPE(info);
		r->sec = sec;
		if (symidx >= kelf->nr_symbols)
			return error("%s: section %s: relocation %zu: symbol index %zu out of range (%s has %zu)",
				     kelf->path, sec->name, i, symidx,
				     kelf->symtab->name, kelf->nr_symbols);
		if (kelf->linked)
			offset -= base->sh.sh_addr;
		if (base->sh.sh_type == SHT_NOBITS || offset >= base->size)
			return error("%s: section %s: relocation %zu: offset %#lx lies outside %s (%#zx bytes)",
				     kelf->path, sec->name, i, (unsigned long)offset,
				     base->name, base->size);
		if (arch) {
			const struct arch_reloc *ar = arch_reloc(arch, r->type);

			if (ar && ar->width > base->size - offset)
				return error("%s: section %s: relocation %zu: %s at %#lx: its %u-byte field runs past the end of %s (%#zx bytes)",
					     kelf->path, sec->name, i, ar->name,
					     (unsigned long)offset, ar->width, base->name, base->size);
		}
		r->offset = offset;
		if (symidx) {
			r->sym = kelf->symbols[symidx];
			r->next_ref = r->sym->refs;
			r->sym->refs = r;
		}
		sec->relocs[i] = r;
	}
	return 0;
bad:
	return error("%s: section %s: relocation %zu: cannot read it: %s",
		     kelf->path, sec->name, i, elf_errmsg(-1));
}

static int read_group(struct kelf *kelf, struct section *sec)
{
	const unsigned char *p = sec->data;
	size_t n, i;
	uint32_t w;

	if (sec->size < 4 || sec->size % 4)
		return error("%s: section %s: group size %zu is not a non-empty array of words",
			     kelf->path, sec->name, sec->size);
	if (!kelf->symtab || sec->link != kelf->symtab)
		return error("%s: section %s: sh_link %u is not the symbol table",
			     kelf->path, sec->name, sec->sh.sh_link);
	if (sec->sh.sh_info >= kelf->nr_symbols)
		return error("%s: section %s: signature symbol index %u out of range (%zu symbols)",
			     kelf->path, sec->name, sec->sh.sh_info, kelf->nr_symbols);
	sec->group_sig = kelf->symbols[sec->sh.sh_info];
	memcpy(&sec->group_flags, p, 4);
	n = sec->size / 4 - 1;
	sec->members = xcalloc(n ? n : 1, sizeof(*sec->members));
	sec->alloc_members = n ? n : 1;
	for (i = 0; i < n; i++) {
		memcpy(&w, p + 4 * (i + 1), 4);
		if (!w || w >= kelf->nr_sections)
			return error("%s: section %s: member %zu: section index %u out of range (%zu sections)",
				     kelf->path, sec->name, i, w, kelf->nr_sections);
		if (kelf->sections[w]->group)
			return error("%s: section %s: member %zu: %s is already a member of group %s; a section belongs to one group at most",
				     kelf->path, sec->name, i, kelf->sections[w]->name,
				     kelf->sections[w]->group->name);
		sec->members[sec->nr_members++] = kelf->sections[w];
		kelf->sections[w]->group = sec;
	}
	return 0;
}

struct kelf *kelf_open(const char *path)
{
	struct kelf *kelf = kelf_alloc(path);
	struct section *sec;
	struct stat st;
	void *image;
	size_t i;

	elf_version(EV_CURRENT);
	kelf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (kelf->fd < 0) {
		error("%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(kelf->fd, &st)) {
		error("%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	kelf->file_size = st.st_size;
	if (kelf_read_xz(kelf, &image))
		goto fail;
	if (kelf->file_size < EI_NIDENT) {
		error("%s: not an ELF file: %zu bytes is shorter than an ELF header",
		      path, kelf->file_size);
		goto fail;
	}
	if (image)
		kelf->elf = elf_memory(image, kelf->file_size);
	else
		kelf->elf = elf_begin(kelf->fd, ELF_C_READ_MMAP, NULL);
	if (!kelf->elf || elf_kind(kelf->elf) != ELF_K_ELF) {
		error("%s: not an ELF file%s%s", path, kelf->elf ? "" : ": ",
		      kelf->elf ? "" : elf_errmsg(-1));
		goto fail;
	}
	{
		const char *ident = elf_getident(kelf->elf, NULL);

		if (!ident || ident[EI_CLASS] != ELFCLASS64) {
			error("%s: ELF class %d is not supported: only 64-bit ELF (ELFCLASS64) objects are",
			      path, ident ? ident[EI_CLASS] : -1);
			goto fail;
		}
		if (ident[EI_DATA] != ELFDATA2LSB) {
			error("%s: big-endian ELF is not supported: only little-endian objects are",
			      path);
			goto fail;
		}
	}
	if (!gelf_getehdr(kelf->elf, &kelf->ehdr)) {
		error("%s: cannot read the ELF header: %s", path, elf_errmsg(-1));
		goto fail;
	}
	switch (kelf->ehdr.e_type) {
	case ET_REL:
		break;
	case ET_EXEC:
	case ET_DYN:
		kelf->linked = true;
		break;
	default:
		error("%s: ELF type %u is not supported: expected a relocatable object or a linked image",
		      path, kelf->ehdr.e_type);
		goto fail;
	}

	if (read_sections(kelf) || read_symbols(kelf))
		goto fail;
	for (i = 1; i < kelf->nr_sections; i++) {
		sec = kelf->sections[i];
		if (is_rela_section(sec) && read_relocs(kelf, sec))
			goto fail;
		if (sec->sh.sh_type == SHT_GROUP && read_group(kelf, sec))
			goto fail;
	}
	hash_init(&kelf->section_names, kelf->nr_sections);
	for (i = 1; i < kelf->nr_sections; i++) {
		sec = kelf->sections[i];
		sec->by_offset_stale = true;
		hash_add(&kelf->section_names, &sec->name_node, hash_str(sec->name));
	}
	return kelf;
fail:
	kelf_close(kelf);
	return NULL;
}

void kelf_close(struct kelf *kelf)
{
	size_t i;

	if (!kelf)
		return;
	for (i = 0; i < kelf->nr_sections; i++) {
		struct section *sec = kelf->sections[i];

		if (!sec)
			continue;
		if (sec->data_owned)
			free(sec->data);
		free(sec->relocs);
		free(sec->members);
		free(sec->by_offset);
		free(sec->max_end);
		free(sec->relocs_sorted);
	}
	/* Before the blocks: one may be the image elf_memory() reads. */
	if (kelf->elf)
		elf_end(kelf->elf);
	for (i = 0; i < kelf->nr_allocs; i++)
		free(kelf->allocs[i]);
	free(kelf->allocs);
	free(kelf->sections);
	free(kelf->symbols);
	hash_free(&kelf->section_names);
	hash_free(&kelf->symbol_names);
	if (kelf->fd >= 0)
		close(kelf->fd);
	free(kelf->path);
	free(kelf);
}
