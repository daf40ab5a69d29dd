/*
 * util.h - small helpers shared by every tool: diagnostics, allocation
 * that cannot fail, and timing.
 *
 * Roles, as in git: error() and warn() print one line to stderr and
 * return; die() prints and exits 1 (only for use in main() and in the
 * allocation wrappers); BUG() marks a programmer error and aborts with
 * file:line.  Library code below main() returns errors instead of exiting.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))

/* Set the name every diagnostic starts with (default "kpatch"). */
void set_progname(const char *name);
const char *get_progname(void);

/* "PROG: error: MSG\n" on stderr; always returns -1. */
__printf(1, 2) int error(const char *fmt, ...);
/* "PROG: warning: MSG\n" on stderr. */
__printf(1, 2) void warn(const char *fmt, ...);
/* "PROG: error: MSG\n" on stderr, then exit(1). */
__printf(1, 2) __noreturn void die(const char *fmt, ...);

__noreturn void bug_at(const char *file, int line, const char *cond);
#define BUG() bug_at(__FILE__, __LINE__, "BUG")
#define BUG_ON(c) do { if (c) bug_at(__FILE__, __LINE__, #c); } while (0)

/* Allocation wrappers: die with a message on exhaustion. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
__printf(1, 2) char *xasprintf(const char *fmt, ...);

/* Grow *arr (of *alloc elements of elem_size) to hold at least need. */
void grow_array(void **arr, size_t *alloc, size_t need, size_t elem_size);
#define ALLOC_GROW(arr, need, alloc) \
	grow_array((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

/*
 * qsort() of @n elements at @base, where @base may be NULL when @n is 0
 * (an empty table): qsort itself must not be given NULL (C11 7.22.5).
 */
void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Monotonic clock in seconds. */
double now_seconds(void);

/* Peak resident set size of this process in KiB (0 if unknown). */
long peak_rss_kib(void);

#endif
