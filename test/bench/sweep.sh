#!/usr/bin/env bash
# sweep.sh - `make sweep`: what of Debian's next stable kernel update can
# be livepatched onto Debian's own kernel.  kpatch-triage splits the
# difference between the installed linux-source-6.12 (6.12.117-1~deb12u1)
# and the newest one Debian's 6.12 suites offer (lib/debian-update.sh:
# 6.12.118-1) into one patch per file and builds each against Debian's
# cloud kernel (lib/debian.sh: its config, -dbg vmlinux, Module.symvers,
# .ko.xz modules; the fast path); then the guest boots that kernel and
# takes every module built through load, transition, disable and unload
# (guest/sweep-guest.sh), a patched module's target (and what it depends
# on) loaded first.  Prints counts per outcome and per refusal reason, and
# per load outcome; asserts nothing.
#
#	test/bench/sweep.sh [DIR]
#
# DIR (default $KPNG_SWEEP_DIR, else /tmp/kpng-sweep) is emptied and then
# holds: triage/ (kpatch-triage's -o: results.txt, one line per file;
# summary; patches/, logs/ per file, modules/), loads.txt (one line per
# module), guest/ (console logs), summary.txt (what is printed at the end).
# KPNG_SWEEP_JOBS (default 2): kpatch-build runs at once; KPNG_SWEEP_ONLY:
# a path glob to triage part of the update; KPNG_SWEEP_BATCH (default 12):
# livepatches per guest boot.  Long: the update changes some 600 files, of
# which about 250 are built by the cloud config (about an hour on 2
# loaded cores); rerun it as it is to see the effect of fixes.
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
# shellcheck source=../integration/lib/initramfs.sh
. "$lib/initramfs.sh"
# shellcheck source=../integration/lib/vm.sh
. "$lib/vm.sh"
# shellcheck source=../integration/lib/debian-update.sh
. "$lib/debian-update.sh"
bench_strict_mode
trap 'vm_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

OUT=${1:-${KPNG_SWEEP_DIR:-/tmp/kpng-sweep}}
JOBS=${KPNG_SWEEP_JOBS:-2}
BATCH=${KPNG_SWEEP_BATCH:-12}
triage=$here/../../kpatch-build/kpatch-triage
T0=$(now)

arch_setup x86_64
kernel_ensure
debian_ensure
debian_update_ensure
debian_vm_setup
# shellcheck disable=SC2034 # for lib/vm.sh: one CPU, as t0310 (transitions)
VM_SMP=1
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-900}

rm -rf "$OUT"
mkdir -p "$OUT/guest"
OUT=$(realpath "$OUT")
status "sweep: $DEBIAN_SOURCE_PACKAGE $DEBIAN_UPDATE_OLD -> $DEBIAN_UPDATE_VERSION on $DEBIAN_RELEASE; results in $OUT"

# --- triage ------------------------------------------------------------------
t=$(now)
only=()
[ -z "${KPNG_SWEEP_ONLY:-}" ] || only=(--only "$KPNG_SWEEP_ONLY")
"$triage" -s "$KERNEL_SRC" -c "$DEBIAN_CONFIG" -v "$DEBIAN_VMLINUX" \
	--symvers "$DEBIAN_SYMVERS" --modules "$DEBIAN_MODULES" \
	-N "$DEBIAN_UPDATE_SRC" -o "$OUT/triage" -j "$JOBS" "${only[@]}" \
	>"$OUT/triage.out" 2>"$OUT/triage.err" || {
	tail -n 20 "$OUT/triage.err" >&2
	die "kpatch-triage failed; its output: $OUT/triage.err"
}
status "sweep: stage triage: $(elapsed "$t")"

