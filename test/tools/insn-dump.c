/*
 * insn-dump - what the instruction decoder (arch.h, arch_decode() and
 * arch_insn_at()) makes of an object's code, one fact a line, for tests to
 * compare with expected output.
 *
 *	insn-dump FILE			every instruction of every code section
 *	insn-dump --relocs FILE		where each relocation in code lands
 *	insn-dump --at SECTION OFF FILE	the instruction holding byte OFF
 *	insn-dump --sweep FILE...	every function of each file: counts
 *
 * Instructions: I <section>+<hex> len=<n> disp=<off>/<len>|- imm=<off>/<len>|- [pcrel] [branch] [stop] [nop] [indexed]
 * Relocations:  R <section>+<hex> <type> insn=+<hex>/<len> field=disp|imm end-field=<n>
 *               (FAIL: ... when the relocation lands on no field of the
 *               decoded instruction, or in no instruction)
 * Sweep:        <file>: functions=<n> instructions=<n> undecodable=<n> relocs=<n> off-field=<n>
 *               after one "FAIL <function>+<hex>: <why>: <bytes>" line for
 *               each of the first undecodable instructions or relocations
 *               on no field of theirs (relocations in code, sweeping an
 *               object or module); then, for several files, the totals:
 *               total: files=<n> functions=<n> ...
 * A failure sets the exit status to 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/arch.h"
#include "../../elf/kelf.h"
#include "../../util/util.h"

#define MAX_FAILS 10

static void print_insn(const struct section *sec, uint64_t at, const struct arch_insn *in)
{
	printf("I %s+0x%lx len=%u", sec->name, (unsigned long)at, in->len);
	if (in->disp_off >= 0)
		printf(" disp=%d/%u", in->disp_off, in->disp_len);
	else
		printf(" disp=-");
	if (in->imm_off >= 0)
		printf(" imm=%d/%u", in->imm_off, in->imm_len);
	else
		printf(" imm=-");
	printf("%s%s%s%s%s\n", in->pcrel ? " pcrel" : "", in->branch ? " branch" : "",
	       in->stop ? " stop" : "", in->nop ? " nop" : "", in->indexed ? " indexed" : "");
}

static int dump_section(const struct arch *arch, const struct section *sec)
{
	struct arch_insn in;
	uint64_t at = 0;

	while (at < sec->size) {
		if (arch_decode(arch, sec->data + at, sec->size - at, &in)) {
			printf("FAIL %s+0x%lx: undecodable\n", sec->name, (unsigned long)at);
			return 1;
		}
		print_insn(sec, at, &in);
		at += in.len;
	}
	return 0;
}

/*
 * Which field of the instruction holding relocation @r it lands on:
 * "disp", "imm", or NULL (and *@why says what is wrong).
 */
static const char *reloc_field(const struct arch *arch, const struct section *base,
			       uint64_t lo, uint64_t hi, const struct reloc *r,
			       uint64_t *start, struct arch_insn *in, const char **why)
{
	const struct arch_reloc *ar = arch_reloc(arch, r->type);
	uint64_t off;

	if (r->offset < lo || r->offset >= hi) {
		*why = "outside the function";
		return NULL;
	}
	if (arch_insn_at(arch, base->data + lo, hi - lo, r->offset - lo, start, in)) {
		*why = "in no decodable instruction";
		return NULL;
	}
	*start += lo;
	off = r->offset - *start;
	if (!ar) {
		*why = "unknown relocation type";
		return NULL;
	}
	if (in->disp_off >= 0 && off == (uint64_t)in->disp_off && ar->width == in->disp_len)
		return "disp";
	if (in->imm_off >= 0 && off == (uint64_t)in->imm_off && ar->width == in->imm_len)
		return "imm";
	*why = "on no field of its instruction";
	return NULL;
}

static int dump_relocs(const struct arch *arch, struct kelf *kelf)
{
	size_t i, j;
	int ret = 0;

	for (i = 1; i < kelf->nr_sections; i++) {
		struct section *rela = kelf->sections[i];
		struct section *base = rela->base;

		if (!is_rela_section(rela) || !base || !is_text_section(base) || !base->data)
			continue;
		for (j = 0; j < rela->nr_relocs; j++) {
			const struct reloc *r = rela->relocs[j];
			struct arch_insn in;
			uint64_t start;
			const char *why, *field;

			if (!arch_reloc(arch, r->type) || !arch_reloc(arch, r->type)->width)
				continue;
			field = reloc_field(arch, base, 0, base->size, r, &start, &in, &why);
			if (!field) {
				printf("FAIL %s+0x%lx %s: %s\n", base->name, (unsigned long)r->offset,
				       arch_reloc_name(arch, r->type), why);
				ret = 1;
				continue;
			}
			printf("R %s+0x%lx %s insn=+0x%lx/%u field=%s end-field=%lu\n", base->name,
			       (unsigned long)r->offset, arch_reloc_name(arch, r->type),
			       (unsigned long)start, in.len, field,
			       (unsigned long)(start + in.len - r->offset));
		}
	}
	return ret;
}

