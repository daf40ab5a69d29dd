# shellcheck shell=sh
# 105-shared-global: /proc/cmdline reads the command line and
# " kpng-shared N" while the patch is on, N counting the reads since it
# was loaded (kpng_shared_reads, fs/proc/version.c's new variable, written
# by fs/proc/cmdline.c).  Stage functions for the guest driver
# (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

before_load() {
	assert_file "before loading: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE"
}

after_load() {
	assert_file "while patched: /proc/cmdline, first read" /proc/cmdline "$KPNG_CMDLINE kpng-shared 1"
	assert_file "while patched: /proc/cmdline, second read" /proc/cmdline "$KPNG_CMDLINE kpng-shared 2"
}

after_disable() {
	assert_file "after disabling: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE"
}

after_unload() {
	assert_file "after unloading: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE"
}
