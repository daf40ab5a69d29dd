/*
 * layout.c - the size of a special section's entries, read from the
 * object rather than assumed.
 *
 * The structures behind the tables change with the kernel's configuration:
 * a bug entry is 12 bytes with CONFIG_DEBUG_BUGVERBOSE (address, file,
 * line, flags) and 8 without (address, flags).  Cutting a table with the
 * wrong size keeps the wrong entries and copies halves of two.  So the
 * layout of each section is, in this order:
 *
 *  1. its sh_entsize, where the tool that wrote the section set it:
 *     objtool's .static_call_sites, .retpoline_sites, .return_sites,
 *     .call_sites, .ibt_endbr_seal, .cfi_sites, __mcount_loc, .orc_unwind_ip
 *     and .orc_unwind (Linux 6.12 tools/objtool, elf_create_section_pair()),
 *     and recordmcount's __mcount_loc.  The kernel's own assembly
 *     (.pushsection __bug_table,"aw" and the like) never uses the "aM"
 *     form that sets it for these tables, nor does GCC for its
 *     __mcount_loc and __patchable_function_entries.  It must be the size
 *     of a layout the arch table describes, and the relocations must
 *     follow that layout;
 *  2. else the one layout of the arch table whose relocated fields the
 *     section's relocations fill exactly: a relocation at each of them in
 *     every entry, and none elsewhere (a verbose bug entry relocates +0 and
 *     +4 of every 12 bytes, a short one +0 of every 8);
 *  3. else it cannot be known, and the object is refused, naming the
 *     section and the rule: a table is never cut by a guess, nor skipped.
 *
 * In both, a layout the arch table says is marked (or unmarked) by
 * objtool's ANNOTATE_DATA_SPECIAL must be (or not be): marked, each entry
 * has a mark at its start and there is no other mark in the section.
 * Linux 7.x marks x86_64's bug entries, whose 12 bytes with a format
 * field are 6.12's 12 bytes with a file field in every other respect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "special.h"
#include "../create-diff-object/cdo.h"
#include "../util/util.h"

/* Do @sec's relocations fill exactly the fields @l relocates? */
static bool follows(struct section *sec, const struct special_layout *l)
{
	struct reloc **rels;
	size_t n, i, per = (size_t)__builtin_popcountll(l->relocs);
	uint64_t prev = 0;

	if (!l->size || sec->size % l->size)
		return false;
	rels = kelf_relocs_in_range(sec, 0, sec->size, &n);
	if (n != sec->size / l->size * per)
		return false;
	for (i = 0; i < n; i++) {
		uint64_t off = rels[i]->offset;

		if ((i && off <= prev) || !(l->relocs & SPECIAL_AT(off % l->size)))
			return false;
		prev = off;
	}
	return true;
}

/* "12 bytes relocated at +0, +4 (CONFIG_DEBUG_BUGVERBOSE)" into @buf. */
static const char *describe(const struct special_layout *l, char *buf, size_t len)
{
	size_t w = (size_t)snprintf(buf, len, "%u bytes relocated at", l->size);
	unsigned int off;
	bool first = true;

	for (off = 0; off < 64 && w < len; off++) {
		if (!(l->relocs & SPECIAL_AT(off)))
			continue;
		w += (size_t)snprintf(buf + w, len - w, "%s +%u", first ? "" : ",", off);
		first = false;
	}
	if (l->config && w < len)
		w += (size_t)snprintf(buf + w, len - w, " (%s%s)", l->config,
				      l->marks == SPECIAL_MARKS_EACH ?
				      ", each marked by ANNOTATE_DATA_SPECIAL" : "");
	return buf;
}

/* Every layout of @ss, "A; B", into @buf. */
static const char *describe_all(const struct special_section *ss, char *buf, size_t len)
{
	char one[160];
	size_t w = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < SPECIAL_MAX_LAYOUTS && ss->layouts[i].size && w < len; i++)
		w += (size_t)snprintf(buf + w, len - w, "%s%s", i ? "; " : "",
				      describe(&ss->layouts[i], one, sizeof(one)));
	return buf;
}

/* The entries objtool's ANNOTATE_DATA_SPECIAL marks in a section. */
struct marks {
	uint64_t *off;			/* sorted, in the section */
	size_t n;
	bool bad;			/* one the section cannot have */
};

static int by_offset(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The marks of @kelf's SPECIAL_ANNOTATE_DATA (8-byte entries: an s32 place
 * relocated at +0, a u32 type at +4, little-endian as every object elf/
 * reads) whose place is in @sec, into @m (free m->off).  A mark beyond
 * the section's end, or an entry cut short, is bad.
 */
