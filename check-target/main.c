/*
 * check-target - check that the functions a livepatch replaces are, byte
 * for byte, the functions of the target it will be loaded into.
 *
 *	check-target [OPTIONS] ORIG.o TARGET [FUNC...]
 *
 * ORIG.o is the original object kpatch-build compiled; TARGET is vmlinux
 * or the module's .ko.  The functions are the FUNC arguments, every
 * function of ORIG.o (-a), or those a diff object's .livepatch.funcs
 * replaces (-f).  One line per function on stdout: "same: NAME",
 * "differs: NAME ...", "not found: NAME".
 *
 * Exit status: 0 all the same, 1 error (a function not found included),
 * 2 some function differs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-target.h"
#include "../util/util.h"

/* struct lp_func of doc/diff-object-format.md */
#define LP_FUNC_SIZE	32
#define LP_FUNC_NAME	8
#define LP_FUNC_OBJNAME	16
#define LP_FUNC_SYMPOS	24

static void usage(FILE *f)
{
	fprintf(f,
"usage: check-target [OPTIONS] ORIG.o TARGET [FUNC...]\n"
"\n"
"Compare functions of ORIG.o (an original object kpatch-build compiled) with\n"
"the same functions of TARGET (vmlinux or the module's .ko), found as\n"
"create-diff-object finds them (locals by the object's source file and\n"
"position).  Every byte must match but relocated fields and what the\n"
"kernel's build makes of the code that kpatch-build's compile does not\n"
"(static branches objtool NOPs, tail calls the assembler shortens).\n"
"\n"
"Prints one line per function: 'same: NAME', 'differs: NAME at +0xOFF\n"
"(object BYTES, target BYTES)' ('..' a byte not compared), 'differs: NAME\n"
"size (...)' or 'not found: NAME'.\n"
"\n"
"Options:\n"
"  -a, --all            every function of ORIG.o\n"
"  -f, --funcs DIFF.o   the functions DIFF.o's .livepatch.funcs replaces\n"
"                       (their recorded positions are checked too)\n"
"  -n, --objname NAME   the patched object: vmlinux or a module name\n"
"                       (default: from TARGET's file name)\n"
"  -p, --path PATH      ORIG.o's path in the kernel tree (net/ipv6/datagram.o):\n"
"                       with TARGET's DWARF, tells its source file from others\n"
"                       of the same name\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 all the same, 1 error or not found, 2 some function differs.\n");
}

/* Tally of verdicts; the exit status. */
struct tally {
	size_t n[CT_ERROR + 1];
};

static int exit_status(const struct tally *t)
{
	if (t->n[CT_ERROR] || t->n[CT_NOT_FOUND])
		return CT_EXIT_ERROR;
	return t->n[CT_DIFFERS] ? CT_EXIT_DIFFERS : CT_EXIT_SAME;
}

/* The one function of c->obj named @name, or NULL after an error. */
static struct symbol *find_function(struct ct *c, const char *name)
{
	struct symbol *s, *found = NULL;

	for (s = kelf_find_symbol_by_name(c->obj, name); s;
	     s = kelf_next_symbol_same_name(s)) {
		if (s->type != STT_FUNC || !s->sec)
			continue;
		if (found) {
			error("%s: function %s is defined twice (symbols %u and %u)",
			      c->obj->path, name, found->index, s->index);
			return NULL;
		}
		found = s;
	}
	if (!found)
		error("%s: no function %s", c->obj->path, name);
	return found;
}

static void check_named(struct ct *c, const char *name, const unsigned long *sympos,
			struct tally *t)
{
	struct symbol *f = find_function(c, name);

	t->n[f ? ct_check_function(c, f, sympos) : CT_ERROR]++;
}

static void check_all(struct ct *c, struct tally *t)
{
	struct symbol *f;

	for_each_symbol(c->obj, f)
		if (f->type == STT_FUNC && f->sec)
			t->n[ct_check_function(c, f, NULL)]++;
}

/* The string the pointer field at @off of @sec points to, or NULL. */
static const char *string_field(struct section *sec, uint64_t off)
{
	struct reloc *r = kelf_find_reloc_at(sec, off);
	struct section *s = r && r->sym ? r->sym->sec : NULL;

	if (!s || strcmp(s->name, ".livepatch.strings") || !s->data ||
	    r->addend < 0 || (uint64_t)r->addend >= s->size ||
	    !memchr(s->data + r->addend, '\0', s->size - r->addend))
		return NULL;
	return (const char *)s->data + r->addend;
}

