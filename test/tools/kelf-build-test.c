/*
 * kelf-build-test - build objects from nothing through the creation API
 * of elf/kelf.h, then read them back through kelf_open().
 *
 *	kelf-build-test x86_64|arm64 OUT
 *		A small object: .text.caller loading a local through the
 *		section symbol of .data.counter and calling the undefined
 *		global ext_func; a COMDAT group "grouped" holding
 *		.text.grouped (which also calls ext_func) and the
 *		.rela.text.grouped that kelf_add_reloc() creates.  Globals
 *		are added before locals on purpose: the writer must move the
 *		locals first.  Reading OUT back, it prints what the API
 *		finds: reverse links, lookups by offset and by address.
 *
 *	kelf-build-test --sections N OUT
 *		N data sections, each with a local symbol, and a global
 *		symbol in the last one: past SHN_LORESERVE sections the
 *		writer must use extended numbering (.symtab_shndx,
 *		SHN_XINDEX, e_shstrndx in section 0).
 *
 * test/unit/t0600-create.sh checks OUT with kelf-dump, readelf, eu-elflint
 * and ld -r.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/arch.h"
#include "../../elf/kelf.h"
#include "../../util/util.h"

/* The per-arch bytes and relocations of the two functions. */
struct sample {
	const char *arch;
	uint16_t machine;
	const unsigned char *caller;
	size_t caller_size;
	/* caller: a load of counter (two relocations on arm64: ADRP + LDR) */
	uint32_t load_type[2];
	uint64_t load_off[2];
	int64_t load_addend;
	size_t nr_load;
	/* caller and grouped: the call to ext_func */
	uint32_t call_type;
	uint64_t call_off;
	int64_t call_addend;
	const unsigned char *grouped;
	size_t grouped_size;
	uint64_t grouped_call_off;
	uint64_t text_align;
};

/* mov 0x0(%rip),%eax; call ext_func; ret */
static const unsigned char x86_caller[] = {
	0x8b, 0x05, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0xc3,
};
/* call ext_func; ret */
static const unsigned char x86_grouped[] = { 0xe8, 0, 0, 0, 0, 0xc3 };

/* adrp x0, counter; ldr w0, [x0, :lo12:counter]; bl ext_func; ret */
static const unsigned char arm64_caller[] = {
	0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x40, 0xb9,
	0x00, 0x00, 0x00, 0x94, 0xc0, 0x03, 0x5f, 0xd6,
};
/* bl ext_func; ret */
static const unsigned char arm64_grouped[] = {
	0x00, 0x00, 0x00, 0x94, 0xc0, 0x03, 0x5f, 0xd6,
};

static const struct sample samples[] = {
	{
		.arch = "x86_64", .machine = EM_X86_64,
		.caller = x86_caller, .caller_size = sizeof(x86_caller),
		.load_type = { R_X86_64_PC32 }, .load_off = { 2 },
		.load_addend = -4, .nr_load = 1,
		.call_type = R_X86_64_PLT32, .call_off = 7, .call_addend = -4,
		.grouped = x86_grouped, .grouped_size = sizeof(x86_grouped),
		.grouped_call_off = 1, .text_align = 16,
	},
	{
		.arch = "arm64", .machine = EM_AARCH64,
		.caller = arm64_caller, .caller_size = sizeof(arm64_caller),
		.load_type = { R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_LDST32_ABS_LO12_NC },
		.load_off = { 0, 4 }, .load_addend = 0, .nr_load = 2,
		.call_type = R_AARCH64_CALL26, .call_off = 8, .call_addend = 0,
		.grouped = arm64_grouped, .grouped_size = sizeof(arm64_grouped),
		.grouped_call_off = 0, .text_align = 8,
	},
};

