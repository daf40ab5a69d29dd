/*
 * arch-test - unit test of the architecture tables (arch/).
 *
 * For every architecture arch_names() lists: the relocation table is
 * sorted strictly by type (arch_reloc() binary-searches it), every entry is
 * found by its own type, names carry the architecture's prefix, widths are
 * 0, 1, 2, 4 or 8 bytes; the lookups by machine and by name agree.  Prints
 * one fact a line for test/unit/t0810-arch.sh to compare; a broken
 * invariant prints "FAIL: ..." and the exit status is 1.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/arch.h"
#include "../../util/util.h"

static int failures;

static void fail(const char *arch, const char *what, unsigned int type)
{
	printf("FAIL: %s: %s (type %u)\n", arch, what, type);
	failures++;
}

static void check_relocs(const struct arch *arch, const char *prefix)
{
	size_t i, pcrel = 0;

	for (i = 0; i < arch->nr_relocs; i++) {
		const struct arch_reloc *r = &arch->relocs[i];

		if (i && r->type <= arch->relocs[i - 1].type)
			fail(arch->name, "relocs not sorted strictly by type", r->type);
		if (arch_reloc(arch, r->type) != r)
			fail(arch->name, "arch_reloc() does not find the entry", r->type);
		if (strcmp(arch_reloc_name(arch, r->type), r->name))
			fail(arch->name, "arch_reloc_name() differs from the table", r->type);
		if (strncmp(r->name, prefix, strlen(prefix)))
			fail(arch->name, "name lacks the architecture's prefix", r->type);
		if (r->width != 0 && r->width != 1 && r->width != 2 &&
		    r->width != 4 && r->width != 8)
			fail(arch->name, "width is not 0, 1, 2, 4 or 8", r->type);
		pcrel += r->pcrel;
	}
	/* Types between and beyond the known ones are unknown. */
	for (i = 0; i < 1100; i++) {
		const struct arch_reloc *r = arch_reloc(arch, i);

		if (r && r->type != i)
			fail(arch->name, "arch_reloc() returned another type", i);
	}
	printf("%s: kernel_arch=%s machine=%u cross_compile=%s relocs=%zu pcrel=%zu first=%s last=%s\n",
	       arch->name, arch->kernel_arch, arch->machine, arch->cross_compile,
	       arch->nr_relocs, pcrel, arch->relocs[0].name,
	       arch->relocs[arch->nr_relocs - 1].name);
}

static void show_reloc(const struct arch *arch, uint32_t type)
{
	const struct arch_reloc *r = arch_reloc(arch, type);

	if (r)
		printf("%s: %u = %s width=%u pcrel=%d\n", arch->name, type,
		       r->name, r->width, r->pcrel);
	else
		printf("%s: %u = unknown, named \"%s\"\n", arch->name, type,
		       arch_reloc_name(arch, type));
}

int main(int argc, char **argv)
{
	char *names, *name, *save = NULL;
	const struct arch *x86, *arm64;

	(void)argc;
	set_progname(argv[0]);
	printf("arch_names: %s\n", arch_names());

	names = xstrdup(arch_names());
	for (name = strtok_r(names, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		const struct arch *arch = arch_find_by_name(name);

		if (!arch) {
			fail(name, "arch_find_by_name() does not know a listed name", 0);
			continue;
		}
		if (arch_find_by_machine(arch->machine) != arch)
			fail(name, "arch_find_by_machine() disagrees", arch->machine);
		if (arch_find_by_name(arch->kernel_arch) != arch)
			fail(name, "the kernel's name finds another arch", 0);
		check_relocs(arch, arch->machine == EM_X86_64 ? "R_X86_64_" : "R_AARCH64_");
	}
	free(names);

	x86 = arch_find_by_machine(EM_X86_64);
	arm64 = arch_find_by_machine(EM_AARCH64);
	printf("by machine EM_X86_64: %s\n", x86 ? x86->name : "(none)");
	printf("by machine EM_AARCH64: %s\n", arm64 ? arm64->name : "(none)");
	printf("by machine EM_386: %s\n", arch_find_by_machine(EM_386) ? "found" : "(none)");
	printf("by name x86: %s\n", arch_find_by_name("x86") ? arch_find_by_name("x86")->name : "(none)");
	printf("by name riscv: %s\n", arch_find_by_name("riscv") ? "found" : "(none)");
	printf("by name \"\": %s\n", arch_find_by_name("") ? "found" : "(none)");
	if (x86) {
		show_reloc(x86, R_X86_64_PC32);
		show_reloc(x86, R_X86_64_PLT32);
		show_reloc(x86, R_X86_64_64);
		show_reloc(x86, R_X86_64_32S);
		show_reloc(x86, 200);
	}
	if (arm64) {
		show_reloc(arm64, R_AARCH64_CALL26);
		show_reloc(arm64, R_AARCH64_ADR_PREL_PG_HI21);
		show_reloc(arm64, R_AARCH64_ADD_ABS_LO12_NC);
		show_reloc(arm64, R_AARCH64_ABS64);
		show_reloc(arm64, 0x1000);
	}
	printf("no arch: %s\n", arch_reloc_name(NULL, 2));
	printf("%s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
