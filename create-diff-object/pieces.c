/*
 * pieces.c - anonymous code that the functions of a file share, cut into
 * the piece each function reaches.
 *
 * Linux 6.12's static_cpu_has() (arch/x86/include/asm/cpufeature.h) jumps
 * from the function into a slow path it assembles into .altinstr_aux: a
 * test of the feature's bit in boot_cpu_data and two jumps back into the
 * function.  Every function of an object file shares that one section,
 * which holds no symbol, so a use added to one function moves the piece of
 * every later one: compared as a whole, or by the offsets the functions
 * reach, every user in the file looks changed (in
 * arch/x86/kernel/fpu/xstate.c, the __init fpu__init_system_xstate among
 * them, and the patch is refused).  And carried whole, the section would
 * bring the jumps of every other function's piece into the livepatch.
 *
 * What a function reaches is its piece: from the offset its relocation
 * points at up to the next offset that anything outside the section
 * points at.  Such a cut is sound only when no piece can run on into
 * another, so a section is cut only when
 *	- it is code, holds no symbol, and only code refers to it (a table
 *	  pointing in, as .altinstructions does into .altinstr_replacement,
 *	  has its own rules: special-sections/);
 *	- its start is a piece's start;
 *	- every piece decodes (arch_decode()) into instructions ending with
 *	  the arch's unconditional long jump, whose displacement is relocated
 *	  (it leaves the section), and holds no indirect branch nor one the
 *	  assembler resolved (no relocation) to a place outside the piece.
 * Otherwise the section is compared and carried whole.
 */
#include <stdlib.h>

#include "cdo.h"
#include "../util/util.h"

static int by_offset(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The piece starts of @sec (sorted, unique) into *@starts; false when
 * something other than code refers to @sec, or outside it. */
static bool read_starts(const struct cdo *cdo, struct section *sec,
			uint64_t **starts, size_t *n)
{
	size_t alloc = 0, i, k;
	struct reloc *rel;

	*starts = NULL;
	*n = 0;
	for_each_ref(sec->secsym, rel) {
		struct section *from = rel->sec->base;
		int64_t where = cdo_reloc_offset(cdo, rel);

		if (from == sec)
			continue;
		if (!from || !is_text_section(from) || where < 0 ||
		    (uint64_t)where >= sec->size)
			return false;
		ALLOC_GROW(*starts, *n + 1, alloc);
		(*starts)[(*n)++] = (uint64_t)where;
	}
	if (!*n)
		return false;
	xqsort(*starts, *n, sizeof(**starts), by_offset);
	for (i = k = 1; i < *n; i++)
		if ((*starts)[i] != (*starts)[k - 1])
			(*starts)[k++] = (*starts)[i];
	*n = k;
	return (*starts)[0] == 0;
}

/* The signed little-endian displacement of @len bytes at @p. */
static int64_t read_disp(const unsigned char *p, unsigned int len)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (len && len < 8 && (v >> (8 * len - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * len);
	return (int64_t)v;
}

/*
 * Can the code of [start, end) of @sec only leave through relocations, and
 * not run on past @end?  Decoded instruction by instruction: every one
 * must decode, every branch must be relative, and one whose displacement
 * is not relocated must land inside the piece; the last instruction must
 * end at @end and be the arch's long jump, relocated.
 */
static bool is_closed_piece(const struct cdo *cdo, struct section *sec,
			    uint64_t start, uint64_t end)
{
	const struct arch_target_check *tc = cdo->arch->target_check;
	struct arch_insn insn = { 0 };
	uint64_t q = start, last = end;

	if (!tc || !tc->long_len)
		return false;
	while (q < end) {
		if (arch_decode(cdo->arch, sec->data + q, end - q, &insn) || !insn.len ||
		    insn.len > end - q)
			return false;
		if (insn.branch) {
			int64_t dest;

			if (insn.disp_off < 0 || !insn.pcrel)
				return false;	/* indirect: could go anywhere */
			if (!cdo_is_relocated(cdo, sec, q + insn.disp_off, insn.disp_len)) {
				dest = (int64_t)(q + insn.len) +
				       read_disp(sec->data + q + insn.disp_off, insn.disp_len);
				if (dest < (int64_t)start || dest >= (int64_t)end)
					return false;
			}
		}
		last = q;
		q += insn.len;
	}
	return last + tc->long_len == end && insn.len == tc->long_len &&
	       sec->data[last] == tc->long_jump &&
	       cdo_is_relocated(cdo, sec, last + insn.disp_off, insn.disp_len);
}

/* Cut @sec into pieces, or leave it whole (si->pieces NULL). */
static void cut(const struct cdo *cdo, struct section *sec)
{
	struct sec_info *si = sec_info(sec);
	uint64_t *starts;
	size_t n, i;

	si->pieces_read = true;
	if (!is_text_section(sec) || !sec->data || !sec->secsym ||
	    kelf_find_symbol_containing(sec, 0) || sec->nr_by_offset)
		return;
	if (!read_starts(cdo, sec, &starts, &n)) {
		free(starts);
		return;
	}
	si->pieces = xcalloc(n, sizeof(*si->pieces));
	for (i = 0; i < n; i++) {
		si->pieces[i].start = starts[i];
		si->pieces[i].end = i + 1 < n ? starts[i + 1] : sec->size;
		if (!is_closed_piece(cdo, sec, si->pieces[i].start, si->pieces[i].end)) {
			free(si->pieces);
			si->pieces = NULL;
			free(starts);
			return;
		}
	}
	si->nr_pieces = n;
	free(starts);
}

struct piece *cdo_piece_at(const struct cdo *cdo, struct section *sec, int64_t where)
{
	struct sec_info *si = sec ? sec_info(sec) : NULL;
	size_t lo = 0, hi;

	if (!si)
		return NULL;
	if (!si->pieces_read)
		cut(cdo, sec);
	if (!si->pieces || where < 0 || (uint64_t)where >= sec->size)
		return NULL;
	hi = si->nr_pieces;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (si->pieces[mid].start <= (uint64_t)where)
			lo = mid;
		else
			hi = mid;
	}
	return &si->pieces[lo];
}