static int build_sample(const struct sample *s, const char *out)
{
	static const unsigned char one[4] = { 1, 0, 0, 0 };
	struct kelf *kelf = kelf_create(out, s->machine);
	struct section *text, *data, *group, *gtext;
	struct symbol *caller, *ext, *grouped, *counter, *datasym;
	size_t i;
	int ret;

	text = kelf_add_section(kelf, ".text.caller", SHT_PROGBITS,
				SHF_ALLOC | SHF_EXECINSTR, s->text_align, 0,
				s->caller, s->caller_size);
	data = kelf_add_section(kelf, ".data.counter", SHT_PROGBITS,
				SHF_ALLOC | SHF_WRITE, 4, 0, one, sizeof(one));
	/* A group's header must precede its members' (gABI). */
	group = kelf_add_section(kelf, ".group", SHT_GROUP, 0, 4, 4, NULL, 0);
	group->link = kelf->symtab;
	group->group_flags = GRP_COMDAT;
	gtext = kelf_add_section(kelf, ".text.grouped", SHT_PROGBITS,
				 SHF_ALLOC | SHF_EXECINSTR | SHF_GROUP,
				 s->text_align, 0, s->grouped, s->grouped_size);
	kelf_group_add(group, gtext);
	kelf_add_section(kelf, ".note.GNU-stack", SHT_PROGBITS, 0, 1, 0, NULL, 0);

	/* Globals first, then locals: the writer reorders. */
	caller = kelf_add_symbol(kelf, "caller", STB_GLOBAL, STT_FUNC, text, 0,
				 0, s->caller_size);
	ext = kelf_add_symbol(kelf, "ext_func", STB_GLOBAL, STT_NOTYPE, NULL,
			      SHN_UNDEF, 0, 0);
	grouped = kelf_add_symbol(kelf, "grouped", STB_GLOBAL, STT_FUNC, gtext,
				  0, 0, s->grouped_size);
	group->group_sig = grouped;
	counter = kelf_add_symbol(kelf, "counter", STB_LOCAL, STT_OBJECT, data,
				  0, 0, sizeof(one));
	datasym = kelf_section_symbol(data);
	kelf_add_symbol(kelf, "built.c", STB_LOCAL, STT_FILE, NULL, SHN_ABS, 0, 0);
	(void)caller;
	(void)counter;

	for (i = 0; i < s->nr_load; i++)
		kelf_add_reloc(text, s->load_off[i], s->load_type[i], datasym,
			       s->load_addend);
	kelf_add_reloc(text, s->call_off, s->call_type, ext, s->call_addend);
	/* gtext is already in the group: its new .rela section joins it. */
	kelf_add_reloc(gtext, s->grouped_call_off, s->call_type, ext, s->call_addend);

	ret = kelf_write(kelf, out);
	kelf_close(kelf);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Read @path back and print what the lookups of kelf.h find. */
static int show_sample(const char *path)
{
	struct kelf *kelf = kelf_open(path);
	const struct arch *arch;
	struct section *text;
	struct symbol *sym;
	struct reloc *rel, **range;
	char *refs[8];
	size_t count, i;

	if (!kelf)
		return -1;
	arch = arch_find_by_machine(kelf->ehdr.e_machine);
	text = kelf_find_section_by_name(kelf, ".text.caller");
	sym = kelf_find_symbol_by_name(kelf, "ext_func");
	if (!text || !sym) {
		kelf_close(kelf);
		return error("%s: .text.caller or ext_func is missing", path);
	}
	printf("first global: %u (of %zu symbols)\n",
	       (unsigned int)kelf->symtab->sh.sh_info, kelf->nr_symbols);
	/* The chain's order is not part of the API: print it sorted. */
	count = 0;
	for_each_ref(sym, rel)
		refs[count++ % ARRAY_SIZE(refs)] = xasprintf("%s+%#lx",
			rel->sec->base->name, (unsigned long)rel->offset);
	qsort(refs, count < ARRAY_SIZE(refs) ? count : ARRAY_SIZE(refs),
	      sizeof(*refs), cmp_str);
	printf("references to ext_func: %zu:", count);
	for (i = 0; i < count && i < ARRAY_SIZE(refs); i++) {
		printf(" %s", refs[i]);
		free(refs[i]);
	}
	printf("\n");
	sym = kelf_find_symbol_by_offset(text, 0);
	printf("symbol at .text.caller+0: %s\n", sym ? sym->name : "(none)");
	sym = kelf_find_symbol_containing(text, text->size - 1);
	printf("symbol containing .text.caller+%#zx: %s\n", text->size - 1,
	       sym ? sym->name : "(none)");
	range = kelf_relocs_in_range(text, 0, text->size, &count);
	printf("relocations in .text.caller:");
	for (i = 0; i < count; i++)
		printf(" %#lx:%s", (unsigned long)range[i]->offset,
		       arch_reloc_name(arch, range[i]->type));
	printf("\n");
	rel = kelf_find_reloc_at(text, range[count - 1]->offset);
	printf("relocation at %#lx: %s\n", (unsigned long)range[count - 1]->offset,
	       rel && rel->sym ? rel->sym->name : "(none)");
	kelf_close(kelf);
	return 0;
}

static int build_many(size_t n, const char *out)
{
	static const unsigned char word[4] = { 0x2a, 0, 0, 0 };
	struct kelf *kelf = kelf_create(out, EM_X86_64);
	struct section *sec = NULL;
	char name[32];
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), ".data.v%zu", i);
		sec = kelf_add_section(kelf, name, SHT_PROGBITS,
				       SHF_ALLOC | SHF_WRITE, 4, 0, word, sizeof(word));
		snprintf(name, sizeof(name), "v%zu", i);
		kelf_add_symbol(kelf, name, STB_LOCAL, STT_OBJECT, sec, 0, 0, 4);
	}
	if (sec)
		kelf_add_symbol(kelf, "last", STB_GLOBAL, STT_OBJECT, sec, 0, 0, 4);
	ret = kelf_write(kelf, out);
	kelf_close(kelf);
	return ret;
}

int main(int argc, char **argv)
{
	size_t i;

	set_progname(argv[0]);
	if (argc == 4 && !strcmp(argv[1], "--sections"))
		return build_many(strtoul(argv[2], NULL, 0), argv[3]) ? 1 : 0;
	if (argc != 3)
		die("usage: kelf-build-test x86_64|arm64 OUT | kelf-build-test --sections N OUT");
	for (i = 0; i < ARRAY_SIZE(samples); i++)
		if (!strcmp(samples[i].arch, argv[1]))
			return build_sample(&samples[i], argv[2]) ||
			       show_sample(argv[2]) ? 1 : 0;
	die("unknown arch %s", argv[1]);
}
