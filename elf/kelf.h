/*
 * kelf.h - the shared ELF layer: read, index, create and write ELF objects.
 *
 * It knows nothing about livepatching.  The differ, lookup and the klp
 * conversion all use it.  An opened file becomes an in-memory model of
 * sections, symbols and relocations linked by pointers; the writer
 * serialises that model, regenerating the tables that hold indices
 * (.symtab, .strtab, .shstrtab, relocation sections, section groups,
 * .symtab_shndx), so a model read from a file, edited or not, and a model
 * built from nothing are written the same way.
 *
 * Scope: 64-bit little-endian ELF (x86_64 and arm64).  Relocatable objects
 * (.o, .ko) can be read and written; linked images (vmlinux) can be read.
 *
 * Every index, offset and size read from a file is bounds-checked at open
 * time; a malformed file gets one error line naming the file, the section
 * or symbol and the rule broken, and kelf_open() returns NULL.  Nothing in
 * this layer exits.
 *
 * Lookups by name, by index and by address are O(1) or O(log n): names go
 * through hash tables sized from the real counts at load time; addresses
 * through per-section arrays sorted by offset (built on first use and
 * rebuilt after symbols or relocations are added).
 */
#ifndef KELF_H
#define KELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/hash.h"

/* Not in every <elf.h>: the livepatch flags and section index. */
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif

struct kelf;
struct symbol;
struct reloc;

struct section {
	struct hnode name_node;
	struct kelf *kelf;
	unsigned int index;		/* position in kelf->sections */
	const char *name;
	GElf_Shdr sh;			/* sh_name, sh_link, sh_info, sh_size are
					 * refreshed from the fields below on write */
	unsigned char *data;		/* NULL for SHT_NOBITS or an empty section */
	size_t size;			/* bytes (sh_size, also for NOBITS) */
	bool data_owned;		/* data was allocated here, not mapped */
	size_t data_alloc;		/* bytes allocated, when data_owned */

	struct section *link;		/* sh_link as a section, or NULL */
	struct section *base;		/* REL/RELA: the section relocated (sh_info) */
	struct section *rela;		/* the REL/RELA section relocating this one;
					 * others may relocate it too, each
					 * with OS-specific flags (SHF_MASKOS,
					 * e.g. .klp.rela sections): they have
					 * ->base but are not ->rela */
	struct symbol *secsym;		/* this section's STT_SECTION symbol */
	struct section *group;		/* the SHT_GROUP listing this section */

	/* SHT_REL/SHT_RELA sections only. */
	struct reloc **relocs;		/* in file order */
	size_t nr_relocs, alloc_relocs;

	/* SHT_GROUP sections only. */
	uint32_t group_flags;		/* GRP_COMDAT */
	struct symbol *group_sig;	/* the signature symbol (sh_info) */
	struct section **members;
	size_t nr_members, alloc_members;

	/* Address indexes, built on demand (see kelf_find_*). */
	struct symbol **by_offset;	/* defined non-section symbols, sorted */
	uint64_t *max_end;		/* prefix maximum of symbol end offsets */
	size_t nr_by_offset;
	bool by_offset_stale;
	struct reloc **relocs_sorted;	/* REL/RELA: relocs sorted by offset */
	bool relocs_sorted_stale;

	unsigned int name_off;		/* sh_name as read (reused on write when
					 * it still names the same string) */
	void *priv;			/* for the tool using the layer */
};

struct symbol {
	struct hnode name_node;
	unsigned int index;		/* position in kelf->symbols */
	const char *name;
	unsigned char bind;		/* STB_* */
	unsigned char type;		/* STT_* */
	unsigned char other;		/* st_other (visibility) */
	struct section *sec;		/* defining section, or NULL */
	unsigned int shndx;		/* st_shndx when sec is NULL: SHN_UNDEF,
					 * SHN_ABS, SHN_COMMON, SHN_LIVEPATCH */
	uint64_t value;			/* st_value as in the file */
	uint64_t offset;		/* offset in sec (== value in a .o) */
	uint64_t size;
	struct reloc *refs;		/* relocations referencing this symbol,
					 * chained through reloc->next_ref */
	unsigned int name_off;		/* st_name as read */
	bool in_section;		/* a linked file's symbol lies inside sec */
	void *priv;
};

/* The largest addend kelf_open() accepts, either way (2^62). */
#define KELF_MAX_ADDEND (INT64_C(1) << 62)

