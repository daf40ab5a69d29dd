# shellcheck shell=bash
#
# warm.sh - what a fast-path run takes over from the runs before it on the
# same prepared object tree, so that a warm run costs little more than the
# compiles it cannot avoid.
#
# Everything here hangs on one question: has SRC changed since the object
# tree was last prepared?  The prepare (make modules_prepare), the search
# for the C files that #include a patched one, kbuild's answers about an
# object (its directory's real-obj-y and real-obj-m, the exact commands
# that compile it) all depend only on SRC, the config and the make command
# line.  KPB_WARM ($KPB_BUILD_DIR/warm) holds:
#
#	stamp		touched before the last successful prepare;
#	stamp.snapshot	SRC's entries then (inode, size, mtime, path)
#	plans/KEY/	kbuild's answers for one list of objects: members (the
#			fast_members lines) and recipe.OBJ (the shell lines make
#			runs for OBJ, from a dry run, `make -n`)
#	objects/	original objects, keyed by their recipe, the compiler
#			and the content of the source and of every file the
#			compile read (kbuild's .cmd list), with their .cmd
#
# and per source tree, in $KPB_CACHE/source-warm/KEY/ (under its lock):
#
#	ours		"PATH BEFORE AFTER": the ctimes kpatch-build itself
#			moved (it patches and restores files in place: a file
#			restored has its content back, not its ctime)
#	includes	every #include of a .c or .S file in SRC (grep -rn
#			lines), with its own stamp and snapshot
#
# SRC is unchanged since a stamp when no entry of it has a ctime later
# than the stamp (a write, a chmod, a rename, an entry added or removed in
# a directory all move a ctime; tar cannot set it) but those that ours
# explains and those whose inode, size and mtime are the snapshot's (see
# src_unchanged).  Any other change and the prepare runs again, and the
# rest of KPB_WARM is dropped.  The object tree itself is written only by
# kpatch-build, under the tree's lock.
#
# A recipe is run directly (sh -c in the object tree, as make runs each
# line) only when the dry run printed it for every object of the goal;
# otherwise the objects are compiled by kbuild, as before.  The objects
# are the same bytes as kbuild's (test/integration/t0240-kpatch-build-warm).
# KPATCH_NG_WARM=0 turns all of it off: each run prepares, asks kbuild
# and compiles through kbuild.

# warm_src_begin: after source_lock, in the check stage: the entries of
# SRC changed since the oldest stamp this run may ask about (the include
# index's; a tree's stamp is never older, see warm_fresh), into
# SCRATCH/src-changes (src_changes), and the ctimes of the files the
# patches touch and the directories above them before the run moves them
# (SCRATCH/src-before).  KPB_SRC_WARM: SRC's directory of what is kept
# per source tree (the chain of ctimes, the include index).
warm_src_begin() {
	local key
	key=$(realpath "$KPB_SRC" | sha256sum)
	KPB_SRC_WARM=$KPB_CACHE/source-warm/${key:0:16}
	mkdir -p "$KPB_SRC_WARM"
	touch -a "$KPB_SRC_WARM/ours"
	: >"$KPB_SCRATCH/src-changes"
	[ ! -f "$KPB_SRC_WARM/includes.stamp" ] || src_changes "$KPB_SRC_WARM/includes.stamp"
	src_ctimes >"$KPB_SCRATCH/src-before"
}

