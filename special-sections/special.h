/*
 * special.h - tables the kernel walks at load time: exception tables,
 * alternatives, jump labels, static calls, bug entries, ftrace call sites,
 * ORC and objtool's site lists; and the sites of runtime constants.
 *
 * Each is an array of fixed-size entries pointing into code.  The livepatch
 * must carry the entries of the functions it carries and no others.  The
 * layouts are per-arch data (struct special_section in the arch's table);
 * which of them an object's section has is read from the object
 * (layout.c); this code is generic: split a section into entries, keep an
 * entry when a relocation in it reaches an included function, then copy
 * kept entries.
 */
#ifndef SPECIAL_H
#define SPECIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdo;
struct kelf;
struct reloc;
struct section;
struct symbol;

/*
 * What the special sections need from the differ that drives them,
 * handed in through struct cdo's @special so that the layering reads one
 * way: create-diff-object calls into special-sections/, never the other
 * way round.  create-diff-object/main.c fills it with cdo.h's functions
 * of the same names; what each answers is documented there.
 */
struct special_ops {
	/* The symbol and offset @rel reaches, through section symbols. */
	struct symbol *(*reloc_target)(const struct cdo *cdo, const struct reloc *rel,
				       int64_t *off);
	/* Do two relocations reach the same thing, by the comparison's rule? */
	bool (*same_target)(struct cdo *cdo, const struct reloc *o, const struct reloc *p);
	/* Are two ranges the same, bytes outside relocated fields and relocations? */
	bool (*same_range)(struct cdo *cdo, struct section *os, uint64_t ostart,
			   struct section *ps, uint64_t pstart, uint64_t size);
	/* Include what @rel needs carried. */
	void (*include_reloc_target)(struct cdo *cdo, const struct reloc *rel);
	/* Does a reference to the original @t link as an ordinary symbol? */
	bool (*links_plainly)(const struct cdo *cdo, const struct symbol *t);
	/* Is @sec never compared (KPATCH_IGNORE_SECTION, known not to matter)? */
	bool (*is_ignored_section)(const struct section *sec);
	/* The function owning the tail of @sec, or NULL. */
	struct symbol *(*tail_owner)(struct section *sec, uint64_t *start);
};

struct arch_runtime_const;

/* The bit of special_layout->relocs for a relocated field at @off. */
#define SPECIAL_AT(off)	(1ull << (off))

/*
 * One layout a kernel can give a table's entries: their size, and the
 * offsets of the fields every entry relocates (bit N of @relocs: a field
 * at +N), by which an object's section is told apart when the tool that
 * wrote it left sh_entsize 0 (layout.c).  A layout's size is at most 64.
 */
struct special_layout {
	unsigned int size;		/* 0: no more layouts */
	uint64_t relocs;
	/* Bytes of an entry that do not change behaviour: a bug entry's line
	 * (moved by a change above the function).  Size 0: none. */
	unsigned int noise_offset, noise_size;
	const char *config;		/* the configuration that gives it, or NULL */
	/*
	 * Whether the kernels that give this layout mark each entry with
	 * objtool's ANNOTATE_DATA_SPECIAL (an entry of .discard.annotate_data
	 * of type SPECIAL_ANNOTYPE_DATA at the entry's start: Linux 6.17 and
	 * later, for klp-build).  Two layouts of one size and the same
	 * relocated fields are told apart by it: x86_64's bug entry with a
	 * file (6.12, unmarked) and with a format instead (7.x, marked).
	 * SPECIAL_MARKS_ANY: either.
	 */
	enum { SPECIAL_MARKS_ANY, SPECIAL_MARKS_NONE, SPECIAL_MARKS_EACH } marks;
};

#define SPECIAL_MAX_LAYOUTS	4

/* objtool's annotation type of an ANNOTATE_DATA_SPECIAL entry
 * (linux/objtool_types.h), in .discard.annotate_data: s32 place, u32 type. */
#define SPECIAL_ANNOTYPE_DATA	1
#define SPECIAL_ANNOTATE_DATA	".discard.annotate_data"

/*
 * struct bug_entry (include/asm-generic/bug.h) with
 * GENERIC_BUG_RELATIVE_POINTERS, as the arches write it in asm: s32
 * address, s32 file, u16 line, u16 flags with CONFIG_DEBUG_BUGVERBOSE, else
 * s32 address, u16 flags and padding to 4 bytes.  @marks: the arch's
 * kernels that have this layout mark their entries, or not, or either
 * (SPECIAL_MARKS_*).
 */
#define SPECIAL_BUG_ENTRY_LAYOUT_VERBOSE(m)				\
	{ .size = 12, .relocs = SPECIAL_AT(0) | SPECIAL_AT(4),		\
	  .noise_offset = 8, .noise_size = 2,				\
	  .config = "CONFIG_DEBUG_BUGVERBOSE", .marks = (m) }
#define SPECIAL_BUG_ENTRY_LAYOUT_SHORT(m)				\
	{ .size = 8, .relocs = SPECIAL_AT(0),				\
	  .config = "no CONFIG_DEBUG_BUGVERBOSE", .marks = (m) }
#define SPECIAL_BUG_ENTRY_LAYOUTS					\
	{ SPECIAL_BUG_ENTRY_LAYOUT_VERBOSE(SPECIAL_MARKS_ANY),		\
	  SPECIAL_BUG_ENTRY_LAYOUT_SHORT(SPECIAL_MARKS_ANY) }

