# shellcheck shell=sh
# 131-schedstats-key: the patched proc_sched_show_task() prints whether
# the static key sched_schedstats is on, and follows it when
# /proc/sys/kernel/sched_schedstats flips it.
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p131_sysctl=/proc/sys/kernel/sched_schedstats

# p131_line: the kpng-livepatch line of /proc/self/sched, if any.
p131_line() {
	grep "kpng-livepatch" /proc/self/sched || :
}

workload() {
	while :; do
		cat /proc/self/sched >/dev/null
	done
}

before_load() {
	assert_file "schedstats off at boot" "$p131_sysctl" 0
	assert_eq "/proc/self/sched before loading" "" "$(p131_line)"
}

after_load() {
	assert_eq "/proc/self/sched while patched, key off" \
		"kpng-livepatch schedstats off" "$(p131_line)"
	echo 1 >"$p131_sysctl"
	assert_eq "/proc/self/sched while patched, key on" \
		"kpng-livepatch schedstats on" "$(p131_line)"
	echo 0 >"$p131_sysctl"
	assert_eq "/proc/self/sched while patched, key off again" \
		"kpng-livepatch schedstats off" "$(p131_line)"
}

after_disable() {
	assert_eq "/proc/self/sched after disabling" "" "$(p131_line)"
}

after_unload() {
	assert_eq "/proc/self/sched after unloading" "" "$(p131_line)"
}
