#!/usr/bin/env bash
# t0200-kpatch-build-cli: kpatch-build's interface and its refusals before
# and after building, and that the kernel tree is left exactly as it was
# (content, mode, mtime of every file) whatever happens: SIGINT, SIGTERM
# and SIGHUP at any stage, Ctrl-C pressed again during the restore, and a
# SIGKILL, after which the next run restores the tree or refuses.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# tree_key: the key of the test tree in kpatch-build's cache (source_lock
# in kpatch-build/lib/source.sh).
tree_key() {
	local key
	key=$(realpath "$KERNEL_SRC" | sha256sum)
	echo "${key:0:16}"
}

# tree_sum: a checksum of every file's path, size, mode and mtime in the
# kernel tree, and of the contents of the files the tests patch.  Under
# kpatch-build's lock of the tree: the tree is shared, and another
# checkout's run holding it patched is none of this test's doing.
tree_sum() {
	local locks=${KPATCH_NG_CACHE:-$HOME/.cache/kpatch-ng}/source-locks
	mkdir -p "$locks"
	{
		flock 9
		find "$KERNEL_SRC" -printf '%P %s %m %T@\n' | LC_ALL=C sort
		cat "$KERNEL_SRC/fs/proc/cmdline.c" "$KERNEL_SRC/fs/proc/version.c"
	} 9>"$locks/$(tree_key)" | sha256sum
}

write_patches() {
	cat >"$SCRATCH/cmdline.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -7,7 +7,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
-	seq_puts(m, saved_command_line);
+	seq_printf(m, "%s kpng_livepatch=1", saved_command_line);
 	seq_putc(m, '\n');
 	return 0;
 }
PATCH
	# Context that is not in the tree.
	sed 's/^ {$/ {  \/\* not here \*\//' "$SCRATCH/cmdline.patch" >"$SCRATCH/bad-context.patch"
	# The right lines, three lines lower: applies only with an offset.
	sed 's/^@@ -7,7 +7,7 @@/@@ -10,7 +10,7 @@/' "$SCRATCH/cmdline.patch" >"$SCRATCH/offset.patch"
	# A comment only: compiles to the same code.
	cat >"$SCRATCH/comment.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -7,6 +7,7 @@
 
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
+	/* kpng: a comment changes no code */
 	seq_puts(m, saved_command_line);
 	seq_putc(m, '\n');
 	return 0;
PATCH
	# Two lines in parameq(): param_sysfs_init(), __init code further
	# down, prints __LINE__; it must keep its line numbers.
	cat >"$SCRATCH/params.patch" <<'PATCH'
--- a/kernel/params.c
+++ b/kernel/params.c
@@ -96,6 +96,8 @@
 
 bool parameq(const char *a, const char *b)
 {
+	if (!a || !b)
+		return false;
 	return parameqn(a, b, strlen(a)+1);
 }
 
PATCH
	# Two C files the tree compiles only as part of another (build_utility.c
	# #includes completion.c and swait.c): one object for both.
	cat >"$SCRATCH/included.patch" <<'PATCH'
--- a/kernel/sched/completion.c
+++ b/kernel/sched/completion.c
@@ -306,6 +306,8 @@
 	unsigned long flags;
 	bool ret = true;
 
+	if (!x)
+		return false;
 	/*
 	 * Since x->done will need to be locked only
 	 * in the non-blocking case, we check x->done
--- a/kernel/sched/swait.c
+++ b/kernel/sched/swait.c
@@ -48,6 +48,8 @@
 {
 	unsigned long flags;
 
+	if (!q)
+		return;
 	raw_spin_lock_irqsave(&q->lock, flags);
 	swake_up_locked(q, 0);
 	raw_spin_unlock_irqrestore(&q->lock, flags);
PATCH
	# A C file of a built directory that this config leaves out (no-MMU).
	cat >"$SCRATCH/unbuilt.patch" <<'PATCH'
--- a/fs/proc/task_nommu.c
+++ b/fs/proc/task_nommu.c
@@ -143,7 +143,7 @@
 		pgoff = (loff_t)vma->vm_pgoff << PAGE_SHIFT;
 	}
 
-	seq_setwidth(m, 25 + sizeof(void *) * 6 - 1);
+	seq_setwidth(m, 26 + sizeof(void *) * 6 - 1);
 	seq_printf(m,
 		   "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
 		   vma->vm_start,
PATCH
	# A header: the fast path finds the objects that include it.
	cat >"$SCRATCH/header.patch" <<'PATCH'
--- a/fs/proc/internal.h
+++ b/fs/proc/internal.h
@@ -1,4 +1,5 @@
 /* SPDX-License-Identifier: GPL-2.0-or-later */
