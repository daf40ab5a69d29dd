# shellcheck shell=sh
# 022-kpatch-ignore-function: /sys/devices/system/cpu/smt/control (a state
# name: "notsupported" under qemu) is followed by " kpng-livepatch" while
# the patch is on; smt/active, whose change the patch ignores
# (KPATCH_IGNORE_FUNCTION), reads "0" throughout.
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p022_smt=/sys/devices/system/cpu/smt

# p022_check WHAT SUFFIX: control is its state followed by SUFFIX; active is 0.
p022_check() {
	assert_file "$1: smt/control" "$p022_smt/control" "$(cat /tmp/kpng-022/control)$2"
	assert_file "$1: smt/active (ignored)" "$p022_smt/active" 0
}

workload() {
	while :; do
		cat "$p022_smt/control" "$p022_smt/active" >/dev/null
	done
}

setup() {
	mkdir -p /tmp/kpng-022
	cat "$p022_smt/control" >/tmp/kpng-022/control
	case $(cat /tmp/kpng-022/control) in
	on | off | forceoff | notsupported | notimplemented)
		ok "smt/control is a state name: $(cat /tmp/kpng-022/control)" ;;
	*) fail "smt/control is not a state name: $(cat /tmp/kpng-022/control)" ;;
	esac
}

before_load() {
	p022_check "before loading" ""
}

after_load() {
	p022_check "while patched" " kpng-livepatch"
}

after_disable() {
	p022_check "after disabling" ""
}

after_unload() {
	p022_check "after unloading" ""
}
