/*
 * cu.h - the compile units of a linked file's DWARF, by source path: which
 * unit a symbol's address belongs to.
 *
 * vmlinux links many source files of one name (net/core/datagram.c,
 * net/ipv4/datagram.c, net/ipv6/datagram.c), and its symbol table names
 * each only by its STT_FILE symbol, "datagram.c".  Debian's -dbg vmlinux
 * keeps the DWARF, whose compile units name the full path (DW_AT_name,
 * relative to DW_AT_comp_dir) and the code (DW_AT_ranges, low_pc/high_pc)
 * and static variables (DW_OP_addr locations) each defines.  Read with
 * elfutils' libdw.
 *
 * Only the units' names are read up front (the unit DIEs, not their
 * children): on Debian's 6.12 vmlinux, about 3,000 units.  A unit's ranges
 * and variables are read when first asked about, for the few units a path
 * matches.
 */
#ifndef CU_H
#define CU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

struct cu_index;

/*
 * The compile units of @elf's DWARF.  NULL when it has none or libdw
 * cannot read it, with *@why saying so (libdw's message, "no DWARF
 * information", or "no compile unit in its DWARF"; static strings).
 */
struct cu_index *cu_index_read(Elf *elf, const char **why);
void cu_index_free(struct cu_index *idx);

size_t cu_index_count(const struct cu_index *idx);

/* The path of unit @i: DW_AT_name, after DW_AT_comp_dir when relative. */
const char *cu_index_path(const struct cu_index *idx, size_t i);

/*
 * How well does the path of unit @i match @path, the source path of an
 * object in the kernel tree ("kernel/signal.c")?  -1: its path does not
 * end with the path components of @path ("net/ipv6/datagram.c" is the
 * end of "/build/linux/net/ipv6/datagram.c" and "../net/ipv6/datagram.c",
 * not of "net/ipv4/datagram.c" nor "xnet/ipv6/datagram.c").  0: its
 * DW_AT_name, relative to its build directory (DW_AT_comp_dir), is @path
 * exactly, as kbuild compiles in the object tree (Debian's vmlinux:
 * "kernel/signal.c" in "debian/build/build_amd64_none_cloud-amd64").
 * Else 1 + the length of what its path holds before @path: of two units
 * whose paths both end with "kernel/signal.c", the one with less before
 * it is kernel/signal.c, the other arch/x86/kernel/signal.c.
 */
long cu_index_path_match(const struct cu_index *idx, size_t i, const char *path);

/*
 * Does unit @i define the code at @addr, or a variable starting there?
 * Reads the unit's ranges and variables on first use.
 */
bool cu_index_defines(struct cu_index *idx, size_t i, uint64_t addr);

#endif
