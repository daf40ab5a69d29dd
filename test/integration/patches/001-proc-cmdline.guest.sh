# shellcheck shell=sh
# 001-proc-cmdline: /proc/cmdline is the boot command line ($KPNG_CMDLINE,
# set by the bench) followed by " kpng-livepatch" while the patch is on.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		cat /proc/cmdline >/dev/null
	done
}

before_load() {
	assert_file "/proc/cmdline before loading" /proc/cmdline "$KPNG_CMDLINE"
}

after_load() {
	assert_file "/proc/cmdline while patched" /proc/cmdline \
		"$KPNG_CMDLINE kpng-livepatch"
}

after_disable() {
	assert_file "/proc/cmdline after disabling" /proc/cmdline "$KPNG_CMDLINE"
}

after_unload() {
	assert_file "/proc/cmdline after unloading" /proc/cmdline "$KPNG_CMDLINE"
}
