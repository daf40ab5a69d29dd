#!/usr/bin/env bash
# t0240-kpatch-build-warm: what a fast-path run takes over from the runs
# before it (kpatch-build/lib/warm.sh) changes no byte: the objects it
# compiles by running kbuild's recipes itself, and those it takes from its
# object cache, are kbuild's, and so is the module; a warm run skips the
# prepare and compiles only the patched side; a second patch to a file
# compiles only its patched side; a change to the tree prepares again; the
# module is linked by kbuild's recorded commands once make has shown they
# give its bytes (lib/link.sh).
# On the test kernel, on a tree and a cache of its own (kpb_private).
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"

# Three objects: two of vmlinux, one of a module.
PATCH_A=$PATCHES/011-vmlinux-and-modules.patch
OBJS_A='fs/binfmt_misc.o fs/proc/consoles.o kernel/configs.o'
# Each of them twice, sorted, as compiled lists them.
TWICE_A='fs/binfmt_misc.o fs/binfmt_misc.o fs/proc/consoles.o fs/proc/consoles.o kernel/configs.o kernel/configs.o '

# compiled DEBUG: the objects a run compiled (kbuild's "CC" lines, which
# its recipes print however they run), sorted, each followed by a space.
compiled() {
	cat "$1"/build-original.log "$1"/build-patched.log 2>/dev/null |
		awk '$1 == "CC" { print $NF }' | sort | tr '\n' ' '
}

# by_kbuild DEBUG: the objects make was asked to build (not the dry run).
by_kbuild() {
	grep '^make ' "$1/commands.log" | grep -v -- ' -n -p ' | grep -oE ' [^ =]+\.o' | sort | tr -d ' ' | tr '\n' ' '
}

