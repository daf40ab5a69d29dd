/*
 * special.h - tables the kernel walks at load time: exception tables,
 * alternatives, jump labels, static calls, bug entries, ftrace call sites,
 * ORC and objtool's site lists; and the sites of runtime constants.
 *
 * Each is an array of fixed-size entries pointing into code.  The livepatch
 * must carry the entries of the functions it carries and no others.  The
 * layouts are per-arch data (struct special_section in the arch's table);
 * this code is generic: split a section into entries, keep an entry when a
 * relocation in it reaches an included function, then copy kept entries.
 */
#ifndef SPECIAL_H
#define SPECIAL_H

#include <stdbool.h>
#include <stddef.h>

struct cdo;
struct kelf;
struct section;

struct arch_runtime_const;

struct special_section {
	const char *name;		/* or its prefix, see name_is_prefix */
	bool name_is_prefix;		/* a family named PREFIX + a symbol */
	unsigned int entry_size;
	/* A section without relocations whose entries pair 1:1 with this
	 * one's (.orc_unwind beside .orc_unwind_ip). */
	const char *companion;
	unsigned int companion_size;
	/* The entry's reference to a key or trampoline (jump labels, static
	 * calls) must link as an ordinary relocation: the kernel reads these
	 * tables when the module loads, before klp relocations are applied. */
	bool key_needs_plain_reloc;
	unsigned int key_offset;	/* of that reference within an entry */
	/* Sites of a runtime constant (arch.h), one 4-byte place-relative
	 * entry each, in a section named @name + the variable: the entries
	 * are not copied; the sites in carried code are rewritten to read
	 * the variable, or refused (runtime-const.c). */
	const struct arch_runtime_const *runtime_const;
};

/* Each arch's table, ending with an entry without a name. */
extern const struct special_section x86_64_special[];
extern const struct special_section arm64_special[];

/* The arch's description of @name, or NULL when it is not special. */
const struct special_section *special_find(const struct cdo *cdo, const char *name);

/*
 * Choose the entries to keep in every special section of the patched
 * object and include what they reference.  Then check that no other
 * section has entries pointing at included functions.  Returns 0, or -1
 * after printing why the object cannot be handled.
 */
int special_include(struct cdo *cdo);

/* Is entry @index of special section @sec kept? */
bool special_entry_kept(const struct section *sec, size_t index);

/*
 * runtime-const.c: rewrite the site of each kept entry of runtime-constant
 * section @sec (described by @ss) in the patched object, so that carried
 * code reads the variable; the reference to it is an ordinary relocation
 * of the patched object, which output.c re-creates like any other.
 * Returns 0, or -1 after an error for each site that cannot be rewritten.
 */
int special_rewrite_runtime_consts(struct cdo *cdo, const struct special_section *ss,
				   struct section *sec);

#endif
