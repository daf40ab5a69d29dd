# shellcheck shell=bash
#
# build.sh - the kernel builds: the original tree, built once with
# -ffunction-sections -fdata-sections into a cached object tree and reused
# by later runs with the same source, config and compiler; the patched
# rebuild; and the objects it changed.
#
# The object tree is $KPB_CACHE/build/ARCH-RELEASE-KEY/obj (O=).  Make's
# own dependency tracking keeps it right; the patched build is undone by
# deleting every object it wrote (they are newer than the DIRTY stamp) and
# rebuilding them from the restored tree, which is also how the originals
# of the changed objects are made.  A run cut short leaves DIRTY behind,
# and the next run undoes it first.

KPB_KCFLAGS="-ffunction-sections -fdata-sections"

# The headers of kmod/ a patch may include (see doc/patch-author-guide.md).
KPB_HEADERS=(livepatch-api.h kpatch-macros.h kpatch-syscall.h)

# kmake LOG TARGET...: make in the object tree.
kmake() {
	local log=$1
	shift
	run_logged "$log" make "${KPB_MAKE[@]}" -j"$KPB_JOBS" \
		KCFLAGS="$KPB_KCFLAGS -I$KPB_BUILD_DIR/include" "$@"
}

# make_args: KPB_MAKE, what every make in the object tree is given: the
# tree, the architecture, the running kernel's release (-v; its modules'
# vermagic), and the compiler the user's CC names (a ccache or distcc
# prefix; make ignores CC from the environment).
make_args() {
	KPB_MAKE=(-C "$KPB_SRC" O="$KPB_OBJ" ARCH="$KPB_KARCH")
	[ -z "$KPB_CROSS" ] || KPB_MAKE+=(CROSS_COMPILE="$KPB_CROSS")
	[ -z "${CC:-}" ] || KPB_MAKE+=(CC="$CC")
	[ -z "$KPB_RELEASE" ] || KPB_MAKE+=(KERNELRELEASE="$KPB_RELEASE")
}

# build_locate: pick (and lock) the cached object tree for this source,
# config and compiler.
build_locate() {
	local key version lockfd
	version=$(src_version)
	key=$({
		echo "format 1"
		realpath "$KPB_SRC"
		echo "$KPB_ARCH $KPB_KCFLAGS"
		kpb_cc --version | head -n 1
		# Another compiler command changes every compile command: make
		# would redo the whole tree.
		echo "CC ${CC:-}"
		cat "$KPB_CONFIG"
		# The release is part of the key only when -v names one the tree
		# would not make by itself (a distribution's).
		[ -z "$KPB_RELEASE" ] || [ "$KPB_RELEASE" = "$(default_release)" ] ||
			echo "release $KPB_RELEASE"
	} | sha256sum)
	KPB_BUILD_DIR=$KPB_CACHE/build/$KPB_ARCH-$version-${key:0:12}
	KPB_OBJ=$KPB_BUILD_DIR/obj
	make_args
	mkdir -p "$KPB_OBJ" "$KPB_BUILD_DIR/include"
	exec {lockfd}>"$KPB_BUILD_DIR/lock"
	if ! flock -n "$lockfd"; then
		say "waiting for another kpatch-build using $KPB_BUILD_DIR"
		flock "$lockfd"
	fi
	# What patched sources may include, at a path that never changes (it
	# is part of every compile command, so it must be the same each run).
	local h
	for h in "${KPB_HEADERS[@]}"; do
		cmp -s "$KPB_KMOD/$h" "$KPB_BUILD_DIR/include/$h" ||
			cp "$KPB_KMOD/$h" "$KPB_BUILD_DIR/include/$h"
	done
}

# build_undo_dirty: remove what an earlier patched build left.
build_undo_dirty() {
	[ -e "$KPB_BUILD_DIR/DIRTY" ] || return 0
	say "undoing the patched build an earlier run left in $KPB_OBJ"
	find "$KPB_OBJ" -name '*.o' -newer "$KPB_BUILD_DIR/DIRTY" -delete
	# The fast path's objects, by name.
	local o
	while read -r o; do
		rm -f "${KPB_OBJ:?}/$o"
	done <"$KPB_BUILD_DIR/DIRTY"
	rm -f "$KPB_BUILD_DIR/DIRTY"
}

