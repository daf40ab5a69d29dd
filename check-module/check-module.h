/*
 * check-module.h - what the files of check-module share.
 *
 * check-module checks a finished livepatch module against the objects it
 * was made from, without the differ's own reasoning: for each relocation
 * and klp relocation of the module it finds the same field in the patched
 * object (or the template object) the code or data came from, works out
 * what each side reaches (the module's klp symbols resolved in the target
 * as the kernel's livepatch core resolves them, sympos counted over the
 * kernel's kallsyms) and requires that both reach the same symbol at the
 * same offset.
 */
#ifndef CHECK_MODULE_H
#define CHECK_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../elf/kelf.h"

/* The running kernel's file a klp relocation resolves against. */
struct cm_target {
	const char *objname;		/* "vmlinux" or the module's name */
	const char *path;
	struct kelf *kelf;
};

/* An object the module was linked from. */
struct cm_source {
	const char *path;
	struct kelf *obj;		/* the patched object, or a template object */
	struct kelf *diff;		/* its diff object; NULL: a template object,
					 * linked into the module as it is */
	struct cm_target *target;	/* what it patches; NULL for a template */
	const char *file;		/* its STT_FILE name, or NULL */
};

/* Where a relocation leads: a symbol and an offset from it, or bytes. */
enum cm_where {
	CM_SYMBOL,			/* @sym of @src (module side: its origin) */
	CM_KERNEL,			/* the running kernel's @name: @tsym when
					 * resolved in the target, else exported */
	CM_BYTES,			/* anonymous: @sec+@secoff, no symbol */
};

struct cm_place {
	enum cm_where where;
	const char *name;		/* for messages */
	int64_t off;			/* from the symbol's start */
	struct cm_source *src;		/* CM_SYMBOL */
	struct symbol *sym;		/* CM_SYMBOL: the source's symbol; CM_KERNEL
					 * on the patched side: the patched
					 * object's symbol, when it defines it */
	struct cm_target *target;	/* CM_KERNEL through a klp symbol */
	struct symbol *tsym;		/* CM_KERNEL: the target's symbol, or NULL */
	unsigned long sympos;		/* CM_KERNEL through a klp symbol */
	struct section *sec;		/* CM_BYTES */
	int64_t secoff;
};

/* What sources.c found for a module symbol. */
struct cm_origin {
	bool looked_up;
	struct cm_source *src;		/* NULL: none */
	struct symbol *sym;
};

struct cm {
	const struct arch *arch;
	struct kelf *mod;
	struct cm_source *srcs;
	size_t nr_srcs;
	struct cm_target *targets;
	size_t nr_targets;
	struct cm_origin *origins;	/* by module symbol index */
	struct cm_source **file_src;	/* by module symbol index: the source of
					 * a local's file block, or NULL */
	struct reloc **mod_relocs;	/* every relocation of the module, klp
					 * ones included, by section and offset
					 * (code.c); NULL until first used */
	size_t nr_mod_relocs;
	bool kallsyms_all;		/* CONFIG_KALLSYMS_ALL */
	const char **built;		/* sections the module's build wrote (-b) */
	size_t nr_built_names;
	/* loose.c's memo: the candidates of the last section asked about, and
	 * whether the last one's objects keep their distances from a target
	 * symbol (section and distance from its object). */
	const struct section *loose_sec;
	size_t loose_nr;
	const struct section *moved_psec, *moved_tsec;
	int64_t moved_delta;
	bool moved_result;
	char moved_why[600];
	/* Tallies for the summary line. */
	size_t nr_relocs, nr_klp, nr_funcs, nr_template, nr_tables, nr_built, nr_uncompared;
	size_t nr_covered;
	size_t nr_errors;
};

/*
 * The symbol the kernel's livepatch core finds for @name at position
 * @sympos in @t (kallsyms.c).  NULL after an error line naming the
 * module's klp symbol @what.
 */
struct symbol *cm_kallsyms_find(struct cm *c, struct cm_target *t, const char *name,
				unsigned long sympos, const char *what);

/*
 * Is @tsym, the target's, the symbol @psym of @src stands for (a local of
 * the same source file, a global for a global, same type; data of the same
 * size)?  NULL, or why not (a static string).  @psym NULL: an undefined
 * symbol of @src, a global elsewhere.
 */
const char *cm_same_symbol(const struct cm_source *src, const struct symbol *psym,
			   const struct symbol *tsym);

/* Is @s a klp symbol (.klp.sym.OBJ.NAME,POS, SHN_LIVEPATCH)? */
bool cm_is_klp_symbol(const struct symbol *s);

