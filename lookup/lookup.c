/*
 * lookup.c - symbol resolution against the target (see lookup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int lookup_select_file(struct lookup *l, const struct kelf *obj)
{
	const struct symbol *file = NULL, *sym;
	const struct file_block *match = NULL;
	size_t i, nr_named = 0, nr_match = 0;

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
			match = b;
			nr_match++;
		}
	}
	if (nr_match == 1) {
		l->selected = match;
		return 0;
	}
	if (!nr_named)
		return error("%s: the target %s has no symbols of source file %s",
			     obj->path, l->target->path, file->name);
	return error("%s: %zu of the %zu blocks of source file %s in %s hold all of its local symbols; cannot tell which is this object",
		     obj->path, nr_match, nr_named, file->name, l->target->path);
}

int lookup_symbol(struct lookup *l, const char *name, bool local,
		  struct lookup_result *res)
{
	struct symbol *s, *found = NULL;
	unsigned long count = 0, found_pos = 0, globals = 0;

	memset(res, 0, sizeof(*res));
	for (s = kelf_find_symbol_by_name(l->target, name); s;
	     s = kelf_next_symbol_same_name(s)) {
		/* kallsyms, which sympos counts in, lists no file names. */
		if (s->type == STT_FILE || s->type == STT_SECTION)
			continue;
		count++;
		if (local ? s->bind == STB_LOCAL && l->selected &&
			    in_block(l->selected, s)
			  : s->bind != STB_LOCAL && (s->sec || s->shndx == SHN_ABS)) {
			found = s;
			found_pos = count;
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
	if (local && globals > 1)
		return error("%s: local symbol %s appears %lu times in the symbols of %s: cannot tell which is this object's",
			     l->target->path, name, globals, block_name(l->selected));
	res->kind = local ? LOOKUP_LOCAL : LOOKUP_GLOBAL;
	res->sym = found;
	res->sympos = count > 1 ? found_pos : 0;
	if (count > 1 && l->target->linked) {
		/*
		 * vmlinux's kallsyms table, which the kernel counts sympos in,
		 * is sorted by address; a module's follows its symbol table.
		 */
		res->sympos = 1;
		for (s = kelf_find_symbol_by_name(l->target, name); s;
		     s = kelf_next_symbol_same_name(s))
			if (s->type != STT_FILE && s->type != STT_SECTION &&
			    (s->value < found->value ||
			     (s->value == found->value && s->index < found->index)))
				res->sympos++;
	}
	return 0;
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
