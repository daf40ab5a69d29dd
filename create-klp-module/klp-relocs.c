/*
 * klp-relocs.c - turn the entries of .livepatch.relocs into the klp
 * relocations the kernel's livepatch core applies.
 *
 * Each entry (doc/diff-object-format.md) becomes one relocation in the
 * section .klp.rela.OBJ.SECTION (OBJ the entry's objname, SECTION the one
 * its place is in) against the symbol .klp.sym.OBJ.NAME,POS.  What the
 * Linux 6.12 kernel expects of them:
 *   - kernel/livepatch/core.c, klp_write_section_relocs(): the objname is
 *     what sscanf("%55[^.]") takes after ".klp.rela.": no '.', at most 55
 *     characters (MODULE_NAME_LEN - 1);
 *   - klp_resolve_symbols(): every symbol of the section is SHN_LIVEPATCH
 *     and reads as ".klp.sym.%55[^.].%511[^,],%lu" (KSYM_NAME_LEN - 1), and
 *     a section of a module's relocations names no vmlinux symbol: true
 *     here by construction, the section's OBJ being its symbols' OBJ;
 *   - the relocations are read through sh_addr, after the module loader's
 *     temporary copy is gone for a module loaded later: SHF_ALLOC keeps
 *     the section in module memory (kernel/module/livepatch.c,
 *     copy_module_elf(), keeps only the section headers);
 *   - kernel/module/main.c, apply_relocations(): the relocations of a
 *     section without SHF_ALLOC are skipped, silently;
 *   - arch/x86/kernel/module.c, __write_relocate_add(): a place must hold
 *     zeros before it is written (arch->reloc_needs_zero_place).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "../util/util.h"

#define KLP_MAX_OBJNAME	55	/* MODULE_NAME_LEN - 1 on 64-bit */
#define KLP_MAX_NAME	511	/* KSYM_NAME_LEN - 1 */
/* Placeholders: longer klp symbol names are hashed (doc/diff-object-format.md). */
#define PLACEHOLDER_PREFIX	".klp.ph."

/* "FILE: .livepatch.relocs entry N: MESSAGE" on stderr; returns -1. */
__printf(3, 4)
static int entry_error(const struct klp *k, size_t nr, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error("%s: %s entry %zu: %s", k->kelf->path, k->table->name, nr, msg);
}

static uint64_t get_le(const unsigned char *p, unsigned int width)
{
	uint64_t v = 0;

	while (width--)
		v = v << 8 | p[width];
	return v;
}

/*
 * The section and offset the pointer field at @field of entry @nr points
 * to, through its one R_*_64/ABS64 relocation: symbol + addend, inside the
 * symbol's section.
 */
static int field_target(const struct klp *k, size_t nr, uint64_t field,
			const char *what, struct section **sec, uint64_t *off)
{
	uint64_t at = nr * LP_RELOC_SIZE + field;
	struct reloc **rels, *rel;
	struct symbol *sym;
	size_t count;
	uint64_t base;
	bool inside;

	rels = kelf_relocs_in_range(k->table, at, at + 1, &count);
	if (count != 1)
		return entry_error(k, nr, "%s: %s relocation at offset %#lx, expected one",
				   what, count ? "more than one" : "no",
				   (unsigned long)at);
	rel = rels[0];
	if (rel->type != k->arch->abs64)
		return entry_error(k, nr, "%s: relocation type %s, expected %s",
				   what, arch_reloc_name(k->arch, rel->type),
				   arch_reloc_name(k->arch, k->arch->abs64));
	sym = rel->sym;
	if (!sym || !sym->sec)
		return entry_error(k, nr, "%s: relocation to %s, which is not defined in a section",
				   what, sym && sym->name[0] ? sym->name : "no symbol");
	base = sym->offset;
	if (rel->addend < 0) {
		uint64_t below = -(uint64_t)rel->addend;

		inside = below <= base;
		*off = base - below;
	} else {
		*off = base + (uint64_t)rel->addend;
		inside = *off >= base;
	}
	if (!inside || *off >= sym->sec->size)
		return entry_error(k, nr, "%s: relocation to %s%+ld points outside section %s (%#zx bytes)",
				   what, sym->name[0] ? sym->name : sym->sec->name,
				   (long)rel->addend, sym->sec->name, sym->sec->size);
	*sec = sym->sec;
	return 0;
}

