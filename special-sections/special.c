/*
 * special.c - keep the special-section entries of included functions
 * (see special.h).
 *
 * An entry is kept when one of its relocations reaches a function the
 * livepatch carries: the __ex_table entry of a uaccess in a changed
 * function, its __bug_table entry, its alternatives.  What a kept entry
 * references is included in turn (the replacement code in
 * .altinstr_replacement, the file name string of a bug entry, a static key
 * owned by new code), until nothing more is added.  The keys of jump
 * labels and static calls are checked on the way (check_key()).
 */
#include <stdlib.h>
#include <string.h>

#include "special.h"
#include "../create-diff-object/cdo.h"
#include "../util/util.h"

const struct special_section *special_find(const struct cdo *cdo, const char *name)
{
	const struct special_section *ss;

	for (ss = cdo->arch->special; ss && ss->name; ss++) {
		size_t len = strlen(ss->name);

		if (ss->name_is_prefix ? !strncmp(ss->name, name, len) && name[len]
				       : !strcmp(ss->name, name))
			return ss;
	}
	return NULL;
}

const struct special_section *special_descriptor_table(const struct cdo *cdo,
							const struct symbol *sym)
{
	const struct special_section *ss;

	if (!sym->sec)
		return NULL;
	ss = special_find(cdo, sym->sec->name);
	return ss && ss->descriptors ? ss : NULL;
}

/* Is @name the companion of a special section (.orc_unwind)? */
static bool is_companion(const struct cdo *cdo, const char *name)
{
	const struct special_section *ss;

	for (ss = cdo->arch->special; ss && ss->name; ss++)
		if (ss->companion && !strcmp(ss->companion, name))
			return true;
	return false;
}

/* What keep_entries() decided for an entry (sec_info ->kept). */
enum {
	ENTRY_UNDECIDED = 0,	/* not kept (yet) */
	ENTRY_KEPT = 1,
	ENTRY_DROPPED = 2,	/* decided: left out (a module's tracepoint) */
};

bool special_entry_kept(const struct section *sec, size_t index)
{
	const struct sec_info *si = sec_info(sec);

	return index < si->nr_kept && si->kept[index] == ENTRY_KEPT;
}

static bool reaches_included_function(const struct cdo *cdo, const struct reloc *rel)
{
	struct symbol *t = cdo->special->reloc_target(cdo, rel, NULL);

	return t && t->type == STT_FUNC && t->sec && sym_info(t)->include;
}

/* The function and offset entry @index of @sec points at, for messages. */
static struct symbol *entry_site(struct cdo *cdo, struct section *sec, size_t index,
				 int64_t *off)
{
	struct reloc **rels;
	size_t n, i;

	rels = kelf_relocs_in_range(sec, index * special_entry_size(sec),
				    (index + 1) * special_entry_size(sec), &n);
	for (i = 0; i < n; i++)
		if (reaches_included_function(cdo, rels[i]))
			return cdo->special->reloc_target(cdo, rels[i], off);
	return NULL;
}

/*
 * A key of the livepatch's own, never enabled, for module tracepoint
 * @name: a struct static_key_false as STATIC_KEY_FALSE_INIT makes it (all
 * zeros: enabled 0, entries JUMP_TYPE_FALSE), writable, as the kernel
 * links the module's jump entries into it.  Made in the patched object
 * as a new object, which output.c carries like any.
 */
static struct symbol *disabled_key(struct cdo *cdo, const char *name)
{
	static const unsigned char zeros[16];
	char *kname = xasprintf("__kpng_disabled.%s", name);
	struct symbol *k = kelf_find_symbol_by_name(cdo->patched, kname);
	struct section *sec;
	struct sym_info *si;

	if (!k) {
		char *sname = xasprintf(".data.%s", kname);

		sec = kelf_add_section(cdo->patched, sname, SHT_PROGBITS,
				       SHF_ALLOC | SHF_WRITE, 8, 0, zeros, sizeof(zeros));
		sec->priv = xcalloc(1, sizeof(struct sec_info));
		k = kelf_add_symbol(cdo->patched, kname, STB_LOCAL, STT_OBJECT, sec,
				    sec->index, 0, sizeof(zeros));
		si = xcalloc(1, sizeof(*si));
		si->status = NEW;
		si->include = true;
		k->priv = si;
		free(sname);
	}
	free(kname);
	return k;
}

