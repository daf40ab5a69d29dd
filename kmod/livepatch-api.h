/* SPDX-License-Identifier: GPL-2.0 */
/*
 * livepatch-api.h - what a patch given to kpatch-build can use beyond
 * plain C.  kpatch-build puts this directory on the include path of every
 * object it compiles, so a patch may add
 *
 *	#include "livepatch-api.h"
 *
 * to a source file and then:
 *
 *  - declare callbacks the livepatch core runs for the object (vmlinux,
 *    or the module) this file is built into:
 *
 *	static int my_pre(struct klp_object *obj) { ...; return 0; }
 *	LIVEPATCH_PRE_PATCH_CALLBACK(my_pre);
 *
 *    LIVEPATCH_PRE_PATCH_CALLBACK(fn)	int fn(struct klp_object *): before
 *	the object is patched; non-zero stops the patch (the livepatch
 *	fails to load, or the module it patches is refused)
 *    LIVEPATCH_POST_PATCH_CALLBACK(fn)	void fn(struct klp_object *): after
 *    LIVEPATCH_PRE_UNPATCH_CALLBACK(fn)	void: before the patch is removed
 *    LIVEPATCH_POST_UNPATCH_CALLBACK(fn)	void: after it is removed
 *
 *    At most one of each kind per object.
 *
 *  - keep extra state beside existing structures with the kernel's shadow
 *    variables, klp_shadow_alloc/get/get_or_alloc/free/free_all from
 *    <linux/livepatch.h> (included here).
 */
#ifndef LIVEPATCH_API_H
#define LIVEPATCH_API_H

#include <linux/compiler.h>
#include <linux/livepatch.h>

enum lp_callback_kind {
	LP_PRE_PATCH = 1,
	LP_POST_PATCH,
	LP_PRE_UNPATCH,
	LP_POST_UNPATCH,
};

/* One entry of .livepatch.callbacks; livepatch-main.c reads them. */
struct lp_callback {
	unsigned long kind;
	void *fn;
	const char *objname;	/* "vmlinux" or the module's name */
};

#ifdef MODULE
#define LP_OBJNAME KBUILD_MODNAME
#else
#define LP_OBJNAME "vmlinux"
#endif

#define __LP_CALLBACK(kind, fn, type)					\
	static_assert(__builtin_types_compatible_p(typeof(&fn), type),	\
		      #fn " has the wrong type for " #kind);		\
	static const struct lp_callback __lp_callback_##fn		\
	__used __section(".livepatch.callbacks") __aligned(8) = {	\
		kind, (void *)fn, LP_OBJNAME				\
	}

#define LIVEPATCH_PRE_PATCH_CALLBACK(fn)				\
	__LP_CALLBACK(LP_PRE_PATCH, fn, int (*)(struct klp_object *))
#define LIVEPATCH_POST_PATCH_CALLBACK(fn)				\
	__LP_CALLBACK(LP_POST_PATCH, fn, void (*)(struct klp_object *))
#define LIVEPATCH_PRE_UNPATCH_CALLBACK(fn)				\
	__LP_CALLBACK(LP_PRE_UNPATCH, fn, void (*)(struct klp_object *))
#define LIVEPATCH_POST_UNPATCH_CALLBACK(fn)				\
	__LP_CALLBACK(LP_POST_UNPATCH, fn, void (*)(struct klp_object *))

#endif
