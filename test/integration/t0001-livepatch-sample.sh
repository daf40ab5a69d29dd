#!/usr/bin/env bash
# t0001-livepatch-sample: the kernel's own samples/livepatch/livepatch-sample.c,
# built out of tree against the test kernel, makes /proc/cmdline read
# "this has been live patched" in the guest; disabling it brings the
# original command line back and the module unloads without a trace.
# `check` calls the functions below, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source-path=SCRIPTDIR source=lib/test-lib.sh
. "$(dirname "$0")/lib/test-lib.sh"

sample=$SCRATCH/sample

build_sample() {
	local release vermagic
	[ "$(kernel_config_value "$KERNEL_BUILD/.config" CONFIG_LIVEPATCH)" = y ] ||
		die "the $ARCH_NAME test kernel has no CONFIG_LIVEPATCH (see config/$ARCH_NAME.config): nothing here can load a livepatch"
	kernel_build_module "$sample" "$KERNEL_SRC/samples/livepatch/livepatch-sample.c"
	[ -f "$sample/livepatch-sample.ko" ] || die "no $sample/livepatch-sample.ko"
	[ "$(modinfo -F livepatch "$sample/livepatch-sample.ko")" = Y ] ||
		die "livepatch-sample.ko lacks the livepatch=Y modinfo tag"
	release=$(cat "$KERNEL_BUILD/include/config/kernel.release")
	vermagic=$(modinfo -F vermagic "$sample/livepatch-sample.ko")
	[ "${vermagic%% *}" = "$release" ] ||
		die "vermagic '$vermagic' is not for the test kernel's release '$release'"
}

# Every build uses O=: the shared source tree must stay pristine.
source_is_pristine() {
	local stray
	[ ! -e "$KERNEL_SRC/.config" ] || die "$KERNEL_SRC/.config exists"
	stray=$(find "$KERNEL_SRC" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -print -quit)
	[ -z "$stray" ] || die "build output in the source tree: $stray"
}

boot_sample() {
	guest_new
	guest_add "$sample/livepatch-sample.ko" /lib/modules/livepatch-sample.ko
	guest_env KLP_MODULE /lib/modules/livepatch-sample.ko
	guest_env KLP_NAME livepatch_sample
	guest_env KLP_EXPECT_BEFORE "$(vm_cmdline)"
	guest_env KLP_EXPECT_PATCHED 'this has been live patched'
	# TAINT_LIVEPATCH (K, 1 << 15) + TAINT_OOT_MODULE (O, 1 << 12)
	guest_env KLP_EXPECT_TAINTED $(((1 << 15) | (1 << 12)))
	guest_boot "$BENCH_ROOT/guest/livepatch-cycle.sh"
}

check 'livepatch-sample.ko builds out of tree against the test kernel' build_sample
check 'the shared kernel source tree is still pristine' source_is_pristine
check 'the guest patches /proc/cmdline, disables, unloads' boot_sample
test_done