/*
 * The key of kept entry @index of @sec (a jump label or static call
 * site).  The kernel reads the livepatch's tables in the module loader's
 * COMING notifiers (kernel/module/main.c, prepare_coming_module():
 * jump_label_add_module(), static_call_add_module()), after
 * apply_relocations() has written the klp relocations to vmlinux
 * (klp_apply_section_relocs() with no object name, since Linux 5.8) and
 * the ordinary ones, but before those to a module, written when the
 * livepatch is enabled or the module loads.  So a key the livepatch
 * carries, one that links plainly, and one of vmlinux reached through a
 * klp relocation are all in place when read; a key the patched module
 * owns is not.  Of those, a tracepoint's is replaced by a key of the
 * livepatch's own that is never enabled: the tracepoint stays off in the
 * patched code, with a warning; its static call (only reached when the
 * tracepoint is on) is dropped.  Another static call's entry is dropped,
 * with a warning: the call goes through the trampoline.  Another jump
 * label is refused.  Returns ENTRY_KEPT, ENTRY_DROPPED, or -1 after an
 * error.
 */
static int check_key(struct cdo *cdo, const struct special_section *ss,
		     struct section *sec, size_t index)
{
	unsigned int size = special_entry_size(sec);
	uint64_t at = index * size + ss->key_offset;
	struct reloc *rel = kelf_find_reloc_at(sec, at);
	const char *tp = ss->tracepoint_key;
	struct symbol *key, *func;
	int64_t off = 0, key_off = 0;
	bool is_tp;

	func = entry_site(cdo, sec, index, &off);
	if (!rel)
		return error("%s: %s entry %zu: no relocation for its key at +%#lx",
			     cdo->patched->path, sec->name, index, (unsigned long)at);
	key = cdo->special->reloc_target(cdo, rel, &key_off);
	if (key && (sym_info(key)->include || cdo->special->links_plainly(cdo, key) ||
		    !strcmp(cdo->objname, "vmlinux")))
		return ENTRY_KEPT;
	if (!key)
		return error("%s: %s+%#lx: %s entry %zu: its key at +%#lx is no symbol",
			     cdo->patched->path, func ? func->name : "?", (unsigned long)off,
			     sec->name, index, (unsigned long)at);
	is_tp = tp && !strncmp(key->name, tp, strlen(tp)) && key->name[strlen(tp)];
	/* The static call of a tracepoint left off: never reached. */
	if (is_tp && ss->static_call)
		return ENTRY_DROPPED;
	/*
	 * Any other static call of the module's: without its entry the call
	 * stays a call of the trampoline (a klp relocation to the module),
	 * which static_call_update() keeps pointing at the key's function
	 * (or returning, for NULL) as it does the sites it patches.
	 */
	if (ss->static_call) {
		warn("%s: %s+%#lx: static call %s of module %s goes through its trampoline in the patched function: the kernel sets up the livepatch's static calls when it loads, before its klp relocations to %s are written",
		     cdo->patched->path, func ? func->name : "?", (unsigned long)off,
		     key->name, cdo->objname, cdo->objname);
		return ENTRY_DROPPED;
	}
	if (is_tp) {
		/* static_branch_unlikely() of the static_key_false in struct
		 * tracepoint: bit 0 of the addend is the branch, 0. */
		if ((key_off & ~3) != ss->tracepoint_key_at)
			return error("%s: %s+%#lx: %s entry for tracepoint %s of module %s reaches %s+%#lx, not the key of the tracepoint (+%#x): the differ cannot tell what it tests; leave the tracepoint out of the patched function",
				     cdo->patched->path, func ? func->name : "?",
				     (unsigned long)off, sec->name, key->name + strlen(tp),
				     cdo->objname, key->name, (unsigned long)key_off,
				     ss->tracepoint_key_at);
		if (key_off & 1)
			return error("%s: %s+%#lx: %s entry for tracepoint %s of module %s tests it as likely: the differ leaves only unlikely tracepoint branches off; leave the tracepoint out of the patched function",
				     cdo->patched->path, func ? func->name : "?",
				     (unsigned long)off, sec->name,
				     key->name + strlen(tp), cdo->objname);
		warn("%s: %s+%#lx: tracepoint %s of module %s left off in the patched function: the kernel sets up the livepatch's jump labels when it loads, before its klp relocations to %s are written, so the site tests a key of the livepatch's own, never enabled, instead of the module's",
		     cdo->patched->path, func ? func->name : "?", (unsigned long)off,
		     key->name + strlen(tp), cdo->objname, cdo->objname);
		kelf_reloc_retarget(rel, disabled_key(cdo, key->name), key_off & 3);
		return ENTRY_KEPT;
	}
	return error("%s: %s+%#lx: %s entry uses key %s of module %s: the kernel sets up the livepatch's %s entries when it loads, before its klp relocations to %s are written; test the key without a jump label (static_key_enabled())",
		     cdo->patched->path, func ? func->name : "?", (unsigned long)off,
		     sec->name, key->name, cdo->objname, sec->name, cdo->objname);
}

