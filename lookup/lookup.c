/*
 * lookup.c - symbol resolution against the target (see lookup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "lookup.h"
#include "../util/util.h"

struct export {
	struct hnode node;
	char *name;
};

struct file_block {
	const struct symbol *file;	/* the STT_FILE symbol; NULL: all */
	size_t start, end;		/* symbol indexes of its locals */
};

/* The file name a block stands for, for messages. */
static const char *block_name(const struct file_block *b)
{
	return b->file ? b->file->name : "the target (it has no file symbols)";
}

struct lookup {
	struct kelf *target;
	struct hashtab exports;
	struct export **export_list;
	size_t nr_exports, alloc_exports;
	struct file_block *blocks;
	size_t nr_blocks;
	struct file_block whole;	/* a target without STT_FILE symbols */
	const struct file_block *selected;
	const struct kelf *obj;		/* lookup_set_object(): placed lazily */
	char *tree_path;		/* its path in the kernel tree, or NULL */
	bool select_failed;
	bool ambiguous;			/* a lookup failed for want of knowing */
	struct cu_index *cus;		/* the target's DWARF, when read */
	const char *cus_why;		/* why not, when read and NULL */
	bool cus_read;
};

static void add_export(struct lookup *l, const char *name)
{
	struct export *e;

	if (lookup_is_exported(l, name))
		return;
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	hash_add(&l->exports, &e->node, hash_str(e->name));
	ALLOC_GROW(l->export_list, l->nr_exports + 1, l->alloc_exports);
	l->export_list[l->nr_exports++] = e;
}

bool lookup_is_exported(const struct lookup *l, const char *name)
{
	struct hnode *n;

	hash_for_each_match(&l->exports, n, hash_str(name))
		if (!strcmp(container_of(n, struct export, node)->name, name))
			return true;
	return false;
}

/* Module.symvers: "CRC<TAB>NAME<TAB>MODULE<TAB>EXPORT_TYPE[<TAB>NAMESPACE]". */
static int read_symvers(struct lookup *l, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *crc, *name, *module, *save = NULL;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		crc = strtok_r(line, "\t", &save);
		name = strtok_r(NULL, "\t", &save);
		module = strtok_r(NULL, "\t", &save);
		if (!crc || !name || !module || strncmp(crc, "0x", 2)) {
			ret = error("%s:%zu: not a Module.symvers line (expected CRC, name, module and export type separated by tabs)",
				    path, lineno);
			break;
		}
		add_export(l, name);
	}
	free(line);
	fclose(f);
	return ret;
}

static void index_target(struct lookup *l)
{
	static const char ksymtab[] = "__ksymtab_";
	struct kelf *t = l->target;
	struct file_block *cur = NULL;
	size_t alloc = 0, i;

	for (i = 1; i < t->nr_symbols; i++) {
		const struct symbol *sym = t->symbols[i];

		if (!strncmp(sym->name, ksymtab, sizeof(ksymtab) - 1) &&
		    sym->name[sizeof(ksymtab) - 1])
			add_export(l, sym->name + sizeof(ksymtab) - 1);
		if (sym->type == STT_FILE) {
			ALLOC_GROW(l->blocks, l->nr_blocks + 1, alloc);
			cur = &l->blocks[l->nr_blocks++];
			cur->file = sym;
			cur->start = cur->end = i + 1;
		} else if (cur && sym->bind == STB_LOCAL && cur->end == i) {
			cur->end = i + 1;
		}
	}
}

struct lookup *lookup_open(const char *target, const char *symvers)
{
	struct lookup *l = xcalloc(1, sizeof(*l));

	hash_init(&l->exports, 4096);
	l->target = kelf_open(target);
	if (!l->target) {
		lookup_close(l);
		return NULL;
	}
	if (!l->target->symtab) {
		error("%s: no symbol table: the target must not be stripped", target);
		lookup_close(l);
		return NULL;
	}
	if (symvers && read_symvers(l, symvers)) {
		lookup_close(l);
		return NULL;
	}
	index_target(l);
	return l;
}

