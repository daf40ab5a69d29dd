/*
 * cu.c - the compile units of a linked file's DWARF (see cu.h).
 */
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "cu.h"
#include "../util/util.h"

struct range {
	uint64_t lo, hi;
};

struct unit {
	Dwarf_Die die;
	char *path;
	const char *name;		/* DW_AT_name, as written (in libdw's strings) */
	bool read;			/* ranges and vars below are filled */
	struct range *ranges;		/* sorted by lo */
	size_t nr_ranges;
	uint64_t *vars;			/* addresses of its variables, sorted */
	size_t nr_vars;
};

struct cu_index {
	Dwarf *dw;
	struct unit *units;
	size_t nr_units;
};

struct cu_index *cu_index_read(Elf *elf, const char **why)
{
	struct cu_index *idx;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie;
	size_t alloc = 0;
	uint8_t unit_type;
	Dwarf_Half version;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);

	if (!dw) {
		*why = dwarf_errmsg(-1);	/* "no DWARF information" */
		return NULL;
	}
	idx = xcalloc(1, sizeof(*idx));
	idx->dw = dw;
	for (; dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie, NULL) == 0;
	     cu = next) {
		Dwarf_Attribute attr;
		const char *name, *dir;
		struct unit *u;

		if (dwarf_tag(&cudie) != DW_TAG_compile_unit)
			continue;	/* type and partial units define no code */
		name = dwarf_diename(&cudie);
		if (!name)
			continue;
		dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &attr));
		ALLOC_GROW(idx->units, idx->nr_units + 1, alloc);
		u = &idx->units[idx->nr_units++];
		memset(u, 0, sizeof(*u));
		u->die = cudie;
		u->name = name;
		u->path = name[0] == '/' || !dir ? xstrdup(name) :
			  xasprintf("%s/%s", dir, name);
	}
	if (!idx->nr_units) {
		*why = "no compile unit in its DWARF";
		cu_index_free(idx);
		return NULL;
	}
	return idx;
}

void cu_index_free(struct cu_index *idx)
{
	size_t i;

	if (!idx)
		return;
	for (i = 0; i < idx->nr_units; i++) {
		free(idx->units[i].path);
		free(idx->units[i].ranges);
		free(idx->units[i].vars);
	}
	free(idx->units);
	dwarf_end(idx->dw);
	free(idx);
}

size_t cu_index_count(const struct cu_index *idx)
{
	return idx->nr_units;
}

const char *cu_index_path(const struct cu_index *idx, size_t i)
{
	return idx->units[i].path;
}

long cu_index_path_match(const struct cu_index *idx, size_t i, const char *path)
{
	const struct unit *u = &idx->units[i];
	const char *full = u->path, *name = u->name;
	size_t n = strlen(full), k = strlen(path);

	if (!k || n < k || strcmp(full + n - k, path) || (n > k && full[n - k - 1] != '/'))
		return -1;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (name[0] != '/' && !strcmp(name, path))
		return 0;
	return 1 + (long)(n - k);
}

static int by_lo(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int by_addr(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The variables of @die and below with a fixed address (DW_OP_addr):
 * file-scope and function-scope statics, and globals. */
static void read_vars(struct unit *u, Dwarf_Die *die, size_t *alloc)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Op *expr;
		size_t len;

		if (dwarf_tag(&child) == DW_TAG_variable &&
		    dwarf_attr(&child, DW_AT_location, &attr) &&
		    dwarf_getlocation(&attr, &expr, &len) == 0 && len >= 1 &&
		    expr[0].atom == DW_OP_addr) {
			ALLOC_GROW(u->vars, u->nr_vars + 1, *alloc);
			u->vars[u->nr_vars++] = expr[0].number;
		}
		if (dwarf_haschildren(&child))
			read_vars(u, &child, alloc);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void read_unit(struct unit *u)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;
	size_t alloc = 0;

	u->read = true;
	while ((off = dwarf_ranges(&u->die, off, &base, &start, &end)) > 0) {
		if (end <= start)
			continue;
		ALLOC_GROW(u->ranges, u->nr_ranges + 1, alloc);
		u->ranges[u->nr_ranges].lo = start;
		u->ranges[u->nr_ranges++].hi = end;
	}
	if (u->nr_ranges)
		xqsort(u->ranges, u->nr_ranges, sizeof(*u->ranges), by_lo);
	alloc = 0;
	read_vars(u, &u->die, &alloc);
	if (u->nr_vars)
		xqsort(u->vars, u->nr_vars, sizeof(*u->vars), by_addr);
}

bool cu_index_defines(struct cu_index *idx, size_t i, uint64_t addr)
{
	struct unit *u = &idx->units[i];
	size_t lo = 0, hi;

	if (!u->read)
		read_unit(u);
	/* The last range starting at or before @addr. */
	hi = u->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < u->ranges[lo - 1].hi)
		return true;
	return u->nr_vars &&
	       bsearch(&addr, u->vars, u->nr_vars, sizeof(*u->vars), by_addr);
}
