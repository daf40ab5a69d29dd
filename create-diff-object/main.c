/*
 * create-diff-object - compare an original and a patched kernel object and
 * write a diff object holding only what a livepatch needs.
 *
 *	create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o
 *
 * Exit codes, the contract with kpatch-build:
 *	0  the diff object was written
 *	1  bad input or internal error
 *	2  the change cannot be livepatched (reasons on stderr)
 *	3  nothing changed
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../special-sections/special.h"
#include "../util/util.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: create-diff-object [OPTIONS] ORIG.o PATCHED.o TARGET SYMVERS OUTPUT.o\n"
"       create-diff-object --arch-info NAME|ELF\n"
"\n"
"Compare ORIG.o and PATCHED.o (one source file built before and after a patch,\n"
"with -ffunction-sections -fdata-sections) and write OUTPUT.o with the changed\n"
"and new functions and what they need.  TARGET is the ELF file whose symbols\n"
"the livepatch resolves against (vmlinux or the module's .ko); SYMVERS is a\n"
"Module.symvers file (may be empty).\n"
"\n"
"Prints one line per function: 'changed function: NAME (reason)' or\n"
"'new function: NAME'; and 'ignored function: NAME', 'ignored section: NAME'\n"
"for what the patch marked with KPATCH_IGNORE_FUNCTION/_SECTION.\n"
"\n"
"Options:\n"
"  -e, --explain        say where each changed function first differs\n"
"  -n, --objname NAME   the patched object: vmlinux or a module name\n"
"                       (default: from TARGET's file name)\n"
"  -p, --path PATH      ORIG.o's path in the kernel tree (net/ipv6/datagram.o):\n"
"                       with TARGET's DWARF, tells its source file from others\n"
"                       of the same name\n"
"  -g, --shared FILE    the new globals of the livepatch's objects, one name\n"
"                       a line: references to them link to the diff object\n"
"                       defining them, not to the running kernel\n"
"  -d, --debug          print what each stage decided\n"
"  -s, --stats          print the time taken and peak memory on stderr\n"
"  -h, --help           this text\n"
"\n"
"--arch-info prints what kpatch-build needs of an architecture, named (arm64,\n"
"x86, aarch64) or of an ELF file (vmlinux), as key=value lines.\n"
"\n"
"Exit status: 0 diff written, 1 error, 2 cannot be livepatched, 3 no change.\n");
}

static void report(const struct cdo *cdo)
{
	struct symbol *p;

	for_each_symbol(cdo->patched, p) {
		const struct sym_info *pi = sym_info(p);

		if (p->type != STT_FUNC || !p->sec || !pi->include)
			continue;
		if (pi->status == NEW)
			printf("new function: %s\n", p->name);
		else if (pi->via_caller)
			printf("changed function: %s (calls %s)\n", p->name, pi->reason);
		else if (pi->untraceable)
			printf("changed function: %s (%s; no ftrace entry: patched through its callers)\n",
			       p->name, pi->reason);
		else if (pi->status == CHANGED)
			printf("changed function: %s (%s)\n", p->name, pi->reason);
	}
}

static int check_pair(const struct kelf *orig, const struct kelf *patched)
{
	if (orig->linked || patched->linked)
		return error("%s: not a relocatable object: diff the .o files of one source file",
			     orig->linked ? orig->path : patched->path);
	if (orig->ehdr.e_machine != patched->ehdr.e_machine)
		return error("%s and %s are built for different machines (%u, %u)",
			     orig->path, patched->path, orig->ehdr.e_machine,
			     patched->ehdr.e_machine);
	return 0;
}

static int run(struct cdo *cdo, const char *target, const char *symvers,
	       const char *tree_path, const char *output)
{
	unsigned int nr_funcs;
	int ret;

	cdo->arch = arch_find_by_machine(cdo->patched->ehdr.e_machine);
	if (!cdo->arch) {
		error("%s: ELF machine %u is not supported (supported: %s)",
		      cdo->patched->path, cdo->patched->ehdr.e_machine, arch_names());
		return EXIT_ERROR;
	}
	cdo_unlabel(cdo->orig);
	cdo_unlabel(cdo->patched);
	cdo_attach_info(cdo->orig);
	cdo_attach_info(cdo->patched);
	if (cdo_decode_relocs(cdo, cdo->orig) | cdo_decode_relocs(cdo, cdo->patched))
		return EXIT_REFUSED;
	cdo_mark_call_site_tables(cdo);
	cdo_correlate(cdo);
	if (cdo_read_marks(cdo))
		return EXIT_ERROR;
	if (cdo_compare(cdo) | cdo_refuse(cdo))
		return EXIT_REFUSED;
	nr_funcs = cdo_include(cdo);
	/* Every difference is carried, ignored, known not to matter or refused. */
	if (cdo_account(cdo))
		return EXIT_REFUSED;
	if (!nr_funcs) {
		fprintf(stderr, "%s: no changed functions in %s\n", get_progname(),
			cdo->patched->path);
		return EXIT_NO_CHANGE;
	}
	if (cdo_refuse_carried(cdo) | cdo_refuse_classes(cdo))
		return EXIT_REFUSED;

	cdo->lookup = lookup_open(target, symvers && symvers[0] ? symvers : NULL);
	if (!cdo->lookup)
		return EXIT_ERROR;
	/* Placed in the target when the first local is resolved. */
	lookup_set_object(cdo->lookup, cdo->orig, tree_path);
	ret = special_include(cdo) || cdo_refuse_loose(cdo) ? EXIT_REFUSED : 0;
	if (!ret) {
		report(cdo);
		ret = !cdo_output(cdo, cdo->lookup, output) ? EXIT_DIFF :
		      lookup_ambiguous(cdo->lookup) ? EXIT_REFUSED : EXIT_ERROR;
	}
	lookup_close(cdo->lookup);
	cdo->lookup = NULL;
	return ret;
}

