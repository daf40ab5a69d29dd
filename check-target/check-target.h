/*
 * check-target.h - what the files of check-target share.
 *
 * check-target compares functions of an original object (compiled by
 * kpatch-build from the user's source, config and compiler) with the same
 * functions in the target the livepatch replaces them in (vmlinux or a
 * module's .ko): a livepatch must replace the function that runs, so a
 * function whose bytes differ means the source, config or compiler is not
 * the target's.
 */
#ifndef CHECK_TARGET_H
#define CHECK_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../elf/kelf.h"
#include "../lookup/lookup.h"

/* Exit status, the contract with kpatch-build. */
#define CT_EXIT_SAME	0
#define CT_EXIT_ERROR	1
#define CT_EXIT_DIFFERS	2

/* What one function's check found. */
enum ct_verdict {
	CT_SAME,
	CT_DIFFERS,
	CT_NOT_FOUND,		/* no such function in the target */
	CT_ERROR,		/* bad input; an error line was printed */
};

struct ct_site;
struct ct_branch;

struct ct {
	const struct arch *arch;
	struct kelf *obj;		/* ORIG.o */
	struct lookup *lookup;		/* TARGET */
	const char *objname;		/* "vmlinux" or the module's name */
	unsigned char *mask;		/* scratch: one byte per function byte */
	size_t mask_alloc;
	int64_t *at;			/* scratch: where each instruction of the
					 * object's function starts in the
					 * target's, -1 inside an instruction */
	size_t at_alloc;
	struct ct_branch *fwd;		/* scratch: forward branches to check */
	size_t nr_fwd, fwd_alloc;
	struct ct_site *sites;		/* edits.c: the static branches objtool NOPs */
	size_t nr_sites;
	int sites_state;		/* 0 not read, 1 read, -1 malformed */
};

/*
 * Check function @f of c->obj against the target and print its line on
 * stdout ("same: NAME", "differs: NAME at +0xOFF (...)", "not found:
 * NAME"); errors go to stderr.  When @sympos is not NULL, the target's
 * position of the name must be *@sympos (what a diff object recorded).
 */
enum ct_verdict ct_check_function(struct ct *c, struct symbol *f,
				  const unsigned long *sympos);

/*
 * The target's symbol for @sym of c->obj, found as create-diff-object
 * finds it; NULL after an error line (lookup's).  Its lookup position in
 * *@sympos when not NULL.
 */
struct symbol *ct_find_in_target(struct ct *c, const struct symbol *sym,
				 unsigned long *sympos);

/*
 * At the instruction @oi at offset @i of function @f of the object and the
 * instruction @ti at offset @j of its counterpart @t in the target: does
 * the target hold, exactly, what the kernel's build makes of the object's
 * code there (arch.h, struct arch_target_check: a static branch objtool
 * NOPs, a relaxed tail call)?  Returns 1 and the bytes each side spans in
 * *@olen and *@tlen, 0 when not, -1 after an error line (edits.c).
 */
int ct_build_edit(struct ct *c, const struct symbol *f, const struct symbol *t,
		  uint64_t i, uint64_t j, const struct arch_insn *oi,
		  const struct arch_insn *ti, uint64_t *olen, uint64_t *tlen);
/*
 * Where the instructions there differ: are they alignment padding of
 * another length on each side?  1 and the lengths, or 0 (edits.c).
 */
int ct_padding(struct ct *c, const struct symbol *f, const struct symbol *t,
	       uint64_t i, uint64_t j, const struct arch_insn *oi,
	       const struct arch_insn *ti, uint64_t *olen, uint64_t *tlen);


#endif
