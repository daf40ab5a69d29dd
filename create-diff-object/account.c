/*
 * account.c - the final accounting: every difference between the two
 * objects is carried, ignored on purpose, known not to matter, or refused.
 *
 * After inclusion, each function and data object of the patched object
 * that is new or changed must be
 *	carried		in the diff object (include.c), or
 *	ignored		KPATCH_IGNORE_FUNCTION/_SECTION (author.c), or
 *	known		in a section of the table below, each entry with the
 *			reason its differences never change what the running
 *			kernel does;
 * anything else is refused, naming it, so that exit 0 never hides a
 * difference (a changed const no changed function reads, a new
 * module_param).  A changed read-only object that is global is refused
 * even when carried: the livepatch's functions would read the new copy,
 * the code of other files the original.
 *
 * Sections are accounted through their symbols; a section without any
 * (anonymous data: string literals, constant pools, jump tables) through
 * the relocations that reach it, since whatever refers to it compares it
 * (compare.c), or, for the special sections, their entries
 * (special-sections/).  An anonymous section nothing refers to that is new
 * or changed is refused.  Bytes of a section with symbols that no sized
 * function or object covers (asm data or a stub without .size, symbols of
 * size 0) must be the same as in the original object, found from the
 * symbol before them; only alignment fill may differ (gaps.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../special-sections/special.h"
#include "../util/util.h"

/*
 * Differences known not to matter: sections whose name starts with
 * @prefix are never compared (cdo_is_ignored_section()), and what a patch
 * removed is left alone.
 */
static const struct known {
	const char *prefix;	/* NULL: what the patched object no longer has */
	const char *why;
} known[] = {
	{ NULL, "gone from the patched object: the running kernel keeps the original, and nothing the livepatch carries refers to it" },
	{ ".debug_", "debug information: never loaded" },
	{ ".rela.debug_", "debug information: never loaded" },
	{ ".comment", "the compiler's version: never loaded" },
	{ ".note", "build notes (GNU-stack, properties): read by the linker, not the kernel" },
	{ ".GCC.command.line", "the compiler's options (-frecord-gcc-switches): never loaded" },
	{ ".llvm_addrsig", "clang's address-significance table: read by the linker only" },
	{ ".BTF", "type information: the livepatch module's own is generated when it is built" },
	{ ".eh_frame", "DWARF unwind tables: the kernel unwinds with ORC or frame pointers, and the module linker script discards them (but with CONFIG_UNWIND_TABLES, where arm64 reads them once, at load, to patch in its shadow call stack)" },
	{ ".rela.eh_frame", "DWARF unwind tables: the kernel unwinds with ORC or frame pointers, and the module linker script discards them (but with CONFIG_UNWIND_TABLES, where arm64 reads them once, at load, to patch in its shadow call stack)" },
	{ ".discard", "annotations for objtool and the compiler: the module linker script discards them (special-sections/ carries objtool's for the carried code)" },
	{ ".export_symbol", "export markers: refuse.c compares the export sets" },
	{ ".rela.export_symbol", "export markers: refuse.c compares the export sets" },
	{ ".kpatch.", "the patch author's markers: author.c reads them" },
	{ ".rela.kpatch.", "the patch author's markers: author.c reads them" },
	{ ".modinfo", "module information (license, aliases, parameter descriptions): read from the file by modpost and modprobe, and by the loader once; the running kernel keeps what it read, and the livepatch module's own comes from its template" },
	{ ".rela.modinfo", "module information: see .modinfo" },
};

static const struct known *find_known(const struct section *sec)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(known); i++)
		if (!strncmp(sec->name, known[i].prefix, strlen(known[i].prefix)))
			return &known[i];
	return NULL;
}

/* The call-site tables the compiler writes (arch->call_site_tables). */
static const char call_sites_why[] =
	"call sites the compiler lists (__mcount_loc, __patchable_function_entries): made anew for the carried functions (special-sections/)";

bool cdo_is_ignored_section(const struct section *sec)
{
	/* KPATCH_IGNORE_SECTION; a call-site table */
	if (sec->priv && (sec_info(sec)->ignored || sec_info(sec)->call_sites))
		return true;
	return find_known(sec);
}

/* Why @sec, which cdo_is_ignored_section() ignores, is ignored. */
static const char *ignored_why(const struct section *sec)
{
	if (sec_info(sec)->ignored)
		return "KPATCH_IGNORE_SECTION";
	if (sec_info(sec)->call_sites)
		return call_sites_why;
	return find_known(sec)->why;
}

static void debug_line(const struct cdo *cdo, const char *what, const char *why)
{
	if (cdo->debug)
		fprintf(stderr, "%s: accounting: %s: %s\n", cdo->patched->path, what, why);
}

static const char *status_name(const struct symbol *p)
{
	return sym_info(p)->status == NEW ? "new" : "changed";
}

/*
 * Is @p pointed at only by dynamic debug descriptors the livepatch leaves
 * to the running kernel?  A new pr_debug() renumbers GCC's __func__.N, and
 * one can look new or changed while the descriptors using it compared the
 * same by the text they point at (compare.c): the running kernel's hold
 * that text.
 */
static bool only_kept_descriptors_use(const struct cdo *cdo, const struct symbol *p)
{
	/* Through the symbol, or its section's when it has one alone. */
	const struct symbol *via[2] = { p, p->sec->secsym };
	const struct reloc *r;
	bool any = false;
	size_t i;

	if (via[1] && (kelf_find_symbol_by_offset(p->sec, 0) != p ||
		       p->size != p->sec->size))
		via[1] = NULL;
	for (i = 0; i < 2; i++)
		for (r = via[i] ? via[i]->refs : NULL; r; r = r->next_ref) {
			struct symbol *d = r->sec && r->sec->base ?
					   kelf_find_symbol_containing(r->sec->base, r->offset) :
					   NULL;

			if (!d || !special_descriptor_table(cdo, d) ||
			    sym_info(d)->status != SAME || sym_info(d)->include)
				return false;
			any = true;
		}
	return any;
}

