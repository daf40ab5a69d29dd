/*
 * cdo.h - what the stages of create-diff-object share.
 *
 * The differ works on two models read by the ELF layer, the original and
 * the patched object.  Each stage adds what it learns to the per-symbol and
 * per-section records hung on the models' priv pointers:
 *
 *	correlate	twin: the same thing on the other side
 *	compare		status: SAME, CHANGED or NEW, and why
 *	include		include: what the livepatch must carry
 *	output		out: the copy in the diff object
 *
 * Exit codes are a contract with kpatch-build (see main.c).
 */
#ifndef CDO_H
#define CDO_H

#include <stdbool.h>

#include "../arch/arch.h"
#include "../elf/kelf.h"
#include "../lookup/lookup.h"

enum {
	EXIT_DIFF = 0,		/* diff object written */
	EXIT_ERROR = 1,		/* bad input or internal error */
	EXIT_REFUSED = 2,	/* this change cannot be livepatched */
	EXIT_NO_CHANGE = 3,	/* nothing changed */
};

enum status {
	SAME,
	CHANGED,
	NEW,
};

struct sym_info {
	struct symbol *twin;
	enum status status;
	const char *reason;		/* why CHANGED: "code", "relocation"... */
	struct symbol *parent;		/* foo for foo.cold / foo.part.0 */
	bool include;			/* carried in the diff object */
	bool patched;			/* a changed function replacing the original */
	bool traced;			/* has an ftrace entry (trace.c) */
	bool untraceable;		/* changed without one: its callers are
					 * patched instead (trace.c) */
	bool via_caller;		/* patched in place of an untraceable callee */
	bool ignored;			/* KPATCH_IGNORE_FUNCTION (author.c) */
	bool forced;			/* KPATCH_FORCE_UNSAFE (author.c) */
	struct symbol *out;		/* its symbol in the diff object */
};

struct special_layout;
/* A piece of anonymous code shared by a file's functions (pieces.c). */
struct piece {
	uint64_t start, end;		/* [start, end) of its section */
	bool include;			/* carried (its section is not whole) */
	bool comparing;			/* compare.c: being compared */
	uint64_t out;			/* its offset in the carried copy */
};

struct sec_info {
	struct section *twin;
	enum status status;
	bool include;			/* carried whole (strings, anonymous data) */
	bool compared, comparing;	/* compare.c's memo for anonymous data */
	bool ignored;			/* KPATCH_IGNORE_SECTION (author.c) */
	bool call_sites;		/* a call-site table, or its relocations (trace.c) */
	unsigned char *kept;		/* special sections: entries kept */
	size_t nr_kept;
	struct rel_info *rels;		/* relocation sections of code: what
					 * targets.c decoded, one per relocation */
	const struct special_layout *layout;	/* and their layout */
	bool layout_unknown;		/* (refused: special-sections/layout.c) */
	struct piece *pieces;		/* pieces.c: NULL when not cut */
	size_t nr_pieces;
	bool pieces_read;
	struct section *out;		/* its copy in the diff object */
	/* Loose references to it (targets.c, refuse.c), worked out once. */
	bool loose_counted, loose_checked;
	size_t loose_nr;		/* its candidates */
	enum { LOOSE_KEPT, LOOSE_CARRIED, LOOSE_NEW, LOOSE_MOVED } loose_why;
	const struct symbol *loose_bad;	/* the one carried, new or moved */
};

/* A relocation in code, decoded (targets.c; reloc->priv). */
struct rel_info {
	bool decoded;			/* on the PC-relative field of a known instruction */
	bool deref;			/* on the field giving the address of memory its
					 * instruction reads or writes (arch_insn) */
	bool page;			/* in an instruction forming an address's page */
	bool indexed;			/* on a displacement added to a register
					 * (arch_insn): the place need not lie in
					 * the object reached */
	unsigned char to_end;		/* bytes from the field to the end of its
					 * instruction, when the field counts from
					 * there (x86_64); 0: the addend is exact */
};

struct special_ops;

