#!/usr/bin/env bash
# klp-build.sh: kpatch-build side by side with the kernel's own livepatch
# builder, scripts/livepatch/klp-build (CONFIG_KLP_BUILD, Linux 6.19 and
# later), on the Linux 7.x x86_64 test kernel (lib/kernel.sh with
# KERNEL_SERIES=7; built first if the cache lacks it, not timed).
#
#   1. The one-function /proc patch (examples/proc-cmdline.patch) and a
#      multi-file one (the corpus's 019-chain2: fs/proc/cmdline.c and
#      fs/proc/version.c), each tool cold and warm: the time, the module's
#      size, and whether the module loads in a guest of the test kernel
#      (load, transition, disable, unload: sweep-guest.sh).
#        kpatch-build: fast path (-v the test kernel's vmlinux); cold with
#          an empty object-tree cache, warm with the prepared tree reused.
#        klp-build: run in a copy of the test kernel's source configured
#          with its .config (klp-build builds in the tree it runs from);
#          cold is its plain run (it cleans the tree and builds the whole
#          kernel, then the patched objects), warm is its own reuse of a
#          kept original build (--keep-tmp, then --short-circuit=2).
#   2. The corpus (test/integration/patches with patches-7/ where 7.x
#      differs, as t0215 runs it: corpus_names) through both, warm: which patches each
#      builds and which it refuses or fails on, with the first line of why,
#      and whether each module built loads in a guest.
#
# Figures are printed, not asserted.  Work directory: $KPNG_KLP_BENCH_DIR
# (default /tmp/kpng-klp-bench), emptied first; it holds the tree copy
# (about 2 GB once built), every log and module, and summary.txt (what is
# printed).  Long: two whole-kernel builds by klp-build (its cold runs),
# then a patched build per patch.
# shellcheck source-path=SCRIPTDIR
set -o errexit -o errtrace -o nounset -o pipefail

# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
# shellcheck disable=SC2034 # read by lib/kernel.sh
KERNEL_SERIES=7
# shellcheck source=../integration/lib/initramfs.sh
. "$lib/initramfs.sh"
# shellcheck source=../integration/lib/vm.sh
. "$lib/vm.sh"
# shellcheck source=../integration/lib/kpatch-build.sh
. "$lib/kpatch-build.sh"
bench_strict_mode
trap 'vm_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

OUT=${KPNG_KLP_BENCH_DIR:-/tmp/kpng-klp-bench}
kpb_bin=$here/../../kpatch-build/kpatch-build
one=$here/../../examples/proc-cmdline.patch
# shellcheck disable=SC2034 # for lib/kpatch-build.sh's corpus_file
PATCHES_OVERRIDE=$lib/../patches-7
multi=$(corpus_file 019-chain2 patch)
JOBS=$(nproc)

arch_setup x86_64
kernel_ensure
[ -x "$KERNEL_SRC/scripts/livepatch/klp-build" ] ||
	die "$KERNEL_PACKAGE $KERNEL_PKGVER has no scripts/livepatch/klp-build"

rm -rf "$OUT"
mkdir -p "$OUT"/{kpb,klp,logs,guest}
OUT=$(realpath "$OUT")
tree=$OUT/tree
T0=$(now)

# The tree klp-build runs in: a copy of the pristine source (klp-build
# patches, builds and cleans it in place), configured as the test kernel.
t=$(now)
cp -a "$KERNEL_SRC" "$tree"
cp "$KERNEL_BUILD/.config" "$tree/.config"
(cd "$tree" && make -s olddefconfig "${KERNEL_BUILD_IDENTITY[@]}") >"$OUT/logs/tree.log" 2>&1
# (Its first comment names ARCH: klp-build's make runs without ARCH=, so
# "x86" instead of "x86_64"; the options must be the same.)
diff <(grep -v '^# Linux/' "$KERNEL_BUILD/.config") <(grep -v '^# Linux/' "$tree/.config") \
	>"$OUT/logs/config.diff" ||
	die "olddefconfig changed the test kernel's .config in $tree: $OUT/logs/config.diff"
status "klp-build bench: $KERNEL_PACKAGE $KERNEL_PKGVER tree copied and configured in $(elapsed "$t"); work in $OUT"

