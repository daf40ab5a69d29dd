/*
 * output.c - write the diff object (format: doc/diff-object-format.md).
 *
 * Each included function or object gets a section of its own holding just
 * its bytes, so functions GCC packed into a shared section come out
 * separately; the section is named after it, or after its class where the
 * kernel gives its section's name a meaning (classes.c: .data..percpu...).
 * Anonymous data is copied whole; shared anonymous code cut into pieces
 * (pieces.c) only by the pieces carried.  Relocations are
 * rewritten against what the diff object defines, or against the running
 * kernel's originals:
 *	exported by vmlinux		an ordinary undefined symbol
 *	anything else			an entry of .livepatch.relocs, turned
 *					into a klp relocation after linking
 * and every changed function gets an entry of .livepatch.funcs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../kmod/livepatch-format.h"
#include "../special-sections/special.h"
#include "../util/util.h"

struct out {
	struct cdo *cdo;
	struct kelf *kelf;
	struct lookup *lookup;
	struct section *strings, *funcs, *relocs;
	struct hashtab string_offsets;
	unsigned int nr_funcs, nr_klp_relocs;
};

struct string_entry {
	struct hnode node;
	const char *s;
	size_t off;
};

/* Offset of @s in .livepatch.strings, appending it once. */
static uint64_t add_string(struct out *o, const char *s)
{
	struct string_entry *e;
	struct hnode *n;

	hash_for_each_match(&o->string_offsets, n, hash_str(s)) {
		e = container_of(n, struct string_entry, node);
		if (!strcmp(e->s, s))
			return e->off;
	}
	e = xcalloc(1, sizeof(*e));
	e->s = s;
	e->off = kelf_append_section_data(o->strings, s, strlen(s) + 1);
	hash_add(&o->string_offsets, &e->node, hash_str(s));
	return e->off;
}

/* A 64-bit pointer at @off of @sec to string @s. */
static void point_to_string(struct out *o, struct section *sec, uint64_t off,
			    const char *s)
{
	kelf_add_reloc(sec, off, o->cdo->arch->abs64,
		       kelf_section_symbol(o->strings), add_string(o, s));
}

/*
 * Bytes before function @sym that belong to no symbol: the NOP padding that
 * call depth tracking and CFI put in front of each function (16 bytes with
 * CONFIG_CALL_DEPTH_TRACKING).  The kernel writes into it at load time, so
 * it must come along, or the previous function's tail is overwritten.
 */
static uint64_t padding_before(struct symbol *sym)
{
	uint64_t pad = 0, align, fill;
	struct symbol *pfx;

	if (sym->type != STT_FUNC || !sym->sec)
		return 0;
	pfx = cdo_prefix_of(sym);
	if (pfx)
		return sym->offset - pfx->offset;
	while (pad < sym->offset && pad < 64 &&
	       !kelf_find_symbol_containing(sym->sec, sym->offset - pad - 1))
		pad++;
	/*
	 * The copy starts a section of the same alignment, so start it on an
	 * aligned offset: what lies between the previous function's end and
	 * that is the previous function's alignment fill, not our padding.
	 */
	align = sym->sec->sh.sh_addralign;
	if (align > 1) {
		fill = (align - (sym->offset - pad) % align) % align;
		pad = fill > pad ? 0 : pad - fill;
	}
	return pad;
}

static void copy_symbol(struct out *o, struct symbol *sym)
{
	struct section *src = sym->sec, *dst;
	/* The kernel finds a descriptor table by its name (__dyndbg). */
	char *name = special_descriptor_table(o->cdo, sym) ? xstrdup(src->name) :
		     cdo_output_section_name(sym);
	uint64_t pad = padding_before(sym);

	/* cdo_extent(): with the code past its end that belongs to it. */
	dst = kelf_add_section(o->kelf, name, src->sh.sh_type, src->sh.sh_flags & ~SHF_GROUP,
			       src->sh.sh_addralign, src->sh.sh_entsize,
			       src->data ? src->data + sym->offset - pad : NULL,
			       cdo_extent(sym) + pad);
	free(name);
	sym_info(sym)->out = kelf_add_symbol(o->kelf, sym->name, sym->bind, sym->type,
					     dst, 0, pad, sym->size);
	sym_info(sym)->out->other = sym->other;
}

