# shellcheck shell=sh
# 024-kpatch-syscall: `uname -r` (the uname system call) is the kernel
# release followed by "-kpng-kpatch" while the patch is on;
# /proc/sys/kernel/osrelease (the sysctl) never changes.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		uname -r >/dev/null
	done
}

# p024_check WHAT SUFFIX: uname -r is /proc/sys/kernel/osrelease + SUFFIX.
p024_check() {
	assert_eq "$1: uname -r" "$(cat /proc/sys/kernel/osrelease)$2" "$(uname -r)"
}

before_load() {
	p024_check "before loading" ""
}

after_load() {
	p024_check "while patched" "-kpng-kpatch"
}

after_disable() {
	p024_check "after disabling" ""
}

after_unload() {
	p024_check "after unloading" ""
}
