# shellcheck shell=sh
# 103-meminfo-line: /proc/meminfo's last line is "Kpng:           livepatched"
# while the patch is on; a workload reads the file through both
# transitions.  Stage functions for the guest driver (patches/README.md).
# shellcheck disable=SC2317 # the driver calls the functions

workload() {
	while :; do
		cat /proc/meminfo >/dev/null
	done
}

p103_last() {
	tail -n 1 /proc/meminfo
}

before_load() {
	case $(p103_last) in
	Kpng:*) fail "before loading: /proc/meminfo already ends with a Kpng: line" ;;
	esac
	ok "before loading: /proc/meminfo ends with $(p103_last | cut -d: -f1)"
}

after_load() {
	assert_eq "while patched: the last line of /proc/meminfo" "Kpng:           livepatched" "$(p103_last)"
}

after_disable() {
	before_load
}

after_unload() {
	before_load
}
