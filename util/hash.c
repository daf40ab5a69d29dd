/*
 * hash.c - the intrusive chained hash table of hash.h.
 */
#include <stdlib.h>

#include "hash.h"
#include "util.h"

static void hash_alloc(struct hashtab *h, size_t nbuckets)
{
	h->nbuckets = nbuckets;
	h->buckets = xcalloc(nbuckets, sizeof(*h->buckets));
	h->tails = xcalloc(nbuckets, sizeof(*h->tails));
}

void hash_init(struct hashtab *h, size_t expected)
{
	size_t n = 16;

	while (n < expected)
		n <<= 1;
	h->count = 0;
	hash_alloc(h, n);
}

void hash_free(struct hashtab *h)
{
	free(h->buckets);
	free(h->tails);
	h->buckets = h->tails = NULL;
	h->nbuckets = h->count = 0;
}

static void append(struct hashtab *h, struct hnode *node)
{
	size_t b = node->hash & (h->nbuckets - 1);

	node->next = NULL;
	if (h->tails[b])
		h->tails[b]->next = node;
	else
		h->buckets[b] = node;
	h->tails[b] = node;
}

static void grow(struct hashtab *h)
{
	struct hnode **old = h->buckets;
	size_t i, oldn = h->nbuckets;

	free(h->tails);
	hash_alloc(h, oldn * 2);
	/* Re-append chain by chain: nodes of equal hash keep their order. */
	for (i = 0; i < oldn; i++) {
		struct hnode *n = old[i], *next;

		for (; n; n = next) {
			next = n->next;
			append(h, n);
		}
	}
	free(old);
}

void hash_add(struct hashtab *h, struct hnode *node, uint64_t hash)
{
	if (!h->nbuckets)
		hash_init(h, 16);
	if (h->count >= h->nbuckets)
		grow(h);
	node->hash = hash;
	append(h, node);
	h->count++;
}

void hash_del(struct hashtab *h, struct hnode *node)
{
	size_t b = node->hash & (h->nbuckets - 1);
	struct hnode **pp, *prev = NULL;

	for (pp = &h->buckets[b]; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != node)
			continue;
		*pp = node->next;
		if (h->tails[b] == node)
			h->tails[b] = prev;
		node->next = NULL;
		h->count--;
		return;
	}
}

/* FNV-1a, 64-bit. */
uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The splitmix64 finaliser: spreads addresses across buckets. */
uint64_t hash_u64(uint64_t v)
{
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	return v;
}
