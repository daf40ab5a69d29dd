/*
 * arch.h - the one interface between generic code and an architecture.
 *
 * Each arch/<name>/ directory fills in one struct arch; generic code finds
 * it by the ELF e_machine of the file at hand, or by name from the command
 * line, and never names an architecture itself.  Per-arch facts are data:
 * relocation kinds and special-section layouts; instruction patterns are
 * added here as the tools that need them arrive (runtime constants).  Each
 * architecture also decodes its instructions (struct arch_insn), so that
 * whoever reads code knows each instruction's length and relocated fields
 * rather than guessing them.
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct arch_reloc {
	uint32_t type;
	const char *name;		/* "R_X86_64_PC32" */
	unsigned char width;		/* bytes written at the offset */
	bool pcrel;			/* value depends on where it is applied;
					 * where it points in code: arch_insn */
	bool loader;			/* the module loader applies it
					 * (arch/<arch>/kernel/module.c,
					 * apply_relocate_add()): a klp
					 * relocation may have this type */
};

struct special_section;

/*
 * One decoded instruction: its length and where its relocatable fields
 * are, as offsets from its first byte.  On x86_64 the displacement is
 * either a ModRM memory displacement or the rel8/rel32 of a relative
 * branch; a relocation in an instruction lands on one of the two fields.
 * On arm64 every instruction is one 4-byte word and a relocation patches
 * bits of that word: disp covers the word when it holds a PC-relative
 * field (branches, ADR/ADRP, load literal), imm when it holds an immediate
 * a relocation fills (ADD/LDR/STR :lo12:, MOVZ/MOVK); those fields count
 * from the instruction's start, so pcrel is false there.
 */
struct arch_insn {
	unsigned int len;		/* bytes of the instruction */
	int disp_off;			/* offset in the insn of its displacement or PC-relative field, -1: none */
	unsigned char disp_len;		/* its bytes */
	int imm_off;			/* offset of its immediate, -1: none */
	unsigned char imm_len;
	bool pcrel;			/* the field at disp_off is relative to the end of the instruction
					 * (x86 RIP-relative operand, relative call/jmp/jcc) */
	bool branch;			/* call or jump (direct or indirect) */
	bool stop;			/* control never goes on to the next instruction:
					 * an unconditional jump, a return, a breakpoint
					 * (x86's int3 after a return, MITIGATION_SLS) */
	bool nop;			/* does nothing: padding, or a static branch's NOP */
	/*
	 * The field (disp_off or imm_off) whose value is the whole address of
	 * memory the instruction reads or writes, nothing added: x86's
	 * RIP-relative or absolute memory operand without base or index
	 * register (not lea, nop, prefetch), arm64's load or store with a
	 * :lo12: offset (completing its adrp's page; not prfm).  -1: none.
	 * What such a field reaches lies inside an object, never one past
	 * its end ("&a[N]").
	 */
	int deref_off;
	bool page;			/* forms the 4 KiB page of an address that
					 * other instructions complete (arm64 adrp) */
	/*
	 * The displacement field (disp_off) is added to a register, a base or
	 * an index (x86's "movl b+20(,%rdi,4)" for b[i + 5]): the place it
	 * gives need not lie in the object the instruction reaches, which can
	 * be any object near it.
	 */
	bool indexed;
};

/*
 * Runtime constants (Linux 6.11+, asm/runtime-const.h): vmlinux code holds
 * a placeholder in an instruction's immediate, and runtime_const_init()
 * writes a variable's boot-time value there once.  Each site is a 32-bit
 * place-relative entry in a section named after the variable
 * ("runtime_ptr_USER_PTR_MAX"), a special section of the arch's table
 * (special-sections/special.h) pointing at one of these.  Module code reads
 * the variable instead and nothing patches it, so a function a livepatch
 * carries out of vmlinux must be made to read the variable too, or be
 * refused.
 */

/* A site, as offsets in the function holding it. */
struct arch_site {
	uint64_t start, len;		/* the instruction (on failure: the
					 * bytes examined, within the function) */
	uint64_t ref;			/* the field to relocate against the
					 * variable, after a rewrite */
	uint32_t ref_type;		/* its relocation type */
	int64_t ref_addend;		/* its addend, relative to the variable */
};

struct arch_runtime_const {
	const char *macro;		/* the kernel's "runtime_const_ptr()" */
	const char *placeholder;	/* what the carried copy would use */
	/*
	 * Rewrite the site an entry points at, offset @at of the @size bytes
	 * @code of a function, into code that reads the variable through one
	 * relocation described in @site.  Returns NULL, or what is wrong with
	 * the bytes there (a static string; @code is left alone and
	 * @site->start, ->len cover the bytes examined).  NULL when no rewrite
	 * is known: @why_not says why, the site is refused.
	 */
	const char *(*rewrite)(unsigned char *code, uint64_t size, uint64_t at,
			       struct arch_site *site);
	const char *why_not;
};