static void print_fail(int *fails, const struct symbol *func, uint64_t at,
		       const unsigned char *code, size_t avail, const char *why)
{
	size_t k;

	if ((*fails)++ >= MAX_FAILS)
		return;
	printf("FAIL %s+0x%lx: %s:", func->name, (unsigned long)at, why);
	for (k = 0; k < avail && k < 15; k++)
		printf(" %02x", code[k]);
	printf("\n");
}

/* The relocations of @func's bytes must each land on a decoded field. */
static size_t sweep_relocs(const struct arch *arch, struct section *sec, const struct symbol *func,
			   size_t *off_field, int *fails)
{
	struct reloc **rs;
	size_t n = 0, k;

	if (!sec->rela)
		return 0;
	rs = kelf_relocs_in_range(sec, func->offset, func->offset + func->size, &n);
	for (k = 0; k < n; k++) {
		struct arch_insn in;
		uint64_t start;
		const char *why;

		if (!arch_reloc(arch, rs[k]->type) || !arch_reloc(arch, rs[k]->type)->width)
			continue;
		if (reloc_field(arch, sec, func->offset, func->offset + func->size, rs[k],
				&start, &in, &why))
			continue;
		(*off_field)++;
		print_fail(fails, func, rs[k]->offset - func->offset, sec->data + rs[k]->offset,
			   sec->size - rs[k]->offset, why);
	}
	return n;
}

struct totals {
	size_t files, funcs, insns, bad, relocs, off_field;
};

static int sweep(const char *path, struct totals *t)
{
	struct kelf *kelf = kelf_open(path);
	const struct arch *arch;
	size_t i, funcs = 0, insns = 0, bad = 0, relocs = 0, off_field = 0;
	int fails = 0;

	if (!kelf)
		return 1;
	arch = arch_find_by_machine(kelf->ehdr.e_machine);
	if (!arch) {
		kelf_close(kelf);
		return error("%s: unknown machine %u", path, kelf->ehdr.e_machine);
	}
	for (i = 1; i < kelf->nr_symbols; i++) {
		const struct symbol *func = kelf->symbols[i];
		struct section *sec = func->sec;
		uint64_t at = 0;
		struct arch_insn in;

		if (func->type != STT_FUNC || !func->size || !sec || !is_text_section(sec) ||
		    !sec->data || func->offset + func->size > sec->size)
			continue;
		funcs++;
		while (at < func->size) {
			const unsigned char *code = sec->data + func->offset + at;

			if (arch_decode(arch, code, func->size - at, &in)) {
				bad++;
				print_fail(&fails, func, at, code, func->size - at, "undecodable");
				break;
			}
			insns++;
			at += in.len;
		}
		/* Past an undecodable instruction no relocation can be placed. */
		if (at >= func->size)
			relocs += sweep_relocs(arch, sec, func, &off_field, &fails);
	}
	printf("%s: functions=%zu instructions=%zu undecodable=%zu relocs=%zu off-field=%zu\n",
	       path, funcs, insns, bad, relocs, off_field);
	t->files++;
	t->funcs += funcs;
	t->insns += insns;
	t->bad += bad;
	t->relocs += relocs;
	t->off_field += off_field;
	kelf_close(kelf);
	return bad || off_field;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: insn-dump [--relocs] FILE\n"
		"       insn-dump --at SECTION OFFSET FILE\n"
		"       insn-dump --sweep FILE...\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const struct arch *arch;
	struct kelf *kelf;
	int ret = 0, i;

	set_progname(argv[0]);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "--sweep")) {
		struct totals t = { 0 };

		for (i = 2; i < argc; i++)
			ret |= sweep(argv[i], &t);
		if (argc > 3)
			printf("total: files=%zu functions=%zu instructions=%zu undecodable=%zu relocs=%zu off-field=%zu\n",
			       t.files, t.funcs, t.insns, t.bad, t.relocs, t.off_field);
		return ret;
	}
	kelf = kelf_open(argv[argc - 1]);
	if (!kelf)
		return 1;
	arch = arch_find_by_machine(kelf->ehdr.e_machine);
	if (!arch)
		die("%s: unknown machine %u", argv[argc - 1], kelf->ehdr.e_machine);
	if (argc == 5 && !strcmp(argv[1], "--at")) {
		struct section *sec = kelf_find_section_by_name(kelf, argv[2]);
		struct arch_insn in;
		uint64_t start;

		if (!sec || !sec->data)
			die("%s: no section %s with data", argv[4], argv[2]);
		if (arch_insn_at(arch, sec->data, sec->size, strtoul(argv[3], NULL, 0), &start, &in)) {
			printf("none\n");
			ret = 1;
		} else {
			print_insn(sec, start, &in);
		}
	} else if (argc == 3 && !strcmp(argv[1], "--relocs")) {
		ret = dump_relocs(arch, kelf);
	} else if (argc == 2) {
		for (i = 1; (size_t)i < kelf->nr_sections; i++)
			if (is_text_section(kelf->sections[i]) && kelf->sections[i]->data)
				ret |= dump_section(arch, kelf->sections[i]);
	} else {
		usage();
	}
	kelf_close(kelf);
	return ret;
}