/* The NUL-terminated, non-empty string field @field of entry @nr points to. */
static int string_field(const struct klp *k, size_t nr, uint64_t field,
			const char *what, const char **str)
{
	struct section *sec;
	uint64_t off;

	if (field_target(k, nr, field, what, &sec, &off))
		return -1;
	if (!sec->data)
		return entry_error(k, nr, "%s: points into %s, which has no contents",
				   what, sec->name);
	if (!memchr(sec->data + off, '\0', sec->size - off))
		return entry_error(k, nr, "%s: string at %s+%#lx is not NUL-terminated within the section",
				   what, sec->name, (unsigned long)off);
	*str = (const char *)sec->data + off;
	if (!**str)
		return entry_error(k, nr, "%s: empty string at %s+%#lx",
				   what, sec->name, (unsigned long)off);
	return 0;
}

/* The names must survive the kernel's sscanf() of the section and symbol. */
static int check_names(const struct klp *k, const struct klp_entry *e)
{
	if (strchr(e->objname, '.') || strlen(e->objname) > KLP_MAX_OBJNAME)
		return entry_error(k, e->nr, "objname \"%s\": the kernel reads at most %d characters and no '.' (.klp.rela.OBJ.SECTION)",
				   e->objname, KLP_MAX_OBJNAME);
	if (strchr(e->name, ',') || strlen(e->name) > KLP_MAX_NAME)
		return entry_error(k, e->nr, "name \"%.64s\": the kernel reads at most %d characters and no ',' (.klp.sym.OBJ.NAME,POS)",
				   e->name, KLP_MAX_NAME);
	return 0;
}

/* The place: where the kernel will write, and what it finds there. */
static int check_place(const struct klp *k, const struct klp_entry *e)
{
	const struct section *t = e->target;
	char bytes[3 * 8 + 1] = "";
	unsigned int i;
	size_t pos;

	if (t == k->table)
		return entry_error(k, e->nr, "place: in %s itself, which is removed",
				   t->name);
	if (t->sh.sh_type == SHT_NOBITS || !t->data)
		return entry_error(k, e->nr, "place: %s+%#lx: the section has no contents to relocate",
				   t->name, (unsigned long)e->offset);
	if (!(t->sh.sh_flags & SHF_ALLOC))
		return entry_error(k, e->nr, "place: %s+%#lx: the section is not SHF_ALLOC, and the module loader skips the relocations of sections it does not load",
				   t->name, (unsigned long)e->offset);
	if (e->width > t->size - e->offset)
		return entry_error(k, e->nr, "place: %s+%#lx: the %u bytes %s writes run past the end of the section (%#zx bytes)",
				   t->name, (unsigned long)e->offset, e->width,
				   arch_reloc_name(k->arch, e->type), t->size);
	if (!k->arch->reloc_needs_zero_place)
		return 0;
	for (i = 0; i < e->width; i++)
		if (t->data[e->offset + i])
			break;
	if (i == e->width)
		return 0;
	for (i = 0, pos = 0; i < e->width && pos < sizeof(bytes); i++)
		pos += snprintf(bytes + pos, sizeof(bytes) - pos, "%s%02x",
				i ? " " : "", t->data[e->offset + i]);
	return entry_error(k, e->nr, "place: %s+%#lx holds nonzero bytes (%s); the %s module loader writes a klp relocation (%s to %s) only over zeros",
			   t->name, (unsigned long)e->offset, bytes,
			   k->arch->name, arch_reloc_name(k->arch, e->type), e->name);
}