# src_ctimes: "PATH CTIME" of the patched files and every directory above
# them (the entries patches_apply and patches_restore touch).
src_ctimes() {
	local f d paths=(.)
	for f in "${KPB_PATHS[@]}"; do
		paths+=("$f")
		d=$f
		while [ "${d%/*}" != "$d" ]; do
			d=${d%/*}
			paths+=("$d")
		done
	done
	(cd "$KPB_SRC" && find "${paths[@]}" -maxdepth 0 -printf '%p %C@\n' 2>/dev/null) |
		sed 's|^\./||' | sort -u -k1,1
}

# warm_src_done: after patches_restore: each entry whose ctime the run
# moved, "PATH BEFORE AFTER" in the chain (kept for as long as SRC is).
warm_src_done() {
	[ -n "${KPB_SRC_WARM:-}" ] && [ -f "$KPB_SCRATCH/src-before" ] || return 0
	src_ctimes | awk 'NR == FNR { b[$1] = $2; next } ($1 in b) && b[$1] != $2 { print $1, b[$1], $2 }' \
		"$KPB_SCRATCH/src-before" - >>"$KPB_SRC_WARM/ours"
	rm -f "$KPB_SCRATCH/src-before"
}

# src_unchanged STAMP: no entry of SCRATCH/src-changes has a ctime after
# STAMP's time, but those kpatch-build moved itself from a time before it
# (for each, the chain of "PATH BEFORE AFTER" steps in ours leads from its
# ctime back to one not after STAMP), and those that are the same inode
# with the same size and mtime as in STAMP.snapshot, taken with STAMP: a
# ctime moves with the link count too, as when a run in a hard-linked
# copy of SRC (kpatch-triage's) renames a patched file over its own link;
# a changed content moves the mtime (kbuild itself goes by mtimes only).
# Times are compared as seconds and nanoseconds, not as floating point.
src_unchanged() {
	local t left=$KPB_SCRATCH/src-changes.left
	[ -f "$1" ] || return 1
	t=$(find "$1" -maxdepth 0 -printf '%T@')
	awk -v t="$t" '
	function after(a, b,   x, y) {	# a > b
		split(a, x, "."); split(b, y, ".")
		if (x[1] + 0 != y[1] + 0) return x[1] + 0 > y[1] + 0
		return x[2] > y[2]
	}
	NR == FNR { prev[$1 " " $3] = $2; next }
	{
		c = $1; p = $0; sub(/^[^ ]* [^ ]* [^ ]* [^ ]* ?/, "", p)
		if (p == "") p = "."
		if (c == "?") { print; next }
		if (!after(c, t)) next
		for (n = 0; n < 1000 && after(c, t) && ((p " " c) in prev); n++)
			c = prev[p " " c]
		if (after(c, t)) print $2, $3, $4, p
	}' "$KPB_SRC_WARM/ours" "$KPB_SCRATCH/src-changes" >"$left"
	[ -s "$left" ] || return 0
	[ -f "$1.snapshot" ] || return 1
	awk 'NR == FNR { p = $0; sub(/^[^ ]* [^ ]* [^ ]* ?/, "", p); if (p == "") p = "."
		seen[$1 " " $2 " " $3 " " p]; next }
	!($0 in seen) { exit 1 }' "$1.snapshot" "$left"
}

# src_snapshot STAMP: STAMP.snapshot, each entry of SRC as it is now.
src_snapshot() {
	find "$KPB_SRC" -printf '%i %s %T@ %P\n' >"$1.snapshot.tmp" 2>/dev/null || return 1
	mv "$1.snapshot.tmp" "$1.snapshot"
}

# src_changes STAMP: SCRATCH/src-changes, the entries of SRC whose ctime
# is after STAMP's time ("CTIME INODE SIZE MTIME PATH").
src_changes() {
	find "$KPB_SRC" -cnewer "$1" -printf '%C@ %i %s %T@ %P\n' \
		>"$KPB_SCRATCH/src-changes" 2>/dev/null || echo "? unreadable" >>"$KPB_SCRATCH/src-changes"
}

# warm_locate: KPB_WARM, once build_locate chose the tree.
warm_locate() {
	KPB_WARM=$KPB_BUILD_DIR/warm
	mkdir -p "$KPB_WARM"
}

# warm_fresh: SRC has not changed since this tree's last prepare (see
# above).  The list of changes is the check stage's, newer than the
# include index's stamp; a newer tree stamp needs no other walk, an older
# one (or none for the index) a walk of its own.
warm_fresh() {
	[ -f "$KPB_WARM/stamp" ] && [ -n "${KPB_SRC_WARM:-}" ] || return 1
	[ "$(cat "$KPB_WARM/stamp")" = "$KPB_SRC" ] || return 1
	if [ ! -f "$KPB_SRC_WARM/includes.stamp" ] || [ "$KPB_SRC_WARM/includes.stamp" -nt "$KPB_WARM/stamp" ]; then
		src_changes "$KPB_WARM/stamp"
	fi
	src_unchanged "$KPB_WARM/stamp"
}

# warm_prepare_begin: the prepare is about to run over SRC as it is now:
# whatever was learned from SRC for this tree is dropped.
warm_prepare_begin() {
	rm -rf "$KPB_WARM"
	mkdir -p "$KPB_WARM"
	echo "$KPB_SRC" >"$KPB_WARM/stamp.new"
	src_snapshot "$KPB_WARM/stamp.new" || rm -f "$KPB_WARM/stamp.new.snapshot"
}

# warm_prepare_done: the prepare succeeded.
warm_prepare_done() {
	[ ! -f "$KPB_WARM/stamp.new.snapshot" ] || mv "$KPB_WARM/stamp.new.snapshot" "$KPB_WARM/stamp.snapshot"
	mv "$KPB_WARM/stamp.new" "$KPB_WARM/stamp"
}

# warm_includes PATTERN: the grep -rn lines (./FILE:LINE:TEXT) of SRC's C,
# assembly and header files whose #include matches PATTERN (an extended
# regular expression for the included name: c_includers' "a\.c|b\.S"),
# from the index of every include of a .c or .S file when each name
# searched is one; the index is made again when SRC changed since.
warm_includes() {
	local pat=$1 names='^[A-Za-z0-9_,+-]+\\\.[cS](\|[A-Za-z0-9_,+-]+\\\.[cS])*$'
	if [ -z "${KPB_SRC_WARM:-}" ] || [ "${KPATCH_NG_WARM:-1}" = 0 ] || [[ ! $pat =~ $names ]]; then
		# Once per run (headers_objects follows headers through several).
		tree_includes || return 2
		grep -E "^[^:]*:[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<][^\">]*($pat)[\">]" \
			"$KPB_SCRATCH/tree-includes" || [ $? -eq 1 ]
		return
	fi
	if ! src_unchanged "$KPB_SRC_WARM/includes.stamp"; then
		rm -f "$KPB_SRC_WARM/includes.stamp"
		touch "$KPB_SRC_WARM/includes.stamp.new"
		src_snapshot "$KPB_SRC_WARM/includes.stamp.new" || rm -f "$KPB_SRC_WARM/includes.stamp.new.snapshot"
		src_includes '[^">]*\.[cS]' >"$KPB_SRC_WARM/includes.tmp" || return 2
		mv "$KPB_SRC_WARM/includes.tmp" "$KPB_SRC_WARM/includes"
		[ ! -f "$KPB_SRC_WARM/includes.stamp.new.snapshot" ] ||
			mv "$KPB_SRC_WARM/includes.stamp.new.snapshot" "$KPB_SRC_WARM/includes.stamp.snapshot"
		mv "$KPB_SRC_WARM/includes.stamp.new" "$KPB_SRC_WARM/includes.stamp"
	fi
	grep -E "^[^:]*:[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<][^\">]*($pat)[\">]" \
		"$KPB_SRC_WARM/includes" || [ $? -eq 1 ]
}

# src_includes PATTERN: grep SRC for the #include lines naming PATTERN.
src_includes() {
	(cd "$KPB_SRC" || exit 2
	grep -rnE --include='*.c' --include='*.h' --include='*.S' \
		--exclude-dir=tools --exclude-dir=Documentation --exclude-dir=scripts \
		--exclude-dir=samples --exclude-dir=.git \
		"^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<][^\">]*($1)[\">]" . ||
		[ $? -eq 1 ])
}

# warm_plan_key OBJ...: the key of kbuild's answers for these objects:
# the make command line and the environment make passes on (but for what
# says where the shell is).
warm_plan_key() {
	{
		echo "plan 1"
		printf '%s\n' "${KPB_MAKE[@]}" "$KPB_KCFLAGS" "$@"
		warm_env
	} | sha256sum | cut -c1-16
}

# warm_env: the environment make would read, one variable a line, sorted
# (what changes from shell to shell for no build's sake left out).
warm_env() {
	env -0 | sort -z | tr '\0\n' '\n ' | grep -Ev '^(PWD|OLDPWD|SHLVL|_)='
}

# warm_plan_load OBJ...: KPB_FAST_KIND and KPB_FAST_GOAL from the plan
# for OBJs, and KPB_WARM_PLAN its directory; false when there is none.
warm_plan_load() {
	local obj kind goal
	KPB_WARM_PLAN=
	[ -n "${KPB_WARM_FRESH:-}" ] || return 1
	KPB_WARM_PLAN=$KPB_WARM/plans/$(warm_plan_key "$@")
	[ -f "$KPB_WARM_PLAN/done" ] || return 1
	# shellcheck disable=SC2004 # associative arrays (fast.sh)
	while read -r obj kind goal; do
		KPB_FAST_KIND[$obj]=$kind
		KPB_FAST_GOAL[$obj]=$goal
	done <"$KPB_WARM_PLAN/members"
}

# warm_plan_save: write the members fast_members found for the plan.
warm_plan_save() {
	local o
	[ -n "${KPB_WARM_PLAN:-}" ] || return 0
	mkdir -p "$KPB_WARM_PLAN"
	for o in "${!KPB_FAST_KIND[@]}"; do
		echo "$o ${KPB_FAST_KIND[$o]} ${KPB_FAST_GOAL[$o]}"
	done >"$KPB_WARM_PLAN/members"
	: >"$KPB_WARM_PLAN/done"
}

# warm_recipes_read LOG OBJ...: from make's dry run in LOG, the lines it
# would run for each OBJ (kbuild's recipes start with "set -e;" and trap
# signals to delete their target: "trap 'rm -f OBJ; ...").  Only a recipe
# with exactly one compile of OBJ (-c -o OBJ) is kept.
warm_recipes_read() {
	local log=$1 o
	shift
	[ -n "${KPB_WARM_PLAN:-}" ] || return 0
	mkdir -p "$KPB_WARM_PLAN"
	for o in "$@"; do
		grep -F -- "trap 'rm -f $o; trap - HUP;" "$log" | grep -- '^set -e;' \
			>"$KPB_WARM_PLAN/recipe.tmp" || true
		if [ "$(grep -cF -- " -c -o $o " "$KPB_WARM_PLAN/recipe.tmp")" = 1 ]; then
			mv "$KPB_WARM_PLAN/recipe.tmp" "$KPB_WARM_PLAN/recipe.${o//\//__}"
		else
			rm -f "$KPB_WARM_PLAN/recipe.tmp"
		fi
	done
}

# warm_recipes: every object of KPB_FAST_OBJS has a recipe in the plan.
warm_recipes() {
	local o
	[ -n "${KPB_WARM_PLAN:-}" ] && [ -f "$KPB_WARM_PLAN/done" ] || return 1
	for o in "${KPB_FAST_OBJS[@]}"; do
		[ -f "$KPB_WARM_PLAN/recipe.${o//\//__}" ] || return 1
	done
}

# warm_run_recipes LOG OBJ...: make's lines for each OBJ, each line in its
# own sh in the object tree as make runs them (the objects KPB_JOBS at
# once, each object's lines in order, stopping at the first that fails).
warm_run_recipes() {
	local log=$1 o
	shift
	for o in "$@"; do
		echo "$KPB_WARM_PLAN/recipe.${o//\//__}"
		log_cmd sh -c "$(cat "$KPB_WARM_PLAN/recipe.${o//\//__}")"
	done >"$KPB_SCRATCH/recipes"
	# LC_*: as the top Makefile exports them to every recipe.
	# shellcheck disable=SC2016 # the script of bash -c
	run_logged "$log" env -C "$KPB_OBJ" -u LC_ALL LC_COLLATE=C LC_NUMERIC=C \
		xargs -a "$KPB_SCRATCH/recipes" -r -d '\n' -P "$KPB_JOBS" -n 1 \
		bash -c 'while IFS= read -r l; do sh -c "$l" || exit 1; done <"$1"' recipe
}

# warm_compiler: what names the compiler's exact build: the driver, cc1
# and the assembler it runs (path, size, time, inode).
warm_compiler() {
	local f
	[ -n "${KPB_WARM_CC:-}" ] && { echo "$KPB_WARM_CC"; return; }
	for f in "$(kpb_cc -print-prog-name=cc1)" "$(kpb_cc -print-prog-name=as)" \
		"$(command -v "${KPB_CROSS}gcc")"; do
		f=$(command -v "$f" 2>/dev/null || echo "$f")
		stat -L -c '%n %s %Y %i' "$f" 2>/dev/null || echo "$f missing"
	done
	kpb_cc --version | head -n 1
}

# warm_key1 OBJ: the first key of OBJ's original: its recipe, the
# compiler, the config and the source's content (the source: the file
# the recipe compiles, "-c -o OBJ SOURCE"); nothing when the recipe does
# not name one that exists.
warm_key1() {
	local r=$KPB_WARM_PLAN/recipe.${1//\//__} src
	src=$(grep -o -- " -c -o $1 [^ ;]*" "$r" | head -n 1 | awk '{ print $4 }')
	case $src in
	/*) ;;
	?*) src=$KPB_OBJ/$src ;;
	esac
	[ -n "$src" ] && [ -f "$src" ] || return 0
	{
		echo "object 1 $1"
		cat "$r"
		warm_compiler
		cat "$KPB_OBJ/include/config/auto.conf" "$KPB_OBJ/include/generated/autoconf.h"
		sha256sum "$src"
	} | sha256sum | cut -c1-32
}

# cmd_deps CMD: the files of a .cmd file's deps_ list (kbuild's fixdep
# output; not the $(wildcard include/config/...) entries).
cmd_deps() {
	awk '/^deps_.* := / { on = 1; next } on && /^$/ { exit }
	on { for (i = 1; i <= NF; i++) if ($i != "\\" && $i !~ /^\$\(wildcard/ && $i !~ /\)$/) print $i }' "$1"
}

# warm_key2 KEY1: KEY1 and the content of every file the compile that
# KEY1's manifest recorded read; nothing when there is no manifest or one
# of them is gone.
warm_key2() {
	local m=$KPB_WARM/objects/$1.deps
	[ -f "$m" ] || return 0
	(cd "$KPB_OBJ" && xargs -d '\n' -r ls -d -- <"$m" >/dev/null 2>&1) || return 0
	(cd "$KPB_OBJ" && { echo "$1"; xargs -d '\n' -r sha256sum -- <"$m"; }) | sha256sum | cut -c1-32
}

# warm_compile LABEL DEST: fast_compile's work, by the plan's recipes; the
# originals from the object cache when it has them, and put there when it
# does not.  KPB_WARM_FELL=1: a recipe failed, nothing was done: kbuild
# must compile them.
warm_compile() {
	local label=$1 dest=$2 o k1 k2 log=$KPB_SCRATCH/build-$1.log todo=() hits=()
	declare -A key1=()
	mkdir -p "$KPB_WARM/objects"
	for o in "${KPB_FAST_OBJS[@]}"; do
		# kbuild makes it when it reads the directory's Makefile.
		mkdir -p "$KPB_OBJ/${o%/*}"
		k1=''
		[ "$label" != original ] || k1=$(warm_key1 "$o")
		if [ -n "$k1" ]; then
			key1[$o]=$k1
			k2=$(warm_key2 "$k1")
			if [ -n "$k2" ] && [ -f "$KPB_WARM/objects/$k2.o" ]; then
				cp "$KPB_WARM/objects/$k2.o" "$KPB_OBJ/$o"
				cp "$KPB_WARM/objects/$k2.cmd" "$(cmd_file "$o")"
				echo "$o: from the object cache ($KPB_WARM/objects/$k2.o)" >>"$log"
				hits+=("$o")
				continue
			fi
		fi
		rm -f "$KPB_OBJ/$o"
		todo+=("$o")
	done
	[ "${#hits[@]}" -eq 0 ] || say "original objects from the cache: ${hits[*]}"
	# A recipe that fails goes to kbuild (KPB_WARM_FELL): a recipe runs
	# the compile alone, and what it needs that kbuild makes first (a
	# generated file: kernel/configs.o's config_data.gz, which the dry run
	# does not print when it exists then) may be missing since; kbuild
	# makes it, or fails with its own message.
	if [ "${#todo[@]}" -gt 0 ] && ! warm_run_recipes "$log" "${todo[@]}"; then
		echo "kpatch-build: a recipe failed: kbuild compiles the $label objects" >>"$log"
		# shellcheck disable=SC2034 # read by fast.sh's fast_compile
		KPB_WARM_FELL=1
		return 0
	fi
	for o in "${todo[@]}"; do
		[ -f "$KPB_OBJ/$o" ] || { tail_log "$log"; die "compiling the $label objects left no $o; log: $log"; }
		[ -n "${key1[$o]:-}" ] || continue
		cmd_deps "$(cmd_file "$o")" >"$KPB_WARM/objects/${key1[$o]}.deps"
		k2=$(warm_key2 "${key1[$o]}")
		[ -n "$k2" ] || continue
		cp "$KPB_OBJ/$o" "$KPB_WARM/objects/$k2.o.tmp"
		cp "$(cmd_file "$o")" "$KPB_WARM/objects/$k2.cmd"
		mv "$KPB_WARM/objects/$k2.o.tmp" "$KPB_WARM/objects/$k2.o"
	done
	KPB_CHANGED=("${KPB_FAST_OBJS[@]}")
	copy_objects "$dest" "${KPB_CHANGED[@]}"
}
