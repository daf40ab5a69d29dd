/*
 * hash.h - an intrusive chained hash table.
 *
 * Objects embed a struct hnode and are found by a 64-bit hash of their key;
 * callers compare keys themselves, so one table serves names, addresses or
 * any other key, and duplicate keys (local symbols of the same name) chain
 * naturally, in insertion order.
 *
 *	struct symbol { struct hnode name_node; const char *name; ... };
 *	hash_add(&tab, &sym->name_node, hash_str(sym->name));
 *	hash_for_each_match(&tab, node, hash_str(name)) {
 *		struct symbol *s = container_of(node, struct symbol, name_node);
 *		if (!strcmp(s->name, name)) ...
 *	}
 *
 * Tables are sized from the expected count when created and double when
 * they hold more entries than buckets, so lookups stay O(1).
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct hashtab {
	struct hnode **buckets;	/* nbuckets heads, each a chain kept in insertion order */
	struct hnode **tails;	/* last node of each chain, for O(1) append */
	size_t nbuckets;	/* a power of two */
	size_t count;
};

/* Size the table for about @expected entries (may grow later). */
void hash_init(struct hashtab *h, size_t expected);
void hash_free(struct hashtab *h);
void hash_add(struct hashtab *h, struct hnode *node, uint64_t hash);
/* Take @node, which is in @h, out of it. */
void hash_del(struct hashtab *h, struct hnode *node);

static inline struct hnode *hash_first(const struct hashtab *h, uint64_t hash)
{
	struct hnode *n;

	if (!h->nbuckets)
		return NULL;
	for (n = h->buckets[hash & (h->nbuckets - 1)]; n; n = n->next)
		if (n->hash == hash)
			return n;
	return NULL;
}

static inline struct hnode *hash_next(const struct hnode *prev)
{
	struct hnode *n;

	for (n = prev->next; n; n = n->next)
		if (n->hash == prev->hash)
			return n;
	return NULL;
}

/* Every node whose hash equals @hash (the caller still compares keys). */
#define hash_for_each_match(h, node, hashval) \
	for ((node) = hash_first((h), (hashval)); (node); (node) = hash_next(node))

uint64_t hash_str(const char *s);
uint64_t hash_u64(uint64_t v);

#endif
