# shellcheck shell=bash
#
# module.sh - from changed objects to the livepatch module: a diff object
# per changed object (create-diff-object), one module linked by kbuild
# from kmod/ and the diff objects, then its klp relocations
# (create-klp-module), checked by check-module before it is written.

# diff_objects: run create-diff-object on every changed object; fills
# KPB_DIFFS (diff objects) and, for each, KPB_DIFF_ORIGS (its object in
# the tree), KPB_DIFF_OBJNAMES and KPB_DIFF_TARGETS; and KPB_DIFF_SUMMARY;
# prints what changed per object.
diff_objects() {
	local o owner target objname rc out n=0 funcs=0 i
	local owners=()
	KPB_DIFFS=() KPB_DIFF_ORIGS=() KPB_DIFF_OBJNAMES=() KPB_DIFF_TARGETS=()
	mkdir -p "$KPB_SCRATCH/diff"
	[ "$KPB_MODE" = fast ] || owners_index
	for o in "${KPB_CHANGED[@]}"; do
		if [ "$KPB_MODE" = fast ]; then
			owners+=("$(fast_owner "$o")")
		else
			owners+=("$(object_owner "$o")")
		fi
	done
	shared_globals owners
	for i in "${!KPB_CHANGED[@]}"; do
		o=${KPB_CHANGED[$i]} owner=${owners[$i]}
		if [ -z "$owner" ]; then
			say "note: $o changed but is linked into neither vmlinux nor a module; left out"
			continue
		fi
		objname=$(owner_objname "$owner")
		if [ "$owner" = vmlinux ]; then
			target=$KPB_VMLINUX
		elif [ "$KPB_MODE" = fast ]; then
			target=$(module_file "$objname")
			[ -n "$target" ] ||
				die "$o is part of module $objname, but $KPB_MODDIR has no $objname.ko or $objname.ko.xz (--modules DIR: the running kernel's modules)"
		else
			target=$KPB_OBJ/$owner
		fi
		out=$KPB_SCRATCH/diff/${o//\//__}
		rc=0
		log_cmd "$KPB_CDO" -n "$objname" -p "$o" -g "$KPB_SCRATCH/diff/$objname.shared" "$KPB_SCRATCH/orig/$o" "$KPB_SCRATCH/patched/$o" \
			"$target" "$KPB_SYMVERS" "$out"
		"$KPB_CDO" -n "$objname" -p "$o" -g "$KPB_SCRATCH/diff/$objname.shared" "$KPB_SCRATCH/orig/$o" "$KPB_SCRATCH/patched/$o" \
			"$target" "$KPB_SYMVERS" "$out" \
			>"$out.stdout" 2>"$out.stderr" || rc=$?
		case $rc in
		0)
			KPB_DIFFS+=("$out")
			KPB_DIFF_ORIGS+=("$o") KPB_DIFF_OBJNAMES+=("$objname") KPB_DIFF_TARGETS+=("$target")
			n=$((n + 1))
			sed "s|^|kpatch-build:   $objname: $o: |" "$out.stdout" >&2
			# Warnings: what KPATCH_FORCE_UNSAFE allowed, markers naming nothing.
			indent <"$out.stderr" >&2
			funcs=$((funcs + $(grep -c '^changed function' "$out.stdout" || true)))
			;;
		3) ;;
		2)
			indent <"$out.stderr" >&2
			refuse "$o ($objname): this change cannot be livepatched (reasons above)"
			;;
		*)
			indent <"$out.stderr" >&2
			die "create-diff-object failed on $o (exit $rc)"
			;;
		esac
	done
	if [ "$n" -eq 0 ]; then
		say "no change: the patches change no function of vmlinux or any module (compiled ${#KPB_CHANGED[@]} objects, all the same)"
		exit 3
	fi
	# New functions or data alone replace nothing: the module would hold
	# no function to patch, and the kernel refuses such a livepatch.
	if [ "$funcs" -eq 0 ]; then
		say "no change: the patches change no function the running kernel runs; what they add ($(sed -n 's/^new function: //p' "$KPB_SCRATCH"/diff/*.stdout | tr '\n' ' ')) nothing calls"
		exit 3
	fi
	# shellcheck disable=SC2034 # read by kpatch-build
	KPB_DIFF_SUMMARY="$n changed objects, $funcs changed functions"
}

