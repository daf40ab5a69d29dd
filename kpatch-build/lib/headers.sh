# shellcheck shell=bash
#
# headers.sh - the fast path for patched headers: which objects of the
# configuration include a header, found without building the kernel, so
# that only those are compiled (original and patched) and diffed.  An
# object that includes the header but compiles the same drops out in the
# diff: a macro used by 40 files gives a livepatch of the functions whose
# code it changed.
#
# Two sources of truth, each exact about what it names:
#  - the target's DWARF (the -dbg vmlinux of a distribution): each compile
#    unit's line table lists the files its code and declarations come
#    from.  It misses a header that gave a unit only macros (GCC writes no
#    file entry for one: of Debian's 25 built fs/proc files that include
#    fs/proc/internal.h, 22 list it), so it adds objects but never rules
#    one out.  Read once per vmlinux into a sorted index (header-index,
#    lookup/header-index/), cached in $KPB_CACHE/headers/.
#  - the compiler: each candidate object preprocessed with its kbuild
#    flags (make O=TREE dir/file.i), whose dependency list (-MMD, kept by
#    fixdep in dir/.file.i.cmd) names every file it includes.  Asked of
#    the candidates the DWARF does not already name, all in one parallel
#    make, and cached per object in the object tree's deps/ (keyed, like
#    the tree, by the source tree, its version, the config and the
#    compiler; under its lock).
# The candidates: every C and assembly file of the tree that includes the
# header, directly or through other headers, by a text search that may
# name too many (the compiler rules those out), never too few except
# through a computed #include (a macro naming the header), which the
# DWARF catches when the header gives the unit code.  What neither can
# answer goes to the full build, and kpatch-build says so: an object the
# DWARF names that kbuild does not build as one of the configuration's
# objects (a generated file, a blob linked in by hand).

# headers_index: KPB_HDR_INDEX, the DWARF index of -v's vmlinux (cached;
# built once per vmlinux: about 3 s for Debian's), or empty when it has
# no DWARF.
headers_index() {
	local key dir lockfd why
	KPB_HDR_INDEX=
	readelf -S -W "$KPB_VMLINUX" 2>/dev/null | grep -q ' \.debug_info ' || return 0
	key=$({
		echo "header-index 1"
		realpath "$KPB_VMLINUX"
		stat -L -c '%s %Y' "$KPB_VMLINUX"
	} | sha256sum)
	dir=$KPB_CACHE/headers/dwarf-${key:0:16}
	mkdir -p "$dir"
	if [ ! -f "$dir/index" ]; then
		exec {lockfd}>"$dir/lock"
		flock "$lockfd"
		if [ ! -f "$dir/index" ]; then
			log_cmd "$KPB_HI" build -o "$dir/index" "$KPB_VMLINUX"
			why=$("$KPB_HI" build -o "$dir/index" "$KPB_VMLINUX" 2>&1) ||
				die "reading the compile units of $KPB_VMLINUX failed: $why"
			echo "$KPB_VMLINUX" >"$dir/vmlinux"
		fi
		exec {lockfd}>&-
	fi
	KPB_HDR_INDEX=$dir/index
}

# headers_candidates HEADER: the C and assembly files of the tree that
# include HEADER, directly or through other headers and C files (one text
# search of the tree per level of nesting).
headers_candidates() {
	local todo=("$1") seen=" $1 " next includer
	while [ "${#todo[@]}" -gt 0 ]; do
		next=()
		c_includers "${todo[@]}" >"$KPB_SCRATCH/hdr-includers" ||
			die "searching $KPB_SRC for the files that include ${todo[*]} failed"
		while read -r includer _; do
			case $seen in *" $includer "*) continue ;; esac
			seen+="$includer "
			case $includer in
			*.h) next+=("$includer") ;;
			# A C file another C file includes (kernel/sched/
			# build_policy.c includes rt.c) stands for that one too.
			*.c | *.S) echo "$includer"; next+=("$includer") ;;
			esac
		done <"$KPB_SCRATCH/hdr-includers"
		todo=("${next[@]}")
	done
}