static int read_entry(const struct klp *k, size_t nr, struct klp_entry *e)
{
	const unsigned char *p = k->table->data + nr * LP_RELOC_SIZE;
	const struct arch_reloc *ar;

	e->nr = nr;
	e->addend = (int64_t)get_le(p + LP_RELOC_ADDEND, 8);
	e->type = get_le(p + LP_RELOC_TYPE, 4);
	e->sympos = get_le(p + LP_RELOC_SYMPOS, 4);
	if (field_target(k, nr, LP_RELOC_PLACE, "place", &e->target, &e->offset) ||
	    string_field(k, nr, LP_RELOC_NAME, "name", &e->name) ||
	    string_field(k, nr, LP_RELOC_OBJNAME, "objname", &e->objname) ||
	    check_names(k, e))
		return -1;
	ar = arch_reloc(k->arch, e->type);
	if (!ar)
		return entry_error(k, nr, "relocation type %u is not an %s relocation this tool knows",
				   e->type, k->arch->name);
	if (!ar->loader)
		return entry_error(k, nr, "%s: the module loader of %s does not apply this relocation type (arch/%s/kernel/module.c): the module would not load",
				   ar->name, k->arch->name, k->arch->kernel_arch);
	e->width = ar->width;
	return check_place(k, e);
}

/* No relocation of the table may modify its plain-data fields. */
static int check_table_relocs(const struct klp *k)
{
	struct section *rela = k->table->rela;
	struct reloc *r;

	if (!rela)
		return 0;
	if (rela->sh.sh_type != SHT_RELA)
		return error("%s: %s: relocations without addends (SHT_REL) are not supported",
			     k->kelf->path, rela->name);
	for_each_reloc(rela, r) {
		uint64_t field = r->offset % LP_RELOC_SIZE;

		if (field != LP_RELOC_PLACE && field != LP_RELOC_NAME &&
		    field != LP_RELOC_OBJNAME)
			return entry_error(k, r->offset / LP_RELOC_SIZE,
					   "relocation at offset %#lx modifies a plain-data field (addend, type or sympos)",
					   (unsigned long)r->offset);
	}
	return 0;
}

int klp_read_entries(struct klp *k)
{
	struct section *t = k->table;
	size_t i;

	if (t->sh.sh_type == SHT_NOBITS || (t->size && !t->data))
		return error("%s: section %s: has no contents", k->kelf->path, t->name);
	if (t->size % LP_RELOC_SIZE)
		return error("%s: section %s: size %zu is not a multiple of the %zu-byte entry",
			     k->kelf->path, t->name, t->size, LP_RELOC_SIZE);
	if (t->sh.sh_entsize && t->sh.sh_entsize != LP_RELOC_SIZE)
		return error("%s: section %s: entry size %lu, expected %zu",
			     k->kelf->path, t->name, (unsigned long)t->sh.sh_entsize,
			     LP_RELOC_SIZE);
	if (check_table_relocs(k))
		return -1;
	k->nr_entries = t->size / LP_RELOC_SIZE;
	k->entries = xcalloc(k->nr_entries ? k->nr_entries : 1, sizeof(*k->entries));
	for (i = 0; i < k->nr_entries; i++)
		if (read_entry(k, i, &k->entries[i]))
			return -1;
	return 0;
}

