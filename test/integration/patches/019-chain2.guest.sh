# shellcheck shell=sh
# 019-chain2: a superset of 018-chain1.  While the patch is on,
# /proc/cmdline is the boot command line ($KPNG_CMDLINE) followed by
# " kpng-livepatch-chain" (as with chain1) and /proc/version has a second
# line, "kpng-livepatch-chain2".
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p019_dir=/tmp/kpng-019

workload() {
	while :; do
		cat /proc/cmdline /proc/version >/dev/null
	done
}

# p019_check WHAT CMDLINE_SUFFIX VERSION_LINE: /proc/cmdline ends with
# CMDLINE_SUFFIX; /proc/version is as before loading, plus VERSION_LINE
# when it is not empty.
p019_check() {
	assert_file "$1: /proc/cmdline" /proc/cmdline "$KPNG_CMDLINE$2"
	if [ -n "$3" ]; then
		assert_file "$1: /proc/version" /proc/version "$(cat "$p019_dir/version")
$3"
	else
		assert_file "$1: /proc/version" /proc/version "$(cat "$p019_dir/version")"
	fi
}

before_load() {
	mkdir -p "$p019_dir"
	cat /proc/version >"$p019_dir/version"
	assert_eq "/proc/version has one line" 1 "$(wc -l <"$p019_dir/version")"
	p019_check "before loading" "" ""
}

after_load() {
	p019_check "while patched" " kpng-livepatch-chain" "kpng-livepatch-chain2"
}

after_disable() {
	p019_check "after disabling" "" ""
}

after_unload() {
	p019_check "after unloading" "" ""
}
