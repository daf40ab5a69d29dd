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
		    !strcmp(arches[i]->kernel_arch, name) ||
		    !strcmp(arches[i]->uname, name))
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

void arch_print_info(const struct arch *arch, FILE *f)
{
	fprintf(f, "name=%s\nkernel_arch=%s\ncross_compile=%s\nuname=%s\nmodule_objtool_configs=%s\n",
		arch->name, arch->kernel_arch, arch->cross_compile, arch->uname,
		arch->module_objtool_configs ? arch->module_objtool_configs : "");
}

const char *arch_names(void)
{
	return "x86_64 arm64";
}

int arch_decode(const struct arch *arch, const unsigned char *code, size_t avail,
		struct arch_insn *insn)
{
	if (!arch->decode || !avail)
		return -1;
	return arch->decode(code, avail, insn);
}

int arch_insn_at(const struct arch *arch, const unsigned char *code, size_t size, size_t off,
		 uint64_t *start, struct arch_insn *insn)
{
	size_t at = 0;

	if (arch->insn_len) {
		at = off - off % arch->insn_len;
		if (off >= size || size - at < arch->insn_len ||
		    arch_decode(arch, code + at, size - at, insn))
			return -1;
		*start = at;
		return 0;
	}
	while (at < size) {
		if (arch_decode(arch, code + at, size - at, insn))
			return -1;
		if (off < at + insn->len) {
			*start = at;
			return 0;
		}
		at += insn->len;
	}
	return -1;
}

bool arch_insn_dest(const unsigned char *code, const struct arch_insn *insn, int64_t *dest)
{
	uint64_t v = 0;
	unsigned int k, n = insn->disp_len;

	if (!insn->pcrel || insn->disp_off < 0 || !n || n > 8 ||
	    (unsigned int)insn->disp_off + n > insn->len)
		return false;
	for (k = n; k-- > 0;)
		v = v << 8 | code[insn->disp_off + k];
	if (n < 8 && (v >> (8 * n - 1)) & 1)	/* sign-extend */
		v |= ~(uint64_t)0 << (8 * n);
	*dest = (int64_t)insn->len + (int64_t)v;
	return true;
}