reference() {
	KPATCH_NG_WARM=0 kpbp ref "$PATCH_A" || { cat "$SCRATCH/ref.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/ref.log"
	REF=$KPBP_DEBUG
	echo "$REF" >"$SCRATCH/ref.dir"
	# kbuild compiled them, original and patched: make with the objects
	# as its goals (not the dry run).
	[ "$(by_kbuild "$REF")" = "$TWICE_A" ] || die "kbuild compiled: $(by_kbuild "$REF")"
	[ "$(compiled "$REF")" = "$TWICE_A" ]
}

first_warm() {
	REF=$(cat "$SCRATCH/ref.dir")
	kpbp first "$PATCH_A" || { cat "$SCRATCH/first.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/first.log"
	# The prepare the reference run made holds: not made again.
	! grep -q 'modules_prepare' "$KPBP_DEBUG/commands.log" || die "prepared again"
	# Each object twice, original and patched, by its recipe; no make.
	[ "$(compiled "$KPBP_DEBUG")" = "$TWICE_A" ] || die "compiled: $(compiled "$KPBP_DEBUG")"
	[ -z "$(by_kbuild "$KPBP_DEBUG")" ] || die "kbuild compiled: $(by_kbuild "$KPBP_DEBUG")"
	if grep -q 'from the cache' "$SCRATCH/first.log"; then die "an original from the cache"; fi
	# The module: make links it (no state marked yet), then the recorded
	# commands are replayed and give its bytes (lib/link.sh).
	by_make_m "$KPBP_DEBUG" || die "the module was not linked by make"
	grep -q "^the recorded link gives kbuild's module" "$KPBP_DEBUG/module.log" ||
		die "the recorded link was not calibrated: $(grep -i 'recorded' "$KPBP_DEBUG/module.log")"
	same_build "$REF" "$KPBP_DEBUG"
}

# by_make_m DEBUG: make linked the module (make ... M=DIR modules).
by_make_m() {
	grep -q '^make .* M=.* modules $' "$1/commands.log"
}

# replayed DEBUG: the module was linked by kbuild's recorded commands, not
# by make.
replayed() {
	! by_make_m "$1" || die "make linked the module"
	grep -q "^linked by kbuild's recorded commands" "$1/module.log" || die "not linked by the recorded commands"
	[ "$(grep -c '^  replay ' "$1/module.log")" -ge 3 ] || die "replayed: $(grep '^  replay ' "$1/module.log")"
}

again_warm() {
	REF=$(cat "$SCRATCH/ref.dir")
	kpbp again "$PATCH_A" || { cat "$SCRATCH/again.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/again.log"
	grep -qx "kpatch-build: original objects from the cache: $OBJS_A" "$SCRATCH/again.log"
	! grep -q 'modules_prepare\|^make .* -n -p' "$KPBP_DEBUG/commands.log" ||
		die "prepared again, or asked kbuild again"
	[ "$(compiled "$KPBP_DEBUG")" = "$OBJS_A " ] || die "compiled: $(compiled "$KPBP_DEBUG")"
	[ -z "$(by_kbuild "$KPBP_DEBUG")" ] || die "kbuild compiled: $(by_kbuild "$KPBP_DEBUG")"
	# kbuild kept the module template's objects: only the link ran.
	! grep -q 'CC \[M\] .*livepatch-main.o' "$KPBP_DEBUG/module.log" || die "livepatch-main.o compiled again"
	# and not by make: by its recorded commands, to make's bytes.
	replayed "$KPBP_DEBUG"
	same_build "$REF" "$KPBP_DEBUG"
}

# 012 patches binfmt_misc.c (whose original the cache holds) and loadavg.c.
second_patch() {
	kpbp second "$PATCHES/012-callbacks.patch" || { cat "$SCRATCH/second.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/second.log"
	grep -qx "kpatch-build: original objects from the cache: fs/binfmt_misc.o" "$SCRATCH/second.log"
	# build_utility.c includes "loadavg.c", which is kernel/sched/'s (the
	# file beside it), not 012's fs/proc/loadavg.c: not compiled.
	[ "$(compiled "$KPBP_DEBUG")" = "fs/binfmt_misc.o fs/proc/loadavg.o fs/proc/loadavg.o " ] ||
		die "compiled: $(compiled "$KPBP_DEBUG")"
	# Another module name: kbuild has recorded nothing for it, make links
	# it (and the replay is calibrated); the next run replays.
	by_make_m "$KPBP_DEBUG" || die "the module was not linked by make"
	grep -q "^the recorded link gives kbuild's module" "$KPBP_DEBUG/module.log" ||
		die "the recorded link was not calibrated"
	kpbp second-again "$PATCHES/012-callbacks.patch" || { cat "$SCRATCH/second-again.log"; die "kpatch-build failed"; }
	replayed "$KPBP_DEBUG"
	KPATCH_NG_WARM=0 kpbp second-ref "$PATCHES/012-callbacks.patch" ||
		{ cat "$SCRATCH/second-ref.log"; die "kpatch-build failed"; }
	same_build "$KPBP_DEBUG" "$(sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$SCRATCH/second.log")"
	same_build "$KPBP_DEBUG" "$(sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$SCRATCH/second-again.log")"
}

# The object tree gains a vmlinux (kbuild would then make the module's
# BTF, a step no .cmd file records): the state is not the one calibrated,
# make links the module.
vmlinux_appears() {
	local obj
	obj=$(echo "$KPB_PRIVATE"/cache/build/*/obj)
	if [ ! -d "$obj" ] || [ -e "$obj/vmlinux" ]; then
		die "no object tree, or one with a vmlinux: $obj"
	fi
	: >"$obj/vmlinux"
	kpbp vmlinux "$PATCH_A" || { rm -f "$obj/vmlinux"; cat "$SCRATCH/vmlinux.log"; die "kpatch-build failed"; }
	rm -f "$obj/vmlinux"
	by_make_m "$KPBP_DEBUG" || die "the module was not linked by make"
	same_build "$(cat "$SCRATCH/ref.dir")" "$KPBP_DEBUG"
}

# The template's header in the module directory is not the one
# livepatch-main.o was compiled with (another kpatch-ng's, after an
# upgrade): make compiles and links; and an environment make reads
# (KCFLAGS) that the calibrated state did not have: make links.
template_changed() {
	local mdir
	mdir=$(echo "$KPB_PRIVATE"/cache/build/*/module)
	[ -f "$mdir/livepatch-api.h" ] || die "no $mdir/livepatch-api.h"
	echo "/* another kpatch-ng's template */" >>"$mdir/livepatch-api.h"
	kpbp template "$PATCH_A" || { cat "$SCRATCH/template.log"; die "kpatch-build failed"; }
	by_make_m "$KPBP_DEBUG" || die "the module was not linked by make"
	grep -q 'CC \[M\] .*livepatch-main.o' "$KPBP_DEBUG/module.log" || die "livepatch-main.o not compiled again"
	same_build "$(cat "$SCRATCH/ref.dir")" "$KPBP_DEBUG"
	kpbp again2 "$PATCH_A" || { cat "$SCRATCH/again2.log"; die "kpatch-build failed"; }
	replayed "$KPBP_DEBUG"
	KCFLAGS=-DKPNG_T0240 kpbp kcflags "$PATCH_A" || { cat "$SCRATCH/kcflags.log"; die "kpatch-build failed"; }
	by_make_m "$KPBP_DEBUG" || die "the module was not linked by make"
}

# What kbuild makes before an object (kernel/configs.o's config_data.gz)
# is gone: the recipe (the compile alone) fails, kbuild compiles them and
# makes it, the same bytes.
prerequisite_gone() {
	local obj
	obj=$(echo "$KPB_PRIVATE"/cache/build/*/obj)
	[ -f "$obj/kernel/config_data.gz" ] || die "no $obj/kernel/config_data.gz"
	rm -f "$obj/kernel/config_data.gz"
	kpbp gone "$PATCH_A" || { cat "$SCRATCH/gone.log"; die "kpatch-build failed"; }
	cat "$SCRATCH/gone.log"
	# (The originals come from the object cache: the patched side's.)
	grep -q '^kpatch-build: a recipe failed: kbuild compiles the patched objects' \
		"$KPBP_DEBUG/build-patched.log" || die "no recipe failed"
	[ -f "$obj/kernel/config_data.gz" ] || die "kbuild did not make config_data.gz"
	same_build "$(cat "$SCRATCH/ref.dir")" "$KPBP_DEBUG"
}

# A file added to the tree (a new entry of fs/proc/): it could be an
# include anything finds first; the tree is prepared and compiled again.
tree_changed() {
	: >"$KPB_PRIVATE/src/fs/proc/kpng-new.h"
	kpbp changed "$PATCH_A" || { cat "$SCRATCH/changed.log"; die "kpatch-build failed"; }
	rm -f "$KPB_PRIVATE/src/fs/proc/kpng-new.h"
	cat "$SCRATCH/changed.log"
	grep -q 'modules_prepare' "$KPBP_DEBUG/commands.log" || die "not prepared again"
	if grep -q 'from the cache' "$SCRATCH/changed.log"; then die "an original from the cache"; fi
	same_build "$(cat "$SCRATCH/ref.dir")" "$KPBP_DEBUG"
}

kpb_private "$SCRATCH/private"
check 'kbuild compiles the reference (KPATCH_NG_WARM=0)' reference
check 'kbuild'"'"'s recipes run directly: the same objects and module, no prepare' first_warm
check 'again: originals from the cache, the patched side alone compiled, the link replayed, the same bytes' again_warm
check 'a second patch to a cached file: its patched side alone compiled; its link made, then replayed; the same bytes' second_patch
check 'the object tree gains a vmlinux: make links the module' vmlinux_appears
check 'the template changed, the environment changed: make compiles and links' template_changed
check 'a file kbuild makes before an object is gone: the recipe fails, kbuild compiles, the same bytes' prerequisite_gone
check 'a file added to the tree: prepared and compiled again' tree_changed
test_done