# headers_ask OBJ...: the compiler's dependency list of each OBJ in
# deps/OBJ.deps of the object tree (tree paths, one a line), for those
# not there yet: one make of their preprocessed forms (.i of a C file, .s
# of an assembly file).  KPB_HDR_ASKED, KPB_HDR_CACHED: how many were
# asked, how many were known.  An object make cannot preprocess gets no
# list (its caller compiles it regardless).
headers_ask() {
	local o goals=() src cmd out log=$KPB_SCRATCH/deps.log
	KPB_HDR_ASKED=0 KPB_HDR_CACHED=0
	for o in "$@"; do
		if [ -f "$KPB_BUILD_DIR/deps/$o.deps" ]; then
			KPB_HDR_CACHED=$((KPB_HDR_CACHED + 1))
			continue
		fi
		if [ -f "$KPB_SRC/${o%.o}.S" ]; then
			goals+=("${o%.o}.s")
		else
			goals+=("${o%.o}.i")
		fi
	done
	[ "${#goals[@]}" -gt 0 ] || return 0
	KPB_HDR_ASKED=${#goals[@]}
	kmake "$log" -k "${goals[@]}" || true
	for out in "${goals[@]}"; do
		o=${out%.*}.o
		cmd=$(cmd_file "$out")
		src=$KPB_SRC/
		if [ -f "$cmd" ] && [ -f "$KPB_OBJ/$out" ]; then
			mkdir -p "$KPB_BUILD_DIR/deps/${o%/*}"
			# fixdep's "deps_OUT := \" list: one file a line, then
			# $(wildcard ...) config stamps, which are not files.
			awk -v src="$src" '
			/^deps_/ { on = 1; next }
			on && /^[[:space:]]*$/ { exit }
			on {
				sub(/^[[:space:]]+/, ""); sub(/[[:space:]]*\\$/, "")
				if ($0 ~ /^\$\(wildcard/ || $0 == "") next
				if (index($0, src) == 1) $0 = substr($0, length(src) + 1)
				print
			}' "$cmd" | sort -u >"$KPB_BUILD_DIR/deps/$o.deps.tmp"
			mv "$KPB_BUILD_DIR/deps/$o.deps.tmp" "$KPB_BUILD_DIR/deps/$o.deps"
		fi
		rm -f "$KPB_OBJ/$out" "$cmd" "${cmd%.cmd}.d"
	done
}

# headers_objects: for every patched header (KPB_FAST_HEADERS), the
# objects of the configuration that include it, added to KPB_FAST_OBJS
# (fast_add) and said, one line each, with how each source answered;
# switches to the full build (KPB_MODE, KPB_MODE_WHY) where neither
# source can.  Needs the prepared tree (kbuild is asked).
headers_objects() {
	local h o cands=() dwarf=() all=() ask=() asked=() left=() found=() unasked=() n
	local -A in_dwarf=()
	[ "${#KPB_FAST_HEADERS[@]}" -gt 0 ] || return 0
	declare -gA KPB_FAST_KIND=() KPB_FAST_GOAL=()
	: >"$KPB_SCRATCH/members.log.errors"
	headers_index
	for h in "${KPB_FAST_HEADERS[@]}"; do
		mapfile -t cands < <(headers_candidates "$h" | sed 's/\.[cS]$/.o/' | sort -u)
		dwarf=() in_dwarf=()
		if [ -n "$KPB_HDR_INDEX" ]; then
			mapfile -t dwarf < <("$KPB_HI" query "$KPB_HDR_INDEX" "$h" |
				awk '$2 ~ /\.[cS]$/ { sub(/\.[cS]$/, ".o", $2); print $2 }')
			for o in "${dwarf[@]}"; do
				in_dwarf[$o]=1
			done
		fi
		# kbuild's word on which are objects of this configuration.
		mapfile -t all < <(printf '%s\n' "${cands[@]}" "${dwarf[@]}" | sed '/^$/d' | sort -u)
		ask=()
		for o in "${all[@]}"; do
			[ -n "${KPB_FAST_KIND[$o]:-}" ] || ask+=("$o")
		done
		[ "${#ask[@]}" -eq 0 ] || members_dump "$KPB_SCRATCH/members.log" "${ask[@]}"
		# What the DWARF names must be one of this config's objects.
		for o in "${dwarf[@]}"; do
			[ -n "${KPB_FAST_KIND[$o]:-}" ] && continue
			# shellcheck disable=SC2034 # read by kpatch-build
			KPB_MODE=full KPB_MODE_WHY="$h is used by $o (vmlinux's DWARF line tables), which kbuild does not list as an object of this configuration: only a full build rebuilds it"
			return 0
		done
		# The rest: built candidates, asked of the compiler unless kbuild
		# builds them through another directory's Makefile.
		asked=() unasked=()
		for o in "${cands[@]}"; do
			if [ -z "${KPB_FAST_KIND[$o]:-}" ] || [ -n "${in_dwarf[$o]:-}" ]; then
				continue
			fi
			if [ "${KPB_FAST_GOAL[$o]}" = "$o" ]; then
				asked+=("$o")
			else
				unasked+=("$o")
			fi
		done
		headers_ask "${asked[@]}"
		found=() left=()
		for o in "${asked[@]}"; do
			if [ ! -f "$KPB_BUILD_DIR/deps/$o.deps" ]; then
				unasked+=("$o")
			elif grep -qxF -- "$h" "$KPB_BUILD_DIR/deps/$o.deps"; then
				found+=("$o")
			else
				left+=("$o")
			fi
		done
		n=$((${#dwarf[@]} + ${#found[@]} + ${#unasked[@]}))
		for o in "${dwarf[@]}" "${found[@]}" "${unasked[@]}"; do
			fast_add "$o" "$h"
		done
		KPB_HDR_SUMMARY+=("$h: $n objects use it: $(headers_why)")
	done
}

# headers_why: how the objects of one header were found (the counts of
# headers_objects), for its line.
headers_why() {
	local w
	if [ -n "$KPB_HDR_INDEX" ]; then
		w="${#dwarf[@]} in vmlinux's DWARF line tables, "
	else
		w="vmlinux has no DWARF; "
	fi
	w+="${#found[@]} in the compiler's dependency lists (${#asked[@]} candidates asked: $KPB_HDR_ASKED preprocessed, $KPB_HDR_CACHED known; ${#left[@]} do not include it)"
	[ "${#unasked[@]}" -eq 0 ] ||
		w+="; ${#unasked[@]} the compiler could not be asked about, compiled anyway: ${unasked[*]}"
	echo "$w"
}

# headers_stage: the stage header-objects, when a patch changes a header:
# the objects headers_objects finds, one line per header; or the switch
# to the full build.
headers_stage() {
	local line
	[ "${#KPB_FAST_HEADERS[@]}" -gt 0 ] || return 0
	stage header-objects
	KPB_HDR_SUMMARY=()
	headers_objects
	[ "$KPB_MODE" = fast ] || return 0
	for line in "${KPB_HDR_SUMMARY[@]}"; do
		say "  $line"
	done
	stage_done "${#KPB_FAST_OBJS[@]} objects to compile"
}