void lookup_close(struct lookup *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr_exports; i++) {
		free(l->export_list[i]->name);
		free(l->export_list[i]);
	}
	free(l->export_list);
	hash_free(&l->exports);
	free(l->blocks);
	free(l->tree_path);
	cu_index_free(l->cus);
	kelf_close(l->target);
	free(l);
}

static bool in_block(const struct file_block *b, const struct symbol *sym)
{
	return sym->index >= b->start && sym->index < b->end;
}

/* Does block @b hold a local named @name? */
static bool block_has(const struct lookup *l, const struct file_block *b,
		      const char *name)
{
	struct symbol *s;

	for (s = kelf_find_symbol_by_name(l->target, name); s;
	     s = kelf_next_symbol_same_name(s))
		if (in_block(b, s))
			return true;
	return false;
}

/*
 * A local of the object that the linked target must have under the same
 * name: a function or object, not numbered by GCC, in a section the
 * kernel's link keeps (.discard.* is dropped: __UNIQUE_ID___addressable_*
 * of initcalls live there; so is what is not allocated, e.g. .modinfo;
 * and vmlinux drops .exitcall.exit, the __exitcall_serio_exit pointers of
 * module_exit() in built-in code: vmlinux.lds.h's EXIT_CALL).
 */
static bool is_stable_local(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL && sym->sec &&
	       (sym->type == STT_FUNC || sym->type == STT_OBJECT) &&
	       !strchr(sym->name, '.') &&
	       (sym->sec->sh.sh_flags & SHF_ALLOC) &&
	       strncmp(sym->sec->name, ".discard", 8) &&
	       strcmp(sym->sec->name, ".modinfo") &&
	       strcmp(sym->sec->name, ".exitcall.exit");
}

/*
 * Is the run of @t's stable locals from index @start the sequence @seq of
 * @n names?  Sets *@end past its last symbol.
 */
static bool run_matches(const struct kelf *t, size_t start, const char **seq,
			size_t n, size_t *end)
{
	size_t i, k = 0;

	for (i = start; i < t->nr_symbols && k < n; i++) {
		const struct symbol *s = t->symbols[i];

		if (s->bind != STB_LOCAL)
			return false;
		if (!is_stable_local(s))
			continue;
		if (strcmp(s->name, seq[k++]))
			return false;
	}
	*end = i;
	return k == n;
}

/*
 * Is @sym a local of the object that the link keeps, and not a stable one
 * (a numbered static local, xstats.0, a string label)?
 */
static bool is_unstable_local(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL && sym->sec &&
	       sym->type != STT_SECTION && sym->type != STT_FILE &&
	       !is_stable_local(sym) && (sym->sec->sh.sh_flags & SHF_ALLOC) &&
	       strncmp(sym->sec->name, ".discard", 8) &&
	       strcmp(sym->sec->name, ".modinfo") &&
	       strcmp(sym->sec->name, ".exitcall.exit");
}

/*
 * The run of a stripped target's stable locals [start, end) that is the
 * object's holds the locals between them; the object's other locals (GCC
 * writes its numbered static locals after its functions: xstats.0 after
 * xfs_stats.c's last function) lie next to it, up to the neighbouring
 * object's stable locals.  Extend @b over them, on each side where the
 * object has such locals: where it has none, the neighbour's are not
 * taken in.
 */
static void extend_run(const struct lookup *l, const struct kelf *obj, struct file_block *b)
{
	const struct kelf *t = l->target;
	bool before = false, after = false, seen_stable = false;
	const struct symbol *sym;

	for_each_symbol(obj, sym) {
		if (is_stable_local(sym)) {
			seen_stable = true;
			after = false;
		} else if (is_unstable_local(sym)) {
			if (seen_stable)
				after = true;
			else
				before = true;
		}
	}
	while (before && b->start > 1 && t->symbols[b->start - 1]->bind == STB_LOCAL &&
	       !is_stable_local(t->symbols[b->start - 1]) &&
	       t->symbols[b->start - 1]->type != STT_FILE)
		b->start--;
	while (after && b->end < t->nr_symbols && t->symbols[b->end]->bind == STB_LOCAL &&
	       !is_stable_local(t->symbols[b->end]) && t->symbols[b->end]->type != STT_FILE)
		b->end++;
}

