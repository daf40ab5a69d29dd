/*
 * kelf-copy - read objects through the ELF layer and write them back.
 *
 *	kelf-copy [-X SYMBOL]... [-R SECTION]... IN OUT
 *					one object, without the relocations
 *					against each SYMBOL (a section symbol
 *					by its section's name; every
 *					relocation section; kelf_remove_relocs()),
 *					then without each SECTION
 *					(kelf_remove_section(), as objcopy -R)
 *	kelf-copy --tree LIST OUTDIR	every path in LIST (one a line) to
 *					OUTDIR/<n>.o; prints the count, the
 *					failures and the time taken
 *
 * The copy must read back with the same sections, symbols and relocations:
 * the tests compare readelf's view of IN and OUT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../elf/kelf.h"
#include "../../util/util.h"

/* Is @r against the symbol named @name (a section symbol: its section's)? */
static bool against(const struct reloc *r, void *name)
{
	const struct symbol *sym = r->sym;

	if (!sym)
		return false;
	return !strcmp(sym->type == STT_SECTION && sym->sec ? sym->sec->name :
		       sym->name, name);
}

static int copy_one(const char *in, const char *out, char **drop,
		    size_t nr_drop, char **remove, size_t nr_remove)
{
	struct kelf *kelf = kelf_open(in);
	struct section *sec;
	size_t i, n;
	int ret = -1;

	if (!kelf)
		return -1;
	for (i = 0; i < nr_drop; i++) {
		n = 0;
		for_each_section(kelf, sec)
			if (is_rela_section(sec))
				n += kelf_remove_relocs(sec, against, drop[i]);
		if (!n) {
			error("%s: no relocation against %s to remove", in, drop[i]);
			goto out;
		}
	}
	for (i = 0; i < nr_remove; i++) {
		sec = kelf_find_section_by_name(kelf, remove[i]);
		if (!sec) {
			error("%s: no section %s to remove", in, remove[i]);
			goto out;
		}
		if (kelf_remove_section(sec))
			goto out;
	}
	ret = kelf_write(kelf, out);
out:
	kelf_close(kelf);
	return ret;
}

static int copy_tree(const char *list, const char *outdir)
{
	FILE *f = fopen(list, "r");
	char line[4096];
	size_t n = 0, failed = 0;
	double start = now_seconds();

	if (!f)
		die("%s: cannot open the list of objects", list);
	while (fgets(line, sizeof(line), f)) {
		char *out;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		out = xasprintf("%s/%zu.o", outdir, n++);
		if (copy_one(line, out, NULL, 0, NULL, 0))
			failed++;
		free(out);
	}
	fclose(f);
	printf("copied %zu objects, %zu failed, in %.2f s, peak RSS %ld KiB\n",
	       n - failed, failed, now_seconds() - start, peak_rss_kib());
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	char *remove[16], *drop[16];
	size_t nr_remove = 0, nr_drop = 0;

	set_progname(argv[0]);
	if (argc == 4 && !strcmp(argv[1], "--tree"))
		return copy_tree(argv[2], argv[3]);
	while (argc > 4) {
		if (!strcmp(argv[1], "-R") && nr_remove < ARRAY_SIZE(remove))
			remove[nr_remove++] = argv[2];
		else if (!strcmp(argv[1], "-X") && nr_drop < ARRAY_SIZE(drop))
			drop[nr_drop++] = argv[2];
		else
			break;
		argc -= 2;
		argv += 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kelf-copy [-X SYMBOL]... [-R SECTION]... IN OUT | kelf-copy --tree LIST OUTDIR\n");
		return 1;
	}
	return copy_one(argv[1], argv[2], drop, nr_drop, remove, nr_remove) ? 1 : 0;
}