/* By section, then offset, then entry number. */
static int cmp_place(const void *a, const void *b)
{
	const struct klp_entry *x = *(const struct klp_entry * const *)a;
	const struct klp_entry *y = *(const struct klp_entry * const *)b;

	if (x->target != y->target)
		return x->target->index < y->target->index ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* By objname, then as cmp_place: the order sections and entries are made. */
static int cmp_output(const void *a, const void *b)
{
	const struct klp_entry *x = *(const struct klp_entry * const *)a;
	const struct klp_entry *y = *(const struct klp_entry * const *)b;
	int c = strcmp(x->objname, y->objname);

	return c ? c : cmp_place(a, b);
}

static struct klp_entry **sorted_entries(const struct klp *k,
					 int (*cmp)(const void *, const void *))
{
	struct klp_entry **v = xcalloc(k->nr_entries ? k->nr_entries : 1, sizeof(*v));
	size_t i;

	for (i = 0; i < k->nr_entries; i++)
		v[i] = &k->entries[i];
	xqsort(v, k->nr_entries, sizeof(*v), cmp);
	return v;
}

static unsigned int reloc_width(const struct klp *k, uint32_t type)
{
	const struct arch_reloc *ar = arch_reloc(k->arch, type);

	return ar && ar->width ? ar->width : 1;
}

/* The name of @e's symbol, .klp.sym.OBJ.NAME,POS (to free). */
static char *klp_symbol_name(const struct klp_entry *e)
{
	return xasprintf(".klp.sym.%s.%s,%u", e->objname, e->name, e->sympos);
}

/*
 * The name of @e's placeholder symbol when its klp symbol's name is longer
 * than modpost takes (MODULE_NAME_LEN - 1 under CONFIG_MODVERSIONS):
 * .klp.ph. and the FNV-1a hash of that name (to free); NULL otherwise.
 */
static char *short_placeholder_name(const char *klp_name)
{
	if (strlen(klp_name) <= LP_PLACEHOLDER_MAX_NAME)
		return NULL;
	return xasprintf(PLACEHOLDER_PREFIX "%016llx", (unsigned long long)hash_str(klp_name));
}

/*
 * Is @r the placeholder of @e: at its place, of its type and addend,
 * against the undefined symbol named as @e's klp symbol?  create-diff-object
 * writes one beside each entry so that objtool and modpost, which run on
 * the module before this step, see an ordinary external reference.
 */
static bool is_placeholder(const struct reloc *r, const struct klp_entry *e)
{
	char *name;
	bool same;

	if (r->offset != e->offset || r->type != e->type || r->addend != e->addend ||
	    !r->sym || r->sym->sec || r->sym->shndx != SHN_UNDEF)
		return false;
	name = klp_symbol_name(e);
	same = !strcmp(r->sym->name, name);
	if (!same) {
		char *ph = short_placeholder_name(name);

		same = ph && !strcmp(r->sym->name, ph);
		free(ph);
	}
	free(name);
	return same;
}

/*
 * An ordinary relocation of @e's section whose bytes overlap @e's, other
 * than its placeholder (marked in ->priv for removal).
 */
static struct reloc *ordinary_overlap(struct klp *k, const struct klp_entry *e)
{
	uint64_t end = e->offset + (e->width ? e->width : 1);
	struct reloc **rels;
	size_t count, i;

	/* No relocation is wider than 8 bytes: start 7 bytes before. */
	rels = kelf_relocs_in_range(e->target, e->offset > 7 ? e->offset - 7 : 0,
				    end, &count);
	for (i = 0; i < count; i++) {
		if (is_placeholder(rels[i], e)) {
			rels[i]->priv = k;
			continue;
		}
		if (rels[i]->offset + reloc_width(k, rels[i]->type) > e->offset)
			return rels[i];
	}
	return NULL;
}

int klp_check_places(struct klp *k)
{
	struct klp_entry **v = sorted_entries(k, cmp_place);
	int ret = 0;
	size_t i;

	for (i = 0; i < k->nr_entries && !ret; i++) {
		const struct klp_entry *e = v[i], *prev = i ? v[i - 1] : NULL;
		struct reloc *r;

		if (prev && prev->target == e->target &&
		    prev->offset + (prev->width ? prev->width : 1) > e->offset)
			ret = entry_error(k, e->nr, "place %s+%#lx overlaps the place of entry %zu (%s+%#lx)",
					  e->target->name, (unsigned long)e->offset,
					  prev->nr, prev->target->name,
					  (unsigned long)prev->offset);
		else if ((r = ordinary_overlap(k, e)))
			ret = entry_error(k, e->nr, "place %s+%#lx overlaps the relocation at %s+%#lx in %s (%s to %s)",
					  e->target->name, (unsigned long)e->offset,
					  e->target->name, (unsigned long)r->offset,
					  r->sec->name, arch_reloc_name(k->arch, r->type),
					  r->sym ? (r->sym->name[0] ? r->sym->name :
						    r->sym->sec ? r->sym->sec->name : "?") : "no symbol");
	}
	free(v);
	return ret;
}

/*
 * The undefined symbol named @name, or NULL.
 */
static struct symbol *find_undefined(struct kelf *kelf, const char *name)
{
	struct symbol *sym = name ? kelf_find_symbol_by_name(kelf, name) : NULL;

	return sym && !sym->sec && sym->shndx == SHN_UNDEF ? sym : NULL;
}

/* The symbol .klp.sym.OBJ.NAME,POS, made on first use. */
static struct symbol *klp_symbol(struct klp *k, const struct klp_entry *e)
{
	char *name = klp_symbol_name(e);
	struct symbol *sym = kelf_find_symbol_by_name(k->kelf, name);

	/* A short placeholder (modpost's limit) takes the klp symbol's name. */
	if (!sym) {
		char *ph = short_placeholder_name(name);

		sym = find_undefined(k->kelf, ph);
		if (sym)
			kelf_rename_symbol(k->kelf, sym, name);
		free(ph);
	}

	/* The placeholders' undefined symbol becomes the klp symbol. */
	if (sym && !sym->sec && sym->shndx == SHN_UNDEF && sym->bind == STB_GLOBAL)
		sym->shndx = SHN_LIVEPATCH;
	if (sym && (sym->sec || sym->shndx != SHN_LIVEPATCH)) {
		entry_error(k, e->nr, "symbol %s already exists and is not a livepatch symbol (SHN_LIVEPATCH)",
			    name);
		sym = NULL;
	} else if (!sym) {
		sym = kelf_add_symbol(k->kelf, name, STB_GLOBAL, STT_NOTYPE, NULL,
				      SHN_LIVEPATCH, 0, 0);
	}
	free(name);
	if (sym && !sym->priv) {
		sym->priv = k;	/* counted */
		k->nr_symbols++;
	}
	return sym;
}

static bool marked(const struct reloc *r, void *k)
{
	return r->priv == k;
}

/*
 * Drop the placeholders klp_check_places() marked; an ordinary relocation
 * left against a .klp.sym symbol has no matching entry, and the module
 * loader would fail on it: refuse.
 */
static bool is_short_placeholder(const struct symbol *sym)
{
	return !sym->sec && sym->shndx == SHN_UNDEF &&
	       !strncmp(sym->name, PLACEHOLDER_PREFIX, strlen(PLACEHOLDER_PREFIX));
}

static int remove_placeholders(struct klp *k)
{
	struct section *sec;
	struct symbol *sym;
	struct reloc *r;

	for_each_section(k->kelf, sec) {
		if (!is_rela_section(sec) || (sec->sh.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		kelf_remove_relocs(sec, marked, k);
		for_each_reloc(sec, r)
			if (r->sym && !r->sym->sec && (!strncmp(r->sym->name, ".klp.sym.", 9) ||
						       is_short_placeholder(r->sym)))
				return error("%s: %s+%#lx: relocation to %s has no %s entry",
					     k->kelf->path, sec->base ? sec->base->name : sec->name,
					     (unsigned long)r->offset, r->sym->name,
					     LP_RELOCS_SECTION);
	}
	/* The module loader would look a placeholder left behind up by name. */
	for_each_symbol(k->kelf, sym)
		if (is_short_placeholder(sym))
			return error("%s: placeholder symbol %s stands for no %s entry",
				     k->kelf->path, sym->name, ".livepatch.relocs");
	return 0;
}

int klp_create_sections(struct klp *k)
{
	struct klp_entry **v = sorted_entries(k, cmp_output);
	struct section *rela = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < k->nr_entries && !ret; i++) {
		const struct klp_entry *e = v[i], *prev = i ? v[i - 1] : NULL;
		struct symbol *sym;

		if (!prev || prev->target != e->target ||
		    strcmp(prev->objname, e->objname)) {
			char *name = xasprintf(".klp.rela.%s.%s", e->objname,
					       e->target->name);

			if (kelf_find_section_by_name(k->kelf, name)) {
				ret = entry_error(k, e->nr, "section %s already exists", name);
				free(name);
				break;
			}
			rela = kelf_add_rela_section(e->target, name,
						     SHF_RELA_LIVEPATCH | SHF_ALLOC |
						     SHF_INFO_LINK);
			free(name);
			k->nr_sections++;
		}
		sym = klp_symbol(k, e);
		if (!sym)
			ret = -1;
		else
			kelf_rela_append(rela, e->offset, e->type, sym, e->addend);
	}
	free(v);
	return ret ? ret : remove_placeholders(k);
}
