# shellcheck shell=sh
# 025-percpu-counter: /sys/kernel/fscaps counts its reads per CPU in a new
# per-CPU variable.  With two CPUs, reads pinned alternately on CPU 0 and
# CPU 1 must each see their own CPU's count go up by one and the sum of
# both go up by one: "1 kpng-livepatch: cpu0 read 1, all cpus 1", "...
# cpu1 read 1, all cpus 2", "... cpu0 read 2, all cpus 3"...  If the
# variable were not per-CPU data of the module the first read would oops
# (%gs:-relative access to a plain address) or the counts would mix.  No
# workload: it would advance the counters.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

# p025_read CPU: /sys/kernel/fscaps read on CPU only.
p025_read() {
	taskset -c "$1" cat /sys/kernel/fscaps
}

before_load() {
	assert_eq "two CPUs online" "0-1" "$(cat /sys/devices/system/cpu/online)"
	p025_caps=$(cat /sys/kernel/fscaps)
	case $p025_caps in
	0 | 1) ok "/sys/kernel/fscaps reads $p025_caps" ;;
	*) fail "/sys/kernel/fscaps reads '$p025_caps', not 0 or 1" ;;
	esac
	assert_eq "/sys/kernel/fscaps pinned on CPU 1" "$p025_caps" "$(p025_read 1)"
}

after_load() {
	p025_all=0
	for p025_round in 1 2 3; do
		for p025_cpu in 0 1; do
			p025_all=$((p025_all + 1))
			assert_eq "/sys/kernel/fscaps on CPU $p025_cpu, round $p025_round" \
				"$p025_caps kpng-livepatch: cpu$p025_cpu read $p025_round, all cpus $p025_all" \
				"$(p025_read "$p025_cpu")"
		done
	done
	# Four more on CPU 1 alone: CPU 0's count stays.
	for p025_round in 4 5 6 7; do
		p025_all=$((p025_all + 1))
		assert_eq "/sys/kernel/fscaps on CPU 1, read $p025_round" \
			"$p025_caps kpng-livepatch: cpu1 read $p025_round, all cpus $p025_all" \
			"$(p025_read 1)"
	done
	p025_all=$((p025_all + 1))
	assert_eq "/sys/kernel/fscaps on CPU 0 again" \
		"$p025_caps kpng-livepatch: cpu0 read 4, all cpus $p025_all" "$(p025_read 0)"
}

after_disable() {
	assert_eq "/sys/kernel/fscaps after disabling (CPU 0)" "$p025_caps" "$(p025_read 0)"
	assert_eq "/sys/kernel/fscaps after disabling (CPU 1)" "$p025_caps" "$(p025_read 1)"
}

after_unload() {
	assert_file "/sys/kernel/fscaps after unloading" /sys/kernel/fscaps "$p025_caps"
}
