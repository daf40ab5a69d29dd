/*
 * header-index - which compile units of a linked kernel file were built
 * from a given header, from its DWARF line tables (lookup/srcfiles.h).
 *
 *	header-index build [-r ROOT] -o INDEX ELF...
 *	header-index query INDEX FILE...
 *
 * build reads every compile unit of each ELF (vmlinux, a module's debug
 * file) once and writes INDEX, a sorted text file kpatch-build keeps per
 * target: the line "header-index 1", then per file one line
 * "FILE CU CU...", files in byte order (LC_ALL=C sort), each line's units
 * sorted and unique, a unit's own source among its files.  query finds
 * FILE's line by binary search over the bytes of INDEX and prints
 * "FILE CU" per unit: no line for a file no unit names.  Paths holding
 * white space are left out of the index (kbuild cannot build such a
 * tree) and counted on stderr.
 *
 * Exit status: 0 done, 1 an error (an unreadable ELF or one without
 * DWARF, a malformed INDEX: the file and the rule broken).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../srcfiles.h"
#include "../../util/hash.h"
#include "../../util/util.h"

#define INDEX_MAGIC "header-index 1\n"

struct name {
	struct hnode node;
	char *s;
	uint32_t rank;		/* position in byte order, once sorted */
};

struct pair {
	uint32_t file, cu;	/* indexes into names */
};

struct builder {
	struct hashtab by_name;
	struct name **names;
	size_t nr_names, alloc_names;
	struct pair *pairs;
	size_t nr_pairs, alloc_pairs;
	size_t skipped;		/* pairs with white space in a path */
};

static uint32_t intern(struct builder *b, const char *s)
{
	uint64_t h = hash_str(s);
	struct hnode *node;
	struct name *n;

	hash_for_each_match(&b->by_name, node, h) {
		n = container_of(node, struct name, node);
		if (!strcmp(n->s, s))
			return n->rank;	/* the index into names, until sorted */
	}
	if (b->nr_names >= UINT32_MAX)
		die("more than %u distinct paths", UINT32_MAX);
	n = xcalloc(1, sizeof(*n));
	n->s = xstrdup(s);
	n->rank = b->nr_names;
	hash_add(&b->by_name, &n->node, h);
	ALLOC_GROW(b->names, b->nr_names + 1, b->alloc_names);
	b->names[b->nr_names++] = n;
	return n->rank;
}

static void add_pair(void *ctx, const char *cu, const char *file)
{
	struct builder *b = ctx;

	if (strpbrk(cu, " \t\n\r\v\f") || strpbrk(file, " \t\n\r\v\f")) {
		b->skipped++;
		return;
	}
	ALLOC_GROW(b->pairs, b->nr_pairs + 1, b->alloc_pairs);
	b->pairs[b->nr_pairs].cu = intern(b, cu);
	b->pairs[b->nr_pairs].file = intern(b, file);
	b->nr_pairs++;
}

static int by_string(const void *a, const void *b)
{
	return strcmp((*(struct name *const *)a)->s, (*(struct name *const *)b)->s);
}

static int by_rank(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->cu < y->cu ? -1 : x->cu > y->cu;
}

static int read_elf(struct builder *b, const char *path, const char *root)
{
	const char *why = NULL;

	if (access(path, R_OK))
		return error("%s: %s", path, strerror(errno));
	if (srcfiles_each(path, root, add_pair, b, &why) < 0)
		return error("%s: cannot read its compile units: %s", path, why);
	return 0;
}

static void builder_free(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->nr_names; i++) {
		free(b->names[i]->s);
		free(b->names[i]);
	}
	free(b->names);
	free(b->pairs);
	hash_free(&b->by_name);
}