/*
 * What the kernel's own build does to a function's code that compiling it
 * as kpatch-build does (-ffunction-sections) does not, for check-target,
 * which accepts exactly these differences between an original object and
 * the target:
 *
 * - Static branches turned into NOPs: with CONFIG_HAVE_JUMP_LABEL_HACK
 *   (x86, asm/jump_label.h) GCC emits "jmp" at each
 *   static_branch_likely/unlikely() site and flags it in the jump table
 *   entry's key addend; objtool --hacks=jump_label writes a NOP of the same
 *   length over it, in vmlinux.o or the linked module when objtool runs
 *   after linking (IBT kernels), so the object holds the jump, the target
 *   the NOP (a decoded NOP of the jump's length).
 * - Relaxed tail calls: with -ffunction-sections a tail call to another
 *   function of the file is a long jump to another section, relocated; in
 *   the kernel's build, one .text per file, the assembler shortens it when
 *   the callee is within reach (bcmp() to memcmp()).
 * - Alignment padding inside a function, relative to its section, of
 *   another length where the function does not start its section.
 */
struct arch_target_check {
	const char *jump_table;		/* "__jump_table", or NULL */
	unsigned int entry_size;
	unsigned int code_offset;	/* place-relative reference to the site */
	unsigned int key_offset;	/* reference to the key */
	int64_t key_flag;		/* the key addend's bit marking the site */

	/* The long jump (opcode, then the relocated displacement to the end
	 * of the instruction) and its short form (opcode, then a signed
	 * displacement from the end); long_len 0: none. */
	unsigned char long_jump, long_len;
	unsigned char short_jump, short_len;
};

struct arch {
	const char *name;		/* as on our command lines: "x86_64" */
	const char *kernel_arch;	/* kbuild's ARCH=: "x86" */
	const char *cross_compile;	/* default CROSS_COMPILE on another host */
	const char *uname;		/* `uname -m` of a host of this arch: "aarch64" */
	/* The config options with which kbuild runs objtool on a linked
	 * module ("delayed" objtool), space-separated; NULL: none. */
	const char *module_objtool_configs;
	uint16_t machine;		/* EM_* */
	uint32_t abs64;			/* the 64-bit absolute relocation type */
	/* The table of ftrace call sites the livepatch core redirects
	 * through (x86_64's __patchable_function_entries is call padding). */
	const char *ftrace_sites;
	/* Every table of call sites the compiler writes (ftrace's and call
	 * padding), NULL-terminated: never compared (what the functions do
	 * does not depend on them), their entries kept with their function. */
	const char *const *call_site_tables;
	/* The module loader writes a relocation only over zeros
	 * (arch/x86/kernel/module.c, __write_relocate_add()). */
	bool reloc_needs_zero_place;
	const struct arch_reloc *relocs;	/* sorted by type */
	size_t nr_relocs;
	/* special-sections/special.h; ends with an entry without a name */
	const struct special_section *special;
	const struct arch_target_check *target_check;	/* or NULL */
	/* arch_decode(), for this architecture; NULL: none. */
	int (*decode)(const unsigned char *code, size_t avail, struct arch_insn *insn);
	/* The length of every instruction, when it is fixed (arm64: 4), so
	 * that the one holding a byte is found without decoding from the
	 * function's start; 0: variable (x86_64). */
	unsigned int insn_len;
};

/* Decode the instruction at @code (@avail bytes available). 0, or -1 when the bytes are no instruction
 * the decoder knows (never guess). */
int arch_decode(const struct arch *arch, const unsigned char *code, size_t avail, struct arch_insn *insn);
/* The instruction of the function @code (@size bytes, decoded from its start) that contains byte @off:
 * its start in *@start and decoded form; -1 when decoding fails or @off is not inside one. */
int arch_insn_at(const struct arch *arch, const unsigned char *code, size_t size, size_t off,
		 uint64_t *start, struct arch_insn *insn);
/*
 * Where the field of @insn, decoded at @code, lands counted from the
 * instruction's start, when it is PC-relative from the instruction's end
 * (insn->pcrel: x86's rel8/rel32 branches and RIP-relative operands):
 * true and *@dest; false otherwise (arm64's fields are left to their
 * relocations).
 */
bool arch_insn_dest(const unsigned char *code, const struct arch_insn *insn, int64_t *dest);

/* The architecture of ELF machine @machine, or NULL. */
const struct arch *arch_find_by_machine(uint16_t machine);

/* The architecture called @name (our name, kbuild's or uname -m's), or NULL. */
const struct arch *arch_find_by_name(const char *name);

/* What @arch knows of relocation @type, or NULL for an unknown type. */
const struct arch_reloc *arch_reloc(const struct arch *arch, uint32_t type);

/* "R_X86_64_PC32", or "type 0x2a" style text for unknown types. */
const char *arch_reloc_name(const struct arch *arch, uint32_t type);

/*
 * What kpatch-build needs of @arch, one "key=value" line each to @f: name,
 * kernel_arch (kbuild's ARCH=), cross_compile, uname, module_objtool_configs.
 */
void arch_print_info(const struct arch *arch, FILE *f);

/* Names of every supported architecture, space-separated, for messages. */
const char *arch_names(void);

extern const struct arch arch_x86_64;
extern const struct arch arch_arm64;

/* The runtime constants of each arch, named in its special-section table. */
extern const struct arch_runtime_const x86_64_runtime_ptr, x86_64_runtime_shift;
extern const struct arch_target_check x86_64_target_check;

/* The decoders (arch/<name>/decode.c), arch_decode() of each arch. */
int x86_64_decode(const unsigned char *code, size_t avail, struct arch_insn *insn);
int arm64_decode(const unsigned char *code, size_t avail, struct arch_insn *insn);

#endif
