#!/usr/bin/env bash
# Demo: build a livepatch with kpatch-build, live-patch a VM with it and
# show /proc/cmdline before
# loading the patch, while it is loaded, and after disabling it.
#
# Stages, each with a progress line and its time on stderr:
#	1. the test kernel (built once, then cached; see
#	   test/integration/lib/kernel.sh)
#	2. the livepatch module: kpatch-build on examples/proc-cmdline.patch
#	   (the first run also builds kpatch-build's own object tree of the
#	   test kernel, about 3 to 5 minutes; later runs take about 20 s)
#	3. the initramfs, with test/integration/guest/livepatch-cycle.sh as
#	   the guest script (load, disable, unload any livepatch module)
#	4. the boot under qemu, then the three /proc/cmdline values
#
# Usage: scripts/demo.sh [ARCH]	(default: x86_64; arm64: the 7.x arm64
# test kernel, the livepatch cross-built, the guest under qemu-system-aarch64)
# Output files (module, initramfs, console log) are in
# ${KPNG_RESULTS:-/tmp/kpng-results/CHECKOUT}/demo/.
# shellcheck source-path=SCRIPTDIR/../test/integration
set -o errexit -o errtrace -o nounset -o pipefail

bench=$(cd "$(dirname "$0")/../test/integration" && pwd)
# shellcheck source=lib/common.sh
. "$bench/lib/common.sh"
# shellcheck source=lib/arch.sh
. "$bench/lib/arch.sh"
# shellcheck source=lib/debian.sh
. "$bench/lib/debian.sh"
# shellcheck source=lib/debian-apt.sh
. "$bench/lib/debian-apt.sh"
# shellcheck source=lib/source7.sh
. "$bench/lib/source7.sh"
# shellcheck source=lib/kernel.sh
. "$bench/lib/kernel.sh"
# shellcheck source=lib/initramfs.sh
. "$bench/lib/initramfs.sh"
# shellcheck source=lib/vm.sh
. "$bench/lib/vm.sh"
bench_strict_mode
trap 'kernel_stop; vm_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$#" -le 1 ] || die "usage: $0 [ARCH]"
arch_setup "${1:-x86_64}"
out=${KPNG_RESULTS:-$(bench_results_default)}/demo
t_all=$(now)

# stage LABEL: announce a stage and start its clock.
stage() {
	stage_label=$1
	stage_t0=$(now)
	status "[$stage_label] ..."
}

# stage_done: the stage's elapsed time.
stage_done() {
	status "[$stage_label] done in $(elapsed "$stage_t0")"
}

# boot_livepatch_cycle KO NAME [EXPECT_PATCHED]: boot a guest that loads
# the livepatch module KO (patch NAME), disables and unloads it, printing
# what /proc/cmdline reads at each stage; then show those three values.
# EXPECT_PATCHED, when given, is what /proc/cmdline must read while the
# patch is on.
boot_livepatch_cycle() {
	local ko=$1 name=$2 root=$out/initramfs initrd=$out/initrd.gz log=$out/console.log
	stage "initramfs"
	initramfs_new "$root"
	initramfs_add "$root" "$ko" "/lib/modules/${ko##*/}"
	initramfs_add "$root" "$bench/guest/livepatch-cycle.sh" /test.sh 0755
	initramfs_env "$root" KLP_MODULE "/lib/modules/${ko##*/}"
	initramfs_env "$root" KLP_NAME "$name"
	initramfs_env "$root" KLP_EXPECT_BEFORE "$(vm_cmdline)"
	[ "$#" -lt 3 ] || initramfs_env "$root" KLP_EXPECT_PATCHED "$3"
	initramfs_pack "$root" "$initrd"
	stage_done

	stage "boot"
	status "[boot] qemu ${ARCH_QEMU_ARGS[*]}, console log: $log"
	vm_run "$log" "$initrd" || die "the guest failed; console log: $log"
	stage_done

	echo
	echo "/proc/cmdline in the guest ($(kernel_release), patch $name):"
	demo_show "$log" "before loading"
	demo_show "$log" "after loading"
	demo_show "$log" "after disabling"
}

# demo_show LOG LABEL: the guest's "KPNG-SAY: LABEL: TEXT" line, as
# "  LABEL: TEXT".
demo_show() {
	local text
	text=$(sed -n -e "s/^KPNG-SAY: $2: //p" "$1")
	printf '  %-17s %s\n' "$2:" "$text"
}

kernel_release() {
	cat "$KERNEL_BUILD/include/config/kernel.release"
}

mkdir -p "$out"

stage "kernel"
kernel_ensure
status "[kernel] $KERNEL_DIR"
stage_done

stage "livepatch module"
status "[livepatch module] kpatch-build --arch $ARCH_NAME -s $KERNEL_SRC -c $KERNEL_BUILD/.config -v $KERNEL_BUILD/vmlinux examples/proc-cmdline.patch"
"$bench/../../kpatch-build/kpatch-build" --arch "$ARCH_NAME" -s "$KERNEL_SRC" -c "$KERNEL_BUILD/.config" \
	-v "$KERNEL_BUILD/vmlinux" -o "$out" "$bench/../../examples/proc-cmdline.patch" ||
	die "kpatch-build failed"
stage_done

boot_livepatch_cycle "$out/livepatch-proc-cmdline.ko" livepatch_proc_cmdline \
	"$(vm_cmdline) kpng_livepatch=1"

echo
status "demo finished in $(elapsed "$t_all")"
