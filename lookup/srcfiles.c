/*
 * srcfiles.c - the files of each compile unit's line table (see
 * srcfiles.h), read with elfutils' libdw.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "srcfiles.h"

/* Paths longer than this are not kernel paths: such a pair is skipped. */
#define PATH_BUF 4096

char *srcfiles_canon(const char *path, char *buf, size_t size)
{
	const char *p = path;
	bool abs = *p == '/';
	size_t len = 0, floor;	/* floor: where ".." may no longer pop */

	if (size < 2)
		return NULL;
	if (abs) {
		buf[len++] = '/';
		p++;
	}
	floor = len;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = end - p;

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." */
		} else if (n == 2 && p[0] == '.' && p[1] == '.' && len > floor) {
			/* take off the last component */
			while (len > floor && buf[len - 1] != '/')
				len--;
			if (len > floor)
				len--;		/* its '/' */
		} else if (n == 2 && p[0] == '.' && p[1] == '.' && abs) {
			/* "/.." is "/" */
		} else {
			if (len > (size_t)abs && len + 1 < size)
				buf[len++] = '/';
			if (len + n >= size)
				return NULL;
			memcpy(buf + len, p, n);
			len += n;
			if (n == 2 && p[0] == '.' && p[1] == '.')
				floor = len;	/* a leading "..": keep it */
		}
		p = *end ? end + 1 : end;
	}
	buf[len] = '\0';
	return buf;
}

/* @path with @prefix (a canonical directory, "" for none) and its '/'
 * taken off the front, or @path when it does not start so. */
static const char *strip_dir(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n && !strncmp(path, prefix, n) && path[n] == '/')
		return path + n + 1;
	if (n == 1 && prefix[0] == '/' && path[0] == '/')
		return path + 1;
	return path;
}

/*
 * The tree path of @name in unit @comp (canonical, "" for none) into
 * @buf; NULL when too long.  A relative @name is relative to @comp (a
 * unit's DW_AT_name; a line table's file in directory entry 0), unless
 * it starts with @comp: libdw joined it with its directory, itself
 * relative to where @comp is (Debian's "debian/build/build_amd64_none_
 * cloud-amd64/../../../include/linux/x.h").
 */
static const char *tree_path(const char *name, const char *comp, const char *root,
			     char *buf)
{
	char joined[PATH_BUF];
	const char *p = name;

	if (name[0] != '/' && comp[0] && strip_dir(name, comp) == name) {
		if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", comp, name) >=
		    sizeof(joined))
			return NULL;
		p = joined;
	}
	if (!srcfiles_canon(p, buf, PATH_BUF))
		return NULL;
	p = strip_dir(buf, comp);
	if (p == buf && root)
		p = strip_dir(buf, root);
	return p;
}

/* No separate debug files: the DWARF is the file's own. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks offline = {
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

long srcfiles_each(const char *path, const char *root, srcfiles_fn *fn, void *ctx,
		   const char **why)
{
	Dwfl *dwfl = dwfl_begin(&offline);
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw = NULL;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie;
	Dwarf_Half version;
	uint8_t unit_type;
	char rootbuf[PATH_BUF];
	long units = 0;

	if (!dwfl) {
		*why = dwfl_errmsg(-1);
		return -1;
	}
	/* Offline, libdwfl applies the relocations of a relocatable file's
	 * debug sections (a module: its string and line table offsets are
	 * relocations until linked), which plain libdw leaves alone. */
	mod = dwfl_report_offline(dwfl, path, path, -1);
	if (mod && dwfl_report_end(dwfl, NULL, NULL) == 0)
		dw = dwfl_module_getdwarf(mod, &bias);
	if (!dw) {
		*why = dwfl_errmsg(-1);	/* "no DWARF information" */
		dwfl_end(dwfl);
		return -1;
	}
	if (root && !srcfiles_canon(root, rootbuf, sizeof(rootbuf))) {
		*why = "the source tree's path is too long";
		dwfl_end(dwfl);
		return -1;
	}
	if (root)
		root = rootbuf;
	for (; dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie, NULL) == 0;
	     cu = next) {
		char comp[PATH_BUF], cubuf[PATH_BUF], filebuf[PATH_BUF];
		const char *name, *dir, *cupath, *file;
		Dwarf_Attribute attr;
		Dwarf_Files *files;
		size_t nfiles, i;

		if (dwarf_tag(&cudie) != DW_TAG_compile_unit)
			continue;	/* type and partial units list no source */
		name = dwarf_diename(&cudie);
		if (!name)
			continue;
		dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &attr));
		if (!srcfiles_canon(dir ? dir : "", comp, sizeof(comp)))
			continue;
		cupath = tree_path(name, comp, root, cubuf);
		if (!cupath)
			continue;
		units++;
		fn(ctx, cupath, cupath);
		if (dwarf_getsrcfiles(&cudie, &files, &nfiles) != 0)
			continue;	/* no line table: the unit's own file only */
		for (i = 0; i < nfiles; i++) {
			const char *f = dwarf_filesrc(files, i, NULL, NULL);
			const char *base = f ? strrchr(f, '/') : NULL;

			base = base ? base + 1 : f;
			/* GCC's pseudo-files for predefined and -D macros */
			if (!f || !*f || !strcmp(base, "<built-in>") ||
			    !strcmp(base, "<command-line>"))
				continue;
			file = tree_path(f, comp, root, filebuf);
			if (file && *file)
				fn(ctx, cupath, file);
		}
	}
	dwfl_end(dwfl);	/* and its Dwarf */
	if (!units) {
		*why = "no compile unit in its DWARF";
		return -1;
	}
	return units;
}
