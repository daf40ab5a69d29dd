#!/usr/bin/env bash
# Test bodies are single-quoted text that test_expect_success evals
# (SC2016), calling helpers shellcheck cannot see being called (SC2317).
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317
test_description='kpatch-build reads the files a patch touches exactly, and checks its paths up front'
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KPB=$SRC/kpatch-build/kpatch-build

# paths PATCH: patch_paths of kpatch-build/lib/source.sh, errors to err.
paths() {
	bash -c 'set -o errexit -o nounset -o pipefail; . "$1/kpatch-build/lib/source.sh"; patch_paths "$2"' \
		paths "$SRC" "$1" 2>err
}

test_expect_success 'a removed "-- x" and an added "++ y" in a hunk are lines, not headers' '
	cat >dashes.patch <<-\EOF &&
	--- a/fs/a.c
	+++ b/fs/a.c
	@@ -1,3 +1,3 @@
	 x
	--- removed
	+++ added
	 y
	--- a/fs/b.c	2026-01-01 00:00:00
	+++ b/fs/b.c	2026-01-01 00:00:00
	@@ -1 +1,2 @@
	-a
	+b
	+c
	EOF
	paths dashes.patch >actual &&
	printf "fs/a.c\nfs/b.c\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'git-quoted names are decoded as patch(1) does; a rename names both files; /dev/null neither' '
	printf "%s\n" "--- \"a/fs/caf\\303\\251.c\"" "+++ \"b/fs/caf\\303\\251.c\"" "@@ -1 +1 @@" "-a" "+b" \
		"--- a/fs/old.c" "+++ b/fs/new.c" "@@ -1 +1 @@" "-a" "+b" \
		"--- /dev/null" "+++ b/fs/created.c" "@@ -0,0 +1 @@" "+new" \
		"--- a/fs/gone.c" "+++ /dev/null" "@@ -1 +0,0 @@" "-old" >quoted.patch &&
	paths quoted.patch >actual &&
	printf "fs/caf\303\251.c\nfs/created.c\nfs/gone.c\nfs/new.c\nfs/old.c\n" >expect &&
	test_cmp expect actual
'

# refused PATCH MESSAGE: patch_paths fails with exactly MESSAGE.
refused() {
	test_expect_code 1 paths "$1" >/dev/null &&
	echo "$2" >expect &&
	test_cmp expect err
}

test_expect_success 'a hunk shorter than its @@ line says is refused' '
	printf "%s\n" "--- a/fs/a.c" "+++ b/fs/a.c" "@@ -1,3 +1,3 @@" " x" "-y" >short.patch &&
	refused short.patch "short.patch:5: the last hunk ends early: 1 old and 2 new lines still due"
'

test_expect_success 'a hunk longer than its @@ line says is refused' '
	printf "%s\n" "--- a/fs/a.c" "+++ b/fs/a.c" "@@ -0,0 +1,2 @@" "+a" "-b" >long.patch &&
	refused long.patch "long.patch:5: hunk longer than its @@ line says"
'

test_expect_success 'binary, mode-only and rename-only git changes are refused' '
	printf "%s\n" "diff --git a/x.bin b/x.bin" "GIT binary patch" "literal 1" >bin.patch &&
	refused bin.patch "bin.patch:2: binary patch of a/x.bin b/x.bin: kpatch-build takes text diffs of source files" &&
	printf "%s\n" "diff --git a/x.c b/x.c" "old mode 100644" "new mode 100755" >mode.patch &&
	refused mode.patch "mode.patch:3: git change of a/x.c b/x.c without a text diff (binary, mode or rename only): kpatch-build takes text diffs of source files"
'

test_expect_success 'names kbuild cannot build, or that cannot be read, are refused' '
	printf "%s\n" "--- a/fs/a b.c	x" "+++ b/fs/a b.c	x" "@@ -1 +1 @@" "-a" "+b" >space.patch &&
	refused space.patch "space.patch:1: file name \"fs/a b.c\" holds white space or a control character: kbuild cannot build it" &&
	printf "%s\n" "--- \"a/fs/a\\nb.c\"" "+++ \"b/fs/a\\nb.c\"" >nl.patch &&
	refused nl.patch "nl.patch:1: file name \"a/fs/a\\nb.c\" holds a control character" &&
	printf "%s\n" "+++ b/fs/a.c" >nohead.patch &&
	refused nohead.patch "nohead.patch:1: +++ line without its --- line"
