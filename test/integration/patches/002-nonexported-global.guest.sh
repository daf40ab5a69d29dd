# shellcheck shell=sh
# 002-nonexported-global: /proc/version gets a second line,
# "kpng-livepatch pid_max=N", N read live from pid_max (not exported): it
# follows writes to /proc/sys/kernel/pid_max.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p002_dir=/tmp/kpng-002

workload() {
	while :; do
		cat /proc/version >/dev/null
	done
}

before_load() {
	mkdir -p "$p002_dir"
	cat /proc/version >"$p002_dir/version"
	cat /proc/sys/kernel/pid_max >"$p002_dir/pid_max"
	assert_eq "/proc/version has one line" 1 "$(wc -l <"$p002_dir/version")"
	case $(cat "$p002_dir/version") in
	"Linux version $(cat /proc/sys/kernel/osrelease) ("*) ok "/proc/version is the banner" ;;
	*) fail "/proc/version does not start with 'Linux version <release> (': $(cat "$p002_dir/version")" ;;
	esac
}

after_load() {
	old=$(cat "$p002_dir/pid_max")
	assert_file "/proc/version while patched" /proc/version \
		"$(cat "$p002_dir/version")
kpng-livepatch pid_max=$old"
	echo 4321 >/proc/sys/kernel/pid_max
	assert_file "/proc/version follows a write to pid_max" /proc/version \
		"$(cat "$p002_dir/version")
kpng-livepatch pid_max=4321"
	echo "$old" >/proc/sys/kernel/pid_max
	assert_file "pid_max is back" /proc/sys/kernel/pid_max "$old"
}

after_disable() {
	assert_file "/proc/version after disabling" /proc/version "$(cat "$p002_dir/version")"
}

after_unload() {
	assert_file "/proc/version after unloading" /proc/version "$(cat "$p002_dir/version")"
}