/*
 * The replacement code a kept alternative points at must lie in a function
 * (arm64: its tail, see create-diff-object/tail.c) or in a section of
 * anonymous code (x86_64's .altinstr_replacement).  arm64 puts the
 * replacements of every function of a shared section (.sched.text) at its
 * end, mixed: they cannot be carried with their function.  0, or -1 after
 * an error.
 */
/* The section and offset (*@at) the replacement of entry @index of @sec
 * starts at, as its relocation says; NULL when it has none. */
static struct section *replacement_of(const struct special_section *ss, struct section *sec,
				      size_t index, int64_t *at)
{
	struct reloc *rel = kelf_find_reloc_at(sec, index * special_entry_size(sec) +
						ss->repl_offset);

	if (!rel || !rel->sym || !rel->sym->sec)
		return NULL;
	*at = (rel->sym->type == STT_SECTION ? 0 : (int64_t)rel->sym->offset) + rel->addend;
	return rel->sym->sec;
}

static int check_replacement(const struct cdo *cdo, const struct special_section *ss,
			     struct section *sec, size_t index, const struct reloc *site)
{
	int64_t off = 0, at = 0;
	struct symbol *f = cdo->special->reloc_target(cdo, site, &off);
	struct section *to = replacement_of(ss, sec, index, &at);

	if (!to || !is_text_section(to))
		return 0;
	if (at < 0 || (uint64_t)at >= to->size ||
	    kelf_find_symbol_containing(to, at) || cdo->special->tail_owner(to, NULL))
		return 0;
	if (!to->nr_by_offset)
		return 0;	/* anonymous code: .altinstr_replacement */
	return error("%s: %s: %s entry at %s+%#lx: its replacement code at %s+%#lx lies after the functions of %s, which holds several: the differ carries such code only from a section of one function; leave the functions of %s that have alternatives unchanged",
		     cdo->patched->path, f->name, sec->name, f->name, (unsigned long)off,
		     to->name, (unsigned long)at, to->name, to->name);
}

/*
 * The module loader applies the livepatch's alternatives when it loads it
 * (module_finalize(): each replacement copied over its site), after
 * apply_relocations() has written its klp relocations to vmlinux (since
 * Linux 5.8) but before those to a patched module, written when the
 * module is there: a replacement of kept entry @index that refers to the
 * module's own symbols would be copied unrelocated.  Refused.  0, or -1
 * after an error.
 */
static int check_replacement_refs(const struct cdo *cdo, const struct special_section *ss,
				  struct section *sec, size_t index, const struct reloc *site)
{
	unsigned int size = special_entry_size(sec);
	int64_t at = 0, off = 0;
	struct section *to = replacement_of(ss, sec, index, &at);
	struct reloc **rs;
	size_t n, i, len;
	struct symbol *f;

	if (!strcmp(cdo->objname, "vmlinux") || !to || !sec->data ||
	    index * size + ss->repl_len_offset >= sec->size)
		return 0;
	len = sec->data[index * size + ss->repl_len_offset];
	if (at < 0 || (uint64_t)at > to->size || len > to->size - (uint64_t)at)
		return 0;
	rs = kelf_relocs_in_range(to, (uint64_t)at, (uint64_t)at + len, &n);
	for (i = 0; i < n; i++) {
		struct symbol *t = cdo->special->reloc_target(cdo, rs[i], NULL);

		if (!t || sym_info(t)->include || cdo->special->links_plainly(cdo, t))
			continue;
		f = cdo->special->reloc_target(cdo, site, &off);
		return error("%s: %s: %s entry at %s+%#lx: its replacement code at %s+%#lx refers to %s of %s, which the livepatch reaches by a klp relocation: the kernel applies the livepatch's alternatives when it loads, before its klp relocations to %s are written, and would copy the replacement unrelocated; leave %s out of the alternative's replacement",
			     cdo->patched->path, f ? f->name : "?", sec->name, f ? f->name : "?",
			     (unsigned long)off, to->name, (unsigned long)rs[i]->offset, t->name,
			     cdo->objname, cdo->objname, t->name);
	}
	return 0;
}

/* Mark the kept entries of @sec; returns how many were newly kept, or -1
 * after an error for each entry refused. */
