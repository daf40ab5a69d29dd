# shellcheck shell=sh
# 007-syscall-newuname on Debian's kernel: patches/007-syscall-newuname.guest.sh
# with the version field's size taken into account.  The patch appends
# " kpng-livepatch" with strscpy() into the 65-byte version field of
# struct new_utsname (64 characters and the NUL); the test kernel's
# version string is short enough for all of it, Debian's ("#1 SMP
# PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)", 62 characters)
# is not: `uname -v` is the first 64 characters of version + suffix.
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		uname -v >/dev/null
	done
}

# p007_check WHAT SUFFIX: uname -v is /proc/sys/kernel/version + SUFFIX,
# cut to 64 characters; uname -r is /proc/sys/kernel/osrelease.
p007_check() {
	assert_eq "$1: uname -v" "$(printf '%.64s' "$(cat /proc/sys/kernel/version)$2")" "$(uname -v)"
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
