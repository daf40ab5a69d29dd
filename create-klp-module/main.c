/*
 * create-klp-module - the post-link step: turn the .livepatch.relocs table
 * of a linked livepatch module into klp relocations.
 *
 *	create-klp-module IN.ko OUT.ko
 *
 * IN is any relocatable object: the livepatch module, or the ld -r of diff
 * objects.  Each .livepatch.relocs entry becomes a relocation of a
 * .klp.rela.OBJ.SECTION section against a .klp.sym.OBJ.NAME,POS symbol
 * (klp-relocs.c); then .livepatch.relocs and its relocations are dropped.
 * Everything else is written as it was read.  An object without
 * .livepatch.relocs is copied byte for byte.
 *
 * Exit status: 0 OUT written, 1 bad input or error (no OUT left behind).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "../util/util.h"

#define TABLE LP_RELOCS_SECTION

static void usage(FILE *f)
{
	fprintf(f,
"usage: create-klp-module IN.ko OUT.ko\n"
"\n"
"Turn each entry of IN's .livepatch.relocs table into a klp relocation\n"
"(.klp.rela.OBJ.SECTION sections, .klp.sym.OBJ.NAME,POS symbols), drop the\n"
"table and write OUT.  Prints one summary line.\n"
"\n"
"Exit status: 0 written, 1 error.\n");
}

/* Copy @in to @out byte for byte, through a temporary file. */
static int copy_file(const char *in, const char *out)
{
	char *tmp = xasprintf("%s.XXXXXX", out);
	char buf[65536];
	int ifd, ofd = -1, ret = -1;
	bool made = false;
	ssize_t n = 0;

	ifd = open(in, O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		error("%s: cannot open: %s", in, strerror(errno));
		goto out;
	}
	ofd = mkstemp(tmp);
	if (ofd < 0) {
		error("%s: cannot create a temporary file: %s", tmp, strerror(errno));
		goto out;
	}
	made = true;
	while ((n = read(ifd, buf, sizeof(buf))) > 0)
		if (write(ofd, buf, n) != n) {
			n = -1;
			break;
		}
	if (n < 0 || fchmod(ofd, 0644) || close(ofd)) {
		ofd = -1;
		error("%s: cannot copy %s: %s", tmp, in, strerror(errno));
		goto out;
	}
	ofd = -1;
	if (rename(tmp, out)) {
		error("%s: cannot rename to %s: %s", tmp, out, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (ofd >= 0)
		close(ofd);
	if (ret && made)
		unlink(tmp);
	if (ifd >= 0)
		close(ifd);
	free(tmp);
	return ret;
}

/* The one .livepatch.relocs section, or NULL; -1 in *@ret for two. */
static struct section *find_table(struct kelf *kelf, int *ret)
{
	struct section *sec, *found = NULL;

	*ret = 0;
	for_each_section(kelf, sec) {
		if (strcmp(sec->name, TABLE))
			continue;
		if (found) {
			*ret = error("%s: two %s sections (%u and %u): link the diff objects with ld -r, which merges them",
				     kelf->path, TABLE, found->index, sec->index);
			return NULL;
		}
		found = sec;
	}
	return found;
}

static int convert(struct klp *k, const char *out)
{
	if (klp_read_entries(k) || klp_check_places(k) || klp_create_sections(k))
		return -1;
	/* Removes .rela.livepatch.relocs and the table's own symbols too. */
	if (kelf_remove_section(k->table))
		return -1;
	return kelf_write(k->kelf, out);
}

static int run(const char *in, const char *out)
{
	struct klp k = { 0 };
	int ret;

	k.kelf = kelf_open(in);
	if (!k.kelf)
		return 1;
	if (k.kelf->linked) {
		error("%s: not a relocatable object (ELF type %u): run this on the module before the final link",
		      in, k.kelf->ehdr.e_type);
		kelf_close(k.kelf);
		return 1;
	}
	k.table = find_table(k.kelf, &ret);
	if (!k.table && !ret) {
		ret = copy_file(in, out);
	} else if (k.table) {
		k.arch = arch_find_by_machine(k.kelf->ehdr.e_machine);
		if (!k.arch)
			ret = error("%s: ELF machine %u is not supported (supported: %s)",
				    in, k.kelf->ehdr.e_machine, arch_names());
		else
			ret = convert(&k, out);
	}
	if (!ret)
		printf("create-klp-module: %zu klp relocations in %zu sections, %zu symbols\n",
		       k.nr_entries, k.nr_sections, k.nr_symbols);
	free(k.entries);
	kelf_close(k.kelf);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	set_progname("create-klp-module");
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 1;
	}
	return run(argv[1], argv[2]);
}