static long keep_entries(struct cdo *cdo, const struct special_section *ss,
			 struct section *sec)
{
	struct sec_info *si = sec_info(sec);
	const struct special_layout *l = special_layout(cdo, cdo->patched, sec, ss);
	size_t n, i, j, nrels;
	long added = 0;
	bool refused = false;
	int fate;

	if (!l)
		return -1;
	n = sec->size / l->size;
	if (!si->kept) {
		si->kept = xcalloc(n ? n : 1, 1);
		si->nr_kept = n;
	}
	for (i = 0; i < n; i++) {
		struct reloc **rels;

		if (si->kept[i])
			continue;
		rels = kelf_relocs_in_range(sec, i * l->size, (i + 1) * l->size, &nrels);
		for (j = 0; j < nrels; j++)
			if (reaches_included_function(cdo, rels[j]))
				break;
		if (j == nrels)
			continue;
		fate = ss->has_key ? check_key(cdo, ss, sec, i) : ENTRY_KEPT;
		if (fate < 0) {
			refused = true;	/* and go on: every site is reported */
			fate = ENTRY_DROPPED;
		}
		si->kept[i] = fate;
		if (fate == ENTRY_DROPPED)
			continue;
		added++;
		if (ss->has_repl && (check_replacement(cdo, ss, sec, i, rels[j]) ||
				     check_replacement_refs(cdo, ss, sec, i, rels[j])))
			return -1;
		for (j = 0; j < nrels; j++)
			cdo->special->include_reloc_target(cdo, rels[j]);
	}
	return refused ? -1 : added;
}

/*
 * A section that is neither special, nor ignored, nor carried, whose
 * entries (not data objects) point at an included function is a table the
 * differ does not know: refuse rather than drop it.
 */
static int check_unknown_sections(struct cdo *cdo)
{
	struct section *sec;
	int ret = 0;

	for_each_section(cdo->patched, sec) {
		struct reloc *rel;

		if (!sec->rela || is_rela_section(sec) || is_text_section(sec) ||
		    !(sec->sh.sh_flags & SHF_ALLOC) || sec_info(sec)->include ||
		    cdo->special->is_ignored_section(sec) || special_find(cdo, sec->name) ||
		    is_companion(cdo, sec->name))
			continue;
		for_each_reloc(sec->rela, rel) {
			struct symbol *holder, *t;

			if (!reaches_included_function(cdo, rel))
				continue;
			holder = kelf_find_symbol_containing(sec, rel->offset);
			if (holder && holder->type == STT_OBJECT)
				continue;	/* a data object pointing at code */
			t = cdo->special->reloc_target(cdo, rel, NULL);
			ret = error("%s: %s+%#lx: unknown special section %s refers to %s, which the livepatch replaces; the differ cannot tell what the kernel does with it",
				    cdo->patched->path, sec->name,
				    (unsigned long)rel->offset, sec->name, t->name);
			break;
		}
	}
	return ret;
}

/* The class of descriptor @d (whole, of the layout's size), or -1. */
static long descriptor_class(const struct special_section *ss, const struct symbol *d)
{
	const unsigned char *b;
	unsigned long class = 0;
	unsigned int i;

	if (!ss->class_bits || ss->class_bit + ss->class_bits > 8 * d->size ||
	    d->sec->sh.sh_type == SHT_NOBITS || !d->sec->data ||
	    d->offset + d->size > d->sec->size)
		return -1;
	b = (const unsigned char *)d->sec->data + d->offset;
	for (i = 0; i < ss->class_bits; i++) {
		unsigned int bit = ss->class_bit + i;

		class |= (unsigned long)((b[bit / 8] >> (bit % 8)) & 1) << i;
	}
	return (long)class;
}

/*
 * The first place in carried code (by section, then offset) that points
 * at descriptor @d, into *@func and *@off; false when there is none.
 */
static bool descriptor_site(const struct cdo *cdo, struct symbol *d,
			    struct symbol **func, uint64_t *off)
{
	struct symbol *via[2] = { d, d->sec->secsym };
	const struct reloc *r, *best = NULL;
	size_t i;