# owner_objname OWNER: the kernel's name for OWNER (vmlinux, or a module's
# path: ext4 for fs/ext4/ext4.ko, kvm_amd for kvm-amd.ko).
owner_objname() {
	local name=${1##*/}
	name=${name%.ko}
	echo "${name//-/_}"
}

# shared_globals OWNERS: for each kernel object, the globals its changed
# objects define after the patch and not before, one name a line in
# $KPB_SCRATCH/diff/OBJNAME.shared (OWNERS: the name of the array of the
# owners of KPB_CHANGED, in order).  A new global one file of the patch
# defines and another file of the same kernel object uses is the
# livepatch's own: create-diff-object -g links the diff objects to each
# other for it instead of looking it up in the running kernel.
shared_globals() {
	local -n _owners=$1
	local i o objname
	for i in "${!KPB_CHANGED[@]}"; do
		[ -n "${_owners[$i]}" ] || continue
		o=${KPB_CHANGED[$i]}
		objname=$(owner_objname "${_owners[$i]}")
		LC_ALL=C comm -13 <(defined_globals "$KPB_SCRATCH/orig/$o") \
			<(defined_globals "$KPB_SCRATCH/patched/$o") >>"$KPB_SCRATCH/diff/$objname.shared.tmp"
	done
	for o in "$KPB_SCRATCH"/diff/*.shared.tmp; do
		[ -e "$o" ] || continue
		sort -u "$o" >"${o%.tmp}"
		rm -f "$o"
	done
}

# defined_globals OBJ: the names of OBJ's defined global symbols, sorted.
defined_globals() {
	"${KPB_CROSS}nm" --defined-only -g "$1" | awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u
}

# arch_facts: source the fragment of the target's arch (arch/ARCH/
# kpatch-build.sh in the checkout, share/kpatch-ng/arch/ARCH/ installed),
# once: KPB_ARCH_OBJTOOL_SECTIONS.
KPB_ARCH_FACTS=''
arch_facts() {
	local f
	[ "$KPB_ARCH_FACTS" != "$KPB_ARCH" ] || return 0
	for f in "$KPB_LIB/../arch/$KPB_ARCH/kpatch-build.sh" \
		"$KPB_LIB/../../arch/$KPB_ARCH/kpatch-build.sh"; do
		if [ -f "$f" ]; then
			# shellcheck source=/dev/null # arch/*/kpatch-build.sh, checked on their own
			. "$f"
			KPB_ARCH_FACTS=$KPB_ARCH
			return 0
		fi
	done
	die "no arch/$KPB_ARCH/kpatch-build.sh beside $KPB_LIB: a broken installation"
}

# objtool_on_module: does kbuild run objtool on the linked module (one of
# the arch's KPB_OBJTOOL_CONFIGS is on)?  Its callers then read the arch's
# KPB_ARCH_OBJTOOL_SECTIONS (arch_facts).
objtool_on_module() {
	local c
	arch_facts
	for c in $KPB_OBJTOOL_CONFIGS; do
		grep -q "^$c=y" "$KPB_OBJ/.config" && return 0
	done
	return 1
}

# objtool_sections_strip OBJ LOG: when kbuild runs objtool on the linked
# module (KPB_OBJTOOL_CONFIGS, x86's IBT or Clang LTO: "delayed" objtool),
# drop what objtool already wrote into the diff objects (module objects
# carry it; vmlinux objects of such kernels do not), or it skips those
# tables for the whole module, the template's code included.  Otherwise
# nothing runs objtool on the diff objects again and their tables stay.
objtool_sections_strip() {
	local obj=$1 log=$2 args=() s
	objtool_on_module || return 0
	for s in "${KPB_ARCH_OBJTOOL_SECTIONS[@]}"; do
		args+=(--remove-section="$s" --remove-section=".rela$s")
	done
	log_cmd "${KPB_CROSS}objcopy" "${args[@]}" "$obj"
	"${KPB_CROSS}objcopy" "${args[@]}" "$obj" 2>>"$log" || {
		tail_log "$log"
		die "removing objtool's tables from the diff objects failed"
	}
}

# module_build: link the livepatch module with kbuild, then write the klp
# relocations; the result is $KPB_SCRATCH/module/klp/livepatch-$KPB_NAME.ko.
# kbuild links it in the object tree's module/, always the same directory,
# so that what does not change from run to run (livepatch-main.o, the
# .mod.o when modpost writes the same .mod.c, .module-common.o) is not
# compiled again: kbuild's own rules decide, from each file's time and
# command line; the directory is then copied to the scratch directory.
module_build() {
	local dir=$KPB_BUILD_DIR/module mod=livepatch-$KPB_NAME log=$KPB_SCRATCH/module.log f
	mkdir -p "$dir"
	for f in livepatch-api.h livepatch-format.h livepatch.lds; do
		cmp -s "$KPB_KMOD/$f" "$dir/$f" || cp "$KPB_KMOD/$f" "$dir/$f"
	done
	rm -f "$dir/$mod.ko" "$dir/$mod.o"
	log_cmd "${KPB_CROSS}ld" -r -o "$dir/lp-diff.o" "${KPB_DIFFS[@]}"
	"${KPB_CROSS}ld" -r -o "$dir/lp-diff.o" "${KPB_DIFFS[@]}" 2>"$log" || {
		tail_log "$log"
		die "linking the diff objects failed"
	}
	objtool_sections_strip "$dir/lp-diff.o" "$log"
	# Exports in a namespace (EXPORT_SYMBOL_NS_GPL(x, DEVMEM)) must be
	# imported, or modpost refuses the module ("uses symbol ... from
	# namespace DEVMEM, but does not import it") and the kernel would not
	# resolve them: MODULE_IMPORT_NS of each, as a MODULE_INFO, which
	# every kernel that has namespaces reads the same way.
	"${KPB_CROSS}nm" -u "$dir/lp-diff.o" | awk '{ print $2 }' >"$dir/undefined"
	# (Written only when it changes, so that kbuild compiles it again, and
	# link.sh's state changes, only then.)
	{
		cat "$KPB_KMOD/livepatch-main.c"
		symvers_namespaces "$dir/undefined" "$KPB_OBJ/Module.symvers" |
			while read -r ns; do
				printf 'MODULE_INFO(import_ns, "%s");\n' "$ns"
			done
	} >"$dir/livepatch-main.c.new"
	if cmp -s "$dir/livepatch-main.c.new" "$dir/livepatch-main.c"; then
		rm -f "$dir/livepatch-main.c.new"
	else
		mv "$dir/livepatch-main.c.new" "$dir/livepatch-main.c"
	fi
	# With CONFIG_MODVERSIONS, modpost reads every object's .cmd file for
	# the CRCs of what it exports (#SYMVER lines); the diff objects export
	# nothing.
	echo "savedcmd_lp-diff.o := ld -r -o lp-diff.o (kpatch-build's diff objects)" >"$dir/.lp-diff.o.cmd"
	cat >"$dir/Kbuild.new" <<-KBUILD
	# Written by kpatch-build.
	obj-m := $mod.o
	$mod-y := livepatch-main.o lp-diff.o
	ccflags-y := -DLP_REPLACE=$KPB_REPLACE -I\$(src)
	ldflags-y := -T \$(src)/livepatch.lds
	KBUILD
	if cmp -s "$dir/Kbuild.new" "$dir/Kbuild"; then
		rm -f "$dir/Kbuild.new"
	else
		mv "$dir/Kbuild.new" "$dir/Kbuild"
	fi
	# The placeholders of the klp relocations (see create-klp-module) are
	# undefined symbols no one exports: tell modpost they are vmlinux's,
	# so it neither fails nor makes the module depend on a patched module.
	# Without their leading dot: modpost looks ".foo" up as "foo" (PPC64).
	# A klp symbol name longer than modpost's 55 characters has a short
	# placeholder, .klp.ph.HASH (doc/diff-object-format.md).
	"${KPB_CROSS}nm" -u "$dir/lp-diff.o" | awk '$2 ~ /^\.klp\.(sym|ph)\./ {
		printf "0x00000000\t%s\tvmlinux\tEXPORT_SYMBOL\t\n", substr($2, 2) }' \
		>"$dir/klp.symvers"
	# A warm run links by kbuild's recorded commands where kbuild has
	# shown they give its module (link.sh).
	if ! link_replay "$dir" "$mod" "$log"; then
		run_logged "$log" make "${KPB_MAKE[@]}" M="$dir" \
			KBUILD_EXTRA_SYMBOLS="$dir/klp.symvers" modules || {
			tail_log "$log"
			die "building the livepatch module failed; log: $log"
		}
		[ -f "$dir/$mod.ko" ] || die "building the livepatch module left no $mod.ko; log: $log"
		link_calibrate "$dir" "$mod" "$log"
	fi
	rm -rf "$KPB_SCRATCH/module"
	cp -a "$dir" "$KPB_SCRATCH/module"
	dir=$KPB_SCRATCH/module
	# objtool writes the module's return, call and ORC tables; a warning
	# means it gave up on them and the kernel would run unpatched thunks.
	# Not a problem: the address of a new function GCC gave no ENDBR (a
	# local whose address it did not see taken) in .livepatch.funcs; the
	# livepatch core reaches it through ftrace's return, not an indirect
	# call or jump.
	if grep 'objtool: ' "$log" |
		grep -v 'objtool: \.livepatch\.funcs+0x[0-9a-f]*: data relocation to !ENDBR: ' >"$log.objtool"; then
		indent <"$log.objtool" >&2
		die "objtool could not process the livepatch module (above); log: $log"
	fi
	mkdir -p "$dir/klp"
	module_strip "$dir/$mod.ko" "$dir/$mod.stripped.ko" "$log"
	# The unstripped module, the same code and relocations with the debug
	# info: check-module reads it (the STT_FILE symbols tell whose the
	# locals of two objects with the same names are), and -d writes it
	# beside the module, for crash analysis (crash, gdb).
	klp_relocs "$dir/$mod.ko" "$dir/klp/$mod.ko.debug" "$log.klp-debug"
	klp_relocs "$dir/$mod.stripped.ko" "$dir/klp/$mod.ko" "$log.klp"
}

