/*
 * kelf-copy - read objects through the ELF layer and write them back.
 *
 *	kelf-copy [-R SECTION]... IN OUT
 *					one object, without each SECTION
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

static int copy_one(const char *in, const char *out, char **remove,
		    size_t nr_remove)
{
	struct kelf *kelf = kelf_open(in);
	size_t i;
	int ret = -1;

	if (!kelf)
		return -1;
	for (i = 0; i < nr_remove; i++) {
		struct section *sec = kelf_find_section_by_name(kelf, remove[i]);

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
		if (copy_one(line, out, NULL, 0))
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
	char *remove[16];
	size_t nr_remove = 0;

	set_progname(argv[0]);
	if (argc == 4 && !strcmp(argv[1], "--tree"))
		return copy_tree(argv[2], argv[3]);
	while (argc > 4 && !strcmp(argv[1], "-R") && nr_remove < ARRAY_SIZE(remove)) {
		remove[nr_remove++] = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: kelf-copy [-R SECTION]... IN OUT | kelf-copy --tree LIST OUTDIR\n");
		return 1;
	}
	return copy_one(argv[1], argv[2], remove, nr_remove) ? 1 : 0;
}