/* A new or changed function or object of the patched object. */
static int account_symbol(struct cdo *cdo, struct symbol *p)
{
	const struct sym_info *pi = sym_info(p);
	const char *obj = cdo->patched->path, *why;
	bool readonly = !(p->sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR));

	if (pi->status == SAME)
		return 0;
	if (cdo_is_ignored_section(p->sec)) {
		debug_line(cdo, p->name, ignored_why(p->sec));
		return 0;
	}
	if (cdo_is_prefix_symbol(p))
		return 0;	/* the padding of its function, carried with it */
	if (pi->include || sec_info(p->sec)->include) {
		if (p->type == STT_OBJECT && pi->status == CHANGED && readonly &&
		    p->bind != STB_LOCAL)
			return error("%s: %s: changed read-only data that is global: the livepatch's functions would read a new copy while the code of other files keeps reading the original; keep the value and change the code that uses it, or make the object static",
				     obj, p->name);
		return 0;
	}
	if (p->type == STT_FUNC)
		return error("%s: %s: %s function not carried (internal error)", obj, p->name,
			     status_name(p));
	if (p->type == STT_OBJECT && readonly && only_kept_descriptors_use(cdo, p)) {
		debug_line(cdo, p->name, "only descriptors the running kernel keeps point at it");
		return 0;
	}
	why = cdo_class_refusal(p->sec);
	if (pi->status == CHANGED && readonly)
		return error("%s: %s: changed read-only data in %s that nothing the livepatch carries refers to: the running kernel keeps the original; %s",
			     obj, p->name, p->sec->name,
			     why ? why : "change the code that uses it instead, or mark the section with KPATCH_IGNORE_SECTION when the difference does not matter");
	return error("%s: %s: %s %s in %s that nothing the livepatch carries refers to: %s",
		     obj, p->name, status_name(p),
		     p->sec->sh.sh_flags & SHF_EXECINSTR ? "code" : "data", p->sec->name,
		     why ? why : "it would be left out; an object that registers itself through its section (a table the kernel walks) cannot be livepatched, anything else must be used from changed code");
}

bool cdo_is_bookkeeping(const struct section *sec)
{
	switch (sec->sh.sh_type) {
	case SHT_NULL: case SHT_SYMTAB: case SHT_STRTAB: case SHT_RELA:
	case SHT_REL: case SHT_GROUP: case SHT_SYMTAB_SHNDX:
		return true;
	}
	return false;
}

/* A special section or the companion of one (.orc_unwind): its entries
 * are accounted by special-sections/. */
bool cdo_is_special_section(const struct cdo *cdo, const struct section *sec)
{
	const struct special_section *ss;

	if (special_find(cdo, sec->name))
		return true;
	for (ss = cdo->arch->special; ss && ss->name; ss++)
		if (ss->companion && !strcmp(ss->companion, sec->name))
			return true;
	return false;
}

/*
 * An anonymous section of the patched object that nothing refers to: it
 * must be empty or the same as its twin.
 */
static int account_section(struct cdo *cdo, struct section *p)
{
	struct section *o = sec_twin(p);

	if (!p->size)
		return 0;
	if (o && o->size == p->size && o->sh.sh_type == p->sh.sh_type &&
	    (p->sh.sh_type == SHT_NOBITS || cdo_same_range(cdo, o, 0, p, 0, p->size)))
		return 0;
	return error("%s: %s: %s section that nothing refers to and that has no symbols: kpatch-ng cannot tell what it is for; if the difference does not matter, mark it with KPATCH_IGNORE_SECTION",
		     cdo->patched->path, p->name, o ? "changed" : "new");
}

int cdo_account(struct cdo *cdo)
{
	struct kelf *kelf = cdo->patched;
	bool *named = xcalloc(kelf->nr_sections + 1, sizeof(*named));
	bool *reached = xcalloc(kelf->nr_sections + 1, sizeof(*reached));
	struct section *sec;
	struct symbol *p;
	int ret = 0;

	for_each_symbol(kelf, p) {
		if (is_object_symbol(p)) {
			named[p->sec->index] = true;
			if (account_symbol(cdo, p))
				ret = -1;
		}
	}
	/* What the patch removed (the table's first entry). */
	for_each_symbol(cdo->orig, p)
		if (is_object_symbol(p) && !sym_twin(p) && !cdo_is_ignored_section(p->sec))
			debug_line(cdo, p->name, known[0].why);
	for_each_section(kelf, sec) {
		struct reloc *rel;

		/* From an ignored section too: what it names is ignored with it. */
		if (!is_rela_section(sec) || !sec->base)
			continue;
		for_each_reloc(sec, rel)
			if (rel->sym && rel->sym->sec)
				reached[rel->sym->sec->index] = true;
	}
	for_each_section(kelf, sec) {
		if (cdo_is_bookkeeping(sec) || named[sec->index] || reached[sec->index] ||
		    cdo_is_ignored_section(sec) || cdo_is_special_section(cdo, sec))
			continue;
		if (account_section(cdo, sec))
			ret = -1;
	}
	if (cdo_account_gaps(cdo))
		ret = -1;
	free(named);
	free(reached);
	return ret;
}
