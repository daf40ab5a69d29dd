/*
 * kelf-private.h - what the files of the ELF layer share among themselves.
 */
#ifndef KELF_PRIVATE_H
#define KELF_PRIVATE_H

#include "kelf.h"

/* Remember @block so kelf_close() frees it. */
void kelf_track(struct kelf *kelf, void *block);

/* Mark the address indexes of @sec for rebuilding. */
static inline void kelf_section_changed(struct section *sec)
{
	sec->by_offset_stale = true;
}

#endif
