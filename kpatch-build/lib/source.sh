# shellcheck shell=bash
#
# source.sh - the user's kernel tree: checks, applying the patches and
# putting the tree back exactly as it was (content, mode and mtime).
#
# The patches are first applied, in order, to copies of the files they
# touch in the scratch directory, strictly (no fuzz, no offset): a patch
# that does not apply stops the run before anything is built or touched.
# Applying to the tree is then a copy of those files (C files with #line
# directives that keep the original line numbers after each change, see
# keep_lines); restoring copies the originals back with their times and
# removes what the patches created.

# patch_paths PATCH: the files PATCH touches (-p1), one a line; exit
# status 1, after a message on stderr, for what kpatch-build cannot take.
# Hunks are counted (the @@ line's lengths), so a removed line "-- x" and an
# added line "++ y" in a hunk are never taken for file headers; git's
# quoted names ("a/f\303\251.c") are decoded as patch(1) decodes them; a
# rename names both files; a git change without a text diff (binary, mode
# or rename only) is refused.
patch_paths() {
	LC_ALL=C awk -v patch="$1" '
	function fail(msg) {
		printf "%s:%d: %s\n", patch, NR, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	function octal(s,   v, k) {
		v = 0
		for (k = 1; k <= 3; k++)
			v = v * 8 + index("01234567", substr(s, k, 1)) - 1
		return v
	}
	# The file name of a ---/+++ line: git quotes a name with special
	# characters in C style; otherwise it ends at a tab (a date follows).
	function name(p,   out, i, c, n) {
		if (substr(p, 1, 1) != "\"") {
			sub(/\t.*/, "", p)
		} else {
			out = ""
			n = length(p)
			for (i = 2; i <= n; i++) {
				c = substr(p, i, 1)
				if (c == "\"")
					break
				if (c == "\\") {
					c = substr(p, ++i, 1)
					if (c ~ /[0-3]/ && substr(p, i, 3) ~ /^[0-7][0-7][0-7]$/) {
						c = sprintf("%c", octal(substr(p, i, 3)))
						i += 2
					} else if (c == "t" || c == "n" || c == "a" || c == "b" || c == "f" || c == "r" || c == "v")
						fail("file name " p " holds a control character")
					else if (c != "\\" && c != "\"")
						fail("file name " p ": unknown escape \\" c)
				}
				out = out c
			}
			if (i > n)
				fail("file name " p ": no closing quote")
			p = out
		}
		if (p == "/dev/null")
			return ""
		if (p !~ /\//)
			fail("file name " p " has no leading directory to strip (-p1)")
		sub(/^[^\/]*\//, "", p)
		if (p ~ /[[:space:][:cntrl:]]/)
			fail("file name \"" p "\" holds white space or a control character: kbuild cannot build it")
		return p
	}
	function git_end() {
		if (git != "" && !texts)
			fail("git change of " git " without a text diff (binary, mode or rename only): kpatch-build takes text diffs of source files")
		git = ""
	}
	hunk {
		c = substr($0, 1, 1)
		if (c == " " || $0 == "") { ol--; nl-- }
		else if (c == "-") ol--
		else if (c == "+") nl--
		else if (c == "\\") next
		else fail("hunk ends early: " ol " old and " nl " new lines still due")
		if (ol < 0 || nl < 0)
			fail("hunk longer than its @@ line says")
		if (ol == 0 && nl == 0)
			hunk = 0
		next
	}
	/^diff --git / { git_end(); git = substr($0, 12); texts = 0; next }
	/^GIT binary patch/ { fail("binary patch of " git ": kpatch-build takes text diffs of source files") }
	/^--- / { old = name(substr($0, 5)); have_old = 1; next }
	/^\+\+\+ / {
		if (!have_old)
			fail("+++ line without its --- line")
		new = name(substr($0, 5))
		if (new != "") print new
		if (old != "" && old != new) print old
		have_old = 0
		texts++
		next
	}
	/^@@ / {
		if (!texts)
			fail("hunk before any file header")
		if (!match($0, /^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@/))
			fail("malformed hunk header")
		# "a,b +c,d" of "@@ -a,b +c,d @@": lengths default to 1.
		split(substr($0, 5, RLENGTH - 7), f, " ")
		ol = (f[1] ~ /,/) ? substr(f[1], index(f[1], ",") + 1) + 0 : 1
		nl = (f[2] ~ /,/) ? substr(f[2], index(f[2], ",") + 1) + 0 : 1
		hunk = (ol > 0 || nl > 0)
		next
	}
	END {
		if (bad)
			exit 1
		if (hunk)
			fail("the last hunk ends early: " ol " old and " nl " new lines still due")
		git_end()
	}' "$1" | sort -u
}

# source_check SRC: a kernel tree that can be built out of tree.
source_check() {
	local src=$1
	[ -d "$src" ] || die "$src: no such directory (-s)"
	grep -qs '^VERSION = ' "$src/Makefile" ||
		die "$src: not a kernel source tree (no top-level Makefile with VERSION)"
	if [ -e "$src/.config" ] || [ -d "$src/include/config" ]; then
		die "$src: the tree is configured in place (.config or include/config); kpatch-build builds out of tree to leave it untouched: give a clean tree (make mrproper)"
	fi
}

# source_lock: hold the source tree for this run.  kpatch-build patches
# SRC in place while it compiles, so a second run on the same tree, for
# another config or object tree, would compile the first one's patches
# into its "original" objects; runs on one tree take turns.  Sets
# KPB_STATE, where this tree's originals are kept while it is patched
# (patches_apply), and puts back what a killed run left (source_recover).
# The lock's file descriptor is KPB_SOURCE_LOCK_FD (kpatch-triage closes
# it to let go of the tree once it has read it).
source_lock() {
	local key
	key=$(realpath "$KPB_SRC" | sha256sum)
	mkdir -p "$KPB_CACHE/source-locks" "$KPB_CACHE/source-state" ||
		die "$KPB_CACHE: cannot create the cache directories (KPATCH_NG_CACHE)"
	exec {KPB_SOURCE_LOCK_FD}>"$KPB_CACHE/source-locks/${key:0:16}"
	if ! flock -n "$KPB_SOURCE_LOCK_FD"; then
		say "waiting for another kpatch-build using $KPB_SRC"
		# Through run_logged: bash runs a trap only once a command in
		# the foreground returns, and this one may wait for minutes.
		# flock locks the open file, which kpatch-build shares.
		run_logged /dev/null flock "$KPB_SOURCE_LOCK_FD"
	fi
	KPB_STATE=$KPB_CACHE/source-state/${key:0:16}
	source_recover
}

# source_recover: with the lock held, a KPB_STATE left behind is a run that
# was killed (SIGKILL, a crash, a power cut) while it had the tree
# patched, or before or after.  Its marker "applied" is written before the
# first change and removed after the last restore; with it, each file must
# be either the original or the patched copy the run wrote, and the tree
# is put back; a file that is neither was edited since, and the run
# refuses to touch the tree, naming it.
source_recover() {
	local f bad=() n=0
	[ -e "$KPB_STATE" ] || return 0
	if [ ! -e "$KPB_STATE/applied" ]; then
		rm -rf "$KPB_STATE"
		return 0
	fi
	[ "$(cat "$KPB_STATE/src" 2>/dev/null)" = "$(realpath "$KPB_SRC")" ] ||
		die "$KPB_STATE: the saved state of a killed run names another tree than $KPB_SRC; remove it by hand"
	mapfile -t KPB_PATHS <"$KPB_STATE/paths"
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$KPB_STATE/backup/$f" ]; then
			cmp -s "$KPB_SRC/$f" "$KPB_STATE/backup/$f" ||
				cmp -s "$KPB_SRC/$f" "$KPB_STATE/patched/$f" || bad+=("$f")
		elif [ -e "$KPB_SRC/$f" ]; then
			cmp -s "$KPB_SRC/$f" "$KPB_STATE/patched/$f" || bad+=("$f")
		fi
		n=$((n + 1))
	done
	if [ "${#bad[@]}" -gt 0 ]; then
		die "$KPB_SRC: a kpatch-build run was killed while it had the tree patched, and since then ${bad[*]} changed; not touching the tree: the originals are in $KPB_STATE/backup/ (files the patches created are not there): restore them by hand, then remove $KPB_STATE"
	fi
	KPB_APPLIED=$KPB_STATE
	patches_restore
	say "restored $KPB_SRC: a kpatch-build run was killed while it had the tree patched; its $n files are as they were"
}

# patches_prepare SCRATCH PATCH...: apply every patch, in order, to copies
# of the files it touches in SCRATCH/apply; refuse on the first that does
# not apply strictly.  Sets KPB_PATHS (every touched file, relative).
patches_prepare() {
	local scratch=$1 p f out rc
	shift
	local tree=$scratch/apply
	mkdir -p "$tree"
	KPB_PATHS=()
	for p in "$@"; do
		[ -f "$p" ] || die "$p: no such patch file"
		[ -s "$p" ] || die "$p: the patch is empty"
		# Into a file, not a process substitution: a patch that cannot
		# be read must stop the run, not touch no file.
		patch_paths "$p" >"$scratch/paths" ||
			die "$p: kpatch-build cannot take this patch (above)"
		while read -r f; do
			case /$f/ in
			//* | */../*) die "$p: patch path $f leaves the source tree" ;;
			esac
			KPB_PATHS+=("$f")
		done <"$scratch/paths"
	done
	[ "${#KPB_PATHS[@]}" -gt 0 ] || die "$1: no file in the patch (not a unified diff?)"
	mapfile -t KPB_PATHS < <(printf '%s\n' "${KPB_PATHS[@]}" | sort -u)
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$KPB_SRC/$f" ]; then
			mkdir -p "$tree/${f%/*}"
			cp -p "$KPB_SRC/$f" "$tree/$f"
		fi
	done
	for p in "$@"; do
		rc=0
		out=$(patch -d "$tree" -p1 -F0 --batch --no-backup-if-mismatch \
			--reject-file="$scratch/rejects" <"$p" 2>&1) || rc=$?
		log_cmd patch -d "$tree" -p1 -F0 --batch --no-backup-if-mismatch
		if [ "$rc" -ne 0 ]; then
			indent <<<"$out" >&2
			[ -s "$scratch/rejects" ] && indent <"$scratch/rejects" >&2
			refuse "$p does not apply to $KPB_SRC (the hunks above failed)"
		fi
		if echo "$out" | grep -Eq 'offset|fuzz'; then
			grep -E 'offset|fuzz' <<<"$out" | indent >&2
			refuse "$p does not apply exactly to $KPB_SRC (a hunk needs an offset or fuzz): rebase the patch on this tree"
		fi
	done
	for f in "${KPB_PATHS[@]}"; do
		case $f in
		*.c | *.h)
			if [ -e "$KPB_SRC/$f" ] && [ -e "$tree/$f" ]; then
				keep_lines "$KPB_SRC/$f" "$tree/$f"
			fi
			;;
		esac
	done
	new_sources_refuse "$tree"
}

# new_sources_refuse TREE: refuse a C or assembly file the patches create
# (in TREE, the patched copies, not in SRC).  Its object would be new to
# the running kernel: kbuild links it into vmlinux or a module only in a
# build of the whole kernel, and nothing here compiles it into the
# livepatch, so the functions and data it defines could not be the
# livepatch's own.
new_sources_refuse() {
	local tree=$1 f
	for f in "${KPB_PATHS[@]}"; do
		case $f in
		*.c | *.S)
			[ -e "$KPB_SRC/$f" ] || [ ! -e "$tree/$f" ] ||
				refuse "$f: the patches create this source file, whose object the running kernel does not have; kpatch-build builds livepatches only from changes to files the kernel is built from: move its functions into the file that calls them (static), or build them as a module of their own"
			;;
		esac
	done
}

# keep_lines ORIG PATCHED: give the lines of PATCHED after each changed
# region the line numbers they had in ORIG (a #line directive), so that
# __LINE__ (WARN, BUG, pr_* with line numbers) in functions below a change
# does not change them too.  A directive that would land inside a macro
# continued with a backslash moves down to the first line after it.
keep_lines() {
	local orig=$1 patched=$2
	diff -U0 "$orig" "$patched" | awk '
	/^@@ / {
		split(substr($2, 2), o, ","); split(substr($3, 2), p, ",")
		if (!(2 in o)) o[2] = 1
		if (!(2 in p)) p[2] = 1
		print (p[2] == 0 ? p[1] + 1 : p[1] + p[2]), (o[2] == 0 ? o[1] + 1 : o[1] + o[2])
	}' >"$patched.lines" || true
	[ -s "$patched.lines" ] || { rm -f "$patched.lines"; return 0; }
	awk -v map="$patched.lines" '
	BEGIN { while ((getline l < map) > 0) { split(l, f, " "); want[f[1]] = f[2] } }
	{
		n = NR
		if (n in want) pending = want[n] - 0
		# The compiler line of this one without a directive here.
		cur = (NR == 1) ? 1 : cur + 1
		if (pending && !cont && cur != pending + (n - pendat(n))) {
			print "#line " (pending + (n - pendat(n)))
			cur = pending + (n - pendat(n))
			pending = 0
		} else if (pending && !cont) {
			pending = 0
		}
		print
		cont = ($0 ~ /\\$/)
	}
	function pendat(n,   k) {
		for (k = n; k > 0 && !(k in want); k--)
			;
		return k
	}' "$patched" >"$patched.tmp"
	mv "$patched.tmp" "$patched"
	rm -f "$patched.lines"
}

# patches_apply SCRATCH: put the patched files into the tree, keeping the
# originals in KPB_STATE (see source_recover), which outlives a killed run.
patches_apply() {
	local scratch=$1 f d
	local tree=$scratch/apply state=$KPB_STATE
	rm -rf "$state"
	mkdir -p "$state/backup" "$state/patched" "$state/dirtimes"
	realpath "$KPB_SRC" >"$state/src"
	printf '%s\n' "${KPB_PATHS[@]}" >"$state/paths"
	: >"$state/created"
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$KPB_SRC/$f" ]; then
			mkdir -p "$state/backup/${f%/*}"
			cp -p "$KPB_SRC/$f" "$state/backup/$f"
		else
			# Directories the patches create, to remove on restore.
			d=$f
			while [ "${d%/*}" != "$d" ]; do
				d=${d%/*}
				[ -e "$KPB_SRC/$d" ] || echo "$d" >>"$state/created"
			done
		fi
		if [ -e "$tree/$f" ]; then
			mkdir -p "$state/patched/${f%/*}"
			cp -p "$tree/$f" "$state/patched/$f"
		fi
	done
	# The times of the directories whose entries change: the nearest
	# existing directory above each file.
	: >"$state/dirs"
	for f in "${KPB_PATHS[@]}"; do
		d=$f
		while [ "${d%/*}" != "$d" ]; do
			d=${d%/*}
			[ -d "$KPB_SRC/$d" ] && break
		done
		[ "${d%/*}" != "$d" ] || [ -d "$KPB_SRC/$d" ] || d=.
		grep -qxF -- "$d" "$state/dirs" && continue
		echo "$d" >>"$state/dirs"
		touch -r "$KPB_SRC/$d" "$state/dirtimes/$(wc -l <"$state/dirs")"
	done
	# From here on the tree is patched until patches_restore; the marker
	# tells a later run so if this one is killed.
	KPB_APPLIED=$state
	: >"$state/applied"
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$tree/$f" ]; then
			d=${f%/*}
			[ "$d" = "$f" ] || mkdir -p "$KPB_SRC/$d"
			cat "$tree/$f" >"$KPB_SRC/$f.kpatch-build.tmp"
			mv -f "$KPB_SRC/$f.kpatch-build.tmp" "$KPB_SRC/$f"
			[ ! -e "$state/backup/$f" ] || chmod --reference="$state/backup/$f" "$KPB_SRC/$f"
		else
			rm -f "$KPB_SRC/$f"
		fi
	done
}

# patches_restore: the tree as it was; safe to call at any time, twice, and
# again after being interrupted (kpatch-build ignores INT, TERM and HUP
# while it restores, so a second Ctrl-C does not cut it short).
patches_restore() {
	local state=${KPB_APPLIED:-} f d n
	if [ -z "$state" ] || [ ! -d "$state" ]; then
		KPB_APPLIED=
		return 0
	fi
	for f in "${KPB_PATHS[@]}"; do
		rm -f "$KPB_SRC/$f.kpatch-build.tmp"
		if [ -e "$state/backup/$f" ]; then
			cp -p "$state/backup/$f" "$KPB_SRC/$f"
		else
			rm -f "$KPB_SRC/$f"
		fi
	done
	# Directories the patches created, deepest first.
	sort -ru "$state/created" | while read -r d; do
		rmdir "$KPB_SRC/$d" 2>/dev/null || true
	done
	n=0
	while read -r d; do
		n=$((n + 1))
		touch -r "$state/dirtimes/$n" "$KPB_SRC/$d"
	done <"$state/dirs"
	# The tree is clean: first the marker, then the rest.
	rm -f "$state/applied"
	KPB_APPLIED=
	rm -rf "$state"
}
