# shellcheck shell=sh
# 004-split-part: /proc/PID/maps and smaps name the initial stack
# "[stack:kpng-livepatch]" instead of "[stack]" while the patch is on (the
# string is in get_vma_name.part.0).  awk reads its own maps.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		cat /proc/self/maps >/dev/null
	done
}

# p004_check WHAT NAME: the stack's name in maps and in smaps is NAME.
p004_check() {
	assert_eq "$1: the stack in /proc/self/maps" "$2" \
		"$(awk '$NF ~ /^\[stack/ { print $NF }' /proc/self/maps)"
	assert_eq "$1: the stack in /proc/self/smaps" "$2" \
		"$(awk '$NF ~ /^\[stack/ { print $NF }' /proc/self/smaps)"
}

before_load() {
	p004_check "before loading" "[stack]"
}

after_load() {
	p004_check "while patched" "[stack:kpng-livepatch]"
}

after_disable() {
	p004_check "after disabling" "[stack]"
}

after_unload() {
	p004_check "after unloading" "[stack]"
}