static void copy_section(struct out *o, struct section *src)
{
	sec_info(src)->out = kelf_add_section(o->kelf, src->name, src->sh.sh_type,
					      src->sh.sh_flags & ~SHF_GROUP,
					      src->sh.sh_addralign, src->sh.sh_entsize,
					      src->data, src->size);
}

/* The undefined symbol @name of the diff object, created once. */
static struct symbol *undefined(struct out *o, const char *name)
{
	struct symbol *s;

	for (s = kelf_find_symbol_by_name(o->kelf, name); s;
	     s = kelf_next_symbol_same_name(s))
		if (!s->sec && s->shndx == SHN_UNDEF)
			return s;
	return kelf_add_symbol(o->kelf, name, STB_GLOBAL, STT_NOTYPE, NULL,
			       SHN_UNDEF, 0, 0);
}

static int add_klp_reloc(struct out *o, struct section *dst, uint64_t off,
			 const struct reloc *rel, struct symbol *t, int64_t addend)
{
	struct lookup_result res;
	struct lp_reloc e = { 0 };
	const char *kname;
	uint64_t at;
	char *name;
	bool local;

	/* The running kernel knows the original's name (calls.3, not calls.4). */
	if (sym_twin(t))
		t = sym_twin(t);
	local = t->bind == STB_LOCAL;
	if (lookup_symbol(o->lookup, t->name, local, &res))
		return error("%s: %s+%#lx: cannot resolve %s %s in the running kernel",
			     o->cdo->patched->path, rel->sec->base->name,
			     (unsigned long)rel->offset, local ? "local" : "global",
			     t->name);
	/* Its name there: a numbered static local's number may differ. */
	kname = res.sym ? res.sym->name : t->name;
	e.addend = addend;
	e.type = rel->type;
	e.sympos = res.sympos;
	at = kelf_append_section_data(o->relocs, &e, sizeof(e));
	kelf_add_reloc(o->relocs, at + offsetof(struct lp_reloc, place),
		       o->cdo->arch->abs64, kelf_section_symbol(dst), off);
	point_to_string(o, o->relocs, at + offsetof(struct lp_reloc, name), kname);
	point_to_string(o, o->relocs, at + offsetof(struct lp_reloc, objname),
			o->cdo->objname);
	/*
	 * And a placeholder at the place: an ordinary relocation of the same
	 * type and addend to an undefined .klp.sym.OBJ.NAME,POS, so that what
	 * reads the module before create-klp-module (objtool decoding a call,
	 * modpost) sees an external reference, not a call into nowhere.
	 * create-klp-module removes it.  Under CONFIG_MODVERSIONS modpost
	 * writes each undefined name into the module's version table, whose
	 * name field holds MODULE_NAME_LEN - 1 characters, and refuses a
	 * longer one: such a name gets a short placeholder, .klp.ph. and the
	 * FNV-1a hash of the long one, which create-klp-module renames back.
	 */
	name = xasprintf(".klp.sym.%s.%s,%lu", o->cdo->objname, kname,
			 (unsigned long)res.sympos);
	if (strlen(name) > LP_PLACEHOLDER_MAX_NAME) {
		char *full = name;

		name = xasprintf(".klp.ph.%016llx", (unsigned long long)hash_str(full));
		free(full);
	}
	kelf_add_reloc(dst, off, rel->type, undefined(o, name), addend);
	free(name);
	o->nr_klp_relocs++;
	return 0;
}

