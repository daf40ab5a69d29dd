/*
 * arch.h - the one interface between generic code and an architecture.
 *
 * Each arch/<name>/ directory fills in one struct arch; generic code finds
 * it by the ELF e_machine of the file at hand, or by name from the command
 * line, and never names an architecture itself.  Per-arch facts are data:
 * relocation kinds and special-section layouts; instruction patterns are
 * added here as the tools that need them arrive.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arch_reloc {
	uint32_t type;
	const char *name;		/* "R_X86_64_PC32" */
	unsigned char width;		/* bytes written at the offset */
	bool pcrel;			/* value depends on where it is applied */
	unsigned char bias;		/* for a reference through a section
					 * symbol, addend + bias is the offset
					 * referenced in that section: x86 PC32
					 * addends count from the field's end
					 * (usually the instruction's end), so 4;
					 * arm64 addends are exact, so 0 */
};

struct special_section;

struct arch {
	const char *name;		/* as on our command lines: "x86_64" */
	const char *kernel_arch;	/* kbuild's ARCH=: "x86" */
	const char *cross_compile;	/* default CROSS_COMPILE on another host */
	uint16_t machine;		/* EM_* */
	uint32_t abs64;			/* the 64-bit absolute relocation type */
	const struct arch_reloc *relocs;	/* sorted by type */
	size_t nr_relocs;
	/* special-sections/special.h; ends with an entry without a name */
	const struct special_section *special;
};

/* The architecture of ELF machine @machine, or NULL. */
const struct arch *arch_find_by_machine(uint16_t machine);

/* The architecture called @name (our name or kbuild's), or NULL. */
const struct arch *arch_find_by_name(const char *name);

/* What @arch knows of relocation @type, or NULL for an unknown type. */
const struct arch_reloc *arch_reloc(const struct arch *arch, uint32_t type);

/* "R_X86_64_PC32", or "type 0x2a" style text for unknown types. */
const char *arch_reloc_name(const struct arch *arch, uint32_t type);

/* Names of every supported architecture, space-separated, for messages. */
const char *arch_names(void);

extern const struct arch arch_x86_64;
extern const struct arch arch_arm64;

#endif
