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
# change drops out in the diff).  A header stands for the objects that
# include it (headers.sh).  A Makefile or anything else can change any
# object that reads it, which only a full build tells: mode_choose picks
# the full build for those.

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
			*.c | *.S | *.h) ;;
			*)
				builds_nothing "$f" && continue
				KPB_MODE_WHY="$f is not a C, assembly or header file: what it changes is known only from a full build"
				break
				;;
			esac
		done
	fi
	[ -z "$KPB_MODE_WHY" ] || KPB_MODE=full
}

# builds_nothing FILE: FILE is documentation, which no object is built
# from.
builds_nothing() {
	case $1 in
	Documentation/* | MAINTAINERS | *.rst) return 0 ;;
	esac
	return 1
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
	warm_locate
	# shellcheck disable=SC2034 # read by warm.sh
	KPB_WARM_FRESH=
	if [ "${KPATCH_NG_WARM:-1}" != 0 ] && [ -f "$KPB_OBJ/.config" ] &&
		cmp -s "$KPB_CONFIG" "$KPB_BUILD_DIR/config.given" && warm_fresh; then
		echo "not prepared again: $KPB_SRC is as it was at $KPB_OBJ's last prepare (kpatch-build/lib/warm.sh)" >"$log"
		# shellcheck disable=SC2034 # read by warm.sh
		KPB_WARM_FRESH=1
	else
		warm_prepare_begin
		build_configure "$log"
		kmake "$log" modules_prepare || {
			tail_log "$log"
			die "make modules_prepare failed; log: $log"
		}
		warm_prepare_done
		# shellcheck disable=SC2034 # read by warm.sh
		[ "${KPATCH_NG_WARM:-1}" = 0 ] || KPB_WARM_FRESH=1
	fi
	cmp -s "$KPB_SYMVERS" "$KPB_OBJ/Module.symvers" || cp "$KPB_SYMVERS" "$KPB_OBJ/Module.symvers"
	touch "$KPB_BUILD_DIR/symvers.foreign"
}

# tree_includes: $KPB_SCRATCH/tree-includes, every #include line of the
# tree's C, assembly and header files ("./PATH:LINE:TEXT"), read once per
# run: the searches of c_includers, one per level of nesting, read it
# rather than the tree (about 80,000 files).
tree_includes() {
	[ ! -f "$KPB_SCRATCH/tree-includes" ] || return 0
	(cd "$KPB_SRC" || exit 1
	grep -rnE --include='*.c' --include='*.h' --include='*.S' \
		--exclude-dir=tools --exclude-dir=Documentation --exclude-dir=scripts \
		--exclude-dir=samples --exclude-dir=.git \
		'^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' . ||
		[ $? -eq 1 ]) >"$KPB_SCRATCH/tree-includes.tmp" || return 1
	mv "$KPB_SCRATCH/tree-includes.tmp" "$KPB_SCRATCH/tree-includes"
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
	warm_includes "$pat" |
	sed -E 's|^\./||; s|^([^:]*):[0-9]+:[^"<]*(["<])([^">]*)[">].*|\1 \2 \3|' |
	# One awk for every line (a header such as sched.h is named by
	# thousands): a name relative to the includer ("foo.c",
	# "../lib/foo.c") is that file; a quoted name that is a file beside
	# the includer is that file (the preprocessor looks there first);
	# otherwise, through an include path, a file whose path ends the same.
	awk -v src="$KPB_SRC" -v files="$*" '
	function canon(p,   n, i, parts, out, k) {
		n = split(p, parts, "/"); k = 0
		for (i = 1; i <= n; i++) {
			if (parts[i] == "" || parts[i] == ".") continue
			if (parts[i] == "..") { if (k > 0) k--; continue }
			out[++k] = parts[i]
		}
		p = ""
		for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
		return p
	}
	function exists(p,   line, r) {
		r = (getline line < p); if (r >= 0) close(p)
		return r >= 0
	}
	BEGIN { nf = split(files, want, " ") }
	{
		includer = $1; quote = $2; inc = $3
		dir = includer; if (!sub(/\/[^\/]*$/, "", dir)) dir = ""
		rel = canon(dir "/" inc)
		for (i = 1; i <= nf; i++) {
			f = want[i]
			if (rel == f) { print includer, f; continue }
			if (quote == "\"" && exists(src "/" rel)) continue
			if (f == inc || substr(f, length(f) - length(inc)) == "/" inc)
				print includer, f
		}
	}' | sort -u
}

# fast_objects: KPB_FAST_OBJS, the objects to compile (relative to the
# tree), and KPB_FAST_PAIRS ("FILE OBJECT": a patched file and an object
# that stands for it; a file may have several, an object stand for
# several); switches to the full build when a header includes a patched
# C file.
fast_objects() {
	local f o includer inc todo=() seen=() origin
	declare -gA KPB_FAST_HAVE=()
	declare -A origins=()
	KPB_FAST_OBJS=() KPB_FAST_PAIRS=() KPB_FAST_HEADERS=()
	for f in "${KPB_PATHS[@]}"; do
		builds_nothing "$f" && continue
		case $f in
		*.h) KPB_FAST_HEADERS+=("$f"); continue ;;
		esac
		fast_add "${f%.*}.o" "$f"
		case $f in
		*.c | *.S) origins[$f]=$f; todo+=("$f") ;;
		esac
	done
	while [ "${#todo[@]}" -gt 0 ]; do
		seen+=("${todo[@]}")
		local next=()
		# A file, not a process substitution: a failed search (grep
		# exit 2: an unreadable tree) must stop the run, not find none.
		c_includers "${todo[@]}" >"$KPB_SCRATCH/includers" ||
			die "searching $KPB_SRC for the files that include ${todo[*]} failed"
		while read -r includer inc; do
			case $includer in
			*.h)
				# shellcheck disable=SC2034 # read by kpatch-build
				KPB_MODE=full
				KPB_MODE_WHY="$includer includes $inc: the objects it changes are known only from a full build's dependency files"
				return 0
				;;
			esac
			for origin in ${origins[$inc]}; do
				fast_add "${includer%.*}.o" "$origin"
				case " ${origins[$includer]:-} " in
				*" $origin "*) ;;
				*) origins[$includer]="${origins[$includer]:-} $origin" ;;
				esac
			done
			printf '%s\n' "${seen[@]}" "${next[@]}" | grep -qxF -- "$includer" ||
				next+=("$includer")
		done <"$KPB_SCRATCH/includers"
		todo=("${next[@]}")
	done
}

# fast_add OBJ FILE: OBJ stands for the patched FILE.
fast_add() {
	[ -n "${KPB_FAST_HAVE[$1]:-}" ] || KPB_FAST_OBJS+=("$1")
	KPB_FAST_HAVE[$1]=1
	KPB_FAST_PAIRS+=("$2 $1")
}

# fast_members: KPB_FAST_OBJS cut down to the objects this configuration
# builds, refusing a patched file none stands for.  kbuild compiles any C
# file of a directory it reaches when asked for its object, built or not,
# so membership is asked of kbuild itself: a dry run (make -n -p) of the
# same goals descends from the top through each parent that builds the
# directory (a directory the config leaves out is never reached) and dumps
# each directory's variables, where real-obj-y and real-obj-m list its
# built-in and module objects, and lib-y, in lib/ and arch/*/lib/, what
# goes into vmlinux through lib.a.  An object kbuild names through
# another directory (arch/x86/kvm/../../../virt/kvm/kvm_main.o, built by
# arch/x86/kvm's Makefile with its flags) is compiled by building that
# directory.  KPB_FAST_KIND: object -> y or m; KPB_FAST_GOALS: the make
# goals.
fast_members() {
	local log=$KPB_SCRATCH/members.log o f keep=() have=()
	declare -gA KPB_FAST_KIND=()
	declare -gA KPB_FAST_GOAL=()
	: >"$log.errors"
	if ! warm_plan_load "${KPB_FAST_OBJS[@]}"; then
		fast_members_ask "$log"
		warm_plan_save
	fi
	mv "$log.errors" "$log"
	KPB_FAST_GOALS=()
	for o in "${KPB_FAST_OBJS[@]}"; do
		[ -n "${KPB_FAST_KIND[$o]:-}" ] || continue
		keep+=("$o")
		printf '%s\n' "${KPB_FAST_GOALS[@]}" | grep -qxF -- "${KPB_FAST_GOAL[$o]}" ||
			KPB_FAST_GOALS+=("${KPB_FAST_GOAL[$o]}")
	done
	for f in "${KPB_FAST_PAIRS[@]}"; do
		[ -n "${KPB_FAST_KIND[${f#* }]:-}" ] && have+=("${f%% *}")
	done
	for f in "${KPB_PATHS[@]}"; do
		builds_nothing "$f" && continue
		# A header said how many objects use it (headers_objects).
		case $f in *.h) continue ;; esac
		printf '%s\n' "${have[@]}" | grep -qxF -- "$f" ||
			die "$f: this configuration builds no object from it (${f%.*}.o is not one of its directory's objects and no built C file includes it): the running kernel does not have this code (--full-build to build the whole kernel and see; make's complaints, if any: $log)"
	done
	[ "${#keep[@]}" -gt 0 ] || {
		say "no change: the patches touch no file an object is built from"
		exit 3
	}
	KPB_FAST_OBJS=("${keep[@]}")
}

