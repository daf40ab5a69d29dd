# shellcheck shell=sh
# 006-new-global: the first line of /proc/devices counts reads in a new
# global variable that starts at 100: "Character devices (kpng-livepatch
# read 101):" on the first read after loading, 102 on the next...  The
# other lines are unchanged.  No workload: it would advance the counter.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p006_dir=/tmp/kpng-006

before_load() {
	mkdir -p "$p006_dir"
	cat /proc/devices >"$p006_dir/before"
	assert_eq "the first line of /proc/devices" "Character devices:" \
		"$(head -n 1 "$p006_dir/before")"
}

after_load() {
	for p006_n in 101 102 103; do
		assert_file "/proc/devices while patched (read $p006_n)" /proc/devices \
			"Character devices (kpng-livepatch read $p006_n):
$(tail -n +2 "$p006_dir/before")"
	done
}

after_disable() {
	assert_file "/proc/devices after disabling" /proc/devices "$(cat "$p006_dir/before")"
}

after_unload() {
	assert_file "/proc/devices after unloading" /proc/devices "$(cat "$p006_dir/before")"
}
