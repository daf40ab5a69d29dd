# shellcheck shell=sh
# 104-long-klp-name: /sys/kernel/mm/ksm/run reads "0 kpng-prune-ms=2000"
# while the patch is on (KSM not running; the prune interval's default),
# "0" otherwise.  Stage functions for the guest driver (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

p104_run=/sys/kernel/mm/ksm/run

before_load() {
	assert_file "before loading: $p104_run" "$p104_run" 0
}

after_load() {
	assert_file "while patched: $p104_run" "$p104_run" "0 kpng-prune-ms=2000"
}

after_disable() {
	assert_file "after disabling: $p104_run" "$p104_run" 0
}

after_unload() {
	assert_file "after unloading: $p104_run" "$p104_run" 0
}