static void read_marks(const struct kelf *kelf, struct section *sec, struct marks *m)
{
	struct section *ann = kelf_find_section_by_name(kelf, SPECIAL_ANNOTATE_DATA);
	size_t i;

	memset(m, 0, sizeof(*m));
	if (!ann || !ann->rela || !ann->data)
		return;
	m->off = xcalloc(ann->rela->nr_relocs + 1, sizeof(*m->off));
	for (i = 0; i < ann->rela->nr_relocs; i++) {
		const struct reloc *r = ann->rela->relocs[i];
		const unsigned char *t;
		int64_t at;

		if (!r->sym || r->sym->sec != sec)
			continue;
		if (r->offset % 8 || r->offset + 8 > ann->size) {
			m->bad = true;
			continue;
		}
		t = ann->data + r->offset + 4;
		if ((uint32_t)(t[0] | t[1] << 8 | t[2] << 16 | (uint32_t)t[3] << 24) !=
		    SPECIAL_ANNOTYPE_DATA)
			continue;
		at = (int64_t)r->sym->offset + r->addend;
		if (at < 0 || (uint64_t)at >= sec->size) {
			m->bad = true;
			continue;
		}
		m->off[m->n++] = (uint64_t)at;
	}
	xqsort(m->off, m->n, sizeof(*m->off), by_offset);
}

/* Do @m's marks agree with what @l says of the kernels that give it? */
static bool marks_fit(const struct marks *m, const struct section *sec,
		      const struct special_layout *l)
{
	size_t i;

	switch (l->marks) {
	case SPECIAL_MARKS_ANY:
		return true;
	case SPECIAL_MARKS_NONE:
		return !m->n && !m->bad;
	case SPECIAL_MARKS_EACH:
		if (m->bad || sec->size % l->size || m->n != sec->size / l->size)
			return false;
		for (i = 0; i < m->n; i++)
			if (m->off[i] != i * l->size)
				return false;
		return true;
	}
	return false;
}

static const struct special_layout *find_layout(struct section *sec,
						const struct special_section *ss,
						const struct marks *m,
						unsigned int *nr_fitting)
{
	const struct special_layout *found = NULL;
	int i;

	*nr_fitting = 0;
	for (i = 0; i < SPECIAL_MAX_LAYOUTS && ss->layouts[i].size; i++) {
		const struct special_layout *l = &ss->layouts[i];

		if (sec->sh.sh_entsize ? l->size != sec->sh.sh_entsize : !follows(sec, l))
			continue;
		if (!marks_fit(m, sec, l))
			continue;
		if (!found)
			found = l;
		(*nr_fitting)++;
	}
	return found;
}

static int refuse(const struct cdo *cdo, const struct kelf *kelf, struct section *sec,
		  const struct special_section *ss, const struct marks *m,
		  unsigned int nr_fitting)
{
	const struct special_layout *l;
	char all[512];

	describe_all(ss, all, sizeof(all));
	if (!sec->sh.sh_entsize)
		return error("%s: %s: cannot tell the size of its entries: its sh_entsize is 0, and its relocations follow %s of the layouts known for it (%s); add this kernel's layout of %s to arch/%s/special.c",
			     kelf->path, sec->name, nr_fitting ? "several" : "none",
			     all, ss->name, cdo->arch->name);
	l = find_layout(sec, ss, m, &nr_fitting);
	if (!l)
		return error("%s: %s: cannot tell the layout of its entries: its sh_entsize %lu is the size of none of the layouts known for it (%s); add this kernel's layout of %s to arch/%s/special.c",
			     kelf->path, sec->name, (unsigned long)sec->sh.sh_entsize,
			     all, ss->name, cdo->arch->name);
	if (sec->size % l->size)
		return error("%s: %s: its size %zu is not a multiple of its sh_entsize %u",
			     kelf->path, sec->name, sec->size, l->size);
	return error("%s: %s: its relocations do not follow the layout its sh_entsize %u gives (%s): not a table the kernel builds",
		     kelf->path, sec->name, l->size, describe(l, all, sizeof(all)));
}

const struct special_layout *special_layout(const struct cdo *cdo,
					    const struct kelf *kelf, struct section *sec,
					    const struct special_section *ss)
{
	struct sec_info *si = sec_info(sec);
	const struct special_layout *l;
	unsigned int nr_fitting;
	struct marks m;

	if (si->layout || si->layout_unknown)
		return si->layout;
	read_marks(kelf, sec, &m);
	l = find_layout(sec, ss, &m, &nr_fitting);
	/* An empty table has no entries to cut: any layout does. */
	if (!sec->size && !sec->sh.sh_entsize)
		l = &ss->layouts[0], nr_fitting = 1;
	if (l && nr_fitting == 1 && (!sec->sh.sh_entsize || follows(sec, l))) {
		si->layout = l;
		free(m.off);
		return l;
	}
	si->layout_unknown = true;
	refuse(cdo, kelf, sec, ss, &m, nr_fitting);
	free(m.off);
	return NULL;
}

unsigned int special_entry_size(const struct section *sec)
{
	const struct sec_info *si = sec_info(sec);

	if (!si->layout)
		BUG();
	return si->layout->size;
}

unsigned int special_companion_size(const struct kelf *kelf, const struct section *sec,
				    const struct section *csec, size_t n)
{
	uint64_t size = csec->sh.sh_entsize;

	if (!size && n && !(csec->size % n))
		size = csec->size / n;
	if (!n || !size || size != csec->size / n || csec->size % n || !csec->data ||
	    size > 64) {
		error("%s: %s: %s does not hold one entry of one size for each of its %zu entries (size %zu, sh_entsize %lu)",
		      kelf->path, sec->name, csec->name, n, csec->size,
		      (unsigned long)csec->sh.sh_entsize);
		return 0;
	}
	return (unsigned int)size;
}
