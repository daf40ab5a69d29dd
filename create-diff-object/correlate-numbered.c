/*
 * correlate-numbered.c - rule 2 of correlate.c: pair the locals GCC
 * numbers afresh in every build (static locals "calls.3", clones
 * "foo.isra.0", their parts "foo.cold") and those the kernel's
 * __UNIQUE_ID() numbers with __COUNTER__.
 *
 * Symbols are grouped by their name without the numbers and their type;
 * groups are independent, so the work is linear in the number of symbols
 * plus a sort per group (a file of 10,000 functions each with a "static
 * int calls" is one group of 10,000).  Within a group, until nothing
 * changes:
 *  - one left on each side: a pair;
 *  - read-only data without relocations, by its bytes: one on each side
 *    with the same bytes, a pair (renumbered __func__.N);
 *  - else by the functions that use them (their "users", own numbers
 *    dropped): one left on each side with the same users, a pair;
 *  - when those stop, as many on each side with the same users pair in
 *    the order of their numbers (two "static int x" in blocks of one
 *    function), which GCC hands out in source order within a build.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "../util/hash.h"
#include "../util/util.h"

/*
 * "counter.12" -> "counter", "foo.constprop.0.isra.1" -> "foo.constprop.isra",
 * "__UNIQUE_ID_ddebug655.14" -> "__UNIQUE_ID_ddebug".
 */