/*
 * A module stripped of its file symbols (Debian strips its .ko files with
 * strip -g): the linker kept each object's locals together and in order,
 * so this object's block is the one run of the target's locals that is
 * the sequence of its own.  Without one (no local, or the sequence found
 * twice or not at all) the whole symbol table is the block: a local name
 * it holds once resolves, one it holds twice is refused by name.
 */
static int select_stripped(struct lookup *l, const struct kelf *obj,
			   const char *fname)
{
	const struct symbol *sym;
	const char **seq = NULL;
	size_t n = 0, alloc = 0, end = 0, found = 0, found_end = 0, nr_found = 0;
	struct symbol *s;

	for_each_symbol(obj, sym)
		if (is_stable_local(sym)) {
			ALLOC_GROW(seq, n + 1, alloc);
			seq[n++] = sym->name;
		}
	if (n)
		for (s = kelf_find_symbol_by_name(l->target, seq[0]); s;
		     s = kelf_next_symbol_same_name(s))
			if (s->bind == STB_LOCAL && run_matches(l->target, s->index, seq, n, &end)) {
				found = s->index;
				found_end = end;
				nr_found++;
			}
	l->whole.file = NULL;
	if (nr_found == 1) {
		l->whole.start = found;
		l->whole.end = found_end;
		extend_run(l, obj, &l->whole);
	} else {
		l->whole.start = 1;
		l->whole.end = l->target->nr_symbols;
	}
	for_each_symbol(obj, sym)
		if (is_stable_local(sym) && !block_has(l, &l->whole, sym->name)) {
			free(seq);
			return error("%s: the target %s has no file symbols, and not the local symbol %s of this object: it is not built from %s",
				     obj->path, l->target->path, sym->name, fname);
		}
	free(seq);
	l->selected = &l->whole;
	return 0;
}

void lookup_set_object(struct lookup *l, const struct kelf *obj, const char *tree_path)
{
	l->obj = obj;
	free(l->tree_path);
	l->tree_path = tree_path ? xstrdup(tree_path) : NULL;
}

/*
 * The source path of @obj in the kernel tree: the directory of its tree
 * path (net/ipv6/datagram.o) with the name of its STT_FILE symbol
 * (datagram.c), which is the source file GCC compiled.  NULL when not
 * known.  Allocated.
 */
static char *source_path(const struct lookup *l, const char *fname)
{
	const char *slash;

	if (!l->tree_path)
		return NULL;
	slash = strrchr(l->tree_path, '/');
	if (!slash)
		return xstrdup(fname);
	return xasprintf("%.*s/%s", (int)(slash - l->tree_path), l->tree_path, fname);
}

/* The target's DWARF, read once; NULL with l->cus_why when it has none. */
static struct cu_index *target_cus(struct lookup *l)
{
	double start;

	if (l->cus_read)
		return l->cus;
	l->cus_read = true;
	if (!l->target->elf) {
		l->cus_why = "no ELF handle to read DWARF from";
		return NULL;
	}
	start = now_seconds();
	l->cus = cu_index_read(l->target->elf, &l->cus_why);
	if (l->cus)
		fprintf(stderr, "%s: %s: read the paths of %zu compile units from its DWARF in %.2f s\n",
			get_progname(), l->target->path, cu_index_count(l->cus),
			now_seconds() - start);
	return l->cus;
}

/* Does block @b hold a symbol whose address compile unit @cu defines? */
static bool block_in_unit(struct lookup *l, const struct file_block *b, size_t cu)
{
	size_t i;

	for (i = b->start; i < b->end; i++) {
		const struct symbol *s = l->target->symbols[i];

		if ((s->type == STT_FUNC || s->type == STT_OBJECT) && s->sec &&
		    cu_index_defines(l->cus, cu, s->value))
			return true;
	}
	return false;
}

/*
 * Rule 1: the compile units of the target's DWARF whose path is @src
 * (net/ipv6/datagram.c): the one candidate holding a symbol they define.
 * Of the units whose paths end with @src, those that match it best
 * (cu_index_path_match(): kernel/signal.c, not arch/x86/kernel/signal.c).
 * NULL, with *@why, when it does not decide.
 */