'

test_expect_success 'kpatch-build stops on a patch it cannot read, before touching anything' '
	mkdir -p tree && printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n" >tree/Makefile &&
	gcc --version | sed -n "1s/.*/CONFIG_CC_VERSION_TEXT=\"&\"/p" >config &&
	test_expect_code 1 env KPATCH_NG_CACHE="$PWD/cache" "$KPB" -s tree -c config short.patch 2>err2 &&
	grep -qxF "kpatch-build: error: $PWD/short.patch: kpatch-build cannot take this patch (above)" err2 &&
	grep -qxF "$PWD/short.patch:5: the last hunk ends early: 1 old and 2 new lines still due" err2
'

# path_error MESSAGE ENV...: kpatch-build with ENV exits 1 with MESSAGE,
# before any stage.
path_error() {
	local msg=$1
	shift
	test_expect_code 1 env "$@" "$KPB" -s tree -c config dashes.patch 2>err &&
	echo "kpatch-build: error: $msg" >expect &&
	test_cmp expect err
}

test_expect_success 'a TMPDIR or cache with a space is named before any work' '
	mkdir -p "with space" &&
	path_error "the scratch directory'"'"'s parent (TMPDIR, default /tmp) is '"'"'$PWD/with space'"'"', which holds white space or one of : # \$ \\ \" '"'"' \` that kbuild cannot take; use a path without them" \
		TMPDIR="$PWD/with space" &&
	path_error "the cache (KPATCH_NG_CACHE, default ~/.cache/kpatch-ng: HOME) is '"'"'$PWD/with space/c'"'"', which holds white space or one of : # \$ \\ \" '"'"' \` that kbuild cannot take; use a path without them" \
		KPATCH_NG_CACHE="$PWD/with space/c"
'

test_expect_success 'an output directory that cannot be written is named' '
	echo file >notadir &&
	test_expect_code 1 "$KPB" -s tree -c config -o notadir/x dashes.patch 2>err &&
	echo "kpatch-build: error: the output directory (-o) is '"'"'notadir/x'"'"', which cannot be created" >expect &&
	test_cmp expect err
'

# The architecture: --arch, ARCH, -v's ELF machine, the host's; facts from
# create-diff-object --arch-info (arch/), nothing named here.
test_expect_success 'an unknown --arch is named, with the known ones' '
	test_expect_code 1 "$KPB" --arch riscv -s tree -c config dashes.patch 2>err &&
	echo "kpatch-build: error: riscv: neither a file nor a known architecture (supported: x86_64 arm64)" >expect &&
	test_cmp expect err
'

test_expect_success 'ARCH or --arch other than the vmlinux'\''s machine is refused, naming both' '
	echo "const char banner[] = \"Linux version 6.12.0 (test)\";" >banner.c &&
	gcc -c -o vm.x86_64 banner.c &&
	test_expect_code 1 env ARCH=arm64 "$KPB" -s tree -c config -v vm.x86_64 dashes.patch 2>err &&
	echo "kpatch-build: error: architecture mismatch: ARCH=arm64 is arm64, but $PWD/vm.x86_64 (-v) is x86_64" >expect &&
	test_cmp expect err &&
	test_expect_code 1 "$KPB" --arch aarch64 -s tree -c config -v vm.x86_64 dashes.patch 2>err &&
	echo "kpatch-build: error: architecture mismatch: --arch aarch64 is arm64, but $PWD/vm.x86_64 (-v) is x86_64" >expect &&
	test_cmp expect err
'

test_expect_success 'a cross compiler that is not there is named' '
	test_expect_code 1 env CROSS_COMPILE=nowhere- "$KPB" --arch arm64 -s tree -c config dashes.patch 2>err &&
	echo "kpatch-build: error: no nowhere-gcc to build for arm64 on this $(uname -m) host: install it (Debian: gcc-aarch64-linux-gnu), or set CROSS_COMPILE" >expect &&
	test_cmp expect err
'

test_expect_success 'arm64 from the vmlinux: the cross gcc is the kernel'\''s, without its name' '
	aarch64-linux-gnu-gcc -c -o vm.arm64 banner.c &&
	aarch64-linux-gnu-gcc --version | sed -n "1s/.*/CONFIG_CC_VERSION_TEXT=\"&\"/p" >config.arm64 &&
	test_expect_code 1 env KPATCH_NG_CACHE="$PWD/cache" "$KPB" -s tree -c config.arm64 -v vm.arm64 short.patch 2>err &&
	grep -qxF "kpatch-build: error: $PWD/short.patch: kpatch-build cannot take this patch (above)" err &&
	! grep compiler err &&
	printf "#!/bin/sh\necho \"other-gcc (Other) 1.0\"\n" >other-gcc && chmod +x other-gcc &&
	test_expect_code 1 env KPATCH_NG_CACHE="$PWD/cache" CROSS_COMPILE="$PWD/other-" "$KPB" -s tree -c config.arm64 -v vm.arm64 short.patch 2>err &&
	grep -qxF "kpatch-build: error: compiler mismatch: '"'"'other-gcc (Other) 1.0'"'"' here, but the kernel was built with '"'"'$(readelf -p .comment vm.arm64 | sed -n "s/.*GCC: \(.*\)$/gcc \1/p")'"'"'; a livepatch must be compiled by the same compiler (--skip-compiler-check to override)" err
'

# A patch creating a C file and the Makefile line that builds it, as
# Debian's 6.12.118 update creates three files.  The file sorts after
# the Makefile: it was the last one patches_prepare saw, whose test for
# an original ended the function with status 1 and, under errexit, the
# run without a word.
test_expect_success 'a patch that creates a C file is refused, naming it, before the tree is touched' '
	mkdir -p newfile/kernel &&
	printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n" >newfile/Makefile &&
	printf "obj-y = a.o\n" >newfile/kernel/Makefile &&
	printf "%s\n" "--- a/kernel/Makefile" "+++ b/kernel/Makefile" "@@ -1 +1,2 @@" " obj-y = a.o" \
		"+obj-y += kpng_new.o" "--- /dev/null" "+++ b/kernel/kpng_new.c" "@@ -0,0 +1,4 @@" \
		"+int kpng_new(int x)" "+{" "+	return x + 1;" "+}" >newfile.patch &&
	(cd newfile && find . -printf "%P %s %T@\n" | sort) >before &&
	test_expect_code 2 env KPATCH_NG_CACHE="$PWD/cache" "$KPB" -s newfile -c config newfile.patch \
		>out 2>err &&
	echo "kpatch-build: refused: kernel/kpng_new.c: the patches create this source file, whose object the running kernel does not have; kpatch-build builds livepatches only from changes to files the kernel is built from: move its functions into the file that calls them (static), or build them as a module of their own" >expect &&
	test_cmp expect err &&
	test_file_empty out &&
	(cd newfile && find . -printf "%P %s %T@\n" | sort) >after &&
	test_cmp before after
'

# signalled SIG RC MESSAGE: kpatch-build (its pid in kpb.pid: exec keeps
# it) gets SIG from the mktemp that makes its scratch directory, and exits
# RC saying MESSAGE, leaving no scratch directory in TMPDIR.  INT, TERM
# and HUP at their defaults, whatever this suite runs under (nohup's HUP,
# a background job's INT).
signalled() {
	rm -rf sigtmp && mkdir sigtmp &&
	test_expect_code "$2" env --default-signal=INT,TERM,HUP SHIM_SIG="$1" SHIM_PID="$PWD/kpb.pid" \
		PATH="$PWD/shim:$PATH" TMPDIR="$PWD/sigtmp" KPATCH_NG_CACHE="$PWD/cache" \
		bash -c 'echo "$$" >kpb.pid; exec "$@"' kpb "$KPB" -s tree -c config dashes.patch 2>err &&
	echo "kpatch-build: $3" >expect &&
	test_cmp expect err &&
	ls -A sigtmp >left &&
	test_file_empty left
}

# Before the handlers were set, the signal's default action ended the run
# without a word, leaving the directory; now they are in place from the
# first line, and the EXIT trap before the directory is made.
test_expect_success 'a signal while the scratch directory is made: 128+N, said, no directory left' '
	mkdir -p shim &&
	printf "%s\n" "#!/bin/sh" "case \"\$*\" in *kpatch-build.XXXXXX*) kill -s \"\$SHIM_SIG\" \"\$(cat \"\$SHIM_PID\")\" ;; esac" \
		"exec $(command -v mktemp) \"\$@\"" >shim/mktemp &&
	chmod +x shim/mktemp &&
	signalled HUP 129 "hung up" &&
	signalled TERM 143 terminated &&
	signalled INT 130 interrupted
'

# Another run holds the tree (here a sleep holding its lock for 60 s):
# bash would run the TERM trap only once the wait for the lock was over.
test_expect_success 'SIGTERM while waiting for another run on the tree: acted upon at once' '
	key=$(realpath tree | sha256sum) &&
	mkdir -p cache/source-locks &&
	{ (flock 8 && exec sleep 60) 8>"cache/source-locks/${key:0:16}" & } &&
	holder=$! &&
	n=0 &&
	while flock -n "cache/source-locks/${key:0:16}" true; do
		n=$((n + 1)) && test "$n" -lt 200 && sleep 0.05 || break
	done &&
	{ env --default-signal=INT,TERM,HUP KPATCH_NG_CACHE="$PWD/cache" "$KPB" -s tree -c config dashes.patch \
		>out 2>err & } &&
	pid=$! &&
	n=0 &&
	until grep -q "waiting for another kpatch-build" err; do
		n=$((n + 1)) && test "$n" -lt 600 && sleep 0.05 || break
	done &&
	kill -TERM "$pid" &&
	t0=$(date +%s) &&
	rc=0 && { wait "$pid" || rc=$?; } &&
	t1=$(date +%s) &&
	{ kill "$holder" 2>/dev/null || :; } &&
	test "$rc" -eq 143 &&
	# long before the holder lets go (60 s), however loaded the machine
	test $((t1 - t0)) -le 20 &&
	printf "%s\n" "kpatch-build: waiting for another kpatch-build using $PWD/tree" "kpatch-build: terminated" >expect &&
	test_cmp expect err
'

# The ERR trap kpatch-build and kpatch-triage set, on a failure no code
# handles: a function'"'"'s last test, as above; in a command substitution,
# only the command around it is named.
test_expect_success 'a failure nothing handles ends the run naming the command, never silently' '
	trap_line=$(grep -m 1 "^trap .on_error" "$KPB") &&
	test -n "$trap_line" &&
	cat >fails.sh <<-EOF &&
	set -o errexit -o errtrace -o nounset -o pipefail
	. "$SRC/kpatch-build/lib/util.sh"
	$trap_line
	last_test() { [ -e /nonexistent ] && echo never; }
	value=\$(false)
	echo not reached
	EOF
	test_expect_code 1 bash fails.sh >out 2>err &&
	echo "kpatch-build: error: internal: fails.sh:5: '"'"'value=\$(false)'"'"' failed (exit status 1); the run stops here" >expect &&
	test_cmp expect err &&
	sed -i "s/^value=.*/last_test/" fails.sh &&
	test_expect_code 1 bash fails.sh >out 2>err &&
	echo "kpatch-build: error: internal: fails.sh:5: '"'"'[ -e /nonexistent ]'"'"' failed (exit status 1); the run stops here" >expect &&
	test_cmp expect err &&
	grep -qxF "$trap_line" "$SRC/kpatch-build/kpatch-triage"
'

test_done
