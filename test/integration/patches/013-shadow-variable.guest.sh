# shellcheck shell=sh
# 013-shadow-variable: /proc/uptime gets a second line
# "kpng-livepatch shadow reads: N" while the patch is on, N from a shadow
# variable attached to the file's proc_dir_entry: 1, 2, 3, then the shadow
# variable is freed and the next read starts again at 1.  Six reads leave
# it freed.  No workload: it would advance the counter.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

# p013_read WHAT SECOND: read /proc/uptime once; its first line is an
# uptime, the rest is SECOND (a line, or nothing).
p013_read() {
	p013_up=$(cat /proc/uptime)
	case $(echo "$p013_up" | head -n 1) in
	[0-9]*.[0-9][0-9]" "[0-9]*.[0-9][0-9]) ok "$1: the first line of /proc/uptime is an uptime" ;;
	*) fail "$1: the first line of /proc/uptime is not an uptime: $p013_up" ;;
	esac
	assert_eq "$1: /proc/uptime after its first line" "$2" \
		"$(echo "$p013_up" | tail -n +2)"
}

before_load() {
	p013_read "before loading" ""
}

after_load() {
	for p013_n in 1 2 3 1 2 3; do
		p013_read "while patched" "kpng-livepatch shadow reads: $p013_n"
	done
}

after_disable() {
	p013_read "after disabling" ""
}

after_unload() {
	p013_read "after unloading" ""
}