static const struct file_block *place_by_dwarf(struct lookup *l,
					       const struct file_block **cand,
					       size_t n, const char *src,
					       const char **unit, char *why, size_t len)
{
	const struct file_block *found = NULL;
	size_t cu, i, nr_units = 0, nr_found = 0;
	long best = -1;

	if (!src) {
		snprintf(why, len, "the object's path in the kernel tree is not known (create-diff-object -p)");
		return NULL;
	}
	if (!target_cus(l)) {
		snprintf(why, len, "%s has %s", l->target->path, l->cus_why);
		return NULL;
	}
	for (cu = 0; cu < cu_index_count(l->cus); cu++) {
		long m = cu_index_path_match(l->cus, cu, src);

		if (m >= 0 && (best < 0 || m < best))
			best = m;
	}
	for (cu = 0; best >= 0 && cu < cu_index_count(l->cus); cu++) {
		if (cu_index_path_match(l->cus, cu, src) != best)
			continue;
		nr_units++;
		*unit = cu_index_path(l->cus, cu);
		for (i = 0; i < n; i++)
			if (cand[i] != found && block_in_unit(l, cand[i], cu)) {
				found = cand[i];
				nr_found++;
			}
	}
	if (nr_found == 1)
		return found;
	if (!nr_units)
		snprintf(why, len, "no compile unit of its DWARF is %s", src);
	else
		snprintf(why, len, "the %zu compile units of its DWARF named %s define symbols of %zu of them",
			 nr_units, src, nr_found);
	return NULL;
}

/*
 * The locals of block @b that is_stable_local() would keep in an object:
 * functions and objects, not numbered by GCC, in allocated sections;
 * without the __pfx_ and __cfi_ padding symbols objtool adds when it runs
 * on vmlinux.o (IBT kernels), which the object compiled alone lacks.
 */
static bool is_stable_target_local(const struct symbol *s)
{
	return is_stable_local(s) && strncmp(s->name, "__pfx_", 6) &&
	       strncmp(s->name, "__cfi_", 6);
}

/* Are the stable locals of block @b those of @obj, in the same order? */
static bool same_sequence(const struct lookup *l, const struct file_block *b,
			  const struct kelf *obj)
{
	const struct symbol *sym;
	size_t i = b->start;

	for_each_symbol(obj, sym) {
		if (!is_stable_local(sym))
			continue;
		while (i < b->end && !is_stable_target_local(l->target->symbols[i]))
			i++;
		if (i == b->end || strcmp(l->target->symbols[i]->name, sym->name))
			return false;
		i++;
	}
	while (i < b->end && !is_stable_target_local(l->target->symbols[i]))
		i++;
	return i == b->end;
}

/* Rule 2: the one candidate whose local symbols are exactly the
 * object's, in its order; NULL when not exactly one. */
static const struct file_block *place_by_sequence(const struct lookup *l,
						  const struct file_block **cand,
						  size_t n, const struct kelf *obj,
						  size_t *nr_same)
{
	const struct file_block *found = NULL;
	size_t i;

	*nr_same = 0;
	for (i = 0; i < n; i++)
		if (same_sequence(l, cand[i], obj)) {
			found = cand[i];
			(*nr_same)++;
		}
	return *nr_same == 1 ? found : NULL;
}

/* Which of the @nr_named blocks of that name @b is, counting from 1. */
static size_t block_number(const struct lookup *l, const struct file_block *b)
{
	size_t i, k = 0;

	for (i = 0; i < l->nr_blocks; i++) {
		if (!strcmp(l->blocks[i].file->name, b->file->name))
			k++;
		if (&l->blocks[i] == b)
			break;
	}
	return k;
}

/* The line saying which rule placed the object, when its name is shared. */
static void say_placed(const struct lookup *l, const struct kelf *obj,
		       const struct file_block *b, size_t nr_named, const char *rule)
{
	fprintf(stderr, "%s: %s: placed as block %zu of the %zu of source file %s in %s, %s\n",
		get_progname(), obj->path, block_number(l, b), nr_named, b->file->name,
		l->target->path, rule);
}

