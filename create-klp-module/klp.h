/*
 * klp.h - what the files of create-klp-module share: the .livepatch.relocs
 * entry layout and the state of one conversion.
 */
#ifndef KLP_H
#define KLP_H

#include <stddef.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../elf/kelf.h"

/* struct lp_reloc of doc/diff-object-format.md: 40 bytes, little-endian. */
#define LP_RELOC_SIZE		40
#define LP_RELOC_PLACE		0
#define LP_RELOC_NAME		8
#define LP_RELOC_OBJNAME	16
#define LP_RELOC_ADDEND		24
#define LP_RELOC_TYPE		32
#define LP_RELOC_SYMPOS		36

/* One entry, read and checked. */
struct klp_entry {
	size_t nr;			/* position in .livepatch.relocs */
	const char *name;		/* in .livepatch.strings */
	const char *objname;		/* "vmlinux" or a module */
	int64_t addend;
	uint32_t type;
	uint32_t sympos;
	struct section *target;		/* the section the place is in */
	uint64_t offset;		/* the place's offset in target */
	unsigned int width;		/* bytes the relocation writes */
};

struct klp {
	struct kelf *kelf;
	const struct arch *arch;
	struct section *table;		/* .livepatch.relocs */
	struct klp_entry *entries;
	size_t nr_entries;
	size_t nr_sections;		/* .klp.rela sections created */
	size_t nr_symbols;		/* .klp.sym symbols used */
};

/*
 * Read every entry of k->table through its relocations, checking each
 * field (klp-relocs.c).  Returns 0, or -1 after one error line naming the
 * entry and the rule broken.
 */
int klp_read_entries(struct klp *k);

/* Refuse places that overlap each other or an ordinary relocation. */
int klp_check_places(struct klp *k);

/* Create the .klp.rela sections and .klp.sym symbols of every entry. */
int klp_create_sections(struct klp *k);

#endif
