# shellcheck shell=bash
#
# fast.sh - the fast path: no kernel build.  The cached object tree is only
# prepared (olddefconfig and modules_prepare: seconds), and the objects the
# patches touch are compiled in it with the tree's own rules (make
# O=TREE dir/file.o: the flags, objtool run and module name kbuild gives
# that object in a full build), once before the patches are applied and
# once after.  What the full build would have given besides (vmlinux, the
# modules, Module.symvers) comes from the running kernel: -v, --modules,
# --symvers.
#
# Which objects a patched file changes: a C or assembly file is its own
# object (when kbuild has a rule for it in this config), and the objects
# of every C file that #includes it, directly or through other C files
# (kernel/sched/build_policy.c includes rt.c; found by a text search of
# the tree that may name too many, never too few: an object that does not
# change drops out in the diff).  A header, Makefile or anything else can
# change any object that includes or reads it, which only a full build's
# dependency files tell: mode_choose picks the full build for those.

# mode_choose: KPB_MODE (fast or full) and KPB_MODE_WHY (why full).
mode_choose() {
	local f
	KPB_MODE=fast KPB_MODE_WHY=
	if [ -n "$KPB_FULL" ]; then
		KPB_MODE_WHY="--full-build"
	elif [ -z "$KPB_VMLINUX" ]; then
		KPB_MODE_WHY="no -v VMLINUX: the kernel to patch is the one SRC and CONFIG build"
	elif [ "${#KPB_TARGETS[@]}" -gt 0 ]; then
		KPB_MODE_WHY="-t ${KPB_TARGETS[0]}: extra make targets are full-build targets"
	elif [ -z "$KPB_PREPARE" ]; then
		for f in "${KPB_PATHS[@]}"; do
			case $f in
			*.c | *.S) ;;
			*)
				KPB_MODE_WHY="$f is not a C or assembly file: the objects it changes are known only from a full build's dependency files"
				break
				;;
			esac
		done
	fi
	[ -z "$KPB_MODE_WHY" ] || KPB_MODE=full
}

# release_of VMLINUX: the kernel release in its banner ("Linux version R").
release_of() {
	grep -a -o -m 1 'Linux version [^ ]*' "$1" | head -n 1 | sed 's/^Linux version //' || true
}