# src_version: SRC's VERSION.PATCHLEVEL.SUBLEVEL (6.12.117).
src_version() {
	sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$KPB_SRC/Makefile" |
		paste -sd.
}

# tree_path PATH: PATH of the tree without its ".." steps
# (arch/x86/kvm/../../../virt/kvm/kvm_main.o is virt/kvm/kvm_main.o).
tree_path() {
	realpath -m -s --relative-to=/ "/$1"
}

# cmd_file OBJ: kbuild's .cmd file of OBJ (dir/.file.o.cmd).
cmd_file() {
	local o=$1
	if [ "${o%/*}" = "$o" ]; then
		echo "$KPB_OBJ/.$o.cmd"
	else
		echo "$KPB_OBJ/${o%/*}/.${o##*/}.cmd"
	fi
}

# default_release: the release SRC and CONFIG make without KERNELRELEASE
# (VERSION.PATCHLEVEL.SUBLEVEL, EXTRAVERSION, CONFIG_LOCALVERSION).
default_release() {
	local v
	v=$(src_version)
	v+=$(sed -n 's/^EXTRAVERSION = *//p' "$KPB_SRC/Makefile")
	v+=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "$KPB_CONFIG")
	echo "$v"
}

# build_configure LOG: the object tree's .config is CONFIG.
build_configure() {
	local log=$1
	if [ ! -f "$KPB_OBJ/.config" ] || ! cmp -s "$KPB_CONFIG" "$KPB_BUILD_DIR/config.given"; then
		cp "$KPB_CONFIG" "$KPB_OBJ/.config"
		cp "$KPB_CONFIG" "$KPB_BUILD_DIR/config.given"
		kmake "$log" olddefconfig || { tail_log "$log"; die "make olddefconfig failed; log: $log"; }
		config_check
	fi
}

# build_original: the original tree, built (or brought up to date).
build_original() {
	local log=$KPB_SCRATCH/build-original.log
	build_undo_dirty
	build_configure "$log"
	# The fast path puts the running kernel's Module.symvers here; the
	# build writes its own only when its inputs are newer.
	[ ! -e "$KPB_BUILD_DIR/symvers.foreign" ] ||
		rm -f "$KPB_OBJ/Module.symvers" "$KPB_BUILD_DIR/symvers.foreign"
	kmake "$log" vmlinux modules "${KPB_TARGETS[@]}" || {
		tail_log "$log"
		die "the original kernel does not build; log: $log"
	}
	[ -f "$KPB_OBJ/vmlinux" ] || die "the build left no vmlinux in $KPB_OBJ; log: $log"
}

# config_lines CONFIG: its options, sorted, but for what describes the
# machine that made it rather than the kernel: the compiler's name, and
# the Rust toolchain's versions in a kernel without Rust (Debian's config
# says 0, a machine with rustc installed gives its version).
config_lines() {
	local skip='^CONFIG_CC_VERSION_TEXT='
	grep -q '^CONFIG_RUST=y' "$KPB_CONFIG" || skip+='|^(# )?CONFIG_RUSTC_'
	grep -E '^(CONFIG_|# CONFIG_)' "$1" | grep -Ev "$skip" | sort
}

# config_check: olddefconfig kept the given config (same compiler, same
# options); a config for another compiler or tree would build something
# else than the running kernel.
config_check() {
	local diffs
	diffs=$(diff <(config_lines "$KPB_CONFIG") <(config_lines "$KPB_OBJ/.config") |
		grep '^[<>]' | head -n 5 || true)
	if [ -n "$diffs" ]; then
		rm -f "$KPB_BUILD_DIR/config.given"
		indent <<<"$diffs" >&2
		die "$KPB_CONFIG does not match $KPB_SRC: make olddefconfig changed the options above (a config of another kernel version or compiler?)"
	fi
}

# stamp_settle STAMP: once this returns, every file written is -newer
# than STAMP (just written), whatever the file system's time resolution (1
# or 2 s on some): a probe is touched until its time is later than
# STAMP's.  Without it, objects the patched build writes within the same
# tick as STAMP would be missed: compiled and never diffed.
stamp_settle() {
	local stamp=$1 probe=$1.probe tries=0
	while :; do
		touch "$probe"
		[ "$probe" -nt "$stamp" ] && break
		tries=$((tries + 1))
		[ "$tries" -lt 500 ] ||
			die "$stamp: the file system's times did not advance in 5 s; kpatch-build cannot tell which objects a build writes"
		sleep 0.01
	done
	rm -f "$probe"
}

