// SPDX-License-Identifier: GPL-2.0
/*
 * ktext.prog.c - read the running kernel's code: what the module loader
 * made of a livepatch module's text.
 *
 * Built on the host with `gcc -static` and run as root in the guest by
 * t0320-debian-ibt.sh's guest script.  Symbols come from /proc/kallsyms,
 * bytes from /proc/kcore (the ELF view of kernel memory, module memory
 * included).  A location is
 *
 *	[MODULE:]SYMBOL[+OFFSET]	(OFFSET in hex, 0x optional)
 *
 * MODULE is the module the symbol must belong to (livepatch_NAME); without
 * it, the symbol must be vmlinux's.
 *
 *	ktext bytes LOCATION N	the N bytes there, in hex: "f3 0f 1e fa"
 *	ktext insn LOCATION	the 5-byte instruction there: "call SYMBOL+0xOFF
 *				[MODULE]" or "jmp ..." for a CALL/JMP rel32
 *				(e8/e9), else its 5 bytes in hex
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ksym {
	unsigned long addr;
	char *name;
	char *mod;	/* "" for vmlinux */
};

static struct ksym *syms;
static size_t nr_syms;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "ktext: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void read_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], mod[256];
	size_t cap = 0;

	if (!f)
		die("cannot open /proc/kallsyms: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long addr;
		char type;
		int n;

		mod[0] = '\0';
		n = sscanf(line, "%lx %c %255s [%255[^]]]", &addr, &type, name, mod);
		/*
		 * A livepatch module keeps its whole symbol table, undefined
		 * symbols included (with the address they resolved to): not
		 * the module's.
		 */
		if (n < 3 || type == 'U' || type == 'u')
			continue;
		if (nr_syms == cap) {
			cap = cap ? cap * 2 : 65536;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				die("%s", "out of memory");
		}
		syms[nr_syms].addr = addr;
		syms[nr_syms].name = strdup(name);
		syms[nr_syms].mod = strdup(n == 4 ? mod : "");
		nr_syms++;
	}
	fclose(f);
	if (!nr_syms)
		die("%s", "/proc/kallsyms lists no symbols");
}

/* [MODULE:]SYMBOL[+OFFSET] -> address */
static unsigned long locate(const char *spec)
{
	char buf[512], *sym, *mod = "", *plus, *colon;
	unsigned long addr = 0, off = 0;
	size_t i, found = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	sym = buf;
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		mod = buf;
		sym = colon + 1;
	}
	plus = strchr(sym, '+');
	if (plus) {
		*plus = '\0';
		off = strtoul(plus + 1, NULL, 16);
	}
	for (i = 0; i < nr_syms; i++)
		if (!strcmp(syms[i].name, sym) && !strcmp(syms[i].mod, mod)) {
			addr = syms[i].addr;
			found++;
		}
	if (found != 1)
		die(found ? "%s: more than one symbol of that name" :
			    "%s: no such symbol in /proc/kallsyms", spec);
	if (!addr)
		die("%s: /proc/kallsyms shows address 0 (kptr_restrict?)", spec);
	return addr + off;
}

/* address -> "SYMBOL+0xOFF [MODULE]", the nearest symbol at or below it */
static void describe(unsigned long addr, char *out, size_t size)
{
	const struct ksym *best = NULL;
	size_t i;

	for (i = 0; i < nr_syms; i++) {
		const struct ksym *s = &syms[i];

		if (s->addr > addr || (best && s->addr < best->addr))
			continue;
		/* __pfx_X and X: the function, not its padding */
		if (best && s->addr == best->addr && !strncmp(s->name, "__pfx_", 6))
			continue;
		best = s;
	}
	if (!best) {
		snprintf(out, size, "0x%lx", addr);
		return;
	}
	snprintf(out, size, "%s+0x%lx%s%s%s", best->name, addr - best->addr,
		 best->mod[0] ? " [" : "", best->mod, best->mod[0] ? "]" : "");
}

static void read_kcore(unsigned long addr, unsigned char *buf, size_t len)
{
	int fd = open("/proc/kcore", O_RDONLY);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	if (fd < 0)
		die("cannot open /proc/kcore: %s", strerror(errno));
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG))
		die("%s", "/proc/kcore: not an ELF file");
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph))
			die("%s", "/proc/kcore: cannot read its program headers");
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + len > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + (addr - ph.p_vaddr)) != (ssize_t)len)
			die("%s", "/proc/kcore: short read");
		close(fd);
		return;
	}
	die("%s", "/proc/kcore: no segment holds that address");
}

static void print_hex(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%s%02x", i ? " " : "", buf[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned char buf[64];
	unsigned long addr;

	if (argc == 4 && !strcmp(argv[1], "bytes")) {
		size_t len = strtoul(argv[3], NULL, 0);

		if (!len || len > sizeof(buf))
			die("%s: bad length", argv[3]);
		read_kallsyms();
		addr = locate(argv[2]);
		read_kcore(addr, buf, len);
		print_hex(buf, len);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "insn")) {
		char target[600];
		int rel;

		read_kallsyms();
		addr = locate(argv[2]);
		read_kcore(addr, buf, 5);
		if (buf[0] != 0xe8 && buf[0] != 0xe9) {
			print_hex(buf, 5);
			return 0;
		}
		memcpy(&rel, buf + 1, 4);
		describe(addr + 5 + (long)rel, target, sizeof(target));
		printf("%s %s\n", buf[0] == 0xe8 ? "call" : "jmp", target);
		return 0;
	}
	fprintf(stderr, "usage: ktext bytes [MODULE:]SYMBOL[+OFF] N | ktext insn [MODULE:]SYMBOL[+OFF]\n");
	return 1;
}
