/*
 * kelf-dump - print what the ELF layer read from a file, one fact a line,
 * in a stable text form that tests compare with expected output.
 *
 *	kelf-dump [-S] [-s] [-r] [-g] FILE
 *	kelf-dump --containing SECTION OFFSET FILE	(address lookup)
 *	kelf-dump --symbol NAME FILE			(name lookup, all duplicates)
 *
 * Sections:  S <index> <name> <type> flags=<hex> size=<n> link=<name> align=<n> entsize=<n>
 * Symbols:   Y <index> <name> <bind> <type> <section|UNDEF|ABS|COMMON> off=<hex> size=<n>
 * Relocs:    R <section>+<hex> <type> <symbol-or-section> <addend>
 * Groups:    G <name> <signature> flags=<n> members=<name,...>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/arch.h"
#include "../../elf/kelf.h"
#include "../../util/util.h"

static const char *sym_where(const struct symbol *sym)
{
	if (sym->sec)
		return sym->sec->name;
	switch (sym->shndx) {
	case SHN_UNDEF: return "UNDEF";
	case SHN_ABS: return "ABS";
	case SHN_COMMON: return "COMMON";
	case SHN_LIVEPATCH: return "LIVEPATCH";
	}
	return "SPECIAL";
}

static const char *sym_label(const struct symbol *sym)
{
	if (!sym)
		return "(none)";
	if (sym->type == STT_SECTION && sym->sec)
		return sym->sec->name;
	return sym->name;
}

static void dump_symbol(const struct symbol *sym)
{
	printf("Y %u %s %s %s %s off=%#lx size=%lu\n", sym->index,
	       sym->name[0] ? sym->name : "-", kelf_symbol_bind_name(sym->bind),
	       kelf_symbol_type_name(sym->type), sym_where(sym),
	       (unsigned long)sym->offset, (unsigned long)sym->size);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kelf-dump [-S] [-s] [-r] [-g] FILE\n"
		"       kelf-dump --containing SECTION OFFSET FILE\n"
		"       kelf-dump --symbol NAME FILE\n");
	exit(1);
}

int main(int argc, char **argv)
{
	bool secs = false, syms = false, relocs = false, groups = false;
	const char *containing = NULL, *offset = NULL, *symname = NULL;
	const struct arch *arch;
	struct section *sec;
	struct symbol *sym;
	struct reloc *rel;
	struct kelf *kelf;
	int i;

	set_progname(argv[0]);
	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-S"))
			secs = true;
		else if (!strcmp(argv[i], "-s"))
			syms = true;
		else if (!strcmp(argv[i], "-r"))
			relocs = true;
		else if (!strcmp(argv[i], "-g"))
			groups = true;
		else if (!strcmp(argv[i], "--containing") && i + 2 < argc - 1)
			containing = argv[++i], offset = argv[++i];
		else if (!strcmp(argv[i], "--symbol") && i + 1 < argc - 1)
			symname = argv[++i];
		else
			usage();
	}
	if (i != argc - 1)
		usage();
	if (!secs && !syms && !relocs && !groups && !containing && !symname)
		secs = syms = relocs = groups = true;

	kelf = kelf_open(argv[argc - 1]);
	if (!kelf)
		return 1;
	arch = arch_find_by_machine(kelf->ehdr.e_machine);

	if (containing) {
		sec = kelf_find_section_by_name(kelf, containing);
		if (!sec)
			die("%s: no section %s", kelf->path, containing);
		sym = kelf_find_symbol_containing(sec, strtoull(offset, NULL, 0));
		printf("%s\n", sym ? sym->name : "(none)");
		kelf_close(kelf);
		return 0;
	}
	if (symname) {
		for (sym = kelf_find_symbol_by_name(kelf, symname); sym;
		     sym = kelf_next_symbol_same_name(sym))
			dump_symbol(sym);
		kelf_close(kelf);
		return 0;
	}

	if (secs)
		for_each_section(kelf, sec)
			printf("S %u %s %s flags=%#lx size=%zu link=%s align=%lu entsize=%lu\n",
			       sec->index, sec->name,
			       kelf_section_type_name(sec->sh.sh_type),
			       (unsigned long)sec->sh.sh_flags, sec->size,
			       sec->link ? sec->link->name : "-",
			       (unsigned long)sec->sh.sh_addralign,
			       (unsigned long)sec->sh.sh_entsize);
	if (syms)
		for_each_symbol(kelf, sym)
			dump_symbol(sym);
	if (relocs)
		for_each_section(kelf, sec) {
			if (!is_rela_section(sec) || !sec->base)
				continue;
			for_each_reloc(sec, rel)
				printf("R %s+%#lx %s %s %+ld\n", sec->base->name,
				       (unsigned long)rel->offset,
				       arch_reloc_name(arch, rel->type),
				       sym_label(rel->sym), (long)rel->addend);
		}
	if (groups)
		for_each_section(kelf, sec) {
			size_t m;

			if (sec->sh.sh_type != SHT_GROUP)
				continue;
			printf("G %s %s flags=%u members=", sec->name,
			       sym_label(sec->group_sig), sec->group_flags);
			for (m = 0; m < sec->nr_members; m++)
				printf("%s%s", m ? "," : "", sec->members[m]->name);
			printf("\n");
		}
	kelf_close(kelf);
	return 0;
}