/* Each entry of @path's .livepatch.funcs: its old function, checked with
 * its recorded position. */
static int check_diff_funcs(struct ct *c, const char *path, struct tally *t)
{
	struct kelf *diff = kelf_open(path);
	struct section *funcs;
	uint64_t off;
	int ret = -1;

	if (!diff)
		return -1;
	funcs = kelf_find_section_by_name(diff, ".livepatch.funcs");
	if (!funcs) {
		error("%s: no .livepatch.funcs section: not a diff object", path);
		goto out;
	}
	if (funcs->size % LP_FUNC_SIZE || (funcs->size && !funcs->data)) {
		error("%s: .livepatch.funcs: %zu bytes is not a whole number of %d-byte entries",
		      path, funcs->size, LP_FUNC_SIZE);
		goto out;
	}
	for (off = 0; off < funcs->size; off += LP_FUNC_SIZE) {
		const char *name = string_field(funcs, off + LP_FUNC_NAME);
		const char *objname = string_field(funcs, off + LP_FUNC_OBJNAME);
		unsigned long sympos;
		uint64_t v;

		if (!name || !objname) {
			error("%s: .livepatch.funcs+%#lx: entry without its %s string",
			      path, (unsigned long)off, name ? "object name" : "function name");
			goto out;
		}
		if (strcmp(objname, c->objname)) {
			error("%s: .livepatch.funcs+%#lx: %s patches %s, the target is %s",
			      path, (unsigned long)off, name, objname, c->objname);
			goto out;
		}
		memcpy(&v, funcs->data + off + LP_FUNC_SYMPOS, sizeof(v));
		sympos = v;
		check_named(c, name, &sympos, t);
	}
	ret = 0;
out:
	kelf_close(diff);
	return ret;
}

static int run(struct ct *c, const char *target, const char *tree_path, bool all,
	       const char *diff, char **names, int nr_names, struct tally *t)
{
	int i;

	if (c->obj->linked)
		return error("%s: not a relocatable object: check-target reads the original .o",
			     c->obj->path);
	c->arch = arch_find_by_machine(c->obj->ehdr.e_machine);
	if (!c->arch)
		return error("%s: ELF machine %u is not supported (supported: %s)",
			     c->obj->path, c->obj->ehdr.e_machine, arch_names());
	c->lookup = lookup_open(target, NULL);
	if (!c->lookup)
		return -1;
	lookup_set_object(c->lookup, c->obj, tree_path);
	if (all)
		check_all(c, t);
	if (diff && check_diff_funcs(c, diff, t))
		return -1;
	for (i = 0; i < nr_names; i++)
		check_named(c, names[i], NULL, t);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "funcs", required_argument, NULL, 'f' },
		{ "objname", required_argument, NULL, 'n' },
		{ "path", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ct c = { 0 };
	struct tally t = { { 0 } };
	const char *diff = NULL, *tree_path = NULL;
	char *objname = NULL;
	bool all = false;
	int opt, ret;

	set_progname("check-target");
	while ((opt = getopt_long(argc, argv, "af:n:p:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'f':
			diff = optarg;
			break;
		case 'n':
			free(objname);
			objname = xstrdup(optarg);
			break;
		case 'p':
			tree_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CT_EXIT_ERROR;
		}
	}
	if (argc - optind < 2 || (argc - optind == 2 && !all && !diff)) {
		error("expected ORIG.o, TARGET and the functions (FUNC..., -a or -f DIFF.o)");
		usage(stderr);
		free(objname);
		return CT_EXIT_ERROR;
	}
	c.objname = objname ? objname : lookup_objname_of(argv[optind + 1]);
	c.obj = kelf_open(argv[optind]);
	if (!c.obj || run(&c, argv[optind + 1], tree_path, all, diff, argv + optind + 2,
			  argc - optind - 2, &t))
		ret = CT_EXIT_ERROR;
	else
		ret = exit_status(&t);
	fflush(stdout);
	lookup_close(c.lookup);
	kelf_close(c.obj);
	free(c.mask);
	free(c.at);
	free(c.fwd);
	free(c.sites);
	free((char *)c.objname);
	return ret;
}
