/*
 * arch.c - the registry of architectures and lookups in their tables.
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"

static const struct arch *const arches[] = {
	&arch_x86_64,
	&arch_arm64,
};

const struct arch *arch_find_by_machine(uint16_t machine)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->machine == machine)
			return arches[i];
	return NULL;
}

const struct arch *arch_find_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i]->name, name) ||
		    !strcmp(arches[i]->kernel_arch, name))
			return arches[i];
	return NULL;
}

const struct arch_reloc *arch_reloc(const struct arch *arch, uint32_t type)
{
	size_t lo = 0, hi = arch->nr_relocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (arch->relocs[mid].type == type)
			return &arch->relocs[mid];
		if (arch->relocs[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *arch_reloc_name(const struct arch *arch, uint32_t type)
{
	static char buf[32];
	const struct arch_reloc *r = arch ? arch_reloc(arch, type) : NULL;

	if (r)
		return r->name;
	snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}

const char *arch_names(void)
{
	return "x86_64 arm64";
}