int lookup_select_file(struct lookup *l, const struct kelf *obj)
{
	const struct symbol *file = NULL, *sym;
	const struct file_block **cand = NULL, *match;
	const char *unit = NULL;
	char why[512], *src, *rule;
	size_t i, nr_named = 0, nr_match = 0, alloc = 0, nr_same;

	for_each_symbol(obj, sym)
		if (sym->type == STT_FILE) {
			file = sym;
			break;
		}
	if (!file)
		return error("%s: no STT_FILE symbol: cannot tell which of %s's local symbols belong to it",
			     obj->path, l->target->path);
	if (!l->nr_blocks && !l->target->linked)
		return select_stripped(l, obj, file->name);
	for (i = 0; i < l->nr_blocks; i++) {
		const struct file_block *b = &l->blocks[i];
		bool all = true;

		if (strcmp(b->file->name, file->name))
			continue;
		nr_named++;
		for_each_symbol(obj, sym)
			if (is_stable_local(sym) && !block_has(l, b, sym->name)) {
				all = false;
				break;
			}
		if (all) {
			ALLOC_GROW(cand, nr_match + 1, alloc);
			cand[nr_match++] = b;
		}
	}
	if (!nr_named)
		return error("%s: the target %s has no symbols of source file %s",
			     obj->path, l->target->path, file->name);
	if (!nr_match)
		return error("%s: none of the %zu blocks of source file %s in %s holds all of its local symbols: it is not built from the same source",
			     obj->path, nr_named, file->name, l->target->path);
	if (nr_match == 1) {
		l->selected = cand[0];
		if (nr_named > 1)
			say_placed(l, obj, cand[0], nr_named,
				   "the only one holding all of its local symbols");
		free(cand);
		return 0;
	}
	src = source_path(l, file->name);
	match = place_by_dwarf(l, cand, nr_match, src, &unit, why, sizeof(why));
	if (match) {
		rule = xasprintf("by the target's DWARF (compile unit %s)", unit);
		l->selected = match;
		say_placed(l, obj, match, nr_named, rule);
		free(rule);
		free(src);
		free(cand);
		return 0;
	}
	match = place_by_sequence(l, cand, nr_match, obj, &nr_same);
	if (match) {
		l->selected = match;
		say_placed(l, obj, match, nr_named,
			   "the only one whose local symbols are its own in its order");
		free(src);
		free(cand);
		return 0;
	}
	error("%s: %zu of the %zu blocks of source file %s in %s hold all of its local symbols, and neither rule tells which is this object: DWARF: %s; local symbol order: %zu of them match; give the target with its DWARF (Debian: the vmlinux of linux-image-*-dbg) and the object's path in the tree",
	      obj->path, nr_match, nr_named, file->name, l->target->path, why, nr_same);
	free(src);
	free(cand);
	return -1;
}

/*
 * sympos, as the kernel counts it (kernel/livepatch/core.c,
 * klp_find_object_symbol()): the 1-based position of the symbol among the
 * symbols of its name that kallsyms lists for the object, or 0 when it
 * lists one only.  What kallsyms lists depends on the configuration and,
 * for a module, on when klp looks, so the position must be the same in
 * every listing below that lists the symbol, or there is no sympos that
 * resolves it everywhere.
 *
 * vmlinux: scripts/kallsyms' table, built from "nm -n": no undefined,
 * absolute, non-allocated (nm's N and n), unique (u) or debugging (file,
 * section) symbols; only those between _stext and _etext or _sinittext
 * and _einittext, or named __start_* or __stop_*, without
 * CONFIG_KALLSYMS_ALL.  Same names are ordered by address, weak ones
 * after, then in nm's order (the symbol table's).
 *
 * A module, in symbol-table order (kernel/module/kallsyms.c,
 * module_kallsyms_on_each_symbol()): while it loads, when klp resolves a
 * livepatch loaded before it (klp_module_coming()), every defined symbol
 * of its .symtab; once its init has run, only its core symbols
 * (is_core_symbol()): defined in a section the module keeps, named,
 * allocated (not .modinfo or __versions, which the loader un-allocates;
 * .data..percpu only with CONFIG_KALLSYMS_ALL), executable without
 * CONFIG_KALLSYMS_ALL, not in .init* (nor in .exit* without
 * CONFIG_MODULE_UNLOAD).
 */