struct cdo {
	const struct arch *arch;
	const struct special_ops *special;	/* special-sections/' view of the differ */
	struct kelf *orig, *patched;
	const char *objname;		/* "vmlinux" or the module name */
	struct lookup *lookup;		/* the running kernel's symbols */
	struct hashtab shared;		/* the livepatch's new globals (-g) */
	bool explain;			/* say why each function changed */
	bool debug;
	unsigned int nr_changed, nr_new;
};

static inline struct sym_info *sym_info(const struct symbol *sym)
{
	return sym->priv;
}

static inline struct sec_info *sec_info(const struct section *sec)
{
	return sec->priv;
}

static inline struct symbol *sym_twin(const struct symbol *sym)
{
	return sym && sym->priv ? sym_info(sym)->twin : NULL;
}

static inline struct section *sec_twin(const struct section *sec)
{
	return sec && sec->priv ? sec_info(sec)->twin : NULL;
}

/* A function or data object the differ reasons about one by one. */
static inline bool is_object_symbol(const struct symbol *sym)
{
	return (sym->type == STT_FUNC || sym->type == STT_OBJECT) && sym->sec;
}

/* An assembler-local label (.LC3): names nothing across builds. */
static inline bool cdo_is_local_label(const struct symbol *sym)
{
	return sym && sym->bind == STB_LOCAL && sym->type == STT_NOTYPE &&
	       sym->sec && sym->name[0] == '.' && sym->name[1] == 'L';
}

/* compare.c: an ARM mapping symbol ("$x", "$d.12": where code or data
 * starts), which names nothing. */
bool cdo_is_mapping_symbol(const struct symbol *sym);

/* labels.c: references through .L labels become section + offset. */
void cdo_unlabel(struct kelf *kelf);
/*
 * The NOP padding objtool names in front of a function with call depth
 * tracking or CFI (__pfx_foo, __cfi_foo): part of foo, never on its own.
 */
bool cdo_is_prefix_symbol(const struct symbol *sym);
/* @sym's prefix symbol, ending where @sym starts, or NULL. */
struct symbol *cdo_prefix_of(const struct symbol *sym);

/*
 * tail.c: code past a function's end in its own section that belongs to it
 * (arm64's alternative replacements).  cdo_tail_owner() is the function
 * owning the tail of @sec, which starts at *@start, or NULL when @sec has
 * no tail or several functions; cdo_extent() is how many bytes from
 * @sym's start its carried copy holds: its size, and its tail.
 */
struct symbol *cdo_tail_owner(struct section *sec, uint64_t *start);
uint64_t cdo_extent(struct symbol *sym);

/*
 * targets.c: decode the instruction holding each PC-relative relocation in
 * the code of @kelf; 0, or -1 after an error naming each relocation whose
 * instruction is unknown to the decoder (the change cannot be livepatched:
 * its targets cannot be known).  Run before anything asks for a target.
 */
int cdo_decode_relocs(const struct cdo *cdo, struct kelf *kelf);
/*
 * What to add to @rel's addend for the offset it references in the section
 * of its symbol, into *@bias: the distance from a PC-relative field in code
 * to the end of its instruction, 0 elsewhere.  -1 for a relocation in code
 * that cdo_decode_relocs() did not decode.
 */
int cdo_reloc_bias(const struct cdo *cdo, const struct reloc *rel, int64_t *bias);
/*
 * Does @rel, through a section symbol, reach a place where one sized
 * function or object ends and an object starts ("&a[N]" and "&b" are the
 * same offset), without reading, writing or branching there?  True with
 * the two in *@end and *@start: which one the code means cannot be known.
 * (Code is pointed at by where it starts, and objtool's __pfx_ padding
 * belongs to the function after it.)
 */
bool cdo_reloc_boundary(const struct cdo *cdo, const struct reloc *rel, struct symbol **end,
			struct symbol **start);

/* correlate.c */
void cdo_attach_info(struct kelf *kelf);
void cdo_detach_info(struct kelf *kelf);
void cdo_correlate(struct cdo *cdo);
void cdo_pair_symbols(struct symbol *o, struct symbol *p);
bool cdo_is_numbered(const struct symbol *sym);
/* The digits of __COUNTER__ in a __UNIQUE_ID_ name, or 0. */
size_t cdo_unique_id_counter(const char *name);

