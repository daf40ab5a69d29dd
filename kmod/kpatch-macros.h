/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h - kpatch's macros for patch authors, so that a patch
 * written for kpatch's kpatch-build builds here unchanged.  kpatch-build
 * puts this directory on the include path of every object it compiles; a
 * patch adds
 *
 *	#include "kpatch-macros.h"
 *
 * to a source file and then uses:
 *
 *  - callbacks for the object (vmlinux, or the module) this file is built
 *    into, run by the livepatch core; patch_object is struct klp_object:
 *
 *	KPATCH_PRE_PATCH_CALLBACK(fn)	int fn(patch_object *): before the
 *		object is patched; non-zero stops the patch (the livepatch
 *		fails to load, or the module it patches is refused)
 *	KPATCH_POST_PATCH_CALLBACK(fn)	void fn(patch_object *): after
 *	KPATCH_PRE_UNPATCH_CALLBACK(fn)	void: before the patch is removed
 *	KPATCH_POST_UNPATCH_CALLBACK(fn) void: after it is removed
 *
 *    They are livepatch-api.h's callbacks under kpatch's names.
 *
 *  - directions to create-diff-object, which reads them from marker
 *    sections (.kpatch.*) of the patched object; the markers never reach
 *    the livepatch module:
 *
 *	KPATCH_IGNORE_FUNCTION(fn)	fn is treated as unchanged, even if it
 *		changed (e.g. only a line number it embeds moved); reported
 *		as "ignored function: fn"
 *	KPATCH_IGNORE_SECTION("name")	the section's contents are neither
 *		compared nor carried; reported as "ignored section: name"
 *	KPATCH_FORCE_UNSAFE(fn)		fn is patched even where some safety
 *		rules would refuse it; each rule overridden is a warning.
 *		See doc/patch-author-guide.md for which rules yield.
 *
 *  - KPATCH_PRINTK(fmt, ...): printk with a "livepatch: " prefix (after
 *    the KERN_ level, if any), through a function that is not __cold, so
 *    that GCC does not move the code around the call out of line;
 *    KPATCH_PRINTK_DEFERRED(fmt, ...) the same through printk_deferred.
 *
 *  - KPATCH_STATIC_CALL(name)(args): a static call made as an ordinary
 *    indirect call through the key's current function (a module's
 *    static_call(name) in carried code goes through its trampoline
 *    otherwise).  The key must not hold NULL (static_call_cond).
 *
 *  - KPATCH_SYSCALL_DEFINE1..6: see kpatch-syscall.h.
 */
#ifndef KPATCH_MACROS_H
#define KPATCH_MACROS_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/static_call_types.h>

#include "livepatch-api.h"
#include "kpatch-syscall.h"

typedef struct klp_object patch_object;

/* Each ends with its own ';', so that it may be used with or without one. */
#define KPATCH_PRE_PATCH_CALLBACK(fn)	LIVEPATCH_PRE_PATCH_CALLBACK(fn);
#define KPATCH_POST_PATCH_CALLBACK(fn)	LIVEPATCH_POST_PATCH_CALLBACK(fn);
#define KPATCH_PRE_UNPATCH_CALLBACK(fn)	LIVEPATCH_PRE_UNPATCH_CALLBACK(fn);
#define KPATCH_POST_UNPATCH_CALLBACK(fn) LIVEPATCH_POST_UNPATCH_CALLBACK(fn);

/*
 * The marker sections create-diff-object reads (create-diff-object/
 * author.c): an array of pointers each, to the function or to the
 * section's name.  The names are kpatch's.
 */
#define KPATCH_IGNORE_FUNCTION(fn)					\
	static void *__kpatch_ignore_func_##fn __used			\
	__section(".kpatch.ignore.functions") = (void *)(fn);

#define KPATCH_IGNORE_SECTION(name)					\
	static const char *__UNIQUE_ID(kpatch_ignore_section_) __used	\
	__section(".kpatch.ignore.sections") = (name);

#define KPATCH_FORCE_UNSAFE(fn)						\
	static void *__kpatch_force_func_##fn __used			\
	__section(".kpatch.force") = (void *)(fn);

/*
 * printk is __cold: GCC treats every path that calls it as unlikely and
 * may move the code around such a call to .text.unlikely or out of line,
 * changing functions the patch did not touch.  This helper is not cold.
 * The level, if @fmt has one, stays first: printk reads it from the
 * formatted text.
 */
static inline __printf(2, 3) void __kpatch_printk(bool deferred, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;
	int level = printk_get_level(fmt);

	va_start(args, fmt);
	vaf.fmt = printk_skip_level(fmt);
	vaf.va = &args;
	if (deferred && level)
		printk_deferred("%c%clivepatch: %pV", KERN_SOH_ASCII, level, &vaf);
	else if (deferred)
		printk_deferred("livepatch: %pV", &vaf);
	else if (level)
		printk("%c%clivepatch: %pV", KERN_SOH_ASCII, level, &vaf);
	else
		printk("livepatch: %pV", &vaf);
	va_end(args);
}

#define KPATCH_PRINTK(fmt, ...) __kpatch_printk(false, fmt, ##__VA_ARGS__)
#define KPATCH_PRINTK_DEFERRED(fmt, ...) __kpatch_printk(true, fmt, ##__VA_ARGS__)

/*
 * static_call(name) is a call to the trampoline that objtool records in
 * .static_call_sites with a reference to the key, which the kernel reads
 * when the livepatch module loads: before its klp relocations to a module
 * are written.  This reads the key's function when it runs.
 */
#define KPATCH_STATIC_CALL(name)					\
	((typeof(STATIC_CALL_TRAMP(name)) *)READ_ONCE(STATIC_CALL_KEY(name).func))

#endif
