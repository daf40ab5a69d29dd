/*
 * check-module - check a finished livepatch module against what it was
 * made from, independently of create-diff-object's reasoning.
 *
 *	check-module [OPTIONS] MODULE.ko [OBJNAME TARGET PATCHED.o DIFF.o]...
 *
 * For each relocation of MODULE.ko in a function or object, the same
 * field of the object that function or object came from (PATCHED.o, whose
 * diff object DIFF.o carried it, or a template object -T) must reach the
 * same symbol at the same offset, the module's klp symbols resolved in
 * TARGET (vmlinux, or the module OBJNAME) as the kernel resolves them;
 * each relocation of the sources' carried code must be in the module; each
 * .livepatch.funcs entry must name, in its target, the function its new
 * function was compiled from.  See compare.c, kallsyms.c, tables.c,
 * coverage.c, funcs.c.
 *
 * Exit status: 0 every relocation checked is right, 1 an error or a
 * mismatch (an internal error of the tools that made the module).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-module.h"
#include "../util/util.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: check-module [OPTIONS] MODULE.ko [OBJNAME TARGET PATCHED.o DIFF.o]...\n"
"\n"
"Check that each relocation of the livepatch module MODULE.ko reaches what\n"
"the same field reaches in the object its code or data came from: PATCHED.o\n"
"(through DIFF.o, its diff object, which patches OBJNAME, whose file is\n"
"TARGET: vmlinux or the module's .ko), or a template object.  klp symbols\n"
"are resolved in TARGET as the kernel's livepatch core resolves them.\n"
"Prints one summary line.\n"
"\n"
"Options:\n"
"  -T, --template OBJ    an object linked into the module as it is\n"
"                        (livepatch-main.o, the .mod.o); repeatable\n"
"  -a, --kallsyms-all    the kernel has CONFIG_KALLSYMS_ALL (kallsyms lists\n"
"                        data, not only text)\n"
"  -b, --built SECTION   the module's build wrote SECTION for the linked\n"
"                        module (objtool's tables): not compared; repeatable\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 all the same, 1 an error or a mismatch.\n");
}

/* The target of @objname at @path, opened once. */
static struct cm_target *target_of(struct cm *c, const char *objname, const char *path)
{
	size_t i;

	for (i = 0; i < c->nr_targets; i++)
		if (!strcmp(c->targets[i].objname, objname)) {
			if (strcmp(c->targets[i].path, path)) {
				error("%s: two targets: %s and %s", objname, c->targets[i].path, path);
				return NULL;
			}
			return &c->targets[i];
		}
	c->targets[c->nr_targets] = (struct cm_target){ objname, path, kelf_open(path) };
	if (!c->targets[c->nr_targets].kelf)
		return NULL;
	if (!c->targets[c->nr_targets].kelf->symtab) {
		error("%s: no symbol table: the target must not be stripped", path);
		kelf_close(c->targets[c->nr_targets].kelf);
		return NULL;
	}
	return &c->targets[c->nr_targets++];
}

static const char *file_name(const struct kelf *k)
{
	const struct symbol *s;

	for_each_symbol(k, s)
		if (s->type == STT_FILE)
			return s->name;
	return NULL;
}

static int add_source(struct cm *c, const char *path, const char *diff,
		      struct cm_target *t)
{
	struct cm_source *s = &c->srcs[c->nr_srcs];

	s->path = path;
	s->target = t;
	s->obj = kelf_open(path);
	if (!s->obj)
		return -1;
	c->nr_srcs++;
	if (diff && !(s->diff = kelf_open(diff)))
		return -1;
	s->file = file_name(s->obj);
	if (s->obj->ehdr.e_machine != c->mod->ehdr.e_machine)
		return error("%s: ELF machine %u, but the module's is %u", path,
			     s->obj->ehdr.e_machine, c->mod->ehdr.e_machine);
	return 0;
}

static int run(struct cm *c, char **templates, size_t nr_templates, char **args, int nr)
{
	size_t i;
	int j;

	if (c->mod->linked)
		return error("%s: not a relocatable object (a module)", c->mod->path);
	c->arch = arch_find_by_machine(c->mod->ehdr.e_machine);
	if (!c->arch)
		return error("%s: ELF machine %u is not supported (supported: %s)",
			     c->mod->path, c->mod->ehdr.e_machine, arch_names());
	if (nr % 4)
		return error("expected OBJNAME TARGET PATCHED.o DIFF.o for each patched object");
	c->srcs = xcalloc(nr_templates + nr / 4 + 1, sizeof(*c->srcs));
	c->targets = xcalloc(nr / 4 + 1, sizeof(*c->targets));
	c->origins = xcalloc(c->mod->nr_symbols, sizeof(*c->origins));
	for (i = 0; i < nr_templates; i++)
		if (add_source(c, templates[i], NULL, NULL))
			return -1;
	for (j = 0; j < nr; j += 4) {
		struct cm_target *t = target_of(c, args[j], args[j + 1]);

		if (!t || add_source(c, args[j + 2], args[j + 3], t))
			return -1;
	}
	cm_map_files(c);
	cm_check_relocs(c);
	cm_check_coverage(c);
	cm_check_funcs(c);
	return c->nr_errors ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 'T' },
		{ "kallsyms-all", no_argument, NULL, 'a' },
		{ "built", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **templates = xcalloc(argc, sizeof(*templates));
	struct cm c = { .built = xcalloc(argc, sizeof(*c.built)) };
	size_t nr_templates = 0, i;
	int opt, ret;

	set_progname("check-module");
	while ((opt = getopt_long(argc, argv, "T:ab:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'T':
			templates[nr_templates++] = optarg;
			break;
		case 'a':
			c.kallsyms_all = true;
			break;
		case 'b':
			c.built[c.nr_built_names++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(templates);
			return 0;
		default:
			usage(stderr);
			free(templates);
			return 1;
		}
	}
	if (argc - optind < 1) {
		error("expected MODULE.ko");
		usage(stderr);
		free(templates);
		return 1;
	}
	c.mod = kelf_open(argv[optind]);
	ret = !c.mod || run(&c, templates, nr_templates, argv + optind + 1, argc - optind - 1);
	if (!ret)
		printf("check-module: %zu relocations checked (%zu klp, %zu in tables, %zu of the template), %zu functions, all %zu relocations of the sources there; not compared: %zu in sections only the linked module has, %zu in unloaded sections\n",
		       c.nr_relocs - c.nr_uncompared - c.nr_built, c.nr_klp,
		       c.nr_tables - c.nr_built, c.nr_template, c.nr_funcs, c.nr_covered,
		       c.nr_built, c.nr_uncompared);
	for (i = 0; i < c.nr_srcs; i++) {
		kelf_close(c.srcs[i].obj);
		kelf_close(c.srcs[i].diff);
	}
	for (i = 0; i < c.nr_targets; i++)
		kelf_close(c.targets[i].kelf);
	free(c.srcs);
	free(c.targets);
	free(c.origins);
	free(c.file_src);
	free(c.mod_relocs);
	kelf_close(c.mod);
	free(templates);
	free(c.built);
	return ret ? 1 : 0;
}
