# shellcheck shell=sh
# t0390-triage: the module kpatch-triage built for fs/proc/cmdline.c of
# update.patch: /proc/cmdline is the boot command line ($KPNG_CMDLINE)
# followed by " kpng-triage" while the patch is on.  Stage functions for
# guest/patch-cycle.sh (test/integration/patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

before_load() {
	assert_file "/proc/cmdline before loading" /proc/cmdline "$KPNG_CMDLINE"
}

after_load() {
	assert_file "/proc/cmdline while patched" /proc/cmdline "$KPNG_CMDLINE kpng-triage"
}

after_disable() {
	assert_file "/proc/cmdline after disabling" /proc/cmdline "$KPNG_CMDLINE"
}

after_unload() {
	assert_file "/proc/cmdline after unloading" /proc/cmdline "$KPNG_CMDLINE"
}
