# shellcheck shell=sh
# 018-chain1: /proc/cmdline is the boot command line ($KPNG_CMDLINE)
# followed by " kpng-livepatch-chain" while the patch is on; /proc/version
# is untouched (019-chain2 adds a line there).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p018_dir=/tmp/kpng-018

workload() {
	while :; do
		cat /proc/cmdline >/dev/null
	done
}

# p018_check WHAT SUFFIX: /proc/cmdline ends with SUFFIX, /proc/version is
# as before loading.
p018_check() {
	assert_file "$1: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE$2"
	assert_file "$1: /proc/version" /proc/version "$(cat "$p018_dir/version")"
}

before_load() {
	mkdir -p "$p018_dir"
	cat /proc/version >"$p018_dir/version"
	assert_eq "/proc/version has one line" 1 "$(wc -l <"$p018_dir/version")"
	p018_check "before loading" ""
}

after_load() {
	p018_check "while patched" " kpng-livepatch-chain"
}

after_disable() {
	p018_check "after disabling" ""
}

after_unload() {
	p018_check "after unloading" ""
}