+/* kpng: a comment in a header */
 /* Internal procfs definitions
  *
  * Copyright (C) 2004 Red Hat, Inc. All Rights Reserved.
PATCH
	# A Makefile: only a full build knows what it changes.
	cat >"$SCRATCH/makefile.patch" <<'PATCH'
--- a/fs/proc/Makefile
+++ b/fs/proc/Makefile
@@ -1,4 +1,5 @@
 # SPDX-License-Identifier: GPL-2.0
+# kpng: a comment in a Makefile
 #
 # Makefile for the Linux proc filesystem routines.
 #
PATCH
	# A compiler prefix (like ccache) that logs what it compiles and is
	# slow on cmdline.c, so that an interruption lands in a compile.
	cat >"$SCRATCH/slowcc" <<EOF
#!/bin/sh
case "\$*" in
*fs/proc/cmdline.c*) echo "\$*" >>"$SCRATCH/slowcc.log"; sleep 3 ;;
esac
exec "\$@"
EOF
	chmod +x "$SCRATCH/slowcc"
	tree_sum >"$SCRATCH/tree.sum"
}

# expect_fail RC MESSAGE ARGS...: kpatch-build ARGS exits RC and its
# output holds MESSAGE; the tree is untouched.
expect_fail() {
	local rc=$1 msg=$2 got=0
	shift 2
	"$KPB_BIN" "$@" >"$SCRATCH/out.log" 2>&1 || got=$?
	cat "$SCRATCH/out.log"
	[ "$got" -eq "$rc" ] || die "exit status $got, expected $rc"
	grep -qF -- "$msg" "$SCRATCH/out.log" || die "no '$msg' in the output"
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

options() {
	"$KPB_BIN" --help | grep -q -- '--skip-compiler-check'
	"$KPB_BIN" --help | grep -q -- '--skip-target-check'
	expect_fail 1 "unrecognized option '--frobnicate'" --frobnicate
	expect_fail 1 'missing -s SRC' -c "$KERNEL_BUILD/.config" "$SCRATCH/cmdline.patch"
	expect_fail 1 'missing -c CONFIG' -s "$KERNEL_SRC" "$SCRATCH/cmdline.patch"
	expect_fail 1 'missing PATCH' -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config"
	expect_fail 1 "$SCRATCH/nope.patch: no such patch file" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" "$SCRATCH/nope.patch"
	expect_fail 1 "not a kernel source tree" \
		-s "$SCRATCH" -c "$KERNEL_BUILD/.config" "$SCRATCH/cmdline.patch"
}

refused_before_build() {
	expect_fail 2 "bad-context.patch does not apply to $KERNEL_SRC" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" "$SCRATCH/bad-context.patch"
	grep -q 'Hunk #1 FAILED at 7' "$SCRATCH/out.log"
	expect_fail 2 "offset.patch does not apply exactly" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" "$SCRATCH/offset.patch"
	grep -q 'Hunk #1 succeeded at 7 (offset -3 lines)' "$SCRATCH/out.log"
	sed 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc (Other) 1.0"/' \
		"$KERNEL_BUILD/.config" >"$SCRATCH/other-cc.config"
	expect_fail 1 "compiler mismatch: '$(gcc --version | head -n 1)' here, but the kernel was built with 'gcc (Other) 1.0'" \
		-s "$KERNEL_SRC" -c "$SCRATCH/other-cc.config" "$SCRATCH/cmdline.patch"
}

no_change() {
	expect_fail 3 "no change: the patches change no function" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" \
		-o "$SCRATCH" "$SCRATCH/comment.patch"
	[ ! -e "$SCRATCH/livepatch-comment.ko" ]
}

# Without the #line directives kpatch-build adds, __LINE__ in the __init
# function param_sysfs_init() would change and the patch be refused.
lines_kept() {
	kpb params "$SCRATCH/params.patch" || { cat "$SCRATCH/params.log"; die "kpatch-build failed"; }
	sed -n 's/^kpatch-build:   //p' "$SCRATCH/params.log" >"$SCRATCH/params.reported"
	cat >"$SCRATCH/params.expect" <<-EOF
	vmlinux: kernel/params.o: changed function: parameq (size)
	vmlinux: kernel/params.o: changed function: parse_args (size)
	EOF
	diff -u "$SCRATCH/params.expect" "$SCRATCH/params.reported"
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

# -d: every intermediate kept, and where said.
debug_dir() {
	local dir
	kpb debug -d -n debug "$SCRATCH/cmdline.patch" || { cat "$SCRATCH/debug.log"; die "kpatch-build failed"; }
	dir=$(sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$SCRATCH/debug.log")
	[ -n "$dir" ] || die "no debug directory line"
	for f in orig/fs/proc/cmdline.o patched/fs/proc/cmdline.o diff/fs__proc__cmdline.o \
		module/livepatch-main.c module/Kbuild module/lp-diff.o module/livepatch-debug.ko \
		commands.log prepare.log build-original.log build-patched.log module.log; do
		[ -s "$dir/$f" ] || die "$dir/$f: missing or empty"
	done
	grep -q 'create-diff-object -n vmlinux' "$dir/commands.log"
	grep -q 'create-klp-module' "$dir/commands.log"
	# Beside the stripped module, its unstripped copy (the test kernel
	# has no debug info: the two differ by the STT_FILE symbols; t0340
	# compares them on Debian's kernel).
	# (modinfo takes a file name ending in .ko only.)
	[ -f "$SCRATCH/debug/livepatch-debug.ko.debug" ] ||
		die "no livepatch-debug.ko.debug beside livepatch-debug.ko"
	cp "$SCRATCH/debug/livepatch-debug.ko.debug" "$SCRATCH/unstripped.ko"
	[ "$(modinfo -F vermagic "$SCRATCH/unstripped.ko")" = \
		"$(modinfo -F vermagic "$SCRATCH/debug/livepatch-debug.ko")" ] ||
		die "livepatch-debug.ko.debug is not the same module as livepatch-debug.ko"
	grep -q '^kpatch-build: unstripped copy (debug info, for crash analysis): .*/livepatch-debug.ko.debug ([0-9]* KB)$' \
		"$SCRATCH/debug.log" || die "no line naming the unstripped copy"
	rm -rf "$dir"
}