# --- loads ---------------------------------------------------------------------
# module_deps NAME: the Debian module NAME (- and _ alike) and what it
# depends on, as paths of .ko.xz files, dependencies first, each once.
declare -A seen_mod=()
module_deps() {
	local name=${1//-/_} f d
	[ -z "${seen_mod[$name]:-}" ] || return 0
	seen_mod[$name]=1
	f=$(find "$DEBIAN_MODULES/kernel" -name "$name.ko.xz" -o -name "${name//_/-}.ko.xz" | head -n 1)
	[ -n "$f" ] || return 0
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		module_deps "$d"
	done
	echo "$f"
}

# The list for the guests: one line per module built (sweep-guest.sh).
t=$(now)
list=$OUT/loads.list
: >"$list"
: >"$OUT/guest/modules.needed"
n=0
for ko in "$OUT/triage/modules"/livepatch-[0-9]*.ko; do
	[ -f "$ko" ] || continue
	name=${ko##*/livepatch-}
	name=${name%.ko}
	mods=()
	seen_mod=()
	while read -r objname; do
		[ "$objname" = vmlinux ] && continue
		while read -r f; do
			mods+=("/lib/modules/dep/${f##*/}")
			echo "$f" >>"$OUT/guest/modules.needed"
		done < <(module_deps "$objname")
	done < <(sed -n 's/^kpatch-build:   \([^:]*\): .*: \(changed\|new\) function: .*/\1/p' \
		"$OUT/triage/logs/$name.log" | sort -u)
	klp=livepatch-$name
	echo "$name ${klp//-/_} ${mods[*]} --" >>"$list"
	n=$((n + 1))
done
status "sweep: $n modules to load, $BATCH per guest boot"

# boot_batch N LIST: one guest over the modules of LIST; their lines are
# appended to loads.txt, a module that left no line (the kernel died or
# hung) gets one and the ones after it go back to the queue (LIST.rest).
# shellcheck disable=SC2094 # reads LIST, writes LIST.rest
boot_batch() {
	local b=$1 batch=$2 root log name f
	root=$OUT/guest/root-$b log=$OUT/guest/console-$b.log
	initramfs_new "$root"
	initramfs_add "$root" "$batch" /lib/kpng/sweep.list
	initramfs_add "$root" "$here/sweep-guest.sh" /test.sh 0755
	while read -r name _; do
		initramfs_add "$root" "$OUT/triage/modules/livepatch-$name.ko" "/lib/modules/lp/livepatch-$name.ko"
	done <"$batch"
	while read -r f; do
		initramfs_add "$root" "$(grep -m 1 -F "/${f##*/}" "$OUT/guest/modules.needed")" "$f"
	done < <(awk '{ for (i = 3; $i != "--"; i++) print $i }' "$batch" | sort -u)
	initramfs_env "$root" KPNG_CMDLINE "$(vm_cmdline)"
	initramfs_pack "$root" "$OUT/guest/initrd-$b.gz"
	vm_run "$log" "$OUT/guest/initrd-$b.gz" 2>>"$OUT/guest/vm.err" || true
	rm -rf "$root" "$OUT/guest/initrd-$b.gz"
	: >"$batch.rest"
	local died=''
	while read -r name _; do
		if [ -n "$died" ]; then
			grep "^$name " "$batch" >>"$batch.rest"
		elif grep -q "^KPNG-SWEEP: $name " "$log"; then
			sed -n "s/^KPNG-SWEEP: $name //p" "$log" | head -n 1 | sed "s/^/$name: /" >>"$OUT/loads.txt"
		elif grep -q "^KPNG-SWEEP-BEGIN: $name\$" "$log"; then
			echo "$name: kernel: the guest died or hung in its cycle: $(grep -E -m 1 "$VM_CRASH_PATTERN" "$log" || echo "no crash line; console $log")" >>"$OUT/loads.txt"
			died=1
		else
			died=1
			grep "^$name " "$batch" >>"$batch.rest"
		fi
	done <"$batch"
}

: >"$OUT/loads.txt"
b=0
queue=$OUT/guest/queue
cp "$list" "$queue"
while [ -s "$queue" ]; do
	b=$((b + 1))
	head -n "$BATCH" "$queue" >"$queue.batch"
	tail -n +"$((BATCH + 1))" "$queue" >"$queue.next"
	tb=$(now)
	boot_batch "$b" "$queue.batch"
	cat "$queue.batch.rest" "$queue.next" >"$queue"
	status "sweep: guest $b: $(elapsed "$tb"), $(wc -l <"$OUT/loads.txt") of $n modules done"
done
status "sweep: stage loads: $(elapsed "$t")"

# --- summary ---------------------------------------------------------------------
{
	echo "sweep: $DEBIAN_SOURCE_PACKAGE $DEBIAN_UPDATE_OLD -> $DEBIAN_UPDATE_VERSION, Debian $DEBIAN_RELEASE, $(elapsed "$T0")"
	sed -n '/^summary: /,$p' "$OUT/triage/summary"
	echo "loads in the guest ($n modules: load, transition, disable, unload):"
	printf '  %-26s %5d\n' "ok" "$(grep -c ': ok$' "$OUT/loads.txt" || true)"
	for s in load transition disable unload kernel; do
		printf '  %-26s %5d\n' "failed at $s" "$(grep -c "^[^:]*: $s: " "$OUT/loads.txt" || true)"
	done
	if grep -qv ': ok$' "$OUT/loads.txt"; then
		echo "load failures:"
		grep -v ': ok$' "$OUT/loads.txt" | cut -c1-200 | sed 's/^/  /'
	fi
	echo "per-file lines: $OUT/triage/results.txt; loads: $OUT/loads.txt"
} | tee "$OUT/summary.txt"