enum listing {
	VMLINUX_ALL, VMLINUX_TEXT,
	MODULE_LOADING, MODULE_CORE_ALL, MODULE_CORE_TEXT,
	MODULE_CORE_ALL_NO_UNLOAD, MODULE_CORE_TEXT_NO_UNLOAD,
	NR_LISTINGS,
};

static const char *const listing_name[NR_LISTINGS] = {
	[VMLINUX_ALL] = "with CONFIG_KALLSYMS_ALL",
	[VMLINUX_TEXT] = "without CONFIG_KALLSYMS_ALL",
	[MODULE_LOADING] = "while the module loads",
	[MODULE_CORE_ALL] = "after its init, with CONFIG_KALLSYMS_ALL",
	[MODULE_CORE_TEXT] = "after its init, without CONFIG_KALLSYMS_ALL",
	[MODULE_CORE_ALL_NO_UNLOAD] = "after its init, with CONFIG_KALLSYMS_ALL, without CONFIG_MODULE_UNLOAD",
	[MODULE_CORE_TEXT_NO_UNLOAD] = "after its init, without CONFIG_KALLSYMS_ALL and CONFIG_MODULE_UNLOAD",
};

/* The address of vmlinux symbol @name, or 0. */
static uint64_t address_of(const struct kelf *t, const char *name)
{
	struct symbol *s;

	for (s = kelf_find_symbol_by_name(t, name); s; s = kelf_next_symbol_same_name(s))
		if (s->sec)
			return s->value;
	return 0;
}

/* Is @s within [@start, @end] of vmlinux (scripts/kallsyms' text range)? */
static bool in_text_range(const struct kelf *t, const struct symbol *s,
			  const char *start, const char *end)
{
	uint64_t from = address_of(t, start), to = address_of(t, end);

	if (!from || !to)	/* a target without them: its code */
		return s->sec && (s->sec->sh.sh_flags & SHF_EXECINSTR);
	return s->value >= from && s->value <= to;
}

static bool is_listed(const struct lookup *l, const struct symbol *s, enum listing v)
{
	const struct section *sec = s->sec;
	uint64_t flags = sec ? sec->sh.sh_flags : 0;
	bool all = v == VMLINUX_ALL || v == MODULE_CORE_ALL || v == MODULE_CORE_ALL_NO_UNLOAD;

	if (v == MODULE_LOADING)
		return s->sec || s->shndx != SHN_UNDEF;
	if (v == VMLINUX_ALL || v == VMLINUX_TEXT) {
		if (!sec || !(flags & SHF_ALLOC) || s->type == STT_FILE ||
		    s->type == STT_SECTION || s->bind == STB_GNU_UNIQUE)
			return false;
		return all || !strncmp(s->name, "__start_", 8) ||
		       !strncmp(s->name, "__stop_", 7) ||
		       in_text_range(l->target, s, "_stext", "_etext") ||
		       in_text_range(l->target, s, "_sinittext", "_einittext");
	}
	if (!sec || !s->name[0] || !strcmp(sec->name, ".modinfo") ||
	    !strcmp(sec->name, "__versions"))
		return false;
	if (!strcmp(sec->name, ".data..percpu"))
		return all;
	if (!(flags & SHF_ALLOC) || (!all && !(flags & SHF_EXECINSTR)) ||
	    !strncmp(sec->name, ".init", 5))
		return false;
	return !(v == MODULE_CORE_ALL_NO_UNLOAD || v == MODULE_CORE_TEXT_NO_UNLOAD) ||
	       strncmp(sec->name, ".exit", 5);
}

/* Does @a come before @b in vmlinux's kallsyms? */
static bool vmlinux_before(const struct symbol *a, const struct symbol *b)
{
	bool wa = a->bind == STB_WEAK, wb = b->bind == STB_WEAK;

	if (a->value != b->value)
		return a->value < b->value;
	if (wa != wb)
		return wb;
	return a->index < b->index;
}

