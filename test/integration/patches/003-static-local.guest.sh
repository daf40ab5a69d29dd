# shellcheck shell=sh
# 003-static-local: drop_caches_sysctl_handler() logs
# "COMM (PID): drop_caches: N" for each write to /proc/sys/vm/drop_caches
# until 4 is written (its static local `stfu`).  Patched, the line ends
# with " (kpng-livepatch call K)", K counted by a new static local.  The
# patched function sets the running kernel's stfu: once it has seen a 4,
# the original function stays silent too after the patch is disabled.
# The workload writes 0, which proc_dointvec_minmax() rejects inside the
# patched function before it counts or logs: the function is in use
# through both transitions without changing what the checks see.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

# p003_drop VALUE: write VALUE to /proc/sys/vm/drop_caches from a new
# shell; print the drop_caches lines that added to the kernel log, without
# timestamps and with that shell's pid replaced by PID.
p003_drop() {
	p003_lines=$(dmesg | wc -l)
	# shellcheck disable=SC2016 # $$ and $1 are the inner shell's
	p003_pid=$(sh -c 'echo $$; echo "$1" >/proc/sys/vm/drop_caches' sh "$1") ||
		fail "writing $1 to /proc/sys/vm/drop_caches failed"
	dmesg | tail -n +$((p003_lines + 1)) |
		sed -e 's/^\[[^]]*\] //' -e "s/^sh ($p003_pid): /sh (PID): /" |
		grep 'drop_caches' || true
}

workload() {
	while :; do
		echo 0 >/proc/sys/vm/drop_caches 2>/dev/null || true
	done
}

before_load() {
	assert_eq "drop_caches logs a write" "sh (PID): drop_caches: 2" "$(p003_drop 2)"
}

after_load() {
	assert_eq "patched: the first write is call 1" \
		"sh (PID): drop_caches: 1 (kpng-livepatch call 1)" "$(p003_drop 1)"
	assert_eq "patched: the second write is call 2" \
		"sh (PID): drop_caches: 2 (kpng-livepatch call 2)" "$(p003_drop 2)"
	assert_eq "patched: writing 4 is logged, then sets stfu" \
		"sh (PID): drop_caches: 4 (kpng-livepatch call 3)" "$(p003_drop 4)"
	assert_eq "patched: silent once stfu is set" "" "$(p003_drop 1)"
}

after_disable() {
	# The original function reads the stfu the patched one set.
	assert_eq "unpatched: still silent (stfu is shared)" "" "$(p003_drop 1)"
}

after_unload() {
	assert_eq "after unloading: still silent" "" "$(p003_drop 3)"
}
