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

# patch_paths PATCH: the files PATCH touches (-p1), one a line.
patch_paths() {
	awk '
	function strip(p) {
		sub(/\t.*/, "", p)
		if (p == "/dev/null")
			return ""
		sub(/^[^\/]*\//, "", p)
		return p
	}
	/^--- / { old = strip(substr($0, 5)); next }
	/^\+\+\+ / {
		new = strip(substr($0, 5))
		print (new != "" ? new : old)
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
# into its "original" objects; runs on one tree take turns.
source_lock() {
	local key fd
	key=$(realpath "$KPB_SRC" | sha256sum)
	mkdir -p "$KPB_CACHE/source-locks"
	exec {fd}>"$KPB_CACHE/source-locks/${key:0:16}"
	if ! flock -n "$fd"; then
		say "waiting for another kpatch-build using $KPB_SRC"
		flock "$fd"
	fi
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
		while read -r f; do
			case $f in
			/* | *..*) die "$p: patch path $f leaves the source tree" ;;
			esac
			KPB_PATHS+=("$f")
		done < <(patch_paths "$p")
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
			[ -e "$KPB_SRC/$f" ] && [ -e "$tree/$f" ] && keep_lines "$KPB_SRC/$f" "$tree/$f"
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
# originals in SCRATCH/backup.
patches_apply() {
	local scratch=$1 f d
	local tree=$scratch/apply backup=$scratch/backup
	mkdir -p "$backup"
	: >"$scratch/created"
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$KPB_SRC/$f" ]; then
			mkdir -p "$backup/${f%/*}"
			cp -p "$KPB_SRC/$f" "$backup/$f"
		else
			# Directories the patches create, to remove on restore.
			d=$f
			while [ "${d%/*}" != "$d" ]; do
				d=${d%/*}
				[ -e "$KPB_SRC/$d" ] || echo "$d" >>"$scratch/created"
			done
		fi
	done
	# The times of the directories whose entries change: the nearest
	# existing directory above each file.
	mkdir -p "$scratch/dirtimes"
	: >"$scratch/dirs"
	for f in "${KPB_PATHS[@]}"; do
		d=$f
		while [ "${d%/*}" != "$d" ]; do
			d=${d%/*}
			[ -d "$KPB_SRC/$d" ] && break
		done
		[ "${d%/*}" != "$d" ] || [ -d "$KPB_SRC/$d" ] || d=.
		grep -qxF -- "$d" "$scratch/dirs" && continue
		echo "$d" >>"$scratch/dirs"
		touch -r "$KPB_SRC/$d" "$scratch/dirtimes/$(wc -l <"$scratch/dirs")"
	done
	# From here on the tree is patched until patches_restore.
	KPB_APPLIED=$scratch
	for f in "${KPB_PATHS[@]}"; do
		if [ -e "$tree/$f" ]; then
			d=${f%/*}
			[ "$d" = "$f" ] || mkdir -p "$KPB_SRC/$d"
			cat "$tree/$f" >"$KPB_SRC/$f.kpatch-build.tmp"
			mv -f "$KPB_SRC/$f.kpatch-build.tmp" "$KPB_SRC/$f"
			[ ! -e "$backup/$f" ] || chmod --reference="$backup/$f" "$KPB_SRC/$f"
		else
			rm -f "$KPB_SRC/$f"
		fi
	done
}

# patches_restore: the tree as it was; safe to call at any time, twice.
patches_restore() {
	local scratch=${KPB_APPLIED:-} f d n
	[ -n "$scratch" ] || return 0
	for f in "${KPB_PATHS[@]}"; do
		rm -f "$KPB_SRC/$f.kpatch-build.tmp"
		if [ -e "$scratch/backup/$f" ]; then
			cp -p "$scratch/backup/$f" "$KPB_SRC/$f"
		else
			rm -f "$KPB_SRC/$f"
		fi
	done
	# Directories the patches created, deepest first.
	sort -ru "$scratch/created" | while read -r d; do
		rmdir "$KPB_SRC/$d" 2>/dev/null || true
	done
	n=0
	while read -r d; do
		n=$((n + 1))
		touch -r "$scratch/dirtimes/$n" "$KPB_SRC/$d"
	done <"$scratch/dirs"
	KPB_APPLIED=
}