/* The sympos of @found (see above): 0, or -1 after an error. */
static int count_sympos(const struct lookup *l, const struct symbol *found,
			unsigned long *sympos)
{
	unsigned long pos[NR_LISTINGS] = { 0 }, n[NR_LISTINGS] = { 0 };
	enum listing first = l->target->linked ? VMLINUX_ALL : MODULE_LOADING;
	enum listing last = l->target->linked ? VMLINUX_TEXT : MODULE_CORE_TEXT_NO_UNLOAD;
	bool unique = true, agree = true;
	unsigned long want = 0;
	enum listing v;
	struct symbol *s;
	char why[1024];
	size_t w = 0;

	for (v = first; v <= last; v++) {
		if (!is_listed(l, found, v))
			continue;
		for (s = kelf_find_symbol_by_name(l->target, found->name); s;
		     s = kelf_next_symbol_same_name(s)) {
			if (!is_listed(l, s, v))
				continue;
			n[v]++;
			if (s == found || (l->target->linked ? vmlinux_before(s, found)
							     : s->index < found->index))
				pos[v]++;
		}
		if (n[v] > 1)
			unique = false;
		if (want && pos[v] != want)
			agree = false;
		want = pos[v];
	}
	if (!want)
		return error("%s: %s: kallsyms does not list it: the kernel cannot find it",
			     l->target->path, found->name);
	if (unique || agree) {
		*sympos = unique ? 0 : want;
		return 0;
	}
	/* Listings that agree are named once: "after its init" for all four. */
	for (v = first; v <= last && w < sizeof(why); v++) {
		enum listing u;
		bool same = true;

		if (!n[v])
			continue;
		for (u = v + 1; u <= last; u++)
			if (n[u] && (n[u] != n[v] || pos[u] != pos[v]))
				same = false;
		w += (size_t)snprintf(why + w, sizeof(why) - w, "%s%lu of %lu %s",
				      w ? ", " : "", pos[v], n[v],
				      same && v == MODULE_CORE_ALL ? "after its init" :
				      listing_name[v]);
		if (same)
			break;
	}
	return error("%s: %s: no sympos finds it in every kallsyms listing of the symbols of that name (it is %s); rename it in the patch or leave it unreferenced",
		     l->target->path, found->name, why);
}

/*
 * The length of the base of a numbered name (GCC's static locals and
 * clones: xstats.0 -> 6), or 0 when @name is not BASE.DIGITS.
 */
static size_t numbered_base_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name || !dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return 0;
	return dot - name;
}

/* Are @a and @b both numbered with the base of @a, and of one type? */
static bool same_numbered(const struct symbol *a, const struct symbol *b)
{
	size_t n = numbered_base_len(a->name);

	return n && numbered_base_len(b->name) == n && !strncmp(a->name, b->name, n) &&
	       a->type == b->type;
}

/*
 * The target's symbol for the object's numbered local @name (xstats.0).
 * GCC numbers an object's static locals in an order that another build of
 * the same source need not repeat, so the target's name may carry another
 * number: when the object and the selected block each hold one local of
 * that base and type, it is the same (and a data object's size must
 * agree); of several, the block's at @name's position, only when it has
 * @name's number too.  Otherwise (a neighbour's statics in a stripped
 * module's block, a static the link dropped, several renumbered) it
 * cannot be told: an error naming the candidates.  Sets *@target_name (@name when it is
 * not a numbered local of the object); 0, or -1 after the error.
 */