/* What special-sections/ asks of the differ (special.h). */
static const struct special_ops special_ops = {
	.reloc_target = cdo_reloc_target,
	.same_target = cdo_same_target,
	.same_range = cdo_same_range,
	.include_reloc_target = cdo_include_reloc_target,
	.links_plainly = cdo_links_plainly,
	.is_ignored_section = cdo_is_ignored_section,
	.tail_owner = cdo_tail_owner,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "explain", no_argument, NULL, 'e' },
		{ "objname", required_argument, NULL, 'n' },
		{ "path", required_argument, NULL, 'p' },
		{ "shared", required_argument, NULL, 'g' },
		{ "debug", no_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cdo cdo = { .special = &special_ops };
	char *objname = NULL;
	const char *tree_path = NULL;
	bool stats = false;
	double start = now_seconds();
	int c, ret;

	set_progname("create-diff-object");
	if (argc == 3 && !strcmp(argv[1], "--arch-info"))
		return cdo_arch_info(argv[2]);
	while ((c = getopt_long(argc, argv, "en:p:g:dsh", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (cdo_read_shared(&cdo, optarg)) {
				cdo_free_shared(&cdo);
				free(objname);
				return EXIT_ERROR;
			}
			break;
		case 'e':
			cdo.explain = true;
			break;
		case 'n':
			objname = xstrdup(optarg);
			break;
		case 'p':
			tree_path = optarg;
			break;
		case 'd':
			cdo.debug = true;
			break;
		case 's':
			stats = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (argc - optind != 5) {
		error("expected 5 arguments, got %d", argc - optind);
		usage(stderr);
		return EXIT_ERROR;
	}
	cdo.objname = objname ? objname : lookup_objname_of(argv[optind + 2]);
	cdo.orig = kelf_open(argv[optind]);
	cdo.patched = cdo.orig ? kelf_open(argv[optind + 1]) : NULL;
	if (!cdo.orig || !cdo.patched || check_pair(cdo.orig, cdo.patched))
		ret = EXIT_ERROR;
	else
		ret = run(&cdo, argv[optind + 2], argv[optind + 3], tree_path,
			  argv[optind + 4]);
	fflush(stdout);
	if (stats)
		fprintf(stderr, "%s: %zu symbols, %.3f s, peak RSS %ld KiB\n",
			get_progname(), cdo.patched ? cdo.patched->nr_symbols : 0,
			now_seconds() - start, peak_rss_kib());
	cdo_detach_info(cdo.orig);
	cdo_detach_info(cdo.patched);
	kelf_close(cdo.orig);
	kelf_close(cdo.patched);
	cdo_free_shared(&cdo);
	free((char *)cdo.objname);
	return ret;
}
