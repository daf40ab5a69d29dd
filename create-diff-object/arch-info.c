/*
 * arch-info.c - `create-diff-object --arch-info NAME|ELF`: the facts of an
 * architecture that kpatch-build's shell stages need (arch_print_info()),
 * so that they live in arch/ only.  NAME is ours, kbuild's or uname -m's
 * (arm64, x86, aarch64); an ELF file (the running kernel's vmlinux) names
 * its architecture by its header's e_machine.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

/* The e_machine of the ELF file @path in *@machine: 0; -1 when @path
 * cannot be opened (it is then a name), -2 when it is no 64-bit ELF. */
static int elf_machine(const char *path, uint16_t *machine)
{
	unsigned char h[20];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	n = fread(h, 1, sizeof(h), f);
	fclose(f);
	if (n != sizeof(h) || memcmp(h, ELFMAG, SELFMAG) || h[EI_CLASS] != ELFCLASS64 ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return -2;
	*machine = h[EI_DATA] == ELFDATA2LSB ? h[18] | h[19] << 8 : h[18] << 8 | h[19];
	return 0;
}

int cdo_arch_info(const char *what)
{
	const struct arch *arch = NULL;
	uint16_t machine = 0;
	int r = elf_machine(what, &machine);

	if (r == -2)
		error("%s: not a 64-bit ELF file", what);
	else if (!r && !(arch = arch_find_by_machine(machine)))
		error("%s: ELF machine %u is not supported (supported: %s)", what, machine,
		      arch_names());
	else if (r && !(arch = arch_find_by_name(what)))
		error("%s: neither a file nor a known architecture (supported: %s)", what,
		      arch_names());
	if (!arch)
		return EXIT_ERROR;
	arch_print_info(arch, stdout);
	return 0;
}
