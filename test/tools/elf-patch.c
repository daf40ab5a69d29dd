/*
 * elf-patch - corrupt one field of a valid 64-bit little-endian ELF object
 * in place, so the unit tests can feed the ELF layer malformed input that
 * names exactly what is wrong.
 *
 *	elf-patch FILE ehdr FIELD VALUE
 *	elf-patch FILE shdr SECTION FIELD VALUE		SECTION: name or index
 *	elf-patch FILE sym SYMBOL FIELD VALUE		SYMBOL: name or index
 *	elf-patch FILE rela SECTION N FIELD VALUE	N: entry index
 *	elf-patch FILE word SECTION N VALUE		32-bit word N of the contents
 *	elf-patch FILE byte OFFSET VALUE
 *	elf-patch FILE corrupt SEED COUNT OUTDIR
 *
 * FIELD is an Elf64 member name (e_shoff, sh_link, st_shndx, r_offset, ...;
 * also ei_class and ei_data, and r_sym and r_type for the two halves of
 * r_info).  VALUE is a C integer literal.
 *
 * "corrupt" leaves FILE alone and writes COUNT copies, OUTDIR/<seed>.o for
 * seeds SEED, SEED+1, ..., each with one byte overwritten: the byte and
 * its new value follow from the seed alone (the same seed patches the
 * same byte of the same file everywhere), preferring the bytes the reader
 * interprets: the ELF header, the section headers, and the symbol,
 * relocation and group tables.  One line per copy says what changed
 * ("17: 0x1a3: 0x05 -> 0xff").
 *
 * The input itself is trusted (it is a fixture the test just compiled);
 * the tool only checks what it needs to avoid writing out of bounds.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/util.h"

struct image {
	const char *path;
	unsigned char *buf;
	size_t size;
	Elf64_Ehdr *ehdr;
	Elf64_Shdr *shdrs;
};

/* One patchable member: its name, offset and width in its structure. */
struct field {
	const char *name;
	size_t off, width;
};

#define F(type, member) { #member, offsetof(type, member), sizeof(((type *)0)->member) }

static const struct field ehdr_fields[] = {
	{ "ei_class", EI_CLASS, 1 }, { "ei_data", EI_DATA, 1 },
	{ "ei_version", EI_VERSION, 1 },
	F(Elf64_Ehdr, e_type), F(Elf64_Ehdr, e_machine), F(Elf64_Ehdr, e_version),
	F(Elf64_Ehdr, e_shoff), F(Elf64_Ehdr, e_ehsize),
	F(Elf64_Ehdr, e_shentsize), F(Elf64_Ehdr, e_shnum), F(Elf64_Ehdr, e_shstrndx),
	{ NULL, 0, 0 }
};

static const struct field shdr_fields[] = {
	F(Elf64_Shdr, sh_name), F(Elf64_Shdr, sh_type), F(Elf64_Shdr, sh_flags),
	F(Elf64_Shdr, sh_addr), F(Elf64_Shdr, sh_offset), F(Elf64_Shdr, sh_size),
	F(Elf64_Shdr, sh_link), F(Elf64_Shdr, sh_info),
	F(Elf64_Shdr, sh_addralign), F(Elf64_Shdr, sh_entsize),
	{ NULL, 0, 0 }
};

static const struct field sym_fields[] = {
	F(Elf64_Sym, st_name), F(Elf64_Sym, st_info), F(Elf64_Sym, st_other),
	F(Elf64_Sym, st_shndx), F(Elf64_Sym, st_value), F(Elf64_Sym, st_size),
	{ NULL, 0, 0 }
};

/* r_sym and r_type are the high and low halves of r_info (little-endian). */
static const struct field rela_fields[] = {
	F(Elf64_Rela, r_offset), F(Elf64_Rela, r_info), F(Elf64_Rela, r_addend),
	{ "r_type", offsetof(Elf64_Rela, r_info), 4 },
	{ "r_sym", offsetof(Elf64_Rela, r_info) + 4, 4 },
	{ NULL, 0, 0 }
};

static const struct field *find_field(const struct field *fields, const char *name)
{
	for (; fields->name; fields++)
		if (!strcmp(fields->name, name))
			return fields;
	die("unknown field %s", name);
}