struct special_section {
	const char *name;		/* or its prefix, see name_is_prefix */
	bool name_is_prefix;		/* a family named PREFIX + a symbol */
	/* The layouts Linux 6.12 and 7.x give the entries, in any
	 * configuration. */
	struct special_layout layouts[SPECIAL_MAX_LAYOUTS];
	/* A section without relocations whose entries pair 1:1 with this
	 * one's (.orc_unwind beside .orc_unwind_ip); the size of its entries
	 * is its size over their number. */
	const char *companion;
	/*
	 * The entry references a key (jump labels, static calls), at
	 * @key_offset.  The kernel reads these tables in the COMING notifiers
	 * of the module loader (jump_label_add_module(),
	 * static_call_add_module()), after apply_relocations() has written
	 * the livepatch's klp relocations to vmlinux but before those to a
	 * module: a key of vmlinux is reached through a klp relocation, a key
	 * of the patched module is not (special.c, check_key()).
	 */
	bool has_key;
	unsigned int key_offset;	/* of that reference within an entry */
	/*
	 * The prefix of the symbols holding the keys of tracepoints
	 * ("__tracepoint_" for jump labels, "__SCK__tp_func_" for the static
	 * call of each): a module's tracepoint in carried code is left
	 * disabled, its entries dropped, rather than refused.
	 * @tracepoint_key_at: where a jump label's key is in that symbol
	 * (the static_key_false after the name pointer of struct tracepoint,
	 * include/linux/tracepoint-defs.h); the low two bits of the reference
	 * are the entry's flags.
	 */
	const char *tracepoint_key;
	unsigned int tracepoint_key_at;
	bool static_call;		/* the key is a static call's */
	/*
	 * Static calls: the prefixes of a trampoline's and of its key's
	 * names (linux/static_call_types.h).  When objtool writes the table
	 * of the linked livepatch (IBT kernels), it finds a call's key by
	 * name among the module's symbols and, not finding it, records the
	 * trampoline instead, which the kernel resolves only for keys
	 * vmlinux lists in .static_call_tramp_key: "Failed to fixup
	 * __raw_static_call() usage", and the module does not load.  So the
	 * diff object references each exported key of a trampoline its code
	 * calls, from .discard.addressable as the kernel's static_call()
	 * does (output.c).
	 */
	const char *tramp_prefix, *key_prefix;
	/*
	 * Not a table pointing at code but objects the code points at: the
	 * descriptors of dynamic debug's __dyndbg (struct _ddebug, with its
	 * key).  Each one a carried function uses becomes the livepatch's
	 * own, in a section of the same name that the module loader hands to
	 * dynamic debug (find_module_sections()); its strings are carried
	 * with it.  @line_bit, @line_bits: the descriptor's line number,
	 * which does not count when descriptors are compared.  @class_bit,
	 * @class_bits: its class (DECLARE_DYNDBG_CLASSMAP's), all ones for
	 * the default class; the bits count from the entry's first byte,
	 * least significant first.
	 */
	bool descriptors;
	unsigned int line_bit, line_bits, class_bit, class_bits;
	/*
	 * What the kernel does with an entry depends on more than the code it
	 * points at: an exception handler's type, an alternative's feature and
	 * replacement, a jump label's key, a warning's flags.  So the entries
	 * of a function the livepatch does not carry must not change
	 * (compare.c).  Not set for tables that only list places in the code
	 * (objtool's site lists, ORC, ftrace's call sites) or that only a
	 * uniprocessor kernel reads (.smp_locks).
	 */
	bool behaviour;
	/* The entry points at replacement code (alternatives): the reference
	 * at @repl_offset, its length the byte at @repl_len_offset.  The code
	 * there is compared, not only where it is. */
	bool has_repl;
	unsigned int repl_offset, repl_len_offset;
	/* Sites of a runtime constant (arch.h), one 4-byte place-relative
	 * entry each, in a section named @name + the variable: the entries
	 * are not copied; the sites in carried code are rewritten to read
	 * the variable, or refused (runtime-const.c). */
	const struct arch_runtime_const *runtime_const;
};

/* The arch's description of @name, or NULL when it is not special. */
const struct special_section *special_find(const struct cdo *cdo, const char *name);

/*
 * layout.c: the layout of the entries of special section @sec of @kelf
 * (described by @ss), read from the object: its sh_entsize when set, else
 * the one layout of @ss its relocations follow.  NULL after an error
 * naming the section and the rule when it cannot be known; the answer is
 * kept, so the error is printed once.
 */
const struct special_layout *special_layout(const struct cdo *cdo,
					    const struct kelf *kelf, struct section *sec,
					    const struct special_section *ss);

/* The size of @sec's entries; special_layout() found it. */
unsigned int special_entry_size(const struct section *sec);

/*
 * The size of each of the @n entries of companion section @csec of @sec's
 * table: 0 after an error when @csec does not hold @n entries of one size.
 */
unsigned int special_companion_size(const struct kelf *kelf, const struct section *sec,
				    const struct section *csec, size_t n);

/*
 * Choose the entries to keep in every special section of the patched
 * object and include what they reference.  Then check that no other
 * section has entries pointing at included functions.  Returns 0, or -1
 * after printing why the object cannot be handled.
 */
int special_include(struct cdo *cdo);

/* The descriptor table (special_section ->descriptors) @sym is in, or NULL. */
const struct special_section *special_descriptor_table(const struct cdo *cdo,
							const struct symbol *sym);

/* Is entry @index of special section @sec kept? */
bool special_entry_kept(const struct section *sec, size_t index);

/*
 * compare.c: refuse each function the livepatch does not carry whose
 * entries in a table that matters for behaviour (special_section
 * ->behaviour) changed; run once what changed is known.  Returns 0, or
 * -1 after an error per function and table.
 */
int special_refuse_changed_entries(struct cdo *cdo);

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