/* Re-create relocation @rel at @off of @dst, as the header comment says. */
static int emit_reloc(struct out *o, struct section *dst, uint64_t off,
		      const struct reloc *rel)
{
	struct cdo *cdo = o->cdo;
	const struct arch_reloc *ar;
	struct symbol *t;
	int64_t addend = 0;

	/* Symbol plus addend must fit the field: no 4-byte field holds a
	 * place 4 GiB from its symbol (the module would not load). */
	ar = arch_reloc(cdo->arch, rel->type);
	if (ar && ar->width && ar->width < 8 &&
	    (rel->addend > (INT64_C(1) << (8 * ar->width)) ||
	     rel->addend < -(INT64_C(1) << (8 * ar->width))))
		return error("%s: %s+%#lx: %s with addend %lld: its %u-byte field cannot reach that far from a symbol",
			     cdo->patched->path, rel->sec->base->name, (unsigned long)rel->offset,
			     arch_reloc_name(cdo->arch, rel->type), (long long)rel->addend,
			     ar->width);
	if (!rel->sym) {
		kelf_add_reloc(dst, off, rel->type, NULL, rel->addend);
		return 0;
	}
	t = cdo_reloc_target(cdo, rel, &addend);
	if (!t) {
		struct section *s = rel->sym->sec;
		struct piece *pc = cdo_piece_at(cdo, s, cdo_reloc_offset(cdo, rel));

		if (pc && pc->include && sec_info(s)->out) {
			kelf_add_reloc(dst, off, rel->type, kelf_section_symbol(sec_info(s)->out),
				       rel->addend - (int64_t)pc->start + (int64_t)pc->out);
			return 0;
		}
		if (pc)
			return error("%s: %s+%#lx: relocation to %s+%#lx reaches a piece of shared code the livepatch does not carry",
				     cdo->patched->path, rel->sec->base->name,
				     (unsigned long)rel->offset, s->name, (long)rel->addend);

		if (!s || !sec_info(s)->out)
			return error("%s: %s+%#lx: relocation to %s+%#lx reaches no symbol and no data carried in the livepatch",
				     cdo->patched->path, rel->sec->base->name,
				     (unsigned long)rel->offset,
				     s ? s->name : rel->sym->name, (long)rel->addend);
		kelf_add_reloc(dst, off, rel->type, kelf_section_symbol(sec_info(s)->out),
			       rel->addend);
		return 0;
	}
	if (sym_info(t)->include) {
		struct symbol *out = sym_info(t)->out;

		/*
		 * Against the section symbol where objtool needs one: it reads
		 * its annotations against section symbols only, and it tells
		 * a jump to a label of a function (what the assembler writes
		 * against the section: the replacement code of an alternative
		 * jumping back into its function, a jump to a .cold part) from
		 * a sibling call (against a function symbol) by that alone.
		 * So from code to code a section symbol stays one.
		 */
		if (out->sec && (!strncmp(dst->name, ".discard.", 9) ||
				 (rel->sym->type == STT_SECTION && t->type == STT_FUNC &&
				  (dst->sh.sh_flags & SHF_EXECINSTR)))) {
			kelf_add_reloc(dst, off, rel->type, kelf_section_symbol(out->sec),
				       (int64_t)out->offset + addend);
			return 0;
		}
		kelf_add_reloc(dst, off, rel->type, out, addend);
		return 0;
	}
	/* The original in the running kernel. */
	if (cdo_links_plainly(cdo, t)) {
		kelf_add_reloc(dst, off, rel->type, undefined(o, t->name), addend);
		return 0;
	}
	return add_klp_reloc(o, dst, off, rel, t, addend);
}

/* Re-create the relocations of [start, start+size) of @src at @dst_off of @dst. */
static int emit_relocs(struct out *o, struct section *src, uint64_t start,
		       uint64_t size, struct section *dst, uint64_t dst_off)
{
	struct reloc **rels;
	size_t n, i;

	rels = kelf_relocs_in_range(src, start, start + size, &n);
	for (i = 0; i < n; i++)
		if (emit_reloc(o, dst, dst_off + rels[i]->offset - start, rels[i]))
			return -1;
	return 0;
}

static struct section *copy_header(struct out *o, const struct section *src)
{
	return kelf_add_section(o->kelf, src->name, src->sh.sh_type,
				src->sh.sh_flags & ~SHF_GROUP, src->sh.sh_addralign,
				src->sh.sh_entsize, NULL, 0);
}

/*
 * The pieces of shared anonymous code @src that carried functions reach
 * (pieces.c), one after the other in a section of the same name: the
 * pieces of the functions left in the running kernel stay out, with their
 * jumps into those functions.
 */
static void copy_pieces(struct out *o, struct section *src)
{
	struct sec_info *si = sec_info(src);
	size_t i;

	for (i = 0; i < si->nr_pieces; i++) {
		struct piece *pc = &si->pieces[i];

		if (!pc->include)
			continue;
		if (!si->out)
			si->out = copy_header(o, src);
		pc->out = kelf_append_section_data(si->out, src->data + pc->start,
						   pc->end - pc->start);
	}
}

/*
 * The carried function's section entry @from of SHF_LINK_ORDER table @src
 * points at.  Such a table (__patchable_function_entries) must link to the
 * section of the function its entries belong to, or ld -r refuses to mix
 * it with the module's own ordered tables: the copy is split into one
 * section per carried function, linked to that function's copy.
 */
