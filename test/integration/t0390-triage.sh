#!/usr/bin/env bash
# t0390-triage: kpatch-triage on Debian's cloud kernel (lib/debian.sh), over
# a small synthetic update (triage/update.patch: one file of each kind,
# see its header).  Given as a patch set, the triage prints exactly the
# lines of triage/update.expect (per file, the summary and the cumulative
# livepatch; the module sizes are checked against the files); given as a
# newer tree (-N, the old tree with the patch applied) with two jobs, the
# same lines; the source tree is left as it was.  The livepatch it built
# for fs/proc/cmdline.c then goes through t0310's guest cycle in Debian's
# kernel (before, loaded, disabled, unloaded; the taint checked).
# shellcheck disable=SC2317 # `check` calls the functions
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"
# shellcheck source=lib/kpatch-build.sh
. "$BENCH_ROOT/lib/kpatch-build.sh"
# shellcheck source=lib/debian.sh
. "$BENCH_ROOT/lib/debian.sh"

debian_ensure
debian_vm_setup
# shellcheck disable=SC2034 # for lib/vm.sh (one CPU: t0310 says why)
VM_SMP=${KPNG_VM_SMP:-1}
TRIAGE=$BENCH_ROOT/../../kpatch-build/kpatch-triage
DATA=$BENCH_ROOT/triage

# src_locked COMMAND...: COMMAND with kpatch-build's lock on KERNEL_SRC
# held (source_lock): never while a kpatch-build has the tree patched.
src_locked() {
	(
		# shellcheck source=../../kpatch-build/lib/util.sh
		. "$BENCH_ROOT/../../kpatch-build/lib/util.sh"
		# shellcheck source=../../kpatch-build/lib/source.sh
		. "$BENCH_ROOT/../../kpatch-build/lib/source.sh"
		KPB_CACHE=$(kernel_cache_root) KPB_SRC=$KERNEL_SRC
		source_lock
		"$@"
	)
}

# fingerprint: every file of the source tree, its size and time.
fingerprint() {
	(cd "$KERNEL_SRC" && find . -type f -printf '%P %s %T@\n' | sort)
}

# triage DIR ARGS...: kpatch-triage against the Debian kernel into
# $SCRATCH/DIR; its stdout in DIR.out, stderr in DIR.err (shown).
triage() {
	local dir=$1
	shift
	"$TRIAGE" -s "$KERNEL_SRC" -c "$DEBIAN_CONFIG" -v "$DEBIAN_VMLINUX" \
		--symvers "$DEBIAN_SYMVERS" --modules "$DEBIAN_MODULES" \
		-o "$SCRATCH/$dir" "$@" >"$SCRATCH/$dir.out" 2>"$SCRATCH/$dir.err" || {
		cat "$SCRATCH/$dir.err" "$SCRATCH/$dir.out"
		return 1
	}
	cat "$SCRATCH/$dir.err" "$SCRATCH/$dir.out"
}

# expect DIR: DIR.out is update.expect, with each module's size checked
# against its file and then written N; the summary's times and paths
# aside.
expect() {
	local dir=$1 ko size
	for ko in "$SCRATCH/$dir/modules/livepatch-0002-cmdline.ko" \
		"$SCRATCH/$dir/modules/livepatch-cumulative.ko"; do
		[ -f "$ko" ] || [ "${ko##*-}" = cumulative.ko ] || die "no $ko"
		[ -f "$ko" ] || continue
		size=$(stat -c %s "$ko")
		grep -q "cmdline_proc_show), $(((size + 1023) / 1024)) KiB\$" "$SCRATCH/$dir.out" ||
			die "no line gives the size of $ko ($size bytes)"
	done
	sed -E 's/, [0-9]+ KiB$/, N KiB/; s/^(summary: [0-9]+ files),.*/\1/
		/^patches, logs and modules: /d' "$SCRATCH/$dir.out" >"$SCRATCH/$dir.lines"
	diff -u "$DATA/update.expect" "$SCRATCH/$dir.lines"
}

patch_set() {
	src_locked fingerprint >"$SCRATCH/tree.before"
	triage set -j 1 --cumulative "$DATA/update.patch"
	expect set
	modinfo -F vermagic "$SCRATCH/set/modules/livepatch-0002-cmdline.ko" |
		grep -qx "$DEBIAN_RELEASE SMP preempt mod_unload modversions *"
}

# The newer tree: the old one hard-linked, the update's files replaced
# (patched copies of the originals the first triage took).
newer_tree() {
	local new=$SCRATCH/newer f
	src_locked cp -al "$KERNEL_SRC" "$new"
	cp -a "$SCRATCH/set/old" "$SCRATCH/patched"
	patch -d "$SCRATCH/patched" -p1 --batch <"$DATA/update.patch"
	while read -r f; do
		rm "$new/$f"
		cp "$SCRATCH/patched/$f" "$new/$f"
	done < <(sed -n 's|^+++ b/||p' "$DATA/update.patch")
	triage tree -j 2 --cumulative -N "$new"
	grep -q '^kpatch-triage: jobs: .*, 2 trees: ' "$SCRATCH/tree.err"
	expect tree
	rm -rf "$new"
	src_locked fingerprint | diff -u "$SCRATCH/tree.before" -
}

cycle() {
	GUEST_LOG=cmdline debian_kpb_cycle 0002-cmdline \
		"$SCRATCH/set/modules/livepatch-0002-cmdline.ko" "$DATA/update.guest.sh"
}

check "a patch set: one line per file, the summary, the cumulative livepatch" patch_set
check "a newer tree, two jobs: the same lines; the source tree as it was" newer_tree
check "the livepatched file's module: before, loaded, disabled, unloaded in Debian's kernel" cycle
test_done
