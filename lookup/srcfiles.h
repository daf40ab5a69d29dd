/*
 * srcfiles.h - the files each compile unit of a linked file was built
 * from, as its DWARF line table lists them.
 *
 * A compile unit's line table names, besides its own source file, every
 * header (and included C file) that contributed a line of code or a
 * declaration its debug info describes.  It does not name a header that
 * contributed only macros: GCC 12 at -g writes no file entry for one
 * (a header holding only `#define FOO 42`, included and used, is absent).
 * So the list is exact about what it names (the unit includes each file)
 * and may miss includes; kpatch-build asks the compiler about those
 * (kpatch-build/lib/headers.sh).
 *
 * Paths are given relative to the tree the kernel was built in: lexically
 * canonical ("a/./b/../c" is "a/c"), with the unit's DW_AT_comp_dir (the
 * object tree of an O= build) and @root (the source tree, when the build
 * recorded absolute paths) taken off the front.  Debian builds with
 * -fdebug-prefix-map and records "init/main.c" in the object tree
 * "debian/build/build_amd64_none_cloud-amd64", whose headers are
 * "debian/build/build_amd64_none_cloud-amd64/../../../include/linux/x.h":
 * "include/linux/x.h".  A path outside both (a compiler's own stddef.h)
 * stays absolute.
 */
#ifndef SRCFILES_H
#define SRCFILES_H

#include <stddef.h>

/*
 * Called once per (unit, file) pair, the unit's own file included; @cu
 * and @file are only valid during the call.
 */
typedef void srcfiles_fn(void *ctx, const char *cu, const char *file);

/*
 * Every compile unit of the ELF file @path (linked, or relocatable: a
 * module) with its files.  @root, when not NULL, is
 * the source tree's path in the build (taken off absolute paths).
 * Returns the number of compile units, or -1 with *@why saying why
 * (libdwfl's message, e.g. "No DWARF information found", or "no compile
 * unit in its DWARF"; static or libdwfl's strings).
 */
long srcfiles_each(const char *path, const char *root, srcfiles_fn *fn, void *ctx,
		   const char **why);

/*
 * @path made lexically canonical into @buf (of @size bytes): "." and
 * empty components dropped, ".." taking off the component before it
 * (kept at the front of a relative path).  Returns @buf, or NULL when it
 * does not fit.
 */
char *srcfiles_canon(const char *path, char *buf, size_t size);

#endif