struct reloc {
	struct section *sec;		/* the REL/RELA section holding it */
	uint64_t offset;		/* offset in sec->base */
	uint32_t type;			/* R_<arch>_* */
	int64_t addend;			/* 0 for SHT_REL */
	struct symbol *sym;
	struct reloc *next_ref;		/* next relocation to the same symbol */
	void *priv;
};

struct kelf {
	char *path;
	int fd;
	Elf *elf;			/* libelf read handle; NULL if created */
	GElf_Ehdr ehdr;
	bool linked;			/* ET_EXEC/ET_DYN: symbol values are addresses */
	size_t file_size;		/* bytes read by libelf: decompressed
					 * for an xz file (.ko.xz) */

	struct section **sections;	/* by index; [0] is the null section */
	size_t nr_sections, alloc_sections;
	struct symbol **symbols;	/* by index; [0] is the null symbol */
	size_t nr_symbols, alloc_symbols;

	struct section *symtab, *strtab, *shstrtab, *symtab_shndx;
	struct hashtab section_names, symbol_names;

	void **allocs;			/* blocks freed by kelf_close() */
	size_t nr_allocs, alloc_allocs;
	void *priv;
};

/*
 * Open and index @path; an xz-compressed file (.ko.xz) is decompressed in
 * memory first, and @path still names it.  On any error, print one line naming the file and
 * what is wrong and return NULL.
 */
struct kelf *kelf_open(const char *path);

/* Free everything; the names and data of a read file die with it. */
void kelf_close(struct kelf *kelf);

/* A new, empty relocatable object (with .strtab, .symtab and .shstrtab). */
struct kelf *kelf_create(const char *path, uint16_t machine);

/*
 * Write the model to @path as an ET_REL object: to a temporary file in the
 * same directory, renamed over @path only when complete.  Returns 0, or
 * prints an error and returns -1 leaving no partial output.
 */
int kelf_write(struct kelf *kelf, const char *path);

/* --- lookups ------------------------------------------------------------ */

static inline struct section *kelf_section_by_index(const struct kelf *kelf,
						     size_t index)
{
	return index && index < kelf->nr_sections ? kelf->sections[index] : NULL;
}

static inline struct symbol *kelf_symbol_by_index(const struct kelf *kelf,
						   size_t index)
{
	return index < kelf->nr_symbols ? kelf->symbols[index] : NULL;
}

/* The first section named @name, or NULL. */
struct section *kelf_find_section_by_name(const struct kelf *kelf, const char *name);

/* The first symbol (in symbol-table order) named @name, or NULL. */
struct symbol *kelf_find_symbol_by_name(const struct kelf *kelf, const char *name);

/* The next symbol after @sym with the same name (local duplicates). */
struct symbol *kelf_next_symbol_same_name(const struct symbol *sym);

/* The non-section symbol starting exactly at @offset in @sec (FUNC or
 * OBJECT preferred over NOTYPE), or NULL. */
struct symbol *kelf_find_symbol_by_offset(struct section *sec, uint64_t offset);

/* The FUNC or OBJECT symbol of non-zero size whose [offset, offset+size)
 * contains @offset (the innermost when several do), or NULL. */
struct symbol *kelf_find_symbol_containing(struct section *sec, uint64_t offset);

/*
 * The defined non-section, non-file symbols of @sec, sorted by offset
 * (larger first at one offset): returns a pointer to the first and stores
 * their count in *@count.  Valid until symbols are added or moved.
 */
struct symbol **kelf_section_symbols(struct section *sec, size_t *count);

/*
 * Of the symbols of @sec that @keep keeps, the one of non-zero size
 * holding @off, else the last starting at or before it, else the first;
 * NULL when @keep keeps none.  A binary search, then a walk back over
 * the symbols that may hold @off.
 */
struct symbol *kelf_symbol_near(struct section *sec, int64_t off,
				bool (*keep)(const struct symbol *));

/* The relocation at exactly @offset of section @base, or NULL. */
struct reloc *kelf_find_reloc_at(struct section *base, uint64_t offset);

/*
 * The relocations of @base in [@start, @end), sorted by offset: returns a
 * pointer to the first and stores their count in *@count.
 */
struct reloc **kelf_relocs_in_range(struct section *base, uint64_t start,
				    uint64_t end, size_t *count);

/* --- creation ------------------------------------------------------------ */

/* Add a section; @data (may be NULL) is copied.  The section symbol is not
 * created until kelf_section_symbol() asks for it. */
struct section *kelf_add_section(struct kelf *kelf, const char *name,
				 uint32_t type, uint64_t flags, uint64_t align,
				 uint64_t entsize, const void *data, size_t size);

/* Replace a section's bytes (copied). */
void kelf_set_section_data(struct section *sec, const void *data, size_t size);

