/*
 * kelf-write.c - serialise a model as a relocatable ELF object.
 *
 * The tables that hold indexes are regenerated from the model: the string
 * tables, the symbol table (locals first, sh_info the first global), every
 * relocation section, every section group and .symtab_shndx.  All other
 * sections are written as they are.  String tables start from their original
 * contents when the model was read from a file, and a name keeps its old
 * offset when that offset still holds the same string, so an unedited model
 * is written back with identical tables.  libelf lays the file out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"

struct strtab_builder {
	char *buf;
	size_t len, alloc;
	size_t orig_len;	/* bytes that came from the file */
	struct hashtab added;	/* strings appended here, for reuse */
};

struct added_str {
	struct hnode node;
	size_t off;
};

static void strtab_init(struct strtab_builder *b, const struct section *orig)
{
	memset(b, 0, sizeof(*b));
	if (orig && orig->data && orig->size && orig->data[orig->size - 1] == '\0') {
		ALLOC_GROW(b->buf, orig->size, b->alloc);
		memcpy(b->buf, orig->data, orig->size);
		b->len = b->orig_len = orig->size;
	} else {
		ALLOC_GROW(b->buf, 1, b->alloc);
		b->buf[0] = '\0';
		b->len = 1;
	}
	hash_init(&b->added, 64);
}

static void strtab_free(struct strtab_builder *b)
{
	struct hnode *n, *next;
	size_t i;

	for (i = 0; i < b->added.nbuckets; i++)
		for (n = b->added.buckets[i]; n; n = next) {
			next = n->next;
			free(container_of(n, struct added_str, node));
		}
	hash_free(&b->added);
	free(b->buf);
}

/* The offset of @s: its old offset when still valid, else a new one. */
static unsigned int strtab_offset(struct strtab_builder *b, const char *s,
				  unsigned int old)
{
	uint64_t h;
	struct hnode *n;
	struct added_str *a;
	size_t len;

	if (!s[0])
		return 0;
	if (old && old < b->orig_len && !strcmp(b->buf + old, s))
		return old;
	h = hash_str(s);
	hash_for_each_match(&b->added, n, h) {
		a = container_of(n, struct added_str, node);
		if (!strcmp(b->buf + a->off, s))
			return a->off;
	}
	len = strlen(s) + 1;
	ALLOC_GROW(b->buf, b->len + len, b->alloc);
	memcpy(b->buf + b->len, s, len);
	a = xmalloc(sizeof(*a));
	a->off = b->len;
	hash_add(&b->added, &a->node, h);
	b->len += len;
	return a->off;
}

/* Move local symbols before the others, keeping each group's order. */
static size_t order_symbols(struct kelf *kelf)
{
	struct symbol **sorted = xcalloc(kelf->alloc_symbols, sizeof(*sorted));
	size_t i, n = 0, nlocal;

	sorted[n++] = kelf->symbols[0];
	for (i = 1; i < kelf->nr_symbols; i++)
		if (kelf->symbols[i]->bind == STB_LOCAL)
			sorted[n++] = kelf->symbols[i];
	nlocal = n;
	for (i = 1; i < kelf->nr_symbols; i++)
		if (kelf->symbols[i]->bind != STB_LOCAL)
			sorted[n++] = kelf->symbols[i];
	for (i = 0; i < n; i++)
		sorted[i]->index = i;
	free(kelf->symbols);
	kelf->symbols = sorted;
	return nlocal;
}

struct out_buffers {
	void **bufs;
	size_t nr, alloc;
};

static void *out_alloc(struct out_buffers *o, size_t size)
{
	void *p = xcalloc(1, size ? size : 1);

	ALLOC_GROW(o->bufs, o->nr + 1, o->alloc);
	o->bufs[o->nr++] = p;
	return p;
}

/*
 * Generated contents of @sec (and its ELF data type), or NULL when the
 * section is written as it is.
 */
static void *generate(struct kelf *kelf, struct section *sec, size_t nlocal,
		      struct out_buffers *o, size_t *size, Elf_Type *type)
{
	size_t i;