/* correlate-numbered.c */
void cdo_correlate_numbered(struct cdo *cdo);

/*
 * pieces.c: the piece of @sec holding offset @where when @sec is anonymous
 * code that the file's functions share and that can be cut into the piece
 * each reaches (static_cpu_has()'s .altinstr_aux); else NULL, and @sec is
 * compared and carried whole.
 */
struct piece *cdo_piece_at(const struct cdo *cdo, struct section *sec, int64_t where);

/* compare.c */
/* The offset relocation @rel references in its symbol's section, for a
 * reference through a section symbol (cdo_reloc_bias()); -1 when that
 * cannot be known. */
int64_t cdo_reloc_offset(const struct cdo *cdo, const struct reloc *rel);
int cdo_compare(struct cdo *cdo);
/* Do two relocations reach the same thing (the comparison's rule)? */
bool cdo_same_target(struct cdo *cdo, const struct reloc *o, const struct reloc *p);
/* Are [@ostart, +@size) of @os and [@pstart, +@size) of @ps the same:
 * bytes outside relocated fields, and relocations? */
bool cdo_same_range(struct cdo *cdo, struct section *os, uint64_t ostart,
		    struct section *ps, uint64_t pstart, uint64_t size);

/*
 * author.c: what the patch author asked for through kmod/kpatch-macros.h,
 * read from the patched object's .kpatch.* marker sections (themselves
 * ignored: never compared, carried or reported).
 *
 * cdo_read_marks() marks the functions and sections named; 0, or -1 after
 * an error for each marker that names nothing of this object.  Run after
 * correlation, before comparison: ignored sections are never compared.
 */
int cdo_read_marks(struct cdo *cdo);
/* Set back to unchanged the ignored functions (and their .cold/.part
 * pieces) that changed, with a line on stdout for each; compare.c runs it
 * before the callers of untraceable functions are promoted. */
void cdo_ignore_functions(struct cdo *cdo);
/* Is @func (or the function it is a piece of) marked KPATCH_FORCE_UNSAFE? */
bool cdo_is_forced(const struct symbol *func);
/*
 * refuse.c's hook for changed writable data @p: true, after a warning,
 * when KPATCH_FORCE_UNSAFE lets the livepatch carry a new copy of it (it
 * is local and only marked functions use it; @rule names the refusal
 * overridden).  False otherwise, with a warning saying why when a marked
 * function uses it.
 */
bool cdo_force_data(struct cdo *cdo, struct symbol *p, const char *rule);

/* trace.c: patch the callers of changed functions without an ftrace
 * entry; -1 (after an error per function) when that cannot be done. */
int cdo_promote_callers(struct cdo *cdo);
/* trace.c: mark the arch's call-site tables of both objects (call_sites),
 * which cdo_is_ignored_section() then reports. */
void cdo_mark_call_site_tables(struct cdo *cdo);

/* refuse.c: report every unsafe change; -1 when there is one. */
int cdo_refuse(struct cdo *cdo);
/* Does a relocated field of @sec overlap [@start, @start+@len)? */
bool cdo_is_relocated(const struct cdo *cdo, struct section *sec, uint64_t start,
		      uint64_t len);
/* The function starting at @off of @sec, or NULL (compare.c). */
struct symbol *cdo_func_at(struct section *sec, int64_t off);
/* After cdo_include: what the carried functions cannot take with them. */
int cdo_refuse_carried(struct cdo *cdo);

/* include.c: mark what the diff object carries; returns the functions. */
unsigned int cdo_include(struct cdo *cdo);
void cdo_include_symbol(struct cdo *cdo, struct symbol *sym);
/* Include what relocation @rel needs carried: a new function or object, a
 * changed read-only object, or anonymous data reached through a section
 * symbol. */
void cdo_include_reloc_target(struct cdo *cdo, const struct reloc *rel);

/*
 * How a reference to @t, which the livepatch does not carry, reaches the
 * original: true for an ordinary undefined symbol that the module loader
 * links (an export of vmlinux, or an export used by a module's code), false
 * for a klp relocation.
 */