# size FILE: its size in KB, or "-".
size() {
	if [ -f "$1" ]; then
		echo "$(( ($(stat -c %s "$1") + 1023) / 1024 )) KB"
	else
		echo -
	fi
}

# first_error LOG: the first line of LOG saying why a build stopped.
first_error() {
	grep -E -m 1 'error|refused|cannot|not supported|unsupported|no changes' "$1" |
		sed -e 's/\x1b\[[0-9;]*m//g' | cut -c1-150 || echo "(see $1)"
}

# kpb_run NAME LABEL CACHE PATCH: kpatch-build's fast path; sets RC, SECS.
kpb_run() {
	local name=$1 label=$2 cache=$3 patch=$4 t
	mkdir -p "$OUT/kpb/$name"
	t=$(now)
	RC=0
	KPATCH_NG_CACHE=$cache "$kpb_bin" -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" \
		-v "$KERNEL_BUILD/vmlinux" -j "$JOBS" -n "$name" -o "$OUT/kpb/$name" "$patch" \
		>"$OUT/logs/kpb-$name-$label.log" 2>&1 </dev/null || RC=$?
	SECS=$(elapsed "$t")
}

# klp_run NAME LABEL PATCH ARGS...: klp-build in the tree; sets RC, SECS.
klp_run() {
	local name=$1 label=$2 patch=$3 t
	shift 3
	t=$(now)
	RC=0
	(cd "$tree" && ./scripts/livepatch/klp-build -j "$JOBS" \
		-o "$OUT/klp/livepatch-$name.ko" "$@" "$patch") \
		>"$OUT/logs/klp-$name-$label.log" 2>&1 </dev/null || RC=$?
	SECS=$(elapsed "$t")
}

# row TOOL NAME LABEL MODULE LOG: a line of the timing table.
row() {
	local result=ok
	[ "$RC" -eq 0 ] || result="exit $RC: $(first_error "$5")"
	printf '%-13s %-18s %-5s %9s %8s  %s\n' "$1" "$2" "$3" "$SECS" "$(size "$4")" "$result" |
		tee -a "$OUT/times.txt"
}

# --- 1. one-function and multi-file patches, cold and warm ---------------------
: >"$OUT/times.txt"
echo "kpatch-build and klp-build, $KERNEL_PACKAGE $KERNEL_PKGVER x86_64 test kernel, $JOBS CPUs" |
	tee "$OUT/summary.txt"
printf '%-13s %-18s %-5s %9s %8s  %s\n' tool patch run time module result | tee -a "$OUT/times.txt"
for p in "one:$one" "multi:$multi"; do
	label=${p%%:*}
	patch=${p#*:}
	name=kpb-$label
	kpb_run "$name" cold "$OUT/kpb-cache-$label" "$patch"
	row kpatch-build "$label (${patch##*/})" cold "$OUT/kpb/$name/livepatch-$name.ko" \
		"$OUT/logs/kpb-$name-cold.log"
	kpb_run "$name" warm "$OUT/kpb-cache-$label" "$patch"
	row kpatch-build "$label" warm "$OUT/kpb/$name/livepatch-$name.ko" \
		"$OUT/logs/kpb-$name-warm.log"
	name=klp-$label
	klp_run "$name" cold "$patch" --keep-tmp
	row klp-build "$label" cold "$OUT/klp/livepatch-$name.ko" "$OUT/logs/klp-$name-cold.log"
	klp_run "$name" warm "$patch" --keep-tmp --short-circuit=2
	row klp-build "$label" warm "$OUT/klp/livepatch-$name.ko" "$OUT/logs/klp-$name-warm.log"
done

# --- 2. the corpus through both, warm --------------------------------------------
: >"$OUT/corpus.txt"
while read -r what name _; do
	[ "$what" = run ] || continue
	patch=$(corpus_file "$name" patch)
	want=builds
	[ ! -f "$(corpus_file "$name" refusal)" ] || want=refusal
	kpb_run "kpb-$name" warm "$OUT/kpb-cache-one" "$patch"
	kres=built
	[ "$RC" -eq 0 ] || kres="exit $RC: $(first_error "$OUT/logs/kpb-kpb-$name-warm.log")"
	klp_run "klp-$name" warm "$patch" --keep-tmp --short-circuit=2
	lres=built
	[ "$RC" -eq 0 ] || lres="exit $RC: $(first_error "$OUT/logs/klp-klp-$name-warm.log")"
	printf '%s\t%s\t%s\t%s\n' "$name" "$want" "$kres" "$lres" >>"$OUT/corpus.txt"
	status "klp-build bench: $name: kpatch-build $kres; klp-build $lres"
done < <(corpus_names)

# --- loads: every module built, in one guest of the test kernel ------------------
# sweep-guest.sh's list: NAME KLP_NAME MODULE... --; the test modules the
# corpus patches are loaded first (a line's insmod of one already loaded
# only notes it).
list=$OUT/guest/list
root=$OUT/guest/root
: >"$list"
initramfs_new "$root"
for m in fs/binfmt_misc.ko kernel/configs.ko; do
	initramfs_add "$root" "$KERNEL_BUILD/$m" "/lib/modules/${m##*/}"
done
for ko in "$OUT"/kpb/*/livepatch-*.ko "$OUT"/klp/livepatch-*.ko; do
	[ -f "$ko" ] || continue
	name=${ko##*/livepatch-}
	name=${name%.ko}
	initramfs_add "$root" "$ko" "/lib/modules/lp/livepatch-$name.ko"
	klp=livepatch-$name
	echo "$name ${klp//-/_} /lib/modules/binfmt_misc.ko /lib/modules/configs.ko --" >>"$list"
