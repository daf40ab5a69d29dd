// SPDX-License-Identifier: GPL-2.0
/*
 * livepatch-main.c - the fixed part of every livepatch module kpatch-build
 * writes.  The diff objects linked beside it carry the table of functions
 * to patch (.livepatch.funcs, see doc/diff-object-format.md) and the
 * callbacks patch authors declare with livepatch-api.h
 * (.livepatch.callbacks); livepatch.lds names the bounds of both.  At load
 * time this file turns them into one klp_patch with a klp_object per
 * patched object (vmlinux or a module) and hands it to the livepatch core.
 *
 * kpatch-build compiles it with LP_REPLACE (1: the patch replaces every
 * earlier one, a cumulative patch; 0: it stacks on them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "livepatch-api.h"
#include "livepatch-format.h"

#ifndef LP_REPLACE
#error "kpatch-build defines LP_REPLACE"
#endif

/* A pointer field of the tables (livepatch-format.h), relocated. */
static const char *lp_string(uint64_t field)
{
	return (const char *)(unsigned long)field;
}

extern const struct lp_func __lp_funcs_start[], __lp_funcs_end[];
extern const struct lp_callback __lp_callbacks_start[], __lp_callbacks_end[];

/*
 * Empty, allocated members of both tables, so that each output section
 * exists and is loaded even when no diff object fills it (a patch without
 * callbacks): otherwise ld makes an unallocated section for the bounds.
 */
static const struct lp_func lp_funcs_anchor[0]
	__used __section(LP_FUNCS_SECTION) __aligned(8);
static const struct lp_callback lp_callbacks_anchor[0]
	__used __section(".livepatch.callbacks") __aligned(8);

static struct klp_patch lp_patch;

/* The object names of the patch, each once, in first-seen order. */
static const char **lp_names;
static size_t lp_nr_names;

static void lp_add_name(const char *name)
{
	size_t i;

	for (i = 0; i < lp_nr_names; i++)
		if (!strcmp(lp_names[i], name))
			return;
	lp_names[lp_nr_names++] = name;
}

static size_t lp_name_index(const char *name)
{
	size_t i;

	for (i = 0; i < lp_nr_names; i++)
		if (!strcmp(lp_names[i], name))
			break;
	return i;
}

static void lp_set_callback(struct klp_object *obj, const struct lp_callback *cb)
{
	switch (cb->kind) {
	case LP_PRE_PATCH:
		obj->callbacks.pre_patch = cb->fn;
		break;
	case LP_POST_PATCH:
		obj->callbacks.post_patch = cb->fn;
		break;
	case LP_PRE_UNPATCH:
		obj->callbacks.pre_unpatch = cb->fn;
		break;
	case LP_POST_UNPATCH:
		obj->callbacks.post_unpatch = cb->fn;
		break;
	}
}

static void lp_free(void)
{
	struct klp_object *obj;

	if (lp_patch.objs)
		for (obj = lp_patch.objs; obj->funcs; obj++)
			kfree(obj->funcs);
	kfree(lp_patch.objs);
	kfree(lp_names);
	lp_patch.objs = NULL;
	lp_names = NULL;
}

/* Build lp_patch from the tables. */
static int lp_build(void)
{
	size_t nr_funcs = __lp_funcs_end - __lp_funcs_start;
	size_t nr_cbs = __lp_callbacks_end - __lp_callbacks_start;
	const struct lp_func *f;
	const struct lp_callback *cb;
	size_t *used;
	size_t i;

	lp_names = kcalloc(nr_funcs + nr_cbs + 1, sizeof(*lp_names), GFP_KERNEL);
	if (!lp_names)
		return -ENOMEM;
	for (f = __lp_funcs_start; f < __lp_funcs_end; f++)
		lp_add_name(lp_string(f->objname));
	for (cb = __lp_callbacks_start; cb < __lp_callbacks_end; cb++)
		lp_add_name(cb->objname);
	if (!lp_nr_names) {
		pr_err("the module patches no function\n");
		return -EINVAL;
	}

	/* One more object, all zero, ends the array. */
	lp_patch.objs = kcalloc(lp_nr_names + 1, sizeof(*lp_patch.objs), GFP_KERNEL);
	used = kcalloc(lp_nr_names, sizeof(*used), GFP_KERNEL);
	if (!lp_patch.objs || !used) {
		kfree(used);
		return -ENOMEM;
	}
	for (f = __lp_funcs_start; f < __lp_funcs_end; f++)
		used[lp_name_index(lp_string(f->objname))]++;
	for (i = 0; i < lp_nr_names; i++) {
		struct klp_object *obj = &lp_patch.objs[i];

		obj->name = strcmp(lp_names[i], "vmlinux") ? lp_names[i] : NULL;
		/* One more function, all zero, ends each array. */
		obj->funcs = kcalloc(used[i] + 1, sizeof(*obj->funcs), GFP_KERNEL);
		if (!obj->funcs) {
			kfree(used);
			return -ENOMEM;
		}
		used[i] = 0;
	}
	for (f = __lp_funcs_start; f < __lp_funcs_end; f++) {
		i = lp_name_index(lp_string(f->objname));
		lp_patch.objs[i].funcs[used[i]].old_name = lp_string(f->old_name);
		lp_patch.objs[i].funcs[used[i]].new_func = (void *)(unsigned long)f->new_func;
		lp_patch.objs[i].funcs[used[i]].old_sympos = f->sympos;
		used[i]++;
	}
	kfree(used);
	for (cb = __lp_callbacks_start; cb < __lp_callbacks_end; cb++)
		lp_set_callback(&lp_patch.objs[lp_name_index(cb->objname)], cb);

	lp_patch.mod = THIS_MODULE;
	lp_patch.replace = LP_REPLACE;
	return 0;
}

static int __init lp_init(void)
{
	int ret = lp_build();

	if (!ret)
		ret = klp_enable_patch(&lp_patch);
	if (ret)
		lp_free();
	return ret;
}

static void __exit lp_exit(void)
{
	lp_free();
}

module_init(lp_init);
module_exit(lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("livepatch written by kpatch-build");