# fast_members_ask LOG: kbuild's answers for KPB_FAST_OBJS (see
# fast_members).
fast_members_ask() {
	local log=$1 o dirs=()
	# Without its object, the dry run prints the commands that make it.
	rm -f "${KPB_FAST_OBJS[@]/#/$KPB_OBJ/}"
	members_dump "$log" "${KPB_FAST_OBJS[@]}"
	# Objects kbuild builds from another directory's Makefile.
	for o in "${KPB_FAST_OBJS[@]}"; do
		[ -n "${KPB_FAST_KIND[$o]:-}" ] && continue
		makefile_dirs "$o" >"$KPB_SCRATCH/dirs" ||
			die "searching $KPB_SRC's Makefiles for $o failed"
		mapfile -t -O "${#dirs[@]}" dirs <"$KPB_SCRATCH/dirs"
	done
	[ "${#dirs[@]}" -eq 0 ] || members_dump "$log" "${dirs[@]/%//}"
}

# members_dump LOG GOAL...: make's dry-run dump for GOALs, read into
# KPB_FAST_KIND and KPB_FAST_GOAL (the make goal that compiles the
# object: itself, or the directory whose Makefile names it through ..);
# make's complaints are kept in LOG.errors.
members_dump() {
	local log=$1 obj kind raw
	shift
	# One job: parallel sub-makes would interleave their dumps.
	kmake "$log" -j1 -n -p -k "$@" || true
	while read -r obj kind raw; do
		KPB_FAST_KIND[$obj]=$kind
		KPB_FAST_GOAL[$obj]=$raw
	done < <(awk '
	/^# Make data base, printed on/ { y = ""; m = ""; l = ""; dir = "" }
	/^real-obj-y :?= / { sub(/^real-obj-y :?= */, ""); y = $0 }
	/^real-obj-m :?= / { sub(/^real-obj-m :?= */, ""); m = $0 }
	/^lib-y :?= / { sub(/^lib-y :?= */, ""); l = $0 }
	/^obj = / { dir = substr($0, 7) }
	/^# Finished Make data base/ {
		if (dir == "") next
		if (dir != "lib" && dir !~ /^arch\/[^\/]*\/lib$/) l = ""
		n = split(y " " l, w, " "); for (i = 1; i <= n; i++) print w[i], "y", dir
		n = split(m, w, " "); for (i = 1; i <= n; i++) print w[i], "m", dir
	}' "$log" | while read -r obj kind raw; do
		case $obj in
		*/../*) echo "$(tree_path "$obj") $kind $raw/" ;;
		*.o) echo "$obj $kind $obj" ;;
		esac
	done)
	warm_recipes_read "$log" "$@"
	# The dump is large: only make's complaints are kept.
	grep -E '\*\*\*|[Ee]rror' "$log" >>"$log.errors" || [ $? -eq 1 ]
	: >"$log"
}

# makefile_dirs OBJ: the directories, other than OBJ's own, whose Makefile
# (or a fragment it includes, like virt/kvm/Makefile.kvm for arch/x86/kvm)
# names OBJ's file name: where kbuild may build it from.
makefile_dirs() {
	local name=${1##*/} m frag rc=0 list
	list=$KPB_SCRATCH/makefiles
	# grep exits 1 for "none", 2 for an error: only 2 fails the search.
	(cd "$KPB_SRC" && grep -rlE --include='Makefile*' --include=Kbuild \
		--exclude-dir=tools --exclude-dir=Documentation --exclude-dir=scripts \
		"(^|[^A-Za-z0-9_.-])${name//./\\.}([^A-Za-z0-9_]|$)" .) >"$list" || rc=$?
	[ "$rc" -le 1 ] || return 1
	while read -r m; do
		m=${m#./}
		case ${m##*/} in
		Makefile | Kbuild) echo "${m%/*}" ;;
		*)
			frag=${m##*/}
			rc=0
			(cd "$KPB_SRC" && grep -rlE --include='Makefile*' --include=Kbuild \
				--exclude-dir=tools --exclude-dir=Documentation --exclude-dir=scripts \
				"^[[:space:]]*-?include .*${frag//./\\.}" .) >"$list.frag" || rc=$?
			[ "$rc" -le 1 ] || return 1
			sed 's|^\./||; s|/[^/]*$||' "$list.frag"
			;;
		esac
	done <"$list" | awk -v own="${1%/*}" -v a="arch/$KPB_KARCH/" \
		'$0 != own && (!/^arch\// || index($0 "/", a) == 1)' | sort -u
}