# symvers_namespaces NAMES SYMVERS: the namespaces (Module.symvers' fifth
# column) of the symbols listed in the file NAMES, one a line, sorted.
symvers_namespaces() {
	awk -F'\t' 'NR == FNR { want[$1] = 1; next } ($2 in want) && $5 != "" { print $5 }' \
		"$1" "$2" | LC_ALL=C sort -u
}

# module_strip IN OUT LOG: IN without its debug info (.debug_* and their
# relocations, the STT_FILE symbols: strip -g), which the module loader
# never loads: a livepatch stays in memory on every machine of a fleet,
# and the copy of its ELF file the livepatch core keeps is smaller too.
# Before create-klp-module, which writes the SHN_LIVEPATCH symbols and
# .klp.rela sections binutils does not know: everything the loader reads
# (the allocated sections, the symbol table, the relocations of loaded
# sections, .modinfo, __versions, .gnu.linkonce.this_module) stays.
module_strip() {
	log_cmd "${KPB_CROSS}strip" --strip-debug -o "$2" "$1"
	"${KPB_CROSS}strip" --strip-debug -o "$2" "$1" 2>>"$3" || {
		tail_log "$3"
		die "stripping the debug info of the livepatch module failed"
	}
}

# klp_relocs IN OUT LOG: create-klp-module IN OUT; its summary line in
# $KPB_SCRATCH/module/klp.stdout.
klp_relocs() {
	log_cmd "$KPB_CKM" "$1" "$2"
	"$KPB_CKM" "$1" "$2" >"$KPB_SCRATCH/module/klp.stdout" 2>"$3" || {
		indent <"$3" >&2
		die "writing the klp relocations of ${2##*/} failed"
	}
}

