/*
 * klp.h - what the files of create-klp-module share: where the fields of
 * a .livepatch.relocs entry lie (kmod/livepatch-format.h) and the state of
 * one conversion.
 */
#ifndef KLP_H
#define KLP_H

#include <stddef.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../elf/kelf.h"
#include "../kmod/livepatch-format.h"

/* Where each field of struct lp_reloc lies in an entry. */
#define LP_RELOC_SIZE		sizeof(struct lp_reloc)
#define LP_RELOC_PLACE		offsetof(struct lp_reloc, place)
#define LP_RELOC_NAME		offsetof(struct lp_reloc, name)
#define LP_RELOC_OBJNAME	offsetof(struct lp_reloc, objname)
#define LP_RELOC_ADDEND		offsetof(struct lp_reloc, addend)
#define LP_RELOC_TYPE		offsetof(struct lp_reloc, type)
#define LP_RELOC_SYMPOS		offsetof(struct lp_reloc, sympos)

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