# fast_compile LABEL DEST: compile KPB_FAST_OBJS in the tree as the source
# is now and copy them to DEST.  KPB_CHANGED: the compiled objects.  They
# are compiled afresh each time: an object an earlier run left is older
# than its source only if the source was edited after it, not when
# another tree (a newer package's, with older times) was unpacked in its
# place.
fast_compile() {
	local label=$1 dest=$2 rc=0 o
	local log=$KPB_SCRATCH/build-$label.log
	if warm_recipes; then
		KPB_WARM_FELL=
		warm_compile "$label" "$dest"
		[ -n "$KPB_WARM_FELL" ] || return 0
	fi
	rm -f "${KPB_FAST_OBJS[@]/#/$KPB_OBJ/}"
	kmake "$log" "${KPB_FAST_GOALS[@]}" || rc=$?
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
	# DIRTY names them too: a patched object left by an interruption is
	# deleted by name, whatever the file system's time resolution.
	printf '%s\n' "${KPB_FAST_OBJS[@]}" >"$KPB_BUILD_DIR/DIRTY"
	stamp_settle "$KPB_BUILD_DIR/DIRTY"
	fast_compile patched "$KPB_SCRATCH/patched"
}

# fast_put_back: the original objects back in the tree, with the times
# they had (newer than the restored sources), so make finds them up to
# date.
fast_put_back() {
	local o
	for o in "${KPB_FAST_OBJS[@]}"; do
		cp -p "$KPB_SCRATCH/keep/$o" "$KPB_OBJ/$o"
		cp -p "$KPB_SCRATCH/keep/$o.cmd" "$(cmd_file "$o")"
	done
	rm -f "$KPB_BUILD_DIR/DIRTY"
}

