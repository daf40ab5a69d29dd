/*
 * lp-dump - print the livepatch tables of a diff object (see
 * doc/diff-object-format.md), one entry a line, in a stable text form that
 * tests compare with expected output.
 *
 *	lp-dump FILE
 *
 * .livepatch.funcs:   F <new function> <old name> <objname> sympos=<n>
 * .livepatch.relocs:  K <section>+<hex> <type> <name> <objname> addend=<n> sympos=<n>
 *
 * Each pointer field is read through its relocation: to a symbol (the new
 * function), to a section symbol plus offset (the place to relocate), or
 * to .livepatch.strings plus the offset of a string.  A field without the
 * relocation it needs prints as "?".
 */
#include <stdio.h>
#include <string.h>

#include <stddef.h>

#include "../../arch/arch.h"
#include "../../elf/kelf.h"
#include "../../kmod/livepatch-format.h"
#include "../../util/util.h"

#define FUNC_SIZE	sizeof(struct lp_func)
#define FUNC_NEW	offsetof(struct lp_func, new_func)
#define FUNC_NAME	offsetof(struct lp_func, old_name)
#define FUNC_OBJNAME	offsetof(struct lp_func, objname)
#define FUNC_SYMPOS	offsetof(struct lp_func, sympos)

#define RELOC_SIZE	sizeof(struct lp_reloc)
#define RELOC_PLACE	offsetof(struct lp_reloc, place)
#define RELOC_NAME	offsetof(struct lp_reloc, name)
#define RELOC_OBJNAME	offsetof(struct lp_reloc, objname)
#define RELOC_ADDEND	offsetof(struct lp_reloc, addend)
#define RELOC_TYPE	offsetof(struct lp_reloc, type)
#define RELOC_SYMPOS	offsetof(struct lp_reloc, sympos)

static uint64_t read_u64(const struct section *sec, uint64_t off)
{
	uint64_t v;

	memcpy(&v, sec->data + off, sizeof(v));
	return v;
}

static uint32_t read_u32(const struct section *sec, uint64_t off)
{
	uint32_t v;

	memcpy(&v, sec->data + off, sizeof(v));
	return v;
}

/* The string a pointer field at @off of @sec points to, or "?". */
static const char *string_field(struct section *sec, uint64_t off)
{
	struct reloc *rel = kelf_find_reloc_at(sec, off);
	struct section *s;

	if (!rel || !rel->sym || !rel->sym->sec)
		return "?";
	s = rel->sym->sec;
	if (strcmp(s->name, LP_STRINGS_SECTION) || rel->addend < 0 ||
	    (uint64_t)rel->addend >= s->size ||
	    !memchr(s->data + rel->addend, '\0', s->size - rel->addend))
		return "?";
	return (const char *)s->data + rel->addend;
}

/* The symbol a pointer field at @off of @sec points to, "NAME" or
 * "SECTION+0xOFF" through a section symbol, into @buf. */
static const char *symbol_field(struct section *sec, uint64_t off, char *buf,
				size_t len)
{
	struct reloc *rel = kelf_find_reloc_at(sec, off);

	if (!rel || !rel->sym)
		return "?";
	if (rel->sym->type == STT_SECTION && rel->sym->sec)
		snprintf(buf, len, "%s+%#lx", rel->sym->sec->name,
			 (unsigned long)rel->addend);
	else if (rel->addend)
		snprintf(buf, len, "%s%+ld", rel->sym->name, (long)rel->addend);
	else
		snprintf(buf, len, "%s", rel->sym->name);
	return buf;
}

static int check_table(const struct kelf *kelf, const struct section *sec,
		       size_t entry)
{
	if (sec->size % entry || (sec->size && !sec->data)) {
		error("%s: %s: %zu bytes is not a whole number of %zu-byte entries",
		      kelf->path, sec->name, sec->size, entry);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct arch *arch;
	struct section *funcs, *relocs;
	struct kelf *kelf;
	char a[256], b[256];
	uint64_t off;
	int ret = 0;

	set_progname("lp-dump");
	if (argc != 2) {
		fprintf(stderr, "usage: lp-dump FILE\n");
		return 1;
	}
	kelf = kelf_open(argv[1]);
	if (!kelf)
		return 1;
	arch = arch_find_by_machine(kelf->ehdr.e_machine);
	funcs = kelf_find_section_by_name(kelf, LP_FUNCS_SECTION);
	relocs = kelf_find_section_by_name(kelf, LP_RELOCS_SECTION);

	if (funcs && !check_table(kelf, funcs, FUNC_SIZE))
		for (off = 0; off < funcs->size; off += FUNC_SIZE)
			printf("F %s %s %s sympos=%lu\n",
			       symbol_field(funcs, off + FUNC_NEW, a, sizeof(a)),
			       string_field(funcs, off + FUNC_NAME),
			       string_field(funcs, off + FUNC_OBJNAME),
			       (unsigned long)read_u64(funcs, off + FUNC_SYMPOS));
	else if (funcs)
		ret = 1;
	if (relocs && !check_table(kelf, relocs, RELOC_SIZE))
		for (off = 0; off < relocs->size; off += RELOC_SIZE) {
			snprintf(b, sizeof(b), "%s",
				 arch_reloc_name(arch, read_u32(relocs, off + RELOC_TYPE)));
			printf("K %s %s %s %s addend=%ld sympos=%u\n",
			       symbol_field(relocs, off + RELOC_PLACE, a, sizeof(a)), b,
			       string_field(relocs, off + RELOC_NAME),
			       string_field(relocs, off + RELOC_OBJNAME),
			       (long)read_u64(relocs, off + RELOC_ADDEND),
			       read_u32(relocs, off + RELOC_SYMPOS));
		}
	else if (relocs)
		ret = 1;
	kelf_close(kelf);
	return ret;
}