	for (i = 0; i < 2; i++)
		for (r = via[i] ? via[i]->refs : NULL; r; r = r->next_ref) {
			struct symbol *f;

			if (!r->sec || !r->sec->base ||
			    !(r->sec->base->sh.sh_flags & SHF_EXECINSTR) ||
			    (via[i] != d && cdo->special->reloc_target(cdo, r, NULL) != d))
				continue;
			f = kelf_find_symbol_containing(r->sec->base, r->offset);
			if (!f || f->type != STT_FUNC || !sym_info(f)->include)
				continue;
			if (!best || r->sec->base->index < best->sec->base->index ||
			    (r->sec->base == best->sec->base && r->offset < best->offset)) {
				best = r;
				*func = f;
			}
		}
	if (best)
		*off = best->offset - (*func)->offset;
	return best;
}

/*
 * A descriptor with a class of its own (DECLARE_DYNDBG_CLASSMAP, as
 * drm_dbg() makes them with CONFIG_DRM_USE_DYNAMIC_DEBUG) answers only the
 * queries naming its class, and the kernel attaches a module's class maps
 * to its descriptors by the module's name (ddebug_attach_module_classes()
 * in lib/dynamic_debug.c, Linux 6.12): the livepatch's copy would be in
 * a table of the livepatch's name, with no map, so neither the class's
 * controls (drm.debug, "class NAME +p") nor any other query would reach
 * it, and its messages would be lost for good.  Refused, naming the site.
 */
static int check_descriptor_class(struct cdo *cdo, const struct special_section *ss,
				  struct symbol *d)
{
	long class = descriptor_class(ss, d);
	struct symbol *f;
	uint64_t off;

	if (class < 0 || class == (1L << ss->class_bits) - 1)
		return 0;
	if (descriptor_site(cdo, d, &f, &off))
		return error("%s: %s+%#lx: dynamic debug descriptor %s has class %ld (DECLARE_DYNDBG_CLASSMAP): the kernel attaches class maps to descriptors by their module's name, so the livepatch's own copy would answer neither its class's controls nor any other query, and its messages would be lost; cannot be livepatched: leave that function out of the patch, or make its message a plain pr_debug()",
			     cdo->patched->path, f->name, (unsigned long)off, d->name, class);
	return error("%s: %s: dynamic debug descriptor has class %ld (DECLARE_DYNDBG_CLASSMAP): the kernel attaches class maps to descriptors by their module's name, so the livepatch's own copy would answer neither its class's controls nor any other query; cannot be livepatched",
		     cdo->patched->path, d->name, class);
}

/*
 * The kernel reads a descriptor table as an array (section_objs() in
 * kernel/module/main.c): each descriptor carried must be one whole entry
 * of the layout the arch table gives, in a section whose alignment keeps
 * the copies, one section each, back to back when ld links them.  And
 * one with a class is refused (check_descriptor_class()).
 */
static int check_descriptors(struct cdo *cdo)
{
	const struct special_section *ss;
	struct symbol *d;
	int ret = 0;

	for_each_symbol(cdo->patched, d) {
		uint64_t align;

		if (d->type != STT_OBJECT || !sym_info(d)->include ||
		    !(ss = special_descriptor_table(cdo, d)))
			continue;
		align = d->sec->sh.sh_addralign;
		if (d->size != ss->layouts[0].size || d->offset % ss->layouts[0].size ||
		    (align > 1 && ss->layouts[0].size % align))
			ret = error("%s: %s: %s descriptor of %lu bytes at +%#lx, section alignment %lu: the differ knows this kernel's descriptors as %u-byte entries, back to back",
				    cdo->patched->path, d->name, d->sec->name,
				    (unsigned long)d->size, (unsigned long)d->offset,
				    (unsigned long)align, ss->layouts[0].size);
		else if (check_descriptor_class(cdo, ss, d))
			ret = -1;
	}
	return ret;
}

int special_include(struct cdo *cdo)
{
	struct section *sec;
	long added;
	int ret = 0;

	/* Kept entries can include new code, whose entries are kept in turn. */
	do {
		added = 0;
		for_each_section(cdo->patched, sec) {
			const struct special_section *ss = special_find(cdo, sec->name);
			long n;

			if (!ss || ss->descriptors)
				continue;	/* descriptors: include.c */
			n = keep_entries(cdo, ss, sec);
			if (n < 0)
				ret = -1;	/* the other tables are still checked */
			else
				added += n;
		}
	} while (added && !ret);
	if (ret)
		return -1;
	/* Every site is checked, so that every refusal is reported. */
	for_each_section(cdo->patched, sec) {
		const struct special_section *ss = special_find(cdo, sec->name);

		if (ss && ss->runtime_const &&
		    special_rewrite_runtime_consts(cdo, ss, sec))
			ret = -1;
	}
	if (check_unknown_sections(cdo) || check_descriptors(cdo))
		ret = -1;
	return ret;
}
