/*
 * kelf-names.c - names of ELF constants, for messages and dumps.
 */
#include <stdio.h>

#include "kelf.h"

const char *kelf_section_type_name(uint32_t type)
{
	static char buf[32];

	switch (type) {
	case SHT_NULL: return "SHT_NULL";
	case SHT_PROGBITS: return "SHT_PROGBITS";
	case SHT_SYMTAB: return "SHT_SYMTAB";
	case SHT_STRTAB: return "SHT_STRTAB";
	case SHT_RELA: return "SHT_RELA";
	case SHT_HASH: return "SHT_HASH";
	case SHT_DYNAMIC: return "SHT_DYNAMIC";
	case SHT_NOTE: return "SHT_NOTE";
	case SHT_NOBITS: return "SHT_NOBITS";
	case SHT_REL: return "SHT_REL";
	case SHT_DYNSYM: return "SHT_DYNSYM";
	case SHT_INIT_ARRAY: return "SHT_INIT_ARRAY";
	case SHT_FINI_ARRAY: return "SHT_FINI_ARRAY";
	case SHT_GROUP: return "SHT_GROUP";
	case SHT_SYMTAB_SHNDX: return "SHT_SYMTAB_SHNDX";
	}
	snprintf(buf, sizeof(buf), "SHT_%#x", type);
	return buf;
}

const char *kelf_symbol_type_name(unsigned char type)
{
	static const char *const names[] = {
		[STT_NOTYPE] = "NOTYPE", [STT_OBJECT] = "OBJECT",
		[STT_FUNC] = "FUNC", [STT_SECTION] = "SECTION",
		[STT_FILE] = "FILE", [STT_COMMON] = "COMMON", [STT_TLS] = "TLS",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ?
	       names[type] : "UNKNOWN";
}

const char *kelf_symbol_bind_name(unsigned char bind)
{
	switch (bind) {
	case STB_LOCAL: return "LOCAL";
	case STB_GLOBAL: return "GLOBAL";
	case STB_WEAK: return "WEAK";
	}
	return "UNKNOWN";
}
