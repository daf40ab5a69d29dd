# shellcheck shell=bash
#
# triage.sh - kpatch-triage's pieces: splitting an update into one patch
# per changed file, classing the files no livepatch is built for, and
# reading a kpatch-build run's outcome from its exit status and output.
#
# The outcomes (one line per file, "PATH: OUTCOME[: DETAIL]"):
#	livepatched		kpatch-build wrote a module: its functions, size
#	refused			kpatch-build exit 2: the symbol and the rule
#				(create-diff-object's, or kpatch-build's own)
#	no change		exit 3, or a file no object is built from
#	not built by this config  no object of the configured kernel is
#				built from it (kbuild says; or another arch)
#	needs a header change	a header: it changes what every includer
#				compiles to, which only a full build tells; or
#				a C file whose change alone does not compile
#				and that includes a header the update changes
#	needs a full build	a build file (Makefile, Kconfig, linker script,
#				...): not code the fast path can place
#	failed			anything else: the first error line

# shellcheck disable=SC2034 # read by kpatch-triage
TRIAGE_OUTCOMES=("livepatched" "refused" "no change" "not built by this config"
	"needs a header change" "needs a full build" "failed")

# triage_kind PATH KARCH: how PATH is triaged: "build" (kpatch-build),
# or the outcome and its reason ("no change: ...") for files no livepatch
# is built for.
triage_kind() {
	local f=$1 karch=$2
	if builds_nothing "$f"; then
		echo "no change: documentation"
		return
	fi
	case $f in
	tools/* | samples/* | scripts/* | usr/* | */selftests/*)
		echo "no change: not part of the kernel image or its modules (${f%%/*}/)"
		return
		;;
	arch/"$karch"/* | arch/*/) ;;
	arch/*)
		local a=${f#arch/}
		echo "not built by this config: another architecture's (arch/${a%%/*})"
		return
		;;
	esac
	case $f in
	*.c | *.S) echo build ;;
	*.h) echo "needs a header change: a header changes what every object including it compiles to" ;;
	*.txt | *.yaml | *.json | *.md) echo "no change: documentation" ;;
	*) echo "needs a full build: not a C, assembly or header file" ;;
	esac
}

# triage_split_trees OLD NEW: "STATE PATH" for every regular file that
# differs between the trees (STATE: changed, new or deleted), sorted.
triage_split_trees() {
	local old=$1 new=$2
	# diff: 1 when the trees differ, 2 on trouble.
	{ diff -rq --no-dereference "$old" "$new" || [ "$?" -eq 1 ]; } | awk -v o="$old/" -v n="$new/" '
	function rel(p, base) { return substr(p, length(base) + 1) }
	/^Files .* and .* differ$/ {
		s = substr($0, 7, length($0) - 13)
		i = index(s, " and " n)
		print "changed", rel(substr(s, 1, i - 1), o)
		next
	}
	/^Only in / {
		s = substr($0, 9); i = index(s, ": ")
		d = substr(s, 1, i - 1) "/" substr(s, i + 2)
		if (index(d, o) == 1) print "deleted-tree", rel(d, o)
		else print "new-tree", rel(d, n)
		next
	}
	/^File .* is a / { next }
	{ print "unknown", $0 }' | while read -r state f; do
		case $state in
		changed) echo "changed $f" ;;
		new-tree) (cd "$new" && find "$f" -type f | sed 's/^/new /') ;;
		deleted-tree) (cd "$old" && find "$f" -type f | sed 's/^/deleted /') ;;
		*) die "diff -rq $old $new: unexpected line: $f" ;;
		esac
	done | sort -k2
}

# triage_file_patch OLD NEW PATH STATE: the unified diff of PATH alone
# (a/PATH, b/PATH; /dev/null for a new or deleted file).
triage_file_patch() {
	local old=$1 new=$2 f=$3 state=$4 a b la=a/$3 lb=b/$3 rc=0
	a=$old/$f b=$new/$f
	[ "$state" != new ] || { a=/dev/null la=/dev/null; }
	[ "$state" != deleted ] || { b=/dev/null lb=/dev/null; }
	diff -u --label "$la" --label "$lb" "$a" "$b" || rc=$?
	[ "$rc" -le 1 ] || die "diff of $f failed (exit $rc)"
}

# triage_module_name N PATH: a module name for file number N:
# NNNN-BASENAME, letters, digits, - and _ only, at most 40 characters
# (the kernel's module names hold 55, with "livepatch-").
triage_module_name() {
	local base=${2##*/}
	base=${base%.*}
	base=$(printf '%s' "$base" | tr -c 'A-Za-z0-9_-' '_')
	printf '%04d-%s' "$1" "${base:0:35}"
}