/* Is @s a label standing for its section's place (compare.c): a section
 * symbol, an assembler-local label, an ARM mapping symbol? */
bool cm_is_label(const struct symbol *s);

/* The target of klp symbol .klp.sym.OBJ.NAME,POS as the livepatch core
 * finds it: 0, or -1 after an error line (*@tsym NULL). */
int cm_klp_target(struct cm *c, const struct symbol *s, struct cm_target **t,
		  struct symbol **tsym, unsigned long *sympos);

/* Is symbol @sym of @src carried into the module (its diff object defines it)? */
bool cm_carried(const struct cm_source *src, const struct symbol *sym);

/* Do the target's @t and a patched object's @p name the same symbol, but
 * for GCC's numbering of static locals (calls.3, calls.4)? */
bool cm_same_name(const char *t, const char *p);

/* Is section @name one of the arch's special sections (tables)? */
bool cm_special_table(const struct cm *c, const char *name);

/*
 * Does the instruction holding @pr, in function @psym of a source, read
 * or write the place its field gives (arch_insn's deref_off), or branch
 * there?  An adrp (page) only forms the page: it does, with
 * @follow_page, when every other relocation of @psym with the same
 * symbol and addend is in a load or store, and there is one (compare.c).
 */
bool cm_reads_or_writes(const struct cm *c, struct symbol *psym, const struct reloc *pr,
			bool follow_page);

/*
 * Module relocation @r of @msym (@at into it), @mvalue past its symbol,
 * against patched relocation @pr of code @psym in @src, @pvalue past its
 * symbol, when @pr is loose: its instruction adds a register to the place
 * (arch_insn's indexed: "b[i + 5]") or neither reads, writes nor branches
 * there (a loop's end past its table): true when it is one, after
 * checking it (loose.c); false to check it as any other.
 */
bool cm_check_loose(struct cm *c, const struct reloc *r, struct symbol *msym, uint64_t at,
		    int64_t mvalue, struct cm_source *src, struct symbol *psym,
		    const struct reloc *pr, int64_t pvalue);

/* Match the module's file blocks with the sources (sources.c). */
void cm_map_files(struct cm *c);

/*
 * The origin of module symbol @msym: the source and its symbol it was
 * carried or linked from, or false (sources.c).
 */
bool cm_origin(struct cm *c, struct symbol *msym, struct cm_source **src,
	       struct symbol **sym);

/* Is byte @off of @sec inside a field its .rela section relocates? */
bool cm_relocated(const struct cm *c, struct section *sec, uint64_t off);

/* Check every relocation of the module (compare.c); the error count. */
size_t cm_check_relocs(struct cm *c);

/*
 * What module relocation @r reaches, @value (its addend, plus the bytes
 * to the end of its instruction) past its symbol, into @pl: 0, or -1
 * after an error line (a klp symbol the target does not resolve).
 */
int cm_module_place(struct cm *c, const struct reloc *r, int64_t value, struct cm_place *pl);

/* What relocation @r of source @src reaches, @value past its symbol. */
void cm_source_place(struct cm_source *src, const struct reloc *r, int64_t value,
		     struct cm_place *pl);

/* NULL when @m (the module's) and @p (a source's) are the same place,
 * else why not (a string valid until the next call). */
const char *cm_same_place(struct cm *c, const struct cm_place *m, const struct cm_place *p);

/* cm_same_place(), @depth relocations deep into followed code (code.c). */
const char *cm_same_place_depth(struct cm *c, const struct cm_place *m,
				const struct cm_place *p, unsigned int depth);

/* What cm_same_code() returns for code it cannot follow. */
extern const char CM_CANNOT_FOLLOW[];

/*
 * Is the anonymous code at the module's place @m the code at the patched
 * object's place @p: the same instructions, with the same relocations
 * reaching the same places, wherever control can go from there (code.c)?
 * NULL, why not (valid until the next call), or CM_CANNOT_FOLLOW.
 */
const char *cm_same_code(struct cm *c, const struct cm_place *m, const struct cm_place *p,
			 unsigned int depth);

/* @pl in words, into @buf, as the module's (@module) or a source's. */
const char *cm_describe(char *buf, size_t size, const struct cm_place *pl, bool module);

/* Check the @n module relocations @relocs outside functions and objects:
 * table entries (tables.c). */
void cm_check_tables(struct cm *c, struct reloc **relocs, size_t n);

/* Every relocation of the sources' carried functions and objects has
 * one at the same place in the module (coverage.c). */
void cm_check_coverage(struct cm *c);

/* Check every entry of .livepatch.funcs (funcs.c); the error count. */
size_t cm_check_funcs(struct cm *c);

#endif