# fast_owner OBJ: "vmlinux" or "MODNAME.ko" (a module's objects are
# compiled with its KBUILD_MODNAME).
fast_owner() {
	if [ "${KPB_FAST_KIND[$1]}" = y ]; then
		echo vmlinux
	else
		local m
		m=$(head -n 1 "$(cmd_file "$1")" |
			sed -n "s/.*-DKBUILD_MODNAME='\"\([^\"]*\)\"'.*/\1/p")
		case $m in
		*:*) die "$1 is linked into several modules (${m//:/, }); a livepatch cannot patch one object of several modules yet" ;;
		esac
		echo "$m.ko"
	fi
}

# module_file NAME: the running kernel's module NAME (.ko or .ko.xz, - and
# _ alike) under KPB_MODDIR.
module_file() {
	local want=${1//-/_}
	local index=$KPB_SCRATCH/modules.index
	# Not through the build/ and source/ links of /lib/modules/R (a build
	# tree's .ko files); a module in updates/ or extra/ overrides the
	# distribution's, as for modprobe.
	[ -f "$index" ] ||
		find "$KPB_MODDIR" -path "$KPB_MODDIR/build" -prune -o -path "$KPB_MODDIR/source" -prune -o \
			\( -name '*.ko' -o -name '*.ko.xz' \) -printf '%P\n' 2>/dev/null |
		awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko(\.xz)?$/, "", n); gsub(/-/, "_", n)
			r = ($0 ~ /^updates\//) ? 0 : ($0 ~ /^extra\//) ? 1 : 2
			print n, r, $0 }' | sort -k1,1 -k2,2n >"$index"
	awk -v n="$want" -v d="$KPB_MODDIR" '$1 == n { print d "/" $3; exit }' "$index"
}