# triage_outcome RC LOG KO [BUILDLOG]: the outcome line of one
# kpatch-build run (its exit status, output, the module it was to write,
# and its build logs, where a failed compile's first error is).
triage_outcome() {
	local rc=$1 log=$2 ko=$3 build=${4:-/dev/null} line funcs n size more
	case $rc in
	0)
		mapfile -t funcs < <(sed -n -E 's/^kpatch-build:   [^:]*: [^:]*: (changed|new) function: ([^ ]*).*/\2/p' "$log")
		n=${#funcs[@]}
		size=$(stat -c %s "$ko")
		line=$(printf '%s, ' "${funcs[@]:0:4}")
		more=
		[ "$n" -le 4 ] || more=", and $((n - 4)) more"
		echo "livepatched: $n function$([ "$n" -eq 1 ] || echo s) (${line%, }$more), $(((size + 1023) / 1024)) KiB"
		;;
	2)
		# The first error, not a warning before it (a tracepoint left
		# off): the reason.
		line=$(grep -m 1 -E '^ +create-diff-object: error: [^ ]+: ' "$log" | sed -E 's/^ +create-diff-object: error: [^ ]+: //') ||
			line=$(grep -m 1 -E '^ +create-diff-object: [^ ]+: ' "$log" | sed -E 's/^ +create-diff-object: [^ ]+: //') ||
			line=$(grep -m 1 '^kpatch-build: refused: ' "$log" | sed 's/^kpatch-build: refused: //') ||
			line="(no reason in the output)"
		n=$(grep -c -E '^ +create-diff-object: error: [^ ]+: ' "$log" || true)
		more=
		[ "$n" -le 1 ] || more=" (and $((n - 1)) more)"
		echo "refused: ${line%%; *}$more"
		;;
	3) echo "no change" ;;
	1)
		if grep -q 'this configuration builds no object from it' "$log"; then
			echo "not built by this config"
		else
			line=$(grep -s -m 1 -E ': (fatal )?error: |^ERROR: ' "$build" | sed -E 's/^ +//') ||
				line=$(grep -m 1 -E ': (fatal )?error: ' "$log" | sed -E 's/^ +//; s/^kpatch-build: //') ||
				line="kpatch-build exited with status 1 and no error line (its output: ${log##*/})"
			echo "failed: $line"
		fi
		;;
	*) echo "failed: kpatch-build exited with status $rc" ;;
	esac
}

# triage_header OLD NEW ERROR HEADER...: of the changed HEADERs a file
# includes (OLD and NEW hold each before and after the update), the one
# its compile ERROR is about: the first whose change names an identifier
# the compiler quotes ('bio_in_atomic', 'reset'); else the first, with
# how many more.
triage_header() {
	local old=$1 new=$2 err=$3 h w words
	shift 3
	mapfile -t words < <(grep -oE "[‘'][A-Za-z_][A-Za-z0-9_]*[’']" <<<"$err" |
		tr -d "‘’'" | sort -u)
	for h in "$@"; do
		for w in "${words[@]}"; do
			if { diff "$old/$h" "$new/$h" 2>/dev/null || true; } | grep -qE "^[<>].*\<$w\>"; then
				echo "$h"
				return 0
			fi
		done
	done
	if [ "$#" -gt 1 ]; then
		echo "$1 (and $(($# - 1)) more)"
	else
		echo "$1"
	fi
}

# triage_reason REFUSED-DETAIL: the rule of a refusal ("SYMBOL: RULE:
# why; what to do") without its names, for counting refusals by reason:
# the rule up to its first ": " (past a table entry's place), what is in
# parentheses dropped, and the names after "key", "symbol", "at", ...
# replaced by X (a section's by SECTION).
triage_reason() {
	sed -E 's/ \(and [0-9]+ more\)$//
		s/^[^ ]+ does not apply( exactly)?.*/the patch does not apply\1/
		s/^[^:]*: (the function compiled here differs from the running kernel.s).*/\1/
		s/^[^ :]+: //
		t reset
		:reset
		s/^([^:]* entry at [^:]*: [^:]*):.*/\1/
		t names
		s/^([^:]*): .*/\1/
		:names
		s/ \([^()]*\)//g
		s/\<(key|symbol|variable|calls|at) [^ ,:;]+/\1 X/g
		s/\<in \.[^ ,:;]+/in SECTION/g' <<<"$1" | cut -c1-160
}