	switch (sec->sh.sh_type) {
	case SHT_SYMTAB: {
		Elf64_Sym *syms;

		if (sec != kelf->symtab)
			return NULL;
		syms = out_alloc(o, kelf->nr_symbols * sizeof(*syms));
		for (i = 1; i < kelf->nr_symbols; i++) {
			struct symbol *s = kelf->symbols[i];
			unsigned int shndx = s->sec ? s->sec->index : s->shndx;

			syms[i].st_name = s->name_off;
			syms[i].st_info = ELF64_ST_INFO(s->bind, s->type);
			syms[i].st_other = s->other;
			syms[i].st_shndx = shndx >= SHN_LORESERVE && s->sec ?
					   SHN_XINDEX : shndx;
			/* Only a defined symbol's value is an offset in its
			 * section; absolute and common ones keep theirs. */
			syms[i].st_value = s->sec ? s->offset : s->value;
			syms[i].st_size = s->size;
		}
		sec->sh.sh_info = nlocal;
		*size = kelf->nr_symbols * sizeof(*syms);
		*type = ELF_T_SYM;
		return syms;
	}
	case SHT_SYMTAB_SHNDX: {
		Elf32_Word *w = out_alloc(o, kelf->nr_symbols * sizeof(*w));

		for (i = 1; i < kelf->nr_symbols; i++) {
			struct symbol *s = kelf->symbols[i];

			w[i] = s->sec && s->sec->index >= SHN_LORESERVE ?
			       s->sec->index : 0;
		}
		*size = kelf->nr_symbols * sizeof(*w);
		*type = ELF_T_WORD;
		return w;
	}
	case SHT_RELA: {
		Elf64_Rela *r = out_alloc(o, sec->nr_relocs * sizeof(*r));

		for (i = 0; i < sec->nr_relocs; i++) {
			struct reloc *rel = sec->relocs[i];

			r[i].r_offset = rel->offset;
			r[i].r_info = ELF64_R_INFO(rel->sym ? rel->sym->index : 0,
						   rel->type);
			r[i].r_addend = rel->addend;
		}
		sec->sh.sh_info = sec->base ? sec->base->index : 0;
		*size = sec->nr_relocs * sizeof(*r);
		*type = ELF_T_RELA;
		return r;
	}
	case SHT_REL: {
		Elf64_Rel *r = out_alloc(o, sec->nr_relocs * sizeof(*r));

		for (i = 0; i < sec->nr_relocs; i++) {
			struct reloc *rel = sec->relocs[i];

			r[i].r_offset = rel->offset;
			r[i].r_info = ELF64_R_INFO(rel->sym ? rel->sym->index : 0,
						   rel->type);
		}
		sec->sh.sh_info = sec->base ? sec->base->index : 0;
		*size = sec->nr_relocs * sizeof(*r);
		*type = ELF_T_REL;
		return r;
	}
	case SHT_GROUP: {
		Elf32_Word *w = out_alloc(o, (sec->nr_members + 1) * sizeof(*w));

		w[0] = sec->group_flags;
		for (i = 0; i < sec->nr_members; i++)
			w[i + 1] = sec->members[i]->index;
		sec->sh.sh_info = sec->group_sig ? sec->group_sig->index : 0;
		*size = (sec->nr_members + 1) * sizeof(*w);
		*type = ELF_T_WORD;
		return w;
	}
	}
	return NULL;
}

static int check_writable(struct kelf *kelf)
{
	struct section *sec;
	struct symbol *sym;

	if (kelf->linked)
		return error("%s: cannot write a linked image; only relocatable objects are written",
			     kelf->path);
	if (!kelf->shstrtab)
		return error("%s: cannot write an object without a section name table",
			     kelf->path);
	if (!kelf->symtab && kelf->nr_symbols > 1)
		return error("%s: cannot write symbols without a .symtab section",
			     kelf->path);
	for_each_section(kelf, sec)
		if ((is_rela_section(sec) || sec->sh.sh_type == SHT_GROUP) &&
		    (!kelf->symtab || sec->link != kelf->symtab))
			return error("%s: section %s: must refer to the symbol table",
				     kelf->path, sec->name);
	for_each_symbol(kelf, sym)
		if (sym->sec && sym->sec->kelf != kelf)
			return error("%s: symbol %s: defined in a section of another file (%s)",
				     kelf->path, sym->name, sym->sec->kelf->path);
	return 0;
}

struct strtabs {
	struct strtab_builder str, shstr;
};

