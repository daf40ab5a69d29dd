/*
 * lookup.h - resolve the symbols a livepatch references in the target:
 * vmlinux or the module being patched.
 *
 * A reference is resolved to one of:
 *	exported	the module loader links it (Module.symvers or __ksymtab)
 *	global		a unique global of the target, reached by a klp relocation
 *	local		a local of the target, reached by a klp relocation with
 *			its position among the target's symbols of that name
 *			(sympos, 1-based; 0 when the name is unique)
 * Positions count as the kernel does, among the symbols kallsyms lists
 * (lookup.c, count_sympos()): by address in vmlinux (kallsyms is sorted),
 * in symbol-table order in a module.
 * Locals are found inside the target's block of symbols for the source file
 * of the object being diffed (the STT_FILE symbol and the locals after it).
 * When several blocks carry the file's name (vmlinux links net/core/,
 * net/ipv4/ and net/ipv6/datagram.c), the object's block is, by the first
 * rule that decides:
 *	the only one holding every named local of the object;
 *	the one whose symbols the target's DWARF places in the compile unit
 *	of the object's path (Debian's -dbg vmlinux names each unit's path);
 *	the only one whose named locals are the object's, in its order;
 * else it is an error naming the candidates.  A line on stderr says which
 * rule placed it.
 * A numbered local (GCC's xstats.0, which another build may number
 * xstats.1) is the block's only local of that base and type when the object
 * has one too; the result names the target's symbol.
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include <stdbool.h>

#include "../elf/kelf.h"

struct lookup;

enum lookup_kind {
	LOOKUP_EXPORTED,
	LOOKUP_GLOBAL,
	LOOKUP_LOCAL,
};

struct lookup_result {
	enum lookup_kind kind;
	unsigned long sympos;
	struct symbol *sym;		/* the target's symbol (NULL if exported only) */
};

/*
 * Open the target's symbol table and the export list.  @symvers may be
 * NULL or an empty file.  Prints an error and returns NULL on failure.
 */
struct lookup *lookup_open(const char *target, const char *symvers);
void lookup_close(struct lookup *l);

/*
 * Did a lookup fail for want of knowing (a local of several in the
 * target that nothing tells apart), rather than for bad input?  The
 * differ then refuses.
 */
bool lookup_ambiguous(const struct lookup *l);

/*
 * The object name the kernel knows the target file @path by: "vmlinux" for
 * vmlinux*, "ext4" for .../ext4.ko(.xz), with '-' as '_' as the kernel names
 * modules.  Allocated.
 */
char *lookup_objname_of(const char *path);

/* Is @name exported by vmlinux or any module (Module.symvers, __ksymtab)? */
bool lookup_is_exported(const struct lookup *l, const char *name);

/*
 * The object whose locals lookup_symbol() resolves, and its path in the
 * kernel tree (net/ipv6/datagram.o; NULL when not known, and the DWARF
 * cannot tell its file from others of the same name): its file block is
 * chosen (lookup_select_file) when the first local is resolved, so an
 * object that needs none is never refused for being hard to place.
 */
void lookup_set_object(struct lookup *l, const struct kelf *obj, const char *tree_path);

/*
 * Choose the target's file block for object @obj (its STT_FILE symbol and
 * named locals), with the tree path of lookup_set_object() if any.
 * Returns 0, or prints why not and returns -1.  Only needed before
 * resolving locals.
 */
int lookup_select_file(struct lookup *l, const struct kelf *obj);

/*
 * Resolve @name, a local of @obj when @local, else a global.  Returns 0 and
 * fills @res, or prints an error naming the candidates and returns -1.
 */
int lookup_symbol(struct lookup *l, const char *name, bool local,
		  struct lookup_result *res);

#endif