static char *strip_numbers(const char *name)
{
	char *out = xstrdup(name), *w = out;
	const char *r = name;
	size_t counter = cdo_unique_id_counter(name);

	if (counter) {
		const char *end = strchr(name, '.');

		end = end ? end : name + strlen(name);
		w += end - counter - name;
		r = end;
	}
	while (*r) {
		if (*r == '.' && isdigit((unsigned char)r[1])) {
			const char *q = r + 1;

			while (isdigit((unsigned char)*q))
				q++;
			if (*q == '.' || !*q) {
				r = q;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	return out;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

struct name_list {
	char **names;
	size_t n, alloc;
};

/*
 * Add the functions holding the relocations that reference @sym: directly,
 * or through its section symbol (how gas writes references to locals) at
 * an offset inside @sym, so static locals sharing one section are told
 * apart.  A user's own numbers are dropped: foo.constprop.0 and
 * foo.constprop.1 are both "foo.constprop".
 */
static void add_users(const struct cdo *cdo, struct name_list *l,
		      const struct symbol *sym, const struct symbol *via)
{
	struct reloc *rel;

	for_each_ref(via, rel) {
		struct symbol *f;

		if (!rel->sec->base)
			continue;
		if (via != sym && cdo_reloc_target(cdo, rel, NULL) != sym)
			continue;
		f = kelf_find_symbol_containing(rel->sec->base, rel->offset);
		if (!f || f->type != STT_FUNC)
			continue;
		ALLOC_GROW(l->names, l->n + 1, l->alloc);
		l->names[l->n++] = strip_numbers(f->name);
	}
}

/* The sorted, comma-separated names of the functions referencing @sym. */
static char *users_of(const struct cdo *cdo, const struct symbol *sym)
{
	struct name_list l = { 0 };
	size_t i, len = 1;
	char *out, *w;

	add_users(cdo, &l, sym, sym);
	if (sym->sec && sym->sec->secsym && sym->sec->secsym != sym)
		add_users(cdo, &l, sym, sym->sec->secsym);
	xqsort(l.names, l.n, sizeof(*l.names), cmp_names);
	for (i = 0; i < l.n; i++)
		len += strlen(l.names[i]) + 1;
	out = w = xmalloc(len);
	*w = '\0';
	for (i = 0; i < l.n; i++) {
		if (!i || strcmp(l.names[i], l.names[i - 1]))
			w += sprintf(w, "%s%s", w == out ? "" : ",", l.names[i]);
	}
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return out;
}

struct member {
	struct symbol *sym;
	char *users;		/* computed when first needed */
};

/* One side of a group. */
struct side {
	struct member *m;
	size_t n, alloc;
	struct member **left;	/* scratch: the members still without a twin */
	size_t nleft, leftalloc;
};

struct group {
	struct hnode node;
	char *key;
	unsigned char type;
	struct side side[2];	/* 0 original, 1 patched */
};

struct groups {
	struct hashtab tab;
	struct group **list;
	size_t n, alloc;
};

static void add_member(struct groups *gs, struct symbol *sym, int side)
{
	char *key = strip_numbers(sym->name);
	uint64_t h = hash_str(key) ^ sym->type;
	struct hnode *node;
	struct group *g = NULL;
	struct side *s;

	hash_for_each_match(&gs->tab, node, h) {
		struct group *c = container_of(node, struct group, node);

		if (c->type == sym->type && !strcmp(c->key, key)) {
			g = c;
			break;
		}
	}
	if (g) {
		free(key);
	} else {
		g = xcalloc(1, sizeof(*g));
		g->key = key;
		g->type = sym->type;
		hash_add(&gs->tab, &g->node, h);
		ALLOC_GROW(gs->list, gs->n + 1, gs->alloc);
		gs->list[gs->n++] = g;
	}
	s = &g->side[side];
	ALLOC_GROW(s->m, s->n + 1, s->alloc);
	s->m[s->n].sym = sym;
	s->m[s->n].users = NULL;
	s->n++;
}

static void collect(struct groups *gs, struct kelf *kelf, int side)
{
	struct symbol *sym;

	for_each_symbol(kelf, sym)
		if (sym->name[0] && cdo_is_numbered(sym) && !sym_twin(sym))
			add_member(gs, sym, side);
}

/* Fill @s->left with the members still without a twin; returns how many. */
static size_t gather_left(const struct cdo *cdo, struct side *s, bool users)
{
	size_t i;

	s->nleft = 0;
	for (i = 0; i < s->n; i++) {
		struct member *m = &s->m[i];

		if (sym_twin(m->sym))
			continue;
		if (users && !m->users)
			m->users = users_of(cdo, m->sym);
		ALLOC_GROW(s->left, s->nleft + 1, s->leftalloc);
		s->left[s->nleft++] = m;
	}
	return s->nleft;
}

/* By users, then in the order of the numbers: calls.9 before calls.10. */
static int cmp_members(const void *a, const void *b)
{
	const struct member *x = *(struct member * const *)a;
	const struct member *y = *(struct member * const *)b;
	int c = strcmp(x->users, y->users);

	return c ? c : strverscmp(x->sym->name, y->sym->name);
}

/* How two members compare for pairing: by users, or by bytes. */
typedef int (*alike_fn)(const struct member *x, const struct member *y);

static int users_alike(const struct member *x, const struct member *y)
{
	return strcmp(x->users, y->users);
}

/* The end of the run of members alike to left[i]. */
static size_t run_end(const struct side *s, size_t i, alike_fn alike)
{
	size_t j = i + 1;

	while (j < s->nleft && !alike(s->left[j], s->left[i]))
		j++;
	return j;
}

/*
 * Walk both sides' left members, sorted so that those alike are together
 * (in the order of their numbers within a run), pairing each run of one
 * member alike to a run of one on the other side or, @ordered, of as many
 * on each side in their order.  True when a pair was made.
 */
static bool pair_runs(struct group *g, alike_fn alike, bool ordered)
{
	struct side *o = &g->side[0], *p = &g->side[1];
	size_t i = 0, j = 0, k;
	bool paired = false;

	while (i < o->nleft && j < p->nleft) {
		int c = alike(o->left[i], p->left[j]);
		size_t ie, je;

		if (c < 0) {
			i = run_end(o, i, alike);
			continue;
		}
		if (c > 0) {
			j = run_end(p, j, alike);
			continue;
		}
		ie = run_end(o, i, alike);
		je = run_end(p, j, alike);
		if (ie - i == je - j && (ordered || ie - i == 1)) {
			for (k = 0; k < ie - i; k++)
				cdo_pair_symbols(o->left[i + k]->sym, p->left[j + k]->sym);
			paired = true;
		}
		i = ie;
		j = je;
	}
	return paired;
}

/* One pass over the users of @g; returns true when a pair was made. */
static bool pair_by_users(const struct cdo *cdo, struct group *g, bool ordered)
{
	struct side *o = &g->side[0], *p = &g->side[1];

	gather_left(cdo, o, true);
	gather_left(cdo, p, true);
	xqsort(o->left, o->nleft, sizeof(*o->left), cmp_members);
	xqsort(p->left, p->nleft, sizeof(*p->left), cmp_members);
	return pair_runs(g, users_alike, ordered);
}

/*
 * Read-only data without relocations in it (__func__.N, a function's
 * name) is nothing but its bytes: the running kernel's copy serves the
 * patched code as well as any.
 */
static bool is_constant(const struct symbol *sym)
{
	struct section *sec = sym->sec;
	size_t n;

	if (sym->type != STT_OBJECT || !sec || !sym->size || !sec->data ||
	    (sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) ||
	    sec->sh.sh_type == SHT_NOBITS || sym->offset > sec->size ||
	    sym->size > sec->size - sym->offset)
		return false;
	kelf_relocs_in_range(sec, sym->offset, sym->offset + sym->size, &n);
	return !n;
}

static int bytes_alike(const struct member *x, const struct member *y)
{
	const struct symbol *a = x->sym, *b = y->sym;

	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return memcmp((const char *)a->sec->data + a->offset,
		      (const char *)b->sec->data + b->offset, a->size);
}

static int cmp_bytes(const void *a, const void *b)
{
	return bytes_alike(*(struct member * const *)a, *(struct member * const *)b);
}

/* Keep in @s->left only the constants, sorted by their bytes. */
static void sort_constants(struct side *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nleft; i++)
		if (is_constant(s->left[i]->sym))
			s->left[n++] = s->left[i];
	s->nleft = n;
	xqsort(s->left, s->nleft, sizeof(*s->left), cmp_bytes);
}

/*
 * Constants whose bytes no other member of their side has pair with the
 * one of the other side holding the same bytes: a new __func__ renumbers
 * the others (a new pr_debug() in bm_status_read: orig's __func__.58 is
 * the patched __func__.59), and neither their number nor their users
 * (descriptors, not functions) tell them apart.  True when a pair was made.
 */
static bool pair_by_contents(const struct cdo *cdo, struct group *g)
{
	gather_left(cdo, &g->side[0], false);
	gather_left(cdo, &g->side[1], false);
	sort_constants(&g->side[0]);
	sort_constants(&g->side[1]);
	return pair_runs(g, bytes_alike, false);
}

static void correlate_group(const struct cdo *cdo, struct group *g)
{
	bool ordered = false;

	for (;;) {
		size_t no = gather_left(cdo, &g->side[0], false);
		size_t np = gather_left(cdo, &g->side[1], false);

		if (!no || !np)
			return;
		if (no == 1 && np == 1) {
			cdo_pair_symbols(g->side[0].left[0]->sym, g->side[1].left[0]->sym);
			return;
		}
		if (pair_by_contents(cdo, g))
			continue;
		if (pair_by_users(cdo, g, ordered))
			continue;
		if (ordered)
			return;
		ordered = true;
	}
}

static void free_side(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->m[i].users);
	free(s->m);
	free(s->left);
}

void cdo_correlate_numbered(struct cdo *cdo)
{
	struct groups gs = { 0 };
	size_t i;

	hash_init(&gs.tab, 1024);
	collect(&gs, cdo->orig, 0);
	collect(&gs, cdo->patched, 1);
	for (i = 0; i < gs.n; i++) {
		struct group *g = gs.list[i];

		correlate_group(cdo, g);
		free_side(&g->side[0]);
		free_side(&g->side[1]);
		free(g->key);
		free(g);
	}
	free(gs.list);
	hash_free(&gs.tab);
}
