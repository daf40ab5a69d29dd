# shellcheck shell=sh
# 009-jump-label: /sys/devices/system/cpu/smt/active reads "0" (no SMT
# siblings under qemu -smp N: N cores of one thread each, so the static key
# sched_smt_present is off) and "0 kpng-livepatch" from the patched
# active_show(), whose own jump label must follow the key.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p009_file=/sys/devices/system/cpu/smt/active

workload() {
	while :; do
		cat "$p009_file" >/dev/null
	done
}

before_load() {
	assert_file "smt/active before loading" "$p009_file" 0
}

after_load() {
	assert_file "smt/active while patched" "$p009_file" "0 kpng-livepatch"
}

after_disable() {
	assert_file "smt/active after disabling" "$p009_file" 0
}

after_unload() {
	assert_file "smt/active after unloading" "$p009_file" 0
}
