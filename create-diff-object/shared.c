/*
 * shared.c - the new globals the objects of one livepatch share.
 *
 * A patch may add a global function (or variable) to one file and use it
 * from another file of the same kernel object.  The running kernel has no
 * such symbol: it is the livepatch's own.  kpatch-build lists the new
 * globals of every changed object of that kernel object (-g FILE, one name
 * a line); here a reference to one that this object does not define links
 * as an ordinary undefined symbol, which linking the diff objects together
 * resolves, and a new global variable this object defines is carried even
 * when none of its own functions uses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/util.h"

struct shared_name {
	struct hnode node;
	char *name;
};

int cdo_read_shared(struct cdo *cdo, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	if (!cdo->shared.nbuckets)
		hash_init(&cdo->shared, 64);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct shared_name *s;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (strpbrk(line, " \t")) {
			ret = error("%s:%zu: not a symbol name: '%s'", path, lineno, line);
			break;
		}
		if (cdo_is_shared(cdo, line))
			continue;
		s = xcalloc(1, sizeof(*s));
		s->name = xstrdup(line);
		hash_add(&cdo->shared, &s->node, hash_str(s->name));
	}
	free(line);
	fclose(f);
	return ret;
}

bool cdo_is_shared(const struct cdo *cdo, const char *name)
{
	struct hnode *n;

	hash_for_each_match(&cdo->shared, n, hash_str(name))
		if (!strcmp(container_of(n, struct shared_name, node)->name, name))
			return true;
	return false;
}

void cdo_free_shared(struct cdo *cdo)
{
	size_t i;

	for (i = 0; i < cdo->shared.nbuckets; i++) {
		struct hnode *n = cdo->shared.buckets[i], *next;

		for (; n; n = next) {
			struct shared_name *s = container_of(n, struct shared_name, node);

			next = n->next;
			free(s->name);
			free(s);
		}
	}
	hash_free(&cdo->shared);
}