# build_patched: rebuild with the patches applied; KPB_CHANGED gets the
# compiled objects the rebuild wrote (paths relative to the object tree),
# copied to SCRATCH/patched.
build_patched() {
	local log=$KPB_SCRATCH/build-patched.log
	touch "$KPB_BUILD_DIR/DIRTY"
	stamp_settle "$KPB_BUILD_DIR/DIRTY"
	kmake "$log" vmlinux modules "${KPB_TARGETS[@]}" || {
		tail_log "$log"
		die "the patched kernel does not build; log: $log"
	}
	mapfile -t KPB_CHANGED < <(compiled_since "$KPB_BUILD_DIR/DIRTY")
	copy_objects "$KPB_SCRATCH/patched" "${KPB_CHANGED[@]}"
}

# build_restore_originals: after patches_restore, rebuild what the patched
# build wrote from the original tree; the rebuilt objects are the
# originals of KPB_CHANGED, copied to SCRATCH/orig.
build_restore_originals() {
	local log=$KPB_SCRATCH/build-restore.log
	find "$KPB_OBJ" -name '*.o' -newer "$KPB_BUILD_DIR/DIRTY" -delete
	kmake "$log" vmlinux modules "${KPB_TARGETS[@]}" || {
		tail_log "$log"
		die "the original kernel does not rebuild; log: $log"
	}
	rm -f "$KPB_BUILD_DIR/DIRTY"
	copy_objects "$KPB_SCRATCH/orig" "${KPB_CHANGED[@]}"
}

# compiled_since STAMP: the objects compiled from C or assembly (not
# linked) after STAMP, relative to the object tree, for the target (not
# host programs).
compiled_since() {
	local stamp=$1
	(cd "$KPB_OBJ" && find . -name '*.o' -newer "$stamp" ! -name '*.mod.o' \
		! -path './scripts/*' ! -path './tools/*' ! -path './init/version-timestamp.o' \
		-printf '%P\n') |
	while read -r o; do
		local cmd
		cmd=$(cmd_file "$o")
		# A compile has -c; links (ld -r) and archives do not.
		if [ -f "$cmd" ] && head -n 1 "$cmd" | grep -q -- ' -c '; then
			echo "$o"
		fi
	done | sort
}

# copy_objects DEST OBJ...: copy objects of the tree to DEST, same paths.
copy_objects() {
	local dest=$1 o
	shift
	for o in "$@"; do
		mkdir -p "$dest/${o%/*}"
		cp "$KPB_OBJ/$o" "$dest/$o"
	done
}

# owners_index: SCRATCH/owners, "OWNER OBJ" for every object of the
# full build: vmlinux's (vmlinux.a, a thin archive of the built-in
# objects, and lib.a's members) and each module's (its .mod file), paths
# normalised (arch/x86/kvm/../../../virt/kvm/kvm_main.o is
# virt/kvm/kvm_main.o).
owners_index() {
	local a owner o
	{
		for a in "$KPB_OBJ/vmlinux.a" "$KPB_OBJ/lib/lib.a" "$KPB_OBJ"/arch/*/lib/lib.a; do
			[ -f "$a" ] || continue
			(cd "$KPB_OBJ" && ar t "$a") | sed "s|^$KPB_OBJ/||; s|^|vmlinux |" ||
				die "ar t $a failed: the object tree is incomplete (rebuild it with --prepare --full-build)"
		done
		find "$KPB_OBJ" -name '*.mod' -printf '%P\n' | while read -r m; do
			tr ' ' '\n' <"$KPB_OBJ/$m" | sed '/^$/d' | sed "s|^|${m%.mod}.ko |"
		done
	} | while read -r owner o; do
		case $o in
		*/../*) o=$(tree_path "$o") ;;
		esac
		echo "$owner $o"
	done >"$KPB_SCRATCH/owners"
	grep -q '^vmlinux ' "$KPB_SCRATCH/owners" ||
		die "$KPB_OBJ/vmlinux.a lists no object: the object tree is incomplete"
}

# object_owner OBJ: "vmlinux" or the name of the module OBJ is linked
# into, or nothing when neither (owners_index first).
object_owner() {
	awk -v o="$1" '$2 == o { print $1; exit }' "$KPB_SCRATCH/owners"
}
