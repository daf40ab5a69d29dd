/*
 * kelf-xz.c - read an xz-compressed ELF file into memory.
 *
 * Distributions ship their modules compressed (Debian: foo.ko.xz), and a
 * module is a TARGET the differ and check-target read.  kelf_open() asks
 * here first: a file starting with the xz magic is decompressed whole
 * with liblzma and handed to libelf with elf_memory(); the model then
 * reads it like any other file, bounds checks against the decompressed
 * size included.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kelf.h"
#include "kelf-private.h"
#include "../util/util.h"

static const unsigned char xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

/*
 * The largest module of a distribution kernel is tens of MiB
 * decompressed; a larger output is corrupt or hostile input.  The
 * decoder's own limit covers any dictionary xz can write (xz -9e: 64 MiB).
 */
#define XZ_MAX_OUTPUT	(1UL << 30)
#define XZ_MEMLIMIT	(256UL << 20)

static const char *xz_strerror(lzma_ret ret)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return "cannot allocate memory";
	case LZMA_MEMLIMIT_ERROR:
		return "decompression needs more than 256 MiB of memory";
	case LZMA_FORMAT_ERROR:
		return "not in the .xz format";
	case LZMA_OPTIONS_ERROR:
		return "unsupported compression options";
	case LZMA_DATA_ERROR:
		return "compressed data is corrupt";
	case LZMA_BUF_ERROR:
		return "compressed data is truncated";
	default:
		return "unexpected liblzma error";
	}
}

/* Read all of @fd (@size bytes) into a new buffer; NULL on error. */
static unsigned char *read_whole(const char *path, int fd, size_t size)
{
	unsigned char *buf = xmalloc(size ? size : 1);
	size_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, buf + done, size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error("%s: cannot read: %s", path,
			      n ? strerror(errno) : "unexpected end of file");
			free(buf);
			return NULL;
		}
		done += n;
	}
	return buf;
}

static int xz_decode(struct kelf *kelf, const unsigned char *in, size_t in_size,
		     void **image)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t alloc = in_size * 4 < XZ_MAX_OUTPUT ? in_size * 4 : XZ_MAX_OUTPUT;
	unsigned char *out;
	lzma_ret ret;

	ret = lzma_stream_decoder(&strm, XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (ret != LZMA_OK)
		return error("%s: xz: %s", kelf->path, xz_strerror(ret));
	out = xmalloc(alloc);
	strm.next_in = in;
	strm.avail_in = in_size;
	strm.next_out = out;
	strm.avail_out = alloc;
	for (;;) {
		ret = lzma_code(&strm, LZMA_FINISH);
		if (ret == LZMA_STREAM_END)
			break;
		if (ret != LZMA_OK)
			goto fail;
		if (!strm.avail_out) {
			if (alloc >= XZ_MAX_OUTPUT) {
				error("%s: xz: decompressed size exceeds 1 GiB", kelf->path);
				goto out;
			}
			alloc = alloc * 2 < XZ_MAX_OUTPUT ? alloc * 2 : XZ_MAX_OUTPUT;
			out = xrealloc(out, alloc);
			strm.next_out = out + strm.total_out;
			strm.avail_out = alloc - strm.total_out;
		}
	}
	lzma_end(&strm);
	kelf_track(kelf, out);
	*image = out;
	kelf->file_size = strm.total_out;
	return 0;
fail:
	error("%s: xz: %s", kelf->path, xz_strerror(ret));
out:
	lzma_end(&strm);
	free(out);
	return -1;
}

int kelf_read_xz(struct kelf *kelf, void **image)
{
	unsigned char magic[sizeof(xz_magic)];
	size_t size = kelf->file_size;
	unsigned char *in;
	int ret;

	*image = NULL;
	if (size < sizeof(magic) ||
	    pread(kelf->fd, magic, sizeof(magic), 0) != sizeof(magic) ||
	    memcmp(magic, xz_magic, sizeof(magic)))
		return 0;
	in = read_whole(kelf->path, kelf->fd, size);
	if (!in)
		return -1;
	ret = xz_decode(kelf, in, size, image);
	free(in);
	return ret;
}
