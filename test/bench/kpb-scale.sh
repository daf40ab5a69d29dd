#!/usr/bin/env bash
# kpb-scale.sh: kpatch-build's compiles of a 10-file patch (ten of the VM
# suite's patches at once) on the test kernel's fast path, with -j1, -j2
# and through distcc (two distccd servers on loopback, 2 jobs each: the
# job count kpatch-build takes from distcc -j), each with the prepared
# tree and kbuild's answers kept but no original object cached, so each
# run compiles 20 objects; then the peak memory (maximum resident set,
# /usr/bin/time) of each C tool on the largest input it has: create-diff-
# object and check-target on the test kernel's vmlinux.o (kpatch-build's
# full-build tree), create-klp-module and check-module on the 10-file
# module.  Prints figures; asserts nothing about time.  On 2 cores the
# loopback servers share those cores: distcc shows its job count and
# overhead here, not a speed-up; it pays with hosts of their own.
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
# shellcheck source=../integration/lib/kernel-fsections.sh
. "$lib/kernel-fsections.sh"
# shellcheck source=../integration/lib/distcc.sh
. "$lib/distcc.sh"
bench_strict_mode

kpb=$here/../../kpatch-build/kpatch-build
tools=$here/../../build
patches=$here/../integration/patches
work=$(mktemp -d "${TMPDIR:-/tmp}/kpb-scale.XXXXXX")
cleanup() {
	distccd_stop
	rm -rf "$work"
}
trap cleanup EXIT
# distccd drops root for its own user, which must reach its log files
# below $work (mktemp makes it 0700).
chmod 0711 "$work"

arch_setup x86_64
kernel_ensure
kernel_ensure_fsections
# A tree of its own (hard links: kpatch-build renames a patched file into
# place), so that no other run on the shared tree waits or changes it.
cp -al "$KERNEL_SRC" "$work/src"
for n in 001-proc-cmdline 002-nonexported-global 003-static-local 004-split-part 005-new-function \
	006-new-global 007-syscall-newuname 008-extable-poll 009-jump-label 013-shadow-variable; do
	cat "$patches/$n.patch"
done >"$work/ten.patch"

# run LABEL ARGS...: one run on the 10-file patch, no original cached;
# prints the total, the compile stages and the job count.
run() {
	local label=$1 t rc=0 c
	shift
	rm -rf "$work"/cache*/build/*/warm/objects
	t=$(now)
	mkdir -p "$work/tmp"
	TMPDIR=$work/tmp KPATCH_NG_CACHE=${CACHE:-$work/cache} "$kpb" -s "$work/src" -c "$KERNEL_BUILD/.config" \
		-v "$KERNEL_BUILD/vmlinux" -o "$work/out" -d -n ten "$@" "$work/ten.patch" >"$work/log" 2>&1 || rc=$?
	c=$(sed -n 's/^kpatch-build: stage \(original\|patched\)-objects: \([0-9.]*\) s.*/\2/p' "$work/log" |
		awk '{ s += $1 } END { printf "%.1f", s }')
	printf '  %-28s %8s  compiles %5s s' "$label" "$(elapsed "$t")" "$c"
	echo "$c" >"$work/compile.$label"
	if [ "$rc" -eq 0 ]; then
		echo
	else
		echo "  (exit $rc)"
		tail -n 15 "$work/log" | sed 's/^/    | /'
	fi
	sed -n 's/^kpatch-build: debug directory (intermediates, commands.log, logs): //p' "$work/log" >"$work/debug"
}

speedup() {
	awk -v a="$(cat "$work/compile.$1")" -v b="$(cat "$work/compile.$2")" \
		'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

echo "kpatch-build, 10-file patch (20 compiles), test kernel fast path, $(nproc) CPUs"
CACHE=$work/cache run "(untimed: prepare the tree)" -j 2 >/dev/null
run "-j1" -j 1
run "-j2" -j 2
echo "    speed-up of the compiles, -j2 over -j1: $(speedup -j1 -j2)"

distccd_start "$work/distccd"
# Another CC is another object tree: prepared once, untimed.
CACHE=$work/cache-distcc run "(untimed: prepare, distcc)" >/dev/null
CACHE=$work/cache-distcc run "distcc"
grep -o 'compiling through distcc.*' "$work/log" | sed 's/^/    /'
for p in "${DISTCC_PORTS[@]}"; do
	echo "    distccd 127.0.0.1:$p: $(grep -c COMPILE_OK "$work/distccd/$p.log" || true) compiles (both runs)"
done
echo "    speed-up of the compiles, distcc over -j1: $(speedup -j1 distcc)"
distccd_stop
unset DISTCC_HOSTS

# peak LABEL CMD...: CMD's maximum resident set.
peak() {
	local label=$1 rc=0
	shift
	/usr/bin/time -f '%M %e' -o "$work/time" "$@" >/dev/null 2>"$work/tool.err" || rc=$?
	# (A status other than 0 comes first, on a line of its own.)
	read -r kb s < <(tail -n 1 "$work/time")
	printf '  %-20s %8d KiB  %6.2f s  exit %d  %s\n' "$label" "$kb" "$s" "$rc" "${*: -1}"
}
echo "peak memory of the C tools on their largest input"
o=$KERNEL_FSECTIONS/vmlinux.o
peak create-diff-object "$tools/create-diff-object" "$o" "$o" "$o" /dev/null "$work/cdo.o"
peak check-target "$tools/check-target" -a "$o" "$KERNEL_FSECTIONS/vmlinux"
# The 10-file module's own commands, as the distcc run logged them.
d=$(cat "$work/debug")
grep -E '/(create-klp-module|check-module) ' "$d/commands.log" | head -n 1 >"$work/ckm"
grep -E '/check-module ' "$d/commands.log" >"$work/cm"
eval "peak create-klp-module $(sed "s/ *\$//; s|[^ ]*\$|$work/klp-out.ko|" "$work/ckm")"
eval "peak check-module $(cat "$work/cm")"
