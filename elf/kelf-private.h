/*
 * kelf-private.h - what the files of the ELF layer share among themselves.
 */
#ifndef KELF_PRIVATE_H
#define KELF_PRIVATE_H

#include "kelf.h"

/* Remember @block so kelf_close() frees it. */
void kelf_track(struct kelf *kelf, void *block);

/*
 * If kelf->fd holds an xz-compressed file (kelf->file_size bytes),
 * decompress it: set *@image to
 * the decompressed bytes (freed by kelf_close()) and kelf->file_size to
 * their count.  Otherwise set *@image to NULL and leave the file alone.
 * Returns 0, or -1 after printing one line naming the file.
 */
int kelf_read_xz(struct kelf *kelf, void **image);

/* Mark the address indexes of @sec for rebuilding. */
static inline void kelf_section_changed(struct section *sec)
{
	sec->by_offset_stale = true;
}

#endif
