/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livepatch-format.h - the tables of the diff object
 * (doc/diff-object-format.md): written by create-diff-object, read by
 * create-klp-module and test/tools/lp-dump, and, in the module kpatch-build
 * links, by livepatch-main.c at load time.  So it compiles in both worlds:
 * the kernel's <linux/types.h> defines the same fixed-width types as
 * <stdint.h>.
 *
 * Every field that points somewhere is a 64-bit slot filled by an
 * absolute relocation (R_X86_64_64, R_AARCH64_ABS64): to a symbol, to a
 * section symbol plus offset, or to .livepatch.strings plus the offset of
 * a NUL-terminated string.  The machine's byte order, 64-bit only.
 */
#ifndef LIVEPATCH_FORMAT_H
#define LIVEPATCH_FORMAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define LP_FUNCS_SECTION	".livepatch.funcs"
#define LP_RELOCS_SECTION	".livepatch.relocs"
#define LP_STRINGS_SECTION	".livepatch.strings"

/*
 * The longest undefined symbol name modpost writes into __versions under
 * CONFIG_MODVERSIONS (MODULE_NAME_LEN - 1 on 64-bit): a longer klp symbol
 * name goes through modpost as a placeholder (create-diff-object) that
 * create-klp-module renames back.
 */
#define LP_PLACEHOLDER_MAX_NAME	55

/* One function to patch: a changed function replacing its original. */
struct lp_func {
	uint64_t new_func;	/* to the new function's symbol */
	uint64_t old_name;	/* to .livepatch.strings: the original's name */
	uint64_t objname;	/* to .livepatch.strings: "vmlinux" or the module */
	uint64_t sympos;	/* position among the target's symbols of that name */
};

/*
 * One reference the module loader cannot link: create-klp-module turns it
 * into a klp relocation (.klp.rela.OBJ.SECTION, .klp.sym.OBJ.NAME,POS).
 */
struct lp_reloc {
	uint64_t place;		/* to the section symbol + offset of the field */
	uint64_t name;		/* to .livepatch.strings: the symbol */
	uint64_t objname;	/* to .livepatch.strings */
	int64_t addend;		/* the relocation's addend, relative to the symbol */
	uint32_t type;		/* the relocation type (R_X86_64_PC32, ...) */
	uint32_t sympos;
};

_Static_assert(sizeof(struct lp_func) == 32, "struct lp_func is 32 bytes");
_Static_assert(sizeof(struct lp_reloc) == 40, "struct lp_reloc is 40 bytes");

#endif