static struct section *link_target(struct out *o, struct section *src, uint64_t from)
{
	struct reloc **rels;
	struct symbol *t;
	size_t n;

	rels = kelf_relocs_in_range(src, from, from + special_entry_size(src), &n);
	t = n ? cdo_reloc_target(o->cdo, rels[0], NULL) : NULL;
	if (!t || !sym_info(t)->out) {
		error("%s: %s+%#lx: an entry of this link-order table points at no carried function",
		      o->cdo->patched->path, src->name, (unsigned long)from);
		return NULL;
	}
	return sym_info(t)->out->sec;
}

/* The copy of link-order table @src linked to @to, made on first use. */
static struct section *linked_copy(struct out *o, struct section *src, struct section *to)
{
	struct section *s;

	for_each_section(o->kelf, s)
		if (s->link == to && !strcmp(s->name, src->name))
			return s;
	s = copy_header(o, src);
	s->link = to;
	return s;
}

/* The kept entries of special section @src (and of its companion). */
static int copy_special(struct out *o, struct section *src,
			const struct special_section *ss)
{
	struct section *dst = NULL, *csrc = NULL, *cdst = NULL;
	unsigned int size = special_entry_size(src), csize = 0;
	size_t n = src->size / size, i;

	for (i = 0; i < n; i++) {
		uint64_t from = i * size, at;

		if (!special_entry_kept(src, i))
			continue;
		if (src->sh.sh_flags & SHF_LINK_ORDER) {
			struct section *to = link_target(o, src, from);

			if (!to)
				return -1;
			dst = linked_copy(o, src, to);
		} else if (!dst) {
			dst = copy_header(o, src);
			if (ss->companion) {
				csrc = kelf_find_section_by_name(o->cdo->patched,
								 ss->companion);
				if (!csrc)
					return error("%s: %s: no %s beside it",
						     o->cdo->patched->path, src->name,
						     ss->companion);
				csize = special_companion_size(o->cdo->patched, src, csrc, n);
				if (!csize)
					return -1;
				cdst = copy_header(o, csrc);
			}
		}
		at = kelf_append_section_data(dst, src->data + from, size);
		if (emit_relocs(o, src, from, size, dst, at))
			return -1;
		if (cdst)
			kelf_append_section_data(cdst, csrc->data + i * csize, csize);
	}
	return 0;
}

/*
 * For each trampoline of a static call the carried code calls through an
 * ordinary undefined symbol, a pointer to its key in .discard.addressable
 * when the key links plainly too (special.h, ->tramp_prefix), so that
 * objtool finds the key when it writes the module's .static_call_sites;
 * the module's linker script discards the section.
 */
static void reference_static_call_keys(struct out *o)
{
	const struct special_section *ss;
	struct section *addressable = NULL;
	struct symbol *s;

	for (ss = o->cdo->arch->special; ss && ss->name; ss++)
		if (ss->tramp_prefix && ss->key_prefix)
			break;
	if (!ss || !ss->name)
		return;
	for_each_symbol(o->kelf, s) {
		size_t len = strlen(ss->tramp_prefix);
		struct symbol *k;
		uint64_t at;
		char *key;

		if (s->sec || s->shndx != SHN_UNDEF ||
		    strncmp(s->name, ss->tramp_prefix, len) || !s->name[len])
			continue;
		key = xasprintf("%s%s", ss->key_prefix, s->name + len);
		k = kelf_find_symbol_by_name(o->cdo->patched, key);
		if (lookup_is_exported(o->lookup, key) && (!k || !k->sec)) {
			static const uint64_t zero;

			if (!addressable)
				addressable = kelf_add_section(o->kelf, ".discard.addressable",
							       SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
							       8, 0, NULL, 0);
			at = kelf_append_section_data(addressable, &zero, sizeof(zero));
			kelf_add_reloc(addressable, at, o->cdo->arch->abs64,
				       undefined(o, key), 0);
		}
		free(key);
	}
}

static int add_func(struct out *o, struct symbol *p)
{
	struct symbol *orig = sym_twin(p);
	struct lookup_result res;
	struct lp_func e = { 0 };
	uint64_t at;

	if (lookup_symbol(o->lookup, orig->name, orig->bind == STB_LOCAL, &res))
		return error("%s: %s: cannot find the function to replace in the running kernel",
			     o->cdo->patched->path, p->name);
	e.sympos = res.sympos;
	at = kelf_append_section_data(o->funcs, &e, sizeof(e));
	kelf_add_reloc(o->funcs, at + offsetof(struct lp_func, new_func),
		       o->cdo->arch->abs64, sym_info(p)->out, 0);
	point_to_string(o, o->funcs, at + offsetof(struct lp_func, old_name), orig->name);
	point_to_string(o, o->funcs, at + offsetof(struct lp_func, objname),
			o->cdo->objname);
	o->nr_funcs++;
	return 0;
}