# fast_target_files: the running kernel's Module.symvers (KPB_SYMVERS) and
# module directory (KPB_MODDIR), from the options or next to -v.
fast_target_files() {
	local d=${KPB_VMLINUX%/*} lib=/lib/modules/$KPB_RELEASE f
	if [ -z "$KPB_SYMVERS" ]; then
		for f in "$d/Module.symvers" "$lib/build/Module.symvers" \
			"/usr/src/linux-headers-$KPB_RELEASE/Module.symvers"; do
			[ -f "$f" ] && { KPB_SYMVERS=$f; break; }
		done
		[ -n "$KPB_SYMVERS" ] ||
			die "no Module.symvers of $KPB_RELEASE beside $KPB_VMLINUX or in $lib/build: give --symvers FILE (Debian: /usr/src/linux-headers-$KPB_RELEASE/Module.symvers)"
	fi
	if [ -z "$KPB_MODDIR" ]; then
		KPB_MODDIR=$lib
		[ -d "$lib" ] || KPB_MODDIR=$d
	fi
}

# fast_prepare: the object tree configured and prepared for compiling
# single objects and building external modules.
fast_prepare() {
	local log=$KPB_SCRATCH/prepare.log
	build_undo_dirty
	build_configure "$log"
	kmake "$log" modules_prepare || {
		tail_log "$log"
		die "make modules_prepare failed; log: $log"
	}
	cmp -s "$KPB_SYMVERS" "$KPB_OBJ/Module.symvers" || cp "$KPB_SYMVERS" "$KPB_OBJ/Module.symvers"
}

# c_includers FILE...: "INCLUDER INCLUDED" for every C file or header of
# the tree that #includes one of FILEs (paths relative to SRC).
c_includers() {
	local pat f names=()
	for f in "$@"; do
		f=${f##*/}
		names+=("${f//./\\.}")
	done
	pat=$(IFS='|'; echo "${names[*]}")
	(cd "$KPB_SRC" || exit 1
	grep -rnE --include='*.c' --include='*.h' \
		--exclude-dir=tools --exclude-dir=Documentation --exclude-dir=scripts \
		--exclude-dir=samples --exclude-dir=.git \
		"^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<][^\">]*($pat)[\">]" . || true) |
	sed -E 's|^\./||; s|^([^:]*):[0-9]+:[^"<]*["<]([^">]*)[">].*|\1 \2|' |
	while read -r includer inc; do
		for f in "$@"; do
			# Relative to the includer ("foo.c", "../lib/foo.c"), or
			# through an include path: the name ends the same.
			if [ "$(realpath -m -s --relative-to=. "${includer%/*}/$inc")" = "$f" ] ||
				[ "$f" = "$inc" ] || [ "${f%/"$inc"}" != "$f" ]; then
				echo "$includer $f"
			fi
		done
	done | sort -u
}

# fast_objects: KPB_FAST_OBJS, the objects to compile (relative to the
# tree), and KPB_FAST_SRC (object -> the patched file it stands for);
# switches to the full build when a header includes a patched C file.
fast_objects() {
	local f o includer inc todo=() seen=()
	declare -gA KPB_FAST_SRC=()
	KPB_FAST_OBJS=()
	for f in "${KPB_PATHS[@]}"; do
		o=${f%.*}.o
		KPB_FAST_OBJS+=("$o")
		KPB_FAST_SRC[$o]=$f
		[ "${f%.c}" = "$f" ] || todo+=("$f")
	done
	while [ "${#todo[@]}" -gt 0 ]; do
		seen+=("${todo[@]}")
		local next=()
		while read -r includer inc; do
			case $includer in
			*.h)
				# shellcheck disable=SC2034 # read by kpatch-build
				KPB_MODE=full
				KPB_MODE_WHY="$includer includes $inc: the objects it changes are known only from a full build's dependency files"
				return 0
				;;
			esac
			printf '%s\n' "${seen[@]}" | grep -qxF -- "$includer" && continue
			o=${includer%.c}.o
			[ -n "${KPB_FAST_SRC[$o]:-}" ] && continue
			KPB_FAST_OBJS+=("$o")
			KPB_FAST_SRC[$o]=${KPB_FAST_SRC[${inc%.c}.o]:-$inc}
			next+=("$includer")
		done < <(c_includers "${todo[@]}")
		todo=("${next[@]}")
	done
}

# fast_members: KPB_FAST_OBJS cut down to the objects this configuration
# builds, refusing a patched file none stands for.  kbuild compiles any C
# file of a directory it reaches when asked for its object, built or not,
# so membership is asked of kbuild itself: a dry run (make -n -p) of the
# same goals descends from the top through each parent that builds the
# directory (a directory the config leaves out is never reached) and dumps
# each directory's variables, where real-obj-y and real-obj-m list its
# built-in and module objects.  KPB_FAST_KIND: object -> y or m.
fast_members() {
	local log=$KPB_SCRATCH/members.log o f keep=() have=()
	declare -gA KPB_FAST_KIND=()
	# One job: parallel sub-makes would interleave their dumps.
	kmake "$log" -j1 -n -p -k "${KPB_FAST_OBJS[@]}" || true
	while read -r o f; do
		KPB_FAST_KIND[$o]=$f
	done < <(awk '
	/^# Make data base, printed on/ { y = ""; m = ""; dir = "" }
	/^real-obj-y :?= / { sub(/^real-obj-y :?= */, ""); y = $0 }
	/^real-obj-m :?= / { sub(/^real-obj-m :?= */, ""); m = $0 }
	/^obj = / { dir = substr($0, 7) }
	/^# Finished Make data base/ {
		if (dir == "") next
		n = split(y, w, " "); for (i = 1; i <= n; i++) print w[i], "y"
		n = split(m, w, " "); for (i = 1; i <= n; i++) print w[i], "m"
	}' "$log")
	# The dump is large; only what was read from it is kept.
	: >"$log"
	for o in "${KPB_FAST_OBJS[@]}"; do
		[ -n "${KPB_FAST_KIND[$o]:-}" ] || continue
		keep+=("$o")
		have+=("${KPB_FAST_SRC[$o]}")
	done
	for f in "${KPB_PATHS[@]}"; do
		printf '%s\n' "${have[@]}" | grep -qxF -- "$f" ||
			die "$f: this configuration builds no object from it (${f%.*}.o is not one of its directory's objects and no built C file includes it): the running kernel does not have this code"
	done
	KPB_FAST_OBJS=("${keep[@]}")
}