static int numbered_local(struct lookup *l, const char *name, const char **target_name)
{
	const struct symbol *me = NULL, *sym, *pick = NULL;
	size_t pos = 0, nr_obj = 0, nr_target = 0, i;
	char cands[256] = "";
	int len = 0;

	*target_name = name;
	for_each_symbol(l->obj, sym)
		if (sym->bind == STB_LOCAL && !strcmp(sym->name, name) && is_unstable_local(sym))
			me = sym;
	if (!me)
		return 0;	/* not one of the object's: looked up by name */
	for_each_symbol(l->obj, sym)
		if (is_unstable_local(sym) && same_numbered(me, sym)) {
			if (sym == me)
				pos = nr_obj;
			nr_obj++;
		}
	for (i = l->selected->start; i < l->selected->end; i++) {
		sym = l->target->symbols[i];
		if (!is_unstable_local(sym) || !same_numbered(me, sym))
			continue;
		if (nr_target == pos)
			pick = sym;
		nr_target++;
		if (len >= 0 && (size_t)len < sizeof(cands))
			len += snprintf(cands + len, sizeof(cands) - len, "%s%s",
					nr_target > 1 ? ", " : "", sym->name);
	}
	/*
	 * One of that base on each side is the same static; of several, the
	 * one at the same position is only when the numbers agree too.
	 */
	if (nr_target == nr_obj && pick && (nr_obj == 1 || !strcmp(pick->name, name))) {
		if (me->type == STT_OBJECT && me->size && pick->size && me->size != pick->size)
			return error("%s: local symbol %s is %s in %s, of %lu bytes, not %lu as in %s",
				     l->target->path, name, pick->name, block_name(l->selected),
				     (unsigned long)pick->size, (unsigned long)me->size,
				     l->obj->path);
		*target_name = pick->name;
		return 0;
	}
	if (!nr_target)
		return error("%s: local symbol %s not found among the symbols of %s (nor another %.*s.N)",
		      l->target->path, name, block_name(l->selected),
		      (int)numbered_base_len(name), name);
	l->ambiguous = true;
	return error("%s: local symbol %s: the symbols of %s hold %zu numbered %.*s.N (%s), this object %zu, numbered otherwise: cannot tell which is %s",
		     l->target->path, name, block_name(l->selected), nr_target,
		     (int)numbered_base_len(name), name, cands, nr_obj, name);
}

int lookup_symbol(struct lookup *l, const char *name, bool local,
		  struct lookup_result *res)
{
	struct symbol *s, *found = NULL;
	unsigned long count = 0, globals = 0;

	memset(res, 0, sizeof(*res));
	if (local && !l->selected && l->obj && !l->select_failed &&
	    lookup_select_file(l, l->obj))
		l->select_failed = true;
	if (local && l->select_failed)
		return error("%s: local symbol %s: the object's file is not placed in the target (above)",
			     l->target->path, name);
	/* A numbered local: the target's number for it. */
	if (local && l->selected && l->obj && numbered_base_len(name) &&
	    numbered_local(l, name, &name))
		return -1;
	for (s = kelf_find_symbol_by_name(l->target, name); s;
	     s = kelf_next_symbol_same_name(s)) {
		if (s->type == STT_FILE || s->type == STT_SECTION)
			continue;
		count++;
		if (local ? s->bind == STB_LOCAL && l->selected &&
			    in_block(l->selected, s)
			  : s->bind != STB_LOCAL && (s->sec || s->shndx == SHN_ABS)) {
			found = s;
			globals++;
		}
	}
	if (!found) {
		if (local)
			return error("%s: local symbol %s not found among the symbols of %s (%lu symbols of that name elsewhere)",
				     l->target->path, name,
				     l->selected ? block_name(l->selected) : "the object's file",
				     count);
		return error("%s: global symbol %s not found", l->target->path, name);
	}
	if (!local && globals > 1)
		return error("%s: global symbol %s is defined %lu times", l->target->path,
			     name, globals);
	if (local && globals > 1) {
		l->ambiguous = true;
		return error("%s: local symbol %s appears %lu times in the symbols of %s: cannot tell which is this object's",
			     l->target->path, name, globals, block_name(l->selected));
	}
	res->kind = local ? LOOKUP_LOCAL : LOOKUP_GLOBAL;
	res->sym = found;
	return count_sympos(l, found, &res->sympos);
}

bool lookup_ambiguous(const struct lookup *l)
{
	return l && l->ambiguous;
}

char *lookup_objname_of(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name, *dot, *c;

	name = xstrdup(base ? base + 1 : path);
	if (!strncmp(name, "vmlinux", 7)) {
		name[7] = '\0';
		return name;
	}
	dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	for (c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return name;
}
