# shellcheck shell=sh
# 007-syscall-newuname: `uname -v` (the uname system call) is the kernel
# version string followed by " kpng-livepatch" while the patch is on;
# /proc/sys/kernel/version (the sysctl, not the system call) never changes.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		uname -v >/dev/null
	done
}

# p007_check WHAT SUFFIX: uname -v is /proc/sys/kernel/version + SUFFIX,
# uname -r is /proc/sys/kernel/osrelease.
p007_check() {
	assert_eq "$1: uname -v" "$(cat /proc/sys/kernel/version)$2" "$(uname -v)"
	assert_eq "$1: uname -r" "$(cat /proc/sys/kernel/osrelease)" "$(uname -r)"
}

before_load() {
	p007_check "before loading" ""
}

after_load() {
	p007_check "while patched" " kpng-livepatch"
}

after_disable() {
	p007_check "after disabling" ""
}

after_unload() {
	p007_check "after unloading" ""
}