# fast_compile LABEL DEST: compile KPB_FAST_OBJS in the tree as the source
# is now and copy them to DEST.  KPB_CHANGED: the compiled objects.
fast_compile() {
	local label=$1 dest=$2 rc=0 o
	local log=$KPB_SCRATCH/build-$label.log
	kmake "$log" "${KPB_FAST_OBJS[@]}" || rc=$?
	for o in "${KPB_FAST_OBJS[@]}"; do
		if [ "$rc" -ne 0 ] || [ ! -f "$KPB_OBJ/$o" ]; then
			tail_log "$log"
			die "compiling the $label objects failed; log: $log"
		fi
	done
	KPB_CHANGED=("${KPB_FAST_OBJS[@]}")
	copy_objects "$dest" "${KPB_CHANGED[@]}"
}

# fast_patched: compile the objects with the patches applied; the tree's
# originals are kept aside (object and .cmd) and put back by
# fast_put_back.
fast_patched() {
	local o
	mkdir -p "$KPB_SCRATCH/keep"
	for o in "${KPB_FAST_OBJS[@]}"; do
		mkdir -p "$KPB_SCRATCH/keep/${o%/*}"
		cp -p "$KPB_OBJ/$o" "$KPB_SCRATCH/keep/$o"
		cp -p "$(cmd_file "$o")" "$KPB_SCRATCH/keep/$o.cmd"
	done
	touch "$KPB_BUILD_DIR/DIRTY"
	sleep 0.01
	rm -f "${KPB_FAST_OBJS[@]/#/$KPB_OBJ/}"
	fast_compile patched "$KPB_SCRATCH/patched"
}

# fast_put_back: the original objects back in the tree, older than the
# restored sources, so make finds them up to date.
fast_put_back() {
	local o
	for o in "${KPB_FAST_OBJS[@]}"; do
		cp -p "$KPB_SCRATCH/keep/$o" "$KPB_OBJ/$o"
		cp -p "$KPB_SCRATCH/keep/$o.cmd" "$(cmd_file "$o")"
	done
	rm -f "$KPB_BUILD_DIR/DIRTY"
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

# fast_owner OBJ: "vmlinux" or "MODNAME.ko" (a module's objects are
# compiled with its KBUILD_MODNAME).
fast_owner() {
	if [ "${KPB_FAST_KIND[$1]}" = y ]; then
		echo vmlinux
	else
		head -n 1 "$(cmd_file "$1")" |
			sed -n "s/.*-DKBUILD_MODNAME='\"\([^\"]*\)\"'.*/\1.ko/p"
	fi
}

# module_file NAME: the running kernel's module NAME (.ko or .ko.xz, - and
# _ alike) under KPB_MODDIR.
module_file() {
	local want=${1//-/_}
	if [ -z "${KPB_MODINDEX:-}" ]; then
		KPB_MODINDEX=$KPB_SCRATCH/modules.index
		find -L "$KPB_MODDIR" \( -name '*.ko' -o -name '*.ko.xz' \) -printf '%p\n' 2>/dev/null |
			awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko(\.xz)?$/, "", n); gsub(/-/, "_", n); print n, $0 }' \
			>"$KPB_MODINDEX"
	fi
	awk -v n="$want" '$1 == n { print $2; exit }' "$KPB_MODINDEX"
}