/* Does the kernel patch this function through its ftrace entry?  Not the
 * .cold parts GCC splits off: they are reached only from their parent;
 * nor functions without an entry, reached through patched callers. */
static bool is_patched_function(const struct symbol *p)
{
	return p->type == STT_FUNC && sym_info(p)->include &&
	       sym_info(p)->status == CHANGED && !sym_info(p)->untraceable &&
	       !strstr(p->name, ".cold");
}

int cdo_output(struct cdo *cdo, struct lookup *lookup, const char *path)
{
	struct out o = { .cdo = cdo, .lookup = lookup };
	struct symbol *p, *file = NULL;
	struct section *s;
	int ret = -1;

	o.kelf = kelf_create(path, cdo->patched->ehdr.e_machine);
	hash_init(&o.string_offsets, 64);
	for_each_symbol(cdo->patched, p)
		if (p->type == STT_FILE && !file)
			file = kelf_add_symbol(o.kelf, p->name, STB_LOCAL, STT_FILE,
					       NULL, SHN_ABS, 0, 0);
	o.strings = kelf_add_section(o.kelf, LP_STRINGS_SECTION, SHT_PROGBITS,
				     SHF_ALLOC | SHF_MERGE | SHF_STRINGS, 1, 1, NULL, 0);
	o.funcs = kelf_add_section(o.kelf, LP_FUNCS_SECTION, SHT_PROGBITS,
				   SHF_ALLOC, 8, sizeof(struct lp_func), NULL, 0);
	o.relocs = kelf_add_section(o.kelf, LP_RELOCS_SECTION, SHT_PROGBITS,
				    SHF_ALLOC, 8, sizeof(struct lp_reloc), NULL, 0);

	for_each_symbol(cdo->patched, p)
		if (is_object_symbol(p) && sym_info(p)->include)
			copy_symbol(&o, p);
	for_each_section(cdo->patched, s)
		if (sec_info(s)->include)
			copy_section(&o, s);
		else if (sec_info(s)->pieces)
			copy_pieces(&o, s);

	for_each_symbol(cdo->patched, p)
		if (is_object_symbol(p) && sym_info(p)->include &&
		    emit_relocs(&o, p->sec, p->offset, cdo_extent(p),
				sym_info(p)->out->sec, sym_info(p)->out->offset))
			goto out;
	for_each_section(cdo->patched, s)
		if (sec_info(s)->include &&
		    emit_relocs(&o, s, 0, s->size, sec_info(s)->out, 0))
			goto out;
	for_each_section(cdo->patched, s) {
		size_t i;

		for (i = 0; i < sec_info(s)->nr_pieces; i++) {
			struct piece *pc = &sec_info(s)->pieces[i];

			if (pc->include && emit_relocs(&o, s, pc->start, pc->end - pc->start,
						       sec_info(s)->out, pc->out))
				goto out;
		}
	}
	for_each_section(cdo->patched, s) {
		const struct special_section *ss = special_find(cdo, s->name);

		/* Runtime-constant sites were rewritten instead (special.h);
		 * descriptors are carried as objects. */
		if (ss && !ss->runtime_const && !ss->descriptors &&
		    copy_special(&o, s, ss))
			goto out;
	}
	for_each_symbol(cdo->patched, p)
		if (is_patched_function(p) && add_func(&o, p))
			goto out;
	reference_static_call_keys(&o);
	if (cdo->debug)
		fprintf(stderr, "%s: %u functions to patch, %u klp relocations\n",
			path, o.nr_funcs, o.nr_klp_relocs);
	ret = kelf_write(o.kelf, path);
out:
	{
		size_t i;
		struct hnode *n, *next;

		for (i = 0; i < o.string_offsets.nbuckets; i++)
			for (n = o.string_offsets.buckets[i]; n; n = next) {
				next = n->next;
				free(container_of(n, struct string_entry, node));
			}
	}
	hash_free(&o.string_offsets);
	kelf_close(o.kelf);
	return ret;
}