bool cdo_links_plainly(const struct cdo *cdo, const struct symbol *t);

/*
 * classes.c: the name of the section carried @sym comes out in (to free):
 * its class where the kernel gives its section's name a meaning
 * (.data..percpu, .noinstr.text...), else ".text.foo" for function foo.
 * cdo_refuse_classes(): after cdo_include, an error for each carried
 * symbol whose class a module cannot have; -1 when there is one.
 */
char *cdo_output_section_name(const struct symbol *sym);
int cdo_refuse_classes(struct cdo *cdo);
/* Why a module cannot have @sec's class, or NULL when it can. */
const char *cdo_class_refusal(const struct section *sec);

/*
 * account.c: is @sec never compared: ignored by KPATCH_IGNORE_SECTION or
 * in the table of differences known not to matter?  cdo_account(), after
 * cdo_include: an error naming each difference that is neither carried,
 * ignored nor known not to matter; -1 when there is one.
 */
bool cdo_is_ignored_section(const struct section *sec);
int cdo_account(struct cdo *cdo);
/* Symbol tables, relocations, groups: sections about the others. */
bool cdo_is_bookkeeping(const struct section *sec);
/* A special section or the companion of one: special-sections/ accounts it. */
bool cdo_is_special_section(const struct cdo *cdo, const struct section *sec);
/*
 * gaps.c: the bytes of the patched object that no sized function or
 * object covers are their twins' (cdo_account()); -1 after an error.
 */
int cdo_account_gaps(struct cdo *cdo);

/*
 * shared.c: the new globals of the livepatch's objects (-g FILE: one name a
 * line), which its diff objects link to each other.  0, or -1 after an
 * error naming the file and line.
 */
int cdo_read_shared(struct cdo *cdo, const char *path);
bool cdo_is_shared(const struct cdo *cdo, const char *name);
void cdo_free_shared(struct cdo *cdo);

/* output.c: write the diff object to @path; 0 or -1. */
int cdo_output(struct cdo *cdo, struct lookup *lookup, const char *path);

/* --arch-info NAME|ELF (arch-info.c): print arch_print_info(); 0 or EXIT_ERROR. */
int cdo_arch_info(const char *what);

/*
 * Is @rel a loose reference: in code, through the section symbol of data,
 * on a field whose instruction adds a register to it (rel_info's indexed:
 * "b[i + 5]" is .bss + 0x14(,%rdi,4)) or neither reads nor writes there
 * (an immediate, lea, arm64's adrp/add forming a pointer: a loop's end,
 * "&t[N].field", may lie past t, in a gap or in the next variable)?  Its
 * place need not lie in the variable it was computed from (targets.c).
 */
bool cdo_reloc_loose(const struct cdo *cdo, const struct reloc *rel);

/*
 * Of the functions and objects (of size 0 too) and named asm labels of @sec (the
 * places a loose reference may mean: cdo_loose_candidate()), the one
 * holding place @where, else the last starting at or before it, else the
 * first; NULL when @sec has none.  Their count in *@nr (unless NULL).
 * cdo_refuse_loose() refuses a loose reference to a section of several
 * unless they all keep their distances in the running kernel.
 */
struct symbol *cdo_loose_object(struct section *sec, int64_t where, size_t *nr);
size_t cdo_loose_count(struct section *sec);
bool cdo_loose_candidate(const struct symbol *s);

/*
 * After special_include(): an error for each loose reference of carried
 * code to a section whose objects do not all keep their distances in
 * the livepatch; 0 or -1 (refuse.c).
 */
int cdo_refuse_loose(struct cdo *cdo);

/*
 * The symbol (and offset inside it) a relocation points at, seeing through
 * section symbols: "foo+0x10" rather than ".text.foo+0xc".  @off is NULL
 * when the caller only needs the symbol.  Returns NULL for references into
 * anonymous data (string sections, .rodata without symbols).
 */
struct symbol *cdo_reloc_target(const struct cdo *cdo, const struct reloc *rel,
				int64_t *off);

#endif
