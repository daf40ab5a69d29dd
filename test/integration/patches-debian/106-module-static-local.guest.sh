# shellcheck shell=sh
# 106-module-static-local: with Debian's xfs.ko loaded (and libcrc32c.ko,
# its dependency), the last line of /sys/fs/xfs/stats/stats is
# "kpng extent_alloc 25" while the patch is on, "debug 0" otherwise.  The
# modules are $KPNG_MODULES/libcrc32c.ko and xfs.ko (default
# /lib/modules).  Stage functions for the guest driver
# (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

p106_stats=/sys/fs/xfs/stats/stats

p106_last() {
	tail -n 1 "$p106_stats"
}

setup() {
	run "insmod libcrc32c" insmod "${KPNG_MODULES:-/lib/modules}/libcrc32c.ko"
	run "insmod xfs" insmod "${KPNG_MODULES:-/lib/modules}/xfs.ko"
	assert_exists "$p106_stats"
}

before_load() {
	assert_eq "before loading: the last line of $p106_stats" "debug 0" "$(p106_last)"
}

after_load() {
	assert_eq "while patched: the last line of $p106_stats" "kpng extent_alloc 25" "$(p106_last)"
}

after_disable() {
	assert_eq "after disabling: the last line of $p106_stats" "debug 0" "$(p106_last)"
}

after_unload() {
	assert_eq "after unloading: the last line of $p106_stats" "debug 0" "$(p106_last)"
}