static int emit(struct kelf *kelf, Elf *e, size_t nlocal, struct out_buffers *o,
		const struct strtabs *st)
{
	GElf_Ehdr ehdr;
	size_t i;

	if (!gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &ehdr))
		return error("%s: cannot create the ELF header: %s",
			     kelf->path, elf_errmsg(-1));
	ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	ehdr.e_ident[EI_OSABI] = kelf->ehdr.e_ident[EI_OSABI];
	ehdr.e_type = ET_REL;
	ehdr.e_machine = kelf->ehdr.e_machine;
	ehdr.e_version = EV_CURRENT;
	ehdr.e_flags = kelf->ehdr.e_flags;

	for (i = 1; i < kelf->nr_sections; i++) {
		struct section *sec = kelf->sections[i];
		Elf_Scn *scn = elf_newscn(e);
		Elf_Type type = ELF_T_BYTE;
		size_t size = sec->size;
		void *buf;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!scn || elf_ndxscn(scn) != i)
			return error("%s: section %s: cannot create it: %s",
				     kelf->path, sec->name, elf_errmsg(-1));
		buf = generate(kelf, sec, nlocal, o, &size, &type);
		if (!buf)
			buf = sec->data;
		if (sec == kelf->strtab)
			buf = st->str.buf, size = st->str.len;
		else if (sec == kelf->shstrtab)
			buf = st->shstr.buf, size = st->shstr.len;
		d = elf_newdata(scn);
		if (!d)
			return error("%s: section %s: cannot add its data: %s",
				     kelf->path, sec->name, elf_errmsg(-1));
		d->d_buf = sec->sh.sh_type == SHT_NOBITS ? NULL : buf;
		d->d_size = size;
		d->d_type = type;
		d->d_off = 0;
		d->d_align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
		d->d_version = EV_CURRENT;

		sh = sec->sh;
		sh.sh_name = sec->name_off;
		sh.sh_link = sec->link ? sec->link->index : 0;
		sh.sh_size = size;
		sh.sh_offset = 0;
		if (sec == kelf->symtab && kelf->strtab)
			sh.sh_link = kelf->strtab->index;
		if (!gelf_update_shdr(scn, &sh))
			return error("%s: section %s: cannot write its header: %s",
				     kelf->path, sec->name, elf_errmsg(-1));
	}

	if (kelf->shstrtab->index < SHN_LORESERVE) {
		ehdr.e_shstrndx = kelf->shstrtab->index;
	} else {
		/* Extended numbering: the real index lives in section 0. */
		Elf_Scn *scn0 = elf_getscn(e, 0);
		GElf_Shdr sh0;

		if (!scn0 || !gelf_getshdr(scn0, &sh0))
			return error("%s: cannot read section 0: %s",
				     kelf->path, elf_errmsg(-1));
		sh0.sh_link = kelf->shstrtab->index;
		if (!gelf_update_shdr(scn0, &sh0))
			return error("%s: cannot write section 0: %s",
				     kelf->path, elf_errmsg(-1));
		ehdr.e_shstrndx = SHN_XINDEX;
	}
	if (!gelf_update_ehdr(e, &ehdr))
		return error("%s: cannot write the ELF header: %s",
			     kelf->path, elf_errmsg(-1));
	if (elf_update(e, ELF_C_WRITE) < 0)
		return error("%s: cannot write the object: %s",
			     kelf->path, elf_errmsg(-1));
	return 0;
}

/* Name offsets and the contents of both string tables. */
static void build_strtabs(struct kelf *kelf, struct strtab_builder *str,
			  struct strtab_builder *shstr)
{
	size_t i;

	strtab_init(str, kelf->strtab);
	strtab_init(shstr, kelf->shstrtab);
	if (!kelf->strtab)
		return;	/* an object without symbols (vdso-note.o) */
	for (i = 1; i < kelf->nr_symbols; i++) {
		struct symbol *s = kelf->symbols[i];

		s->name_off = strtab_offset(str, s->name, s->name_off);
	}
}

static void name_sections(struct kelf *kelf, struct strtab_builder *shstr)
{
	size_t i;

	for (i = 1; i < kelf->nr_sections; i++) {
		struct section *sec = kelf->sections[i];

		sec->name_off = strtab_offset(shstr, sec->name, sec->name_off);
	}
}

int kelf_write(struct kelf *kelf, const char *path)
{
	struct strtabs st;
	struct out_buffers o = { 0 };
	char *tmp = NULL;
	Elf *e = NULL;
	size_t nlocal, i;
	int fd = -1, ret = -1;

	if (check_writable(kelf))
		return -1;
	if (kelf->strtab && kelf->strtab == kelf->shstrtab)
		return error("%s: writing an object whose symbol and section names share one string table is not supported",
			     kelf->path);
	if (kelf->nr_sections >= SHN_LORESERVE && kelf->symtab && !kelf->symtab_shndx) {
		kelf->symtab_shndx = kelf_add_section(kelf, ".symtab_shndx",
						      SHT_SYMTAB_SHNDX, 0, 4, 4,
						      NULL, 0);
		kelf->symtab_shndx->link = kelf->symtab;
	}

	nlocal = kelf->nr_symbols ? order_symbols(kelf) : 0;
	build_strtabs(kelf, &st.str, &st.shstr);
	name_sections(kelf, &st.shstr);

	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		error("%s: cannot create a temporary file: %s", tmp, strerror(errno));
		goto out;
	}
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e) {
		error("%s: cannot start writing: %s", path, elf_errmsg(-1));
		goto out;
	}
	if (emit(kelf, e, nlocal, &o, &st))
		goto out;
	elf_end(e);
	e = NULL;
	if (fchmod(fd, 0644) || close(fd)) {
		fd = -1;
		error("%s: cannot finish writing: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	for (i = 0; i < o.nr; i++)
		free(o.bufs[i]);
	free(o.bufs);
	strtab_free(&st.str);
	strtab_free(&st.shstr);
	return ret;
}