static uint64_t parse_number(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		die("%s: not a number", s);
	return v;
}

/* Store @value little-endian in @width bytes at @off of the image. */
static void store(struct image *img, size_t off, size_t width, uint64_t value)
{
	size_t i;

	if (off > img->size || width > img->size - off)
		die("%s: offset %#zx (+%zu) lies outside the file", img->path, off, width);
	for (i = 0; i < width; i++)
		img->buf[off + i] = value >> (8 * i);
}

static void load(struct image *img, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		die("%s: cannot open: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("%s: cannot size: %s", path, strerror(errno));
	img->path = path;
	img->size = n;
	img->buf = xmalloc(img->size);
	if (fread(img->buf, 1, img->size, f) != img->size)
		die("%s: cannot read", path);
	fclose(f);
	if (img->size < sizeof(Elf64_Ehdr) || memcmp(img->buf, ELFMAG, SELFMAG) ||
	    img->buf[EI_CLASS] != ELFCLASS64)
		die("%s: not a 64-bit ELF file", path);
	img->ehdr = (Elf64_Ehdr *)img->buf;
	if (img->ehdr->e_shoff > img->size ||
	    img->ehdr->e_shnum > (img->size - img->ehdr->e_shoff) / sizeof(Elf64_Shdr))
		die("%s: section headers outside the file", path);
	img->shdrs = (Elf64_Shdr *)(img->buf + img->ehdr->e_shoff);
}

static void save(const struct image *img)
{
	FILE *f = fopen(img->path, "wb");

	if (!f || fwrite(img->buf, 1, img->size, f) != img->size || fclose(f))
		die("%s: cannot write: %s", img->path, strerror(errno));
}

static const char *section_name(const struct image *img, size_t i)
{
	const Elf64_Shdr *strs = &img->shdrs[img->ehdr->e_shstrndx];
	size_t off = strs->sh_offset + img->shdrs[i].sh_name;

	return off < img->size ? (const char *)img->buf + off : "";
}

static size_t find_section(const struct image *img, const char *name)
{
	size_t i;

	for (i = 0; i < img->ehdr->e_shnum; i++)
		if (!strcmp(section_name(img, i), name))
			return i;
	if (name[0] >= '0' && name[0] <= '9') {
		i = parse_number(name);
		if (i < img->ehdr->e_shnum)
			return i;
	}
	die("%s: no section %s", img->path, name);
}

static size_t find_symbol(const struct image *img, const char *name, size_t *symtab)
{
	const Elf64_Shdr *sh;
	const Elf64_Sym *syms;
	size_t i, n;

	*symtab = find_section(img, ".symtab");
	sh = &img->shdrs[*symtab];
	syms = (const Elf64_Sym *)(img->buf + sh->sh_offset);
	n = sh->sh_size / sizeof(Elf64_Sym);
	for (i = 1; i < n; i++) {
		size_t off = img->shdrs[sh->sh_link].sh_offset + syms[i].st_name;

		if (syms[i].st_name && off < img->size &&
		    !strcmp((const char *)img->buf + off, name))
			return i;
	}
	if (name[0] >= '0' && name[0] <= '9') {
		i = parse_number(name);
		if (i < n)
			return i;
	}
	die("%s: no symbol %s", img->path, name);
}

/* xorshift64*: a small PRNG whose sequence is the same everywhere. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * Pick a byte: half the time anywhere in the file, otherwise inside the
 * ELF header, the section header table or a table of indexes.  Returns
 * its offset and stores the new value in *@val.
 */
static size_t pick_byte(const struct image *img, uint64_t seed, unsigned char *val)
{
	uint64_t st = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t ranges[64][2], nr = 0, i, off, pick;

	ranges[nr][0] = 0;
	ranges[nr++][1] = sizeof(Elf64_Ehdr);
	ranges[nr][0] = img->ehdr->e_shoff;
	ranges[nr++][1] = img->ehdr->e_shnum * sizeof(Elf64_Shdr);
	for (i = 1; i < img->ehdr->e_shnum && nr < 64; i++) {
		const Elf64_Shdr *sh = &img->shdrs[i];

		if ((sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_RELA ||
		     sh->sh_type == SHT_GROUP) && sh->sh_size &&
		    sh->sh_offset + sh->sh_size <= img->size) {
			ranges[nr][0] = sh->sh_offset;
			ranges[nr++][1] = sh->sh_size;
		}
	}
	/* Warm up so nearby seeds diverge. */
	for (i = 0; i < 4; i++)
		next_random(&st);
	if (next_random(&st) & 1) {
		off = next_random(&st) % img->size;
	} else {
		pick = next_random(&st) % nr;
		off = ranges[pick][0] + next_random(&st) % ranges[pick][1];
	}
	/* Values that hit boundaries more often than uniform bytes would. */
	switch (next_random(&st) % 4) {
	case 0: *val = 0xff; break;
	case 1: *val = 0; break;
	default: *val = next_random(&st); break;
	}
	if (*val == img->buf[off])
		*val = ~*val;
	return off;
}

static void write_corrupted(struct image *img, uint64_t first, uint64_t count,
			    const char *outdir)
{
	const char *path = img->path;
	uint64_t seed;

	for (seed = first; seed < first + count; seed++) {
		unsigned char val, old;
		size_t off = pick_byte(img, seed, &val);
		char *out = xasprintf("%s/%llu.o", outdir, (unsigned long long)seed);

		old = img->buf[off];
		img->buf[off] = val;
		img->path = out;
		save(img);
		img->buf[off] = old;
		img->path = path;
		printf("%llu: %#zx: 0x%02x -> 0x%02x\n", (unsigned long long)seed,
		       off, old, val);
		free(out);
	}
}

int main(int argc, char **argv)
{
	struct image img;
	const struct field *f;
	size_t base, idx, symtab;

	set_progname(argv[0]);
	if (argc < 4)
		die("usage: elf-patch FILE {ehdr|shdr|sym|rela|word|byte|corrupt} ...");
	load(&img, argv[1]);

	if (!strcmp(argv[2], "ehdr") && argc == 5) {
		f = find_field(ehdr_fields, argv[3]);
		store(&img, f->off, f->width, parse_number(argv[4]));
	} else if (!strcmp(argv[2], "shdr") && argc == 6) {
		idx = find_section(&img, argv[3]);
		f = find_field(shdr_fields, argv[4]);
		base = img.ehdr->e_shoff + idx * sizeof(Elf64_Shdr);
		store(&img, base + f->off, f->width, parse_number(argv[5]));
	} else if (!strcmp(argv[2], "sym") && argc == 6) {
		idx = find_symbol(&img, argv[3], &symtab);
		f = find_field(sym_fields, argv[4]);
		base = img.shdrs[symtab].sh_offset + idx * sizeof(Elf64_Sym);
		store(&img, base + f->off, f->width, parse_number(argv[5]));
	} else if (!strcmp(argv[2], "rela") && argc == 7) {
		const Elf64_Shdr *sh = &img.shdrs[find_section(&img, argv[3])];

		idx = parse_number(argv[4]);
		if (sh->sh_type != SHT_RELA || idx >= sh->sh_size / sizeof(Elf64_Rela))
			die("%s: %s has no RELA entry %zu", img.path, argv[3], idx);
		f = find_field(rela_fields, argv[5]);
		base = sh->sh_offset + idx * sizeof(Elf64_Rela);
		store(&img, base + f->off, f->width, parse_number(argv[6]));
	} else if (!strcmp(argv[2], "word") && argc == 6) {
		const Elf64_Shdr *sh = &img.shdrs[find_section(&img, argv[3])];

		idx = parse_number(argv[4]);
		if (sh->sh_type == SHT_NOBITS || idx >= sh->sh_size / 4)
			die("%s: %s has no word %zu", img.path, argv[3], idx);
		store(&img, sh->sh_offset + 4 * idx, 4, parse_number(argv[5]));
	} else if (!strcmp(argv[2], "byte") && argc == 5) {
		store(&img, parse_number(argv[3]), 1, parse_number(argv[4]));
	} else if (!strcmp(argv[2], "corrupt") && argc == 6) {
		write_corrupted(&img, parse_number(argv[3]), parse_number(argv[4]),
				argv[5]);
		free(img.buf);
		return 0;
	} else {
		die("usage: elf-patch FILE {ehdr|shdr|sym|rela|word|byte|corrupt} ...");
	}
	save(&img);
	free(img.buf);
	return 0;
}