# wait_stage PID LOG STAGE: once kpatch-build PID's LOG shows STAGE done,
# and half a second more (the next stage has begun); fails when it ends
# first.
wait_stage() {
	local pid=$1 log=$2 stage=$3 tries=0
	until grep -q "stage $stage:" "$log"; do
		kill -0 "$pid" 2>/dev/null || { cat "$log"; die "finished before stage $stage"; }
		tries=$((tries + 1))
		[ "$tries" -lt 6000 ] || die "no stage $stage within 600 s"
		sleep 0.1
	done
	sleep 0.5
}

# signal_at SIG STAGE [PATCH]: send SIG (INT, TERM, HUP) once kpatch-build's
# log shows STAGE done (so the stage after it has begun; compiles of
# cmdline.c take 3 s more through slowcc); it exits 128+SIG saying so,
# and the tree must be as it was.  With SIG "INT2", a Ctrl-C pressed again
# and again (every 20 ms) until kpatch-build has exited: none may cut its
# restore short.
signal_at() {
	local sig=$1 after=$2 patch=${3:-$SCRATCH/cmdline.patch} pid tries rc=0 cc=() full=() want msg
	case $sig in
	INT | INT2) want=130 msg=interrupted ;;
	TERM) want=143 msg=terminated ;;
	HUP) want=129 msg="hung up" ;;
	esac
	: >"$SCRATCH/int.log"
	# With INT, TERM and HUP at their defaults, as for a command typed at
	# a terminal: a background job of a script starts with SIGINT
	# ignored, and the suite itself may run under nohup (HUP ignored); a
	# signal ignored when kpatch-build starts stays ignored (bash cannot
	# trap it, and nohup asks for just that: see nohup_kept).
	# slowcc in the fast path only: another CC changes every compile
	# command of the full build's tree, which make would then redo.
	[ "$patch" != "$SCRATCH/cmdline.patch" ] || cc=(CC="$SCRATCH/slowcc gcc")
	# The header patch in the full build, where make rebuilds its users.
	[ "$patch" != "$SCRATCH/header.patch" ] || full=(--full-build)
	env --default-signal=INT,TERM,HUP "${cc[@]}" "$KPB_BIN" -s "$KERNEL_SRC" \
		-c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" -o "$SCRATCH" "${full[@]}" "$patch" \
		>"$SCRATCH/int.log" 2>&1 &
	pid=$!
	wait_stage "$pid" "$SCRATCH/int.log" "$after"
	signal_caught "$pid" "${sig%2}"
	if [ "$sig" = INT2 ]; then
		# Until it has exited (a zombie still takes signals), 20 s at most.
		tries=0
		while [ "$tries" -lt 1000 ] && [ -e "/proc/$pid" ] &&
			[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
			kill -INT "$pid" 2>/dev/null || break
			sleep 0.02
			tries=$((tries + 1))
		done
	else
		kill -"$sig" "$pid"
	fi
	wait "$pid" || rc=$?
	cat "$SCRATCH/int.log"
	[ "$rc" -eq "$want" ] || die "exit status $rc after SIG$sig, expected $want"
	grep -q "kpatch-build: $msg" "$SCRATCH/int.log"
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

interrupt_at() {
	signal_at INT "$@"
}

# signal_mask PID FIELD: PID's FIELD (SigCgt, SigIgn) of /proc/PID/status,
# a number whose bit N-1 stands for signal N.
signal_mask() {
	echo "$((0x$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status")))"
}