/* Append @size bytes (copied; zeros when @data is NULL) to a section,
 * growing it geometrically; returns the offset they start at. */
uint64_t kelf_append_section_data(struct section *sec, const void *data, size_t size);

/* Add a symbol.  @sec NULL means undefined unless @shndx says otherwise. */
struct symbol *kelf_add_symbol(struct kelf *kelf, const char *name,
			       unsigned char bind, unsigned char type,
			       struct section *sec, unsigned int shndx,
			       uint64_t offset, uint64_t size);

/* Give @sym, a symbol of @kelf, the name @name. */
void kelf_rename_symbol(struct kelf *kelf, struct symbol *sym, const char *name);

/* The STT_SECTION symbol of @sec, created when missing. */
struct symbol *kelf_section_symbol(struct section *sec);

/* Point relocation @r at @sym with @addend, keeping the reference chains. */
void kelf_reloc_retarget(struct reloc *r, struct symbol *sym, int64_t addend);

/* Add a relocation at @offset of @base, creating its .rela section (RELA)
 * when missing. */
struct reloc *kelf_add_reloc(struct section *base, uint64_t offset,
			     uint32_t type, struct symbol *sym, int64_t addend);

/*
 * Add an empty SHT_RELA section @name relocating @base, besides the one
 * kelf_add_reloc() creates: @base->rela is left alone, so @flags should
 * hold an OS-specific flag (see struct section) for the file to read back.
 * Joins @base's group, if any.
 */
struct section *kelf_add_rela_section(struct section *base, const char *name,
				      uint64_t flags);

/* Append a relocation at @offset of @rela->base to the relocation section
 * @rela. */
struct reloc *kelf_rela_append(struct section *rela, uint64_t offset,
			       uint32_t type, struct symbol *sym, int64_t addend);

/* Add @member to the SHT_GROUP section @group. */
void kelf_group_add(struct section *group, struct section *member);

/* --- removal ------------------------------------------------------------- */

/*
 * Remove @sec, every relocation section relocating it and every symbol
 * defined in it; the sections and symbols after them move down.  Refused,
 * with an error naming what still needs it and nothing changed (-1), for
 * the null section, the symbol and string tables, and while a section
 * that stays links to it (sh_link), a relocation that stays references
 * one of its symbols or a group that stays is signed by one.  Returns 0.
 */
int kelf_remove_section(struct section *sec);

/*
 * Remove the relocations of REL/RELA section @rela for which @drop(r, @arg)
 * is true, from the section and from their symbol's references; returns
 * how many.  The section stays, even if emptied.  The removed relocations'
 * memory stays with the model until kelf_close().
 */
size_t kelf_remove_relocs(struct section *rela,
			  bool (*drop)(const struct reloc *r, void *arg), void *arg);

/* --- iteration ----------------------------------------------------------- */

#define __KELF_CAT2(a, b) a##b
#define __KELF_CAT(a, b) __KELF_CAT2(a, b)
#define __KELF_IT __KELF_CAT(__kelf_it_, __LINE__)

/* Iterators may nest (the counter is named after the line). */
#define for_each_section(kelf, sec)					\
	for (size_t __KELF_IT = 1;					\
	     __KELF_IT < (kelf)->nr_sections &&				\
	     ((sec) = (kelf)->sections[__KELF_IT]); __KELF_IT++)

#define for_each_symbol(kelf, sym)					\
	for (size_t __KELF_IT = 1;					\
	     __KELF_IT < (kelf)->nr_symbols &&				\
	     ((sym) = (kelf)->symbols[__KELF_IT]); __KELF_IT++)

#define for_each_reloc(relasec, rel)					\
	for (size_t __KELF_IT = 0;					\
	     __KELF_IT < (relasec)->nr_relocs &&			\
	     ((rel) = (relasec)->relocs[__KELF_IT]); __KELF_IT++)

#define for_each_ref(sym, rel) \
	for ((rel) = (sym)->refs; (rel); (rel) = (rel)->next_ref)

/* --- predicates ---------------------------------------------------------- */

static inline bool is_rela_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_REL;
}

static inline bool is_text_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_PROGBITS &&
	       (sec->sh.sh_flags & SHF_EXECINSTR);
}

static inline bool is_local_symbol(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL;
}

/* Name of an ELF constant, for messages and dumps ("SHT_PROGBITS"). */
const char *kelf_section_type_name(uint32_t type);
const char *kelf_symbol_type_name(unsigned char type);
const char *kelf_symbol_bind_name(unsigned char bind);

#endif