done
initramfs_add "$root" "$list" /lib/kpng/sweep.list
initramfs_add "$root" "$here/sweep-guest.sh" /test.sh 0755
initramfs_env "$root" KPNG_CMDLINE "$(vm_cmdline)"
initramfs_pack "$root" "$OUT/guest/initrd.gz"
t=$(now)
# shellcheck disable=SC2034 # for lib/vm.sh
VM_TIMEOUT=${KPNG_VM_TIMEOUT:-900}
vm_run "$OUT/guest/console.log" "$OUT/guest/initrd.gz" 2>"$OUT/guest/vm.err" || true
status "klp-build bench: guest: $(elapsed "$t"), $(wc -l <"$list") modules"

# loaded NAME: how the guest's cycle of livepatch-NAME.ko went.
loaded() {
	local r
	r=$(sed -n "s/^KPNG-SWEEP: $1 //p" "$OUT/guest/console.log" | head -n 1 | tr -d '\r')
	[ -f "$OUT/kpb/$1/livepatch-$1.ko" ] || [ -f "$OUT/klp/livepatch-$1.ko" ] || r=-
	echo "${r:-no result (console $OUT/guest/console.log)}" | cut -c1-100
}

{
	echo
	echo "one: ${one##*/}; multi: ${multi##*/} (two files); cold/warm as test/bench/klp-build.sh says"
	cat "$OUT/times.txt"
	echo
	echo "loads in the guest (load, transition, disable, unload):"
	for n in one multi; do
		printf '  %-10s kpatch-build: %-24s klp-build: %s\n' "$n" "$(loaded "kpb-$n")" "$(loaded "klp-$n")"
	done
	echo
	echo "the corpus, warm (what each tool did; its module in the guest):"
	while IFS=$'\t' read -r name want kres lres; do
		echo "  $name (expected: $want)"
		[ "$kres" != built ] || kres="built; $(loaded "kpb-$name")"
		[ "$lres" != built ] || lres="built; $(loaded "klp-$name")"
		echo "    kpatch-build: $kres"
		echo "    klp-build:    $lres"
	done <"$OUT/corpus.txt"
	printf 'corpus: kpatch-build built %d, refused %d; klp-build built %d, failed %d\n' \
		"$(awk -F'\t' '$3 == "built"' "$OUT/corpus.txt" | wc -l)" \
		"$(awk -F'\t' '$3 != "built"' "$OUT/corpus.txt" | wc -l)" \
		"$(awk -F'\t' '$4 == "built"' "$OUT/corpus.txt" | wc -l)" \
		"$(awk -F'\t' '$4 != "built"' "$OUT/corpus.txt" | wc -l)"
	echo "total $(elapsed "$T0"); logs in $OUT/logs"
} | tee -a "$OUT/summary.txt"