# signal_caught PID SIG: kpatch-build (PID, still running) has a handler
# for SIG installed, the trap that restores the tree: else the signal
# would end it at once (default) or be dropped (ignored).
signal_caught() {
	local n
	n=$(kill -l "$2")
	[ $(($(signal_mask "$1" SigCgt) >> (n - 1) & 1)) -eq 1 ] ||
		die "kpatch-build does not catch SIG$2 (SigCgt $(grep SigCgt "/proc/$1/status"), SigIgn $(grep SigIgn "/proc/$1/status"))"
}

# nohup_kept: kpatch-build started with SIGHUP ignored (under nohup) keeps
# it ignored: a hangup, or SIGHUP while the patched objects compile, does
# not stop it; it writes the module and restores the tree.
nohup_kept() {
	local pid rc=0 n
	rm -f "$SCRATCH/livepatch-cmdline.ko"
	env --default-signal=INT,TERM --ignore-signal=HUP CC="$SCRATCH/slowcc gcc" "$KPB_BIN" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" -o "$SCRATCH" \
		"$SCRATCH/cmdline.patch" >"$SCRATCH/nohup.log" 2>&1 &
	pid=$!
	wait_stage "$pid" "$SCRATCH/nohup.log" original-objects
	n=$(kill -l HUP)
	[ $(($(signal_mask "$pid" SigIgn) >> (n - 1) & 1)) -eq 1 ] || die "SIGHUP is not ignored in kpatch-build"
	kill -HUP "$pid"
	wait "$pid" || rc=$?
	cat "$SCRATCH/nohup.log"
	[ "$rc" -eq 0 ] || die "exit status $rc after SIGHUP under nohup, expected 0"
	! grep -q 'kpatch-build: hung up' "$SCRATCH/nohup.log" || die "kpatch-build hung up under nohup"
	[ -f "$SCRATCH/livepatch-cmdline.ko" ] || die "no livepatch-cmdline.ko under nohup"
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

# The file where kpatch-build keeps the test tree's originals while it is
# patched (kpatch-build/lib/source.sh, source_lock).
state_dir() {
	echo "${KPATCH_NG_CACHE:-$HOME/.cache/kpatch-ng}/source-state/$(tree_key)"
}

# kill_patched: SIGKILL while the patched objects compile (the tree is
# patched); no trap runs, so the tree stays patched.
kill_patched() {
	local pid tries
	# Emptied first: the background job truncates it only once it runs,
	# and wait_stage must not find the last check's stage line there.
	: >"$SCRATCH/kill.log"
	env CC="$SCRATCH/slowcc gcc" "$KPB_BIN" -s "$KERNEL_SRC" \
		-c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" -o "$SCRATCH" \
		"$SCRATCH/cmdline.patch" >"$SCRATCH/kill.log" 2>&1 &
	pid=$!
	wait_stage "$pid" "$SCRATCH/kill.log" original-objects
	# Until the tree is patched (the marker, then the file), not a fixed
	# delay: on a loaded machine the patched stage takes its time to
	# start.  slowcc keeps the compile going 3 s after that.
	tries=0
	until [ -e "$(state_dir)/applied" ] && grep -q 'kpng_livepatch=1' "$KERNEL_SRC/fs/proc/cmdline.c"; do
		kill -0 "$pid" 2>/dev/null || { cat "$SCRATCH/kill.log"; die "finished before the tree was patched"; }
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || die "the tree was not patched within 60 s"
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" || true
	cat "$SCRATCH/kill.log"
	# The compile it started runs on in its own session; let it end.
	sleep 4
	[ -e "$(state_dir)/applied" ] || die "no marker $(state_dir)/applied of the patched tree"
	grep -q 'kpng_livepatch=1' "$KERNEL_SRC/fs/proc/cmdline.c" || die "the tree is not patched after SIGKILL"
}

killed_then_restored() {
	kill_patched
	builds_and_restores
	grep -qxF "kpatch-build: restored $KERNEL_SRC: a kpatch-build run was killed while it had the tree patched; its 1 files are as they were" \
		"$SCRATCH/cmdline.log"
	[ ! -e "$(state_dir)" ]
}

# A file changed after the kill (here: the saved patched copy, so the
# tree's file is neither it nor the original): no run touches the tree.
killed_then_edited() {
	local state rc=0
	kill_patched
	state=$(state_dir)
	cp -p "$state/patched/fs/proc/cmdline.c" "$SCRATCH/patched-copy"
	echo '/* edited */' >>"$state/patched/fs/proc/cmdline.c"
	kpb edited "$SCRATCH/cmdline.patch" || rc=$?
	cat "$SCRATCH/edited.log"
	[ "$rc" -eq 1 ] || die "exit status $rc, expected 1"
	grep -qF "kpatch-build: error: $KERNEL_SRC: a kpatch-build run was killed while it had the tree patched, and since then fs/proc/cmdline.c changed; not touching the tree: the originals are in $state/backup/" \
		"$SCRATCH/edited.log"
	grep -q 'kpng_livepatch=1' "$KERNEL_SRC/fs/proc/cmdline.c" || die "the refusing run touched the tree"
	cp -p "$SCRATCH/patched-copy" "$state/patched/fs/proc/cmdline.c"
	builds_and_restores
	grep -q "kpatch-build: restored $KERNEL_SRC" "$SCRATCH/cmdline.log"
}

builds_and_restores() {
	kpb cmdline "$SCRATCH/cmdline.patch" || { cat "$SCRATCH/cmdline.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/cmdline.log"
	grep -q 'vmlinux: fs/proc/cmdline.o: changed function: cmdline_proc_show' "$SCRATCH/cmdline.log"
	[ -f "$SCRATCH/cmdline/livepatch-cmdline.ko" ]
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

# The fast path: only the patched file's object is compiled, through the
# compiler prefix CC names (twice: original and patched).
fast_path_cc() {
	: >"$SCRATCH/slowcc.log"
	CC="$SCRATCH/slowcc gcc" kpb slow "$SCRATCH/cmdline.patch" ||
		{ cat "$SCRATCH/slow.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/slow.log"
	grep -q '^kpatch-build: stage original-objects: .*, 1 objects: fs/proc/cmdline.o$' "$SCRATCH/slow.log"
	grep -q '^kpatch-build: stage patched-objects: ' "$SCRATCH/slow.log"
	! grep -q 'full build' "$SCRATCH/slow.log" || die "a full build for a C file"
	# Twice, original and patched; the patched side alone when the
	# original came from kpatch-build's object cache (an earlier run).
	local want=2
	! grep -qx 'kpatch-build: original objects from the cache: fs/proc/cmdline.o' "$SCRATCH/slow.log" ||
		want=1
	[ "$(grep -c -- '-c -o fs/proc/cmdline.o' "$SCRATCH/slowcc.log")" -eq "$want" ] ||
		die "slowcc did not compile fs/proc/cmdline.c $want times: $(cat "$SCRATCH/slowcc.log")"
	[ -f "$SCRATCH/slow/livepatch-cmdline.ko" ]
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

# completion.c and swait.c are no objects: build_utility.o, which includes
# them, is.
included_c_file() {
	kpb included "$SCRATCH/included.patch" || { cat "$SCRATCH/included.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/included.log"
	grep -q '^kpatch-build: stage original-objects: .*, 1 objects: kernel/sched/build_utility.o$' "$SCRATCH/included.log"
	sed -n 's/^kpatch-build:   //p' "$SCRATCH/included.log" >"$SCRATCH/included.reported"
	cat >"$SCRATCH/included.expect" <<-EOF
	vmlinux: kernel/sched/build_utility.o: changed function: try_wait_for_completion (size)
	vmlinux: kernel/sched/build_utility.o: changed function: swake_up_one (size)
	EOF
	diff -u "$SCRATCH/included.expect" "$SCRATCH/included.reported"
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

unbuilt_c_file() {
	expect_fail 1 "fs/proc/task_nommu.c: this configuration builds no object from it (fs/proc/task_nommu.o is not one of its directory's objects and no built C file includes it): the running kernel does not have this code" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" \
		-o "$SCRATCH" "$SCRATCH/unbuilt.patch"
}

# A header: the fast path (the objects that include it, from the
# compiler: the test kernel has no DWARF); a comment changes no object.
header_fast_path() {
	expect_fail 3 "no change: the patches change no function" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" \
		-o "$SCRATCH" "$SCRATCH/header.patch"
	! grep -q 'full build' "$SCRATCH/out.log" || die "a full build for a header"
	grep -qE "^kpatch-build:   fs/proc/internal.h: [0-9]+ objects use it: vmlinux has no DWARF; [0-9]+ in the compiler's dependency lists" \
		"$SCRATCH/out.log"
	grep -q '^kpatch-build: stage header-objects: .*, [0-9][0-9]* objects to compile$' "$SCRATCH/out.log"
}

# A Makefile: the full build (t0100's tree), and why.
makefile_full_build() {
	expect_fail 3 "no change: the patches change no function" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$KERNEL_BUILD/vmlinux" \
		-o "$SCRATCH" "$SCRATCH/makefile.patch"
	grep -qxF "kpatch-build: full build: fs/proc/Makefile is not a C, assembly or header file: what it changes is known only from a full build" \
		"$SCRATCH/out.log"
	grep -q '^kpatch-build: stage patched-build: ' "$SCRATCH/out.log"
}

# A vmlinux that SRC and CONFIG do not build: the test kernel's with one
# byte of cmdline_proc_show changed (the REX.W prefix of its mov
# %rdi,%rbx at +0x11).  check-target finds it; --skip-target-check lets it
# through with a warning.
target_differs() {
	local other=$SCRATCH/vmlinux.other addr sec_addr sec_off off byte
	cp "$KERNEL_BUILD/vmlinux" "$other"
	addr=$(nm "$other" | awk '$3 == "cmdline_proc_show" { print $1 }')
	read -r sec_addr sec_off < <(readelf -SW "$other" |
		sed -E -n 's/^ *\[ *[0-9]+\] //p' | awk '$1 == ".text" { print $3, $4 }')
	off=$((0x$sec_off + 0x$addr - 0x$sec_addr + 0x11))
	byte=$(od -An -tx1 -j "$off" -N1 "$other" | tr -d ' ')
	[ "$byte" = 48 ] || die "cmdline_proc_show+0x11 is $byte, expected 48 (mov %rdi,%rbx)"
	printf '\x49' | dd of="$other" bs=1 seek="$off" conv=notrunc status=none
	expect_fail 2 "refused: cmdline_proc_show: the function compiled here differs from the running kernel's" \
		-s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" -v "$other" -o "$SCRATCH/other" \
		--symvers "$KERNEL_BUILD/Module.symvers" "$SCRATCH/cmdline.patch"
	grep -qF 'vmlinux: fs/proc/cmdline.o: differs: cmdline_proc_show at +0x11 (object 4889fbe8........, target 4989fbe8........)' \
		"$SCRATCH/out.log"
	[ ! -e "$SCRATCH/other/livepatch-cmdline.ko" ]
	kpb other --skip-target-check -v "$other" --symvers "$KERNEL_BUILD/Module.symvers" \
		"$SCRATCH/cmdline.patch" ||
		{ cat "$SCRATCH/other.log"; die "kpatch-build --skip-target-check failed"; }
	cat "$SCRATCH/other.log"
	grep -q "warning: cmdline_proc_show: not the running kernel's (above); building anyway (--skip-target-check)" \
		"$SCRATCH/other.log"
	[ -f "$SCRATCH/other/livepatch-cmdline.ko" ]
	tree_sum | cmp -s - "$SCRATCH/tree.sum" || die "the kernel tree changed"
}

check 'the patches and the tree checksum' write_patches
check 'options: --help, unknown and missing arguments' options
check 'refused before building: bad context, offset, compiler mismatch' refused_before_build
check 'builds a livepatch for /proc/cmdline; the tree is as it was' builds_and_restores
check 'a vmlinux whose cmdline_proc_show differs: refused; --skip-target-check builds' target_differs
check 'the fast path: one object compiled, through the CC prefix' fast_path_cc
check 'two patched C files another one includes: the includer is compiled' included_c_file
check 'a patched C file the config does not build: an error naming it' unbuilt_c_file
check 'a header patch: the fast path, saying how it found the objects' header_fast_path
check 'a Makefile patch: the full build, saying why' makefile_full_build
check 'a comment-only patch: no change, exit 3' no_change
check 'lines added above a __LINE__ user: it keeps its line numbers' lines_kept
check '-d keeps the objects, diff objects, module source, commands and logs' debug_dir
check 'Ctrl-C while preparing the object tree' interrupt_at check
check 'Ctrl-C while compiling the originals' interrupt_at prepare
check 'Ctrl-C while compiling the patched objects' interrupt_at original-objects
check 'Ctrl-C while linking the module' interrupt_at diff
check 'Ctrl-C in the full build (a header patch, --full-build), while rebuilding' interrupt_at patched-build "$SCRATCH/header.patch"
check 'SIGTERM while preparing the object tree' signal_at TERM check
check 'SIGTERM while compiling the originals' signal_at TERM prepare
check 'SIGTERM while compiling the patched objects' signal_at TERM original-objects
check 'SIGTERM while linking the module' signal_at TERM diff
check 'SIGHUP while preparing the object tree' signal_at HUP check
check 'SIGHUP while compiling the originals' signal_at HUP prepare
check 'SIGHUP while compiling the patched objects' signal_at HUP original-objects
check 'SIGHUP while linking the module' signal_at HUP diff
check 'Ctrl-C again and again while the tree is patched: the restore completes' signal_at INT2 original-objects
check 'SIGHUP ignored on entry (nohup): kept ignored, the module is written' nohup_kept
check 'SIGKILL with the tree patched: the next run restores it, says so, builds' killed_then_restored
check 'SIGKILL, then a file changed: the next run refuses and names it' killed_then_edited
check 'after the interruptions, the same livepatch again' builds_and_restores
test_done
