/*
 * hash-test - unit test of util/hash.c.
 *
 * Prints one fact a line; test/unit/t0800-hash.sh compares the output with
 * the expected text.  A broken invariant prints "FAIL: ..." and the exit
 * status is 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/hash.h"
#include "../../util/util.h"

#define NR_KEYS 100000

struct item {
	struct hnode node;
	char key[16];
	int seq;
};

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAIL: %s\n", what);
		failures++;
	}
}

static struct item *lookup(const struct hashtab *h, const char *key)
{
	struct hnode *n;

	hash_for_each_match(h, n, hash_str(key)) {
		struct item *it = container_of(n, struct item, node);

		if (!strcmp(it->key, key))
			return it;
	}
	return NULL;
}

/* Published FNV-1a 64-bit test vectors. */
static void test_hash_str(void)
{
	printf("hash_str(\"\") = %#llx\n", (unsigned long long)hash_str(""));
	printf("hash_str(\"a\") = %#llx\n", (unsigned long long)hash_str("a"));
	printf("hash_str(\"foobar\") = %#llx\n", (unsigned long long)hash_str("foobar"));
}

/* Insert NR_KEYS keys into a table sized for 0; report every growth. */
static void test_many_keys(void)
{
	struct item *items = xcalloc(NR_KEYS, sizeof(*items));
	struct hashtab h;
	size_t nbuckets, found = 0, wrong = 0, missing = 0, longest = 0, i;
	struct hnode *n;

	hash_init(&h, 0);
	printf("initial buckets: %zu\n", h.nbuckets);
	nbuckets = h.nbuckets;
	for (i = 0; i < NR_KEYS; i++) {
		snprintf(items[i].key, sizeof(items[i].key), "key%zu", i);
		items[i].seq = i;
		hash_add(&h, &items[i].node, hash_str(items[i].key));
		if (h.nbuckets != nbuckets) {
			printf("grew %zu -> %zu buckets at insert %zu\n",
			       nbuckets, h.nbuckets, i + 1);
			nbuckets = h.nbuckets;
		}
	}
	printf("count: %zu, buckets: %zu\n", h.count, h.nbuckets);

	for (i = 0; i < NR_KEYS; i++) {
		struct item *it = lookup(&h, items[i].key);

		if (!it)
			missing++;
		else if (it != &items[i])
			wrong++;
		else
			found++;
	}
	printf("lookups: %zu found, %zu wrong, %zu missing\n", found, wrong, missing);

	found = 0;
	for (i = 0; i < 1000; i++) {
		char key[16];

		snprintf(key, sizeof(key), "nokey%zu", i);
		if (lookup(&h, key))
			found++;
	}
	printf("absent keys found: %zu of 1000\n", found);

	/* Chains stay short: the table doubles before it holds more
	 * entries than buckets and FNV-1a spreads the keys. */
	for (i = 0; i < h.nbuckets; i++) {
		size_t len = 0;

		for (n = h.buckets[i]; n; n = n->next)
			len++;
		if (len > longest)
			longest = len;
		check(!h.buckets[i] || h.tails[i]->next == NULL,
		      "the tail of a chain is its last node");
	}
	check(longest <= 12, "longest chain is at most 12 nodes");
	hash_free(&h);
	check(!h.buckets && !h.nbuckets && !h.count, "hash_free() empties the table");
	free(items);
}

/*
 * Duplicate keys chain in insertion order, through growths, and a node of
 * the same bucket but another hash is never a match.
 */
static void test_duplicates(void)
{
	struct item *items = xcalloc(5000, sizeof(*items));
	struct hashtab h;
	struct hnode *n;
	size_t i, ndup = 0;
	uint64_t dup = hash_str("dup");

	hash_init(&h, 4);
	for (i = 0; i < 5000; i++) {
		/* Every 1000th entry is "dup"; the rest collide with it in
		 * the low 12 bits (same bucket until the table passes 4096
		 * buckets) but differ above. */
		if (i % 1000 == 0) {
			strcpy(items[i].key, "dup");
			items[i].seq = ndup++;
			hash_add(&h, &items[i].node, dup);
		} else {
			snprintf(items[i].key, sizeof(items[i].key), "other%zu", i);
			items[i].seq = -1;
			hash_add(&h, &items[i].node, dup ^ ((uint64_t)i << 12));
		}
	}
	printf("duplicates in insertion order:");
	hash_for_each_match(&h, n, dup)
		printf(" %d", container_of(n, struct item, node)->seq);
	printf("\n");
	printf("buckets after 5000 inserts from 4: %zu\n", h.nbuckets);
	/* hash_del() of a middle, the first and the last duplicate; an
	 * append after it lands at the chain's new tail. */
	hash_del(&h, &items[2000].node);
	hash_del(&h, &items[0].node);
	hash_del(&h, &items[4000].node);
	hash_add(&h, &items[0].node, dup);
	printf("duplicates after deleting 2, 0 and 4 and adding 0 again:");
	hash_for_each_match(&h, n, dup)
		printf(" %d", container_of(n, struct item, node)->seq);
	printf(" (count %zu)\n", h.count);
	for (i = 0; i < h.nbuckets; i++)
		check(!h.buckets[i] || h.tails[i]->next == NULL,
		      "the tail of a chain is its last node after hash_del()");
	hash_free(&h);

	/* An empty, never-initialised table finds nothing and grows on
	 * first use. */
	memset(&h, 0, sizeof(h));
	check(hash_first(&h, dup) == NULL, "an empty table finds nothing");
	hash_add(&h, &items[0].node, dup);
	check(hash_first(&h, dup) == &items[0].node, "a zeroed table works after hash_add()");
	printf("zeroed table buckets after one insert: %zu\n", h.nbuckets);
	hash_free(&h);
	free(items);
}

int main(int argc, char **argv)
{
	(void)argc;
	set_progname(argv[0]);
	test_hash_str();
	test_many_keys();
	test_duplicates();
	printf("%s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