static int build(int argc, char **argv)
{
	const char *out = NULL, *root = NULL;
	struct builder b = { 0 };
	char *tmp;
	FILE *f;
	size_t i, j;
	int c;

	while ((c = getopt(argc, argv, "o:r:")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'r': root = optarg; break;
		default: return 1;
		}
	}
	if (!out || optind >= argc)
		die("usage: header-index build [-r ROOT] -o INDEX ELF...");
	hash_init(&b.by_name, 1 << 16);
	for (i = optind; i < (size_t)argc; i++) {
		if (read_elf(&b, argv[i], root)) {
			builder_free(&b);
			return 1;
		}
	}

	/* Ranks in byte order, then the pairs by (file, unit) rank. */
	xqsort(b.names, b.nr_names, sizeof(*b.names), by_string);
	{
		uint32_t *rank_of = xmalloc((b.nr_names ? b.nr_names : 1) * sizeof(*rank_of));

		for (i = 0; i < b.nr_names; i++)
			rank_of[b.names[i]->rank] = i;
		for (i = 0; i < b.nr_names; i++)
			b.names[i]->rank = i;
		for (i = 0; i < b.nr_pairs; i++) {
			b.pairs[i].file = rank_of[b.pairs[i].file];
			b.pairs[i].cu = rank_of[b.pairs[i].cu];
		}
		free(rank_of);
	}
	xqsort(b.pairs, b.nr_pairs, sizeof(*b.pairs), by_rank);

	tmp = xasprintf("%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	fputs(INDEX_MAGIC, f);
	for (i = 0; i < b.nr_pairs; i = j) {
		fputs(b.names[b.pairs[i].file]->s, f);
		for (j = i; j < b.nr_pairs && b.pairs[j].file == b.pairs[i].file; j++)
			if (j == i || b.pairs[j].cu != b.pairs[j - 1].cu)
				fprintf(f, " %s", b.names[b.pairs[j].cu]->s);
		fputc('\n', f);
	}
	if (fflush(f) || ferror(f) || fclose(f)) {
		unlink(tmp);
		die("%s: write failed: %s", tmp, strerror(errno));
	}
	if (rename(tmp, out)) {
		unlink(tmp);
		die("%s: %s", out, strerror(errno));
	}
	if (b.skipped)
		warn("%zu paths holding white space left out", b.skipped);
	free(tmp);
	builder_free(&b);
	return 0;
}

/* The start of the line holding @p (the byte after the newline before). */
static const char *line_start(const char *base, const char *p)
{
	while (p > base && p[-1] != '\n')
		p--;
	return p;
}

/* Compare @file with the first field of the line at @line: <0, 0, >0. */
static int cmp_field(const char *file, size_t flen, const char *line, const char *end)
{
	const char *sp = line;
	size_t n;
	int r;

	while (sp < end && *sp != ' ' && *sp != '\n')
		sp++;
	n = sp - line;
	r = memcmp(file, line, flen < n ? flen : n);
	if (r)
		return r;
	return flen < n ? -1 : flen > n;
}

static int query(int argc, char **argv)
{
	const char *path, *base, *body, *end;
	struct stat st;
	size_t magic = strlen(INDEX_MAGIC);
	int fd, i;

	if (argc < 2)
		die("usage: header-index query INDEX FILE...");
	path = argv[1];
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	if ((size_t)st.st_size < magic)
		die("%s: not a header index (shorter than its first line, \"header-index 1\")", path);
	base = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED)
		die("%s: %s", path, strerror(errno));
	close(fd);
	end = base + st.st_size;
	if (memcmp(base, INDEX_MAGIC, magic))
		die("%s: not a header index (its first line is not \"header-index 1\")", path);
	if (end[-1] != '\n')
		die("%s: malformed: the last line does not end with a newline (cut short?)", path);
	body = base + magic;

	for (i = 2; i < argc; i++) {
		const char *file = argv[i], *lo = body, *hi = end, *p, *q;
		size_t flen = strlen(file);

		/* lo: the first line whose field is not below file. */
		while (lo < hi) {
			const char *mid = line_start(body, lo + (hi - lo) / 2);
			const char *next;

			if (mid < lo)
				mid = lo;
			next = memchr(mid, '\n', end - mid) + 1;
			if (cmp_field(file, flen, mid, end) > 0)
				lo = next;
			else
				hi = mid;
		}
		if (lo == end || cmp_field(file, flen, lo, end))
			continue;
		p = lo + flen;
		q = memchr(lo, '\n', end - lo);
		while (p < q) {
			const char *w = p + 1, *e = w;

			while (e < q && *e != ' ')
				e++;
			if (*p != ' ' || e == w)
				die("%s: malformed: the line of %s is not \"FILE CU...\" (at byte %zu)",
				    path, file, (size_t)(p - base));
			printf("%s %.*s\n", file, (int)(e - w), w);
			p = e;
		}
	}
	if (fflush(stdout) || ferror(stdout))
		die("writing the answer: %s", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	set_progname("header-index");
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return build(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "query"))
		return query(argc - 1, argv + 1);
	fprintf(stderr, "usage: header-index build [-r ROOT] -o INDEX ELF...\n"
			"       header-index query INDEX FILE...\n");
	return 1;
}