# module_check: check-module, on the module module_build made, against
# the patched objects, the template objects and the targets.  A mismatch
# is an internal error: nothing is written.
module_check() {
	local dir=$KPB_SCRATCH/module mod=livepatch-$KPB_NAME i args=()
	grep -q '^CONFIG_KALLSYMS_ALL=y' "$KPB_OBJ/.config" && args+=(--kallsyms-all)
	# objtool's tables of the linked module have no source to compare with.
	if objtool_on_module; then
		for i in "${KPB_ARCH_OBJTOOL_SECTIONS[@]}"; do
			args+=(--built "$i")
		done
	fi
	# The unstripped copy: what strip -g takes away (debug info, STT_FILE
	# symbols) the kernel never loads, and the file symbols place locals.
	args+=(-T "$dir/livepatch-main.o" -T "$dir/$mod.mod.o" "$dir/klp/$mod.ko.debug")
	for i in "${!KPB_DIFFS[@]}"; do
		args+=("${KPB_DIFF_OBJNAMES[i]}" "${KPB_DIFF_TARGETS[i]}"
			"$KPB_SCRATCH/patched/${KPB_DIFF_ORIGS[i]}" "${KPB_DIFFS[i]}")
	done
	log_cmd "$KPB_CM" "${args[@]}"
	"$KPB_CM" "${args[@]}" >"$dir/check.stdout" 2>"$dir/check.stderr" || {
		indent <"$dir/check.stderr" >&2
		die "check-module: the module is not what the patched objects say (above); not written: an internal error of kpatch-build, please report it with the debug directory (-d)"
	}
}

# module_write: the checked (and signed) module to $KPB_OUTDIR, whole or
# not at all.
module_write() {
	local out=$KPB_OUTDIR/livepatch-$KPB_NAME.ko
	mkdir -p "$KPB_OUTDIR"
	cp "$KPB_SCRATCH/module/klp/livepatch-$KPB_NAME.ko" "$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	if [ -n "$KPB_DEBUG" ]; then
		cp "$KPB_SCRATCH/module/klp/livepatch-$KPB_NAME.ko.debug" "$out.debug.tmp.$$"
		mv -f "$out.debug.tmp.$$" "$out.debug"
	fi
}
