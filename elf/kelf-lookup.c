/*
 * kelf-lookup.c - lookups by name and by address.
 *
 * Names go through the hash tables built at open time.  Addresses go
 * through per-section arrays sorted by offset, built on the first lookup
 * and again after the section gains symbols or relocations, so a tool may
 * interleave edits and lookups without paying for a rebuild per lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"

struct section *kelf_find_section_by_name(const struct kelf *kelf, const char *name)
{
	struct hnode *n;

	hash_for_each_match(&kelf->section_names, n, hash_str(name)) {
		struct section *sec = container_of(n, struct section, name_node);

		if (!strcmp(sec->name, name))
			return sec;
	}
	return NULL;
}

struct symbol *kelf_find_symbol_by_name(const struct kelf *kelf, const char *name)
{
	struct hnode *n;

	hash_for_each_match(&kelf->symbol_names, n, hash_str(name)) {
		struct symbol *sym = container_of(n, struct symbol, name_node);

		if (!strcmp(sym->name, name))
			return sym;
	}
	return NULL;
}

struct symbol *kelf_next_symbol_same_name(const struct symbol *sym)
{
	struct hnode *n;

	for (n = hash_next(&sym->name_node); n; n = hash_next(n)) {
		struct symbol *s = container_of(n, struct symbol, name_node);

		if (!strcmp(s->name, sym->name))
			return s;
	}
	return NULL;
}

/* Sort by offset, larger symbols first, then by index: deterministic. */
static int cmp_sym_offset(const void *a, const void *b)
{
	const struct symbol *x = *(struct symbol * const *)a;
	const struct symbol *y = *(struct symbol * const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool is_addressable(const struct symbol *sym)
{
	return sym->in_section && sym->type != STT_SECTION &&
	       sym->type != STT_FILE;
}

/*
 * Build the sorted arrays of every stale section of the file at once: one
 * pass over the symbols, so the first lookup costs O(n log n) in total, not
 * per section.
 */
static void build_symbol_index(struct kelf *kelf)
{
	struct section *sec;
	struct symbol *sym;
	size_t i;

	for_each_section(kelf, sec) {
		if (!sec->by_offset_stale)
			continue;
		free(sec->by_offset);
		free(sec->max_end);
		sec->by_offset = NULL;
		sec->max_end = NULL;
		sec->nr_by_offset = 0;
	}
	/* Count, allocate, fill. */
	for_each_symbol(kelf, sym)
		if (sym->sec && sym->sec->by_offset_stale && is_addressable(sym))
			sym->sec->nr_by_offset++;
	for_each_section(kelf, sec) {
		if (sec->by_offset_stale && sec->nr_by_offset) {
			sec->by_offset = xcalloc(sec->nr_by_offset, sizeof(*sec->by_offset));
			sec->max_end = xcalloc(sec->nr_by_offset, sizeof(*sec->max_end));
			sec->nr_by_offset = 0;
		}
	}
	for_each_symbol(kelf, sym)
		if (sym->sec && sym->sec->by_offset_stale && is_addressable(sym))
			sym->sec->by_offset[sym->sec->nr_by_offset++] = sym;
	for_each_section(kelf, sec) {
		uint64_t max = 0;

		if (!sec->by_offset_stale)
			continue;
		sec->by_offset_stale = false;
		xqsort(sec->by_offset, sec->nr_by_offset, sizeof(*sec->by_offset),
		      cmp_sym_offset);
		for (i = 0; i < sec->nr_by_offset; i++) {
			struct symbol *s = sec->by_offset[i];
			uint64_t end = s->offset + s->size;

			if (end > max)
				max = end;
			sec->max_end[i] = max;
		}
	}
}

/* Index of the first symbol of @sec at an offset greater than @offset. */
static size_t upper_bound(const struct section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nr_by_offset;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->by_offset[mid]->offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void ensure_symbol_index(struct section *sec)
{
	if (sec->by_offset_stale)
		build_symbol_index(sec->kelf);
}

struct symbol *kelf_find_symbol_by_offset(struct section *sec, uint64_t offset)
{
	struct symbol *best = NULL;
	size_t i;

	ensure_symbol_index(sec);
	for (i = upper_bound(sec, offset); i > 0; i--) {
		struct symbol *s = sec->by_offset[i - 1];

		if (s->offset != offset)
			break;
		/* Sorted larger first; prefer FUNC/OBJECT over NOTYPE labels. */
		if (!best || (best->type == STT_NOTYPE && s->type != STT_NOTYPE))
			best = s;
	}
	return best;
}

struct symbol *kelf_find_symbol_containing(struct section *sec, uint64_t offset)
{
	size_t i;

	ensure_symbol_index(sec);
	/*
	 * Walk back from the last symbol starting at or before @offset; the
	 * prefix maximum of end offsets says when no earlier symbol can reach
	 * @offset, so the walk is short unless symbols nest deeply.
	 */
	for (i = upper_bound(sec, offset); i > 0; i--) {
		struct symbol *s = sec->by_offset[i - 1];

		if (sec->max_end[i - 1] <= offset)
			break;
		if ((s->type == STT_FUNC || s->type == STT_OBJECT) &&
		    s->size && offset < s->offset + s->size)
			return s;
	}
	return NULL;
}

struct symbol **kelf_section_symbols(struct section *sec, size_t *count)
{
	ensure_symbol_index(sec);
	*count = sec->nr_by_offset;
	return sec->by_offset;
}

struct symbol *kelf_symbol_near(struct section *sec, int64_t off,
				bool (*keep)(const struct symbol *))
{
	struct symbol *before = NULL;
	size_t i;

	ensure_symbol_index(sec);
	for (i = off < 0 ? 0 : upper_bound(sec, (uint64_t)off); i > 0; i--) {
		struct symbol *s = sec->by_offset[i - 1];

		/* Nothing earlier reaches @off: the first kept one is it. */
		if (before && sec->max_end[i - 1] <= (uint64_t)off)
			break;
		if (!keep(s))
			continue;
		if (s->size && off < (int64_t)(s->offset + s->size))
			return s;
		if (!before)
			before = s;
	}
	if (before)
		return before;
	for (i = 0; i < sec->nr_by_offset; i++)
		if (keep(sec->by_offset[i]))
			return sec->by_offset[i];
	return NULL;
}

static int cmp_reloc_offset(const void *a, const void *b)
{
	const struct reloc *x = *(struct reloc * const *)a;
	const struct reloc *y = *(struct reloc * const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* Stable among equal offsets: keep file order (pointer order within
	 * one bulk allocation matches it). */
	return x < y ? -1 : x > y;
}

static struct section *sorted_relocs(struct section *base)
{
	struct section *rela = base->rela;

	if (!rela)
		return NULL;
	if (rela->relocs_sorted_stale || !rela->relocs_sorted) {
		free(rela->relocs_sorted);
		rela->relocs_sorted = xcalloc(rela->nr_relocs ? rela->nr_relocs : 1,
					      sizeof(*rela->relocs_sorted));
		if (rela->nr_relocs)	/* relocs is NULL for an empty table */
			memcpy(rela->relocs_sorted, rela->relocs,
			       rela->nr_relocs * sizeof(*rela->relocs));
		xqsort(rela->relocs_sorted, rela->nr_relocs,
		      sizeof(*rela->relocs_sorted), cmp_reloc_offset);
		rela->relocs_sorted_stale = false;
	}
	return rela;
}

/* Index of the first relocation at an offset >= @offset. */
static size_t lower_bound_reloc(const struct section *rela, uint64_t offset)
{
	size_t lo = 0, hi = rela->nr_relocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rela->relocs_sorted[mid]->offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct reloc *kelf_find_reloc_at(struct section *base, uint64_t offset)
{
	struct section *rela = sorted_relocs(base);
	size_t i;

	if (!rela)
		return NULL;
	i = lower_bound_reloc(rela, offset);
	if (i < rela->nr_relocs && rela->relocs_sorted[i]->offset == offset)
		return rela->relocs_sorted[i];
	return NULL;
}

struct reloc **kelf_relocs_in_range(struct section *base, uint64_t start,
				    uint64_t end, size_t *count)
{
	struct section *rela = sorted_relocs(base);
	size_t first, last;

	*count = 0;
	if (!rela || start >= end)
		return NULL;
	first = lower_bound_reloc(rela, start);
	last = lower_bound_reloc(rela, end);
	*count = last - first;
	return rela->relocs_sorted + first;
}
