# shellcheck shell=sh
# 012-callbacks: the livepatch's callbacks log
# "kpng-livepatch callback: STAGE OBJECT" for vmlinux when it is loaded
# (pre-patch, post-patch) and disabled (pre-unpatch, post-unpatch), and for
# binfmt_misc when that module is loaded and removed while the livepatch is
# on.  The second line of /proc/loadavg and binfmt_misc's status file show
# the last stage of their object.  binfmt_misc is
# $KPNG_MODULES/binfmt_misc.ko (default /lib/modules).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p012_ko=${KPNG_MODULES:-/lib/modules}/binfmt_misc.ko
p012_dir=/tmp/kpng-012
p012_mnt=/tmp/kpng-012/binfmt

# p012_mark: remember where the kernel log ends.
p012_mark() {
	mkdir -p "$p012_dir"
	dmesg | wc -l >"$p012_dir/mark"
}

# p012_callbacks: the callback lines logged since p012_mark, "STAGE OBJECT"
# each; then mark again.
p012_callbacks() {
	dmesg | tail -n +$(($(cat "$p012_dir/mark") + 1)) |
		sed -n 's/.*kpng-livepatch callback: //p'
	p012_mark
}

# p012_loadavg LINES: /proc/loadavg has the usual first line, then LINES.
p012_loadavg() {
	p012_avg=$(cat /proc/loadavg)
	case $(echo "$p012_avg" | head -n 1) in
	*.*" "*.*" "*.*" "*/*" "*) ok "the first line of /proc/loadavg is a load average" ;;
	*) fail "the first line of /proc/loadavg is not a load average: $p012_avg" ;;
	esac
	assert_eq "/proc/loadavg after its first line" "$1" \
		"$(echo "$p012_avg" | tail -n +2)"
}

# p012_binfmt_up / p012_binfmt_down: load and mount binfmt_misc, and back.
p012_binfmt_up() {
	run "insmod binfmt_misc" insmod "$p012_ko"
	mkdir -p "$p012_mnt"
	run "mount binfmt_misc" mount -t binfmt_misc binfmt_misc "$p012_mnt"
}
p012_binfmt_down() {
	run "umount binfmt_misc" umount "$p012_mnt"
	run "rmmod binfmt_misc" rmmod binfmt_misc
}

workload() {
	while :; do
		cat /proc/loadavg >/dev/null
	done
}

setup() {
	p012_mark
}

before_load() {
	assert_eq "no callback ran before loading" "" "$(p012_callbacks)"
	p012_loadavg ""
}

after_load() {
	assert_eq "vmlinux callbacks on loading" "pre-patch vmlinux
post-patch vmlinux" "$(p012_callbacks)"
	p012_loadavg "kpng-livepatch callbacks: post-patch"
	p012_binfmt_up
	assert_eq "binfmt_misc callbacks when it loads" "pre-patch binfmt_misc
post-patch binfmt_misc" "$(p012_callbacks)"
	assert_file "binfmt_misc status while patched" "$p012_mnt/status" \
		"enabled kpng-livepatch callbacks: post-patch"
	p012_binfmt_down
	assert_eq "binfmt_misc callbacks when it is removed" "pre-unpatch binfmt_misc
post-unpatch binfmt_misc" "$(p012_callbacks)"
}

after_disable() {
	assert_eq "vmlinux callbacks on disabling" "pre-unpatch vmlinux
post-unpatch vmlinux" "$(p012_callbacks)"
	p012_loadavg ""
}

after_unload() {
	assert_eq "no callback ran on unloading" "" "$(p012_callbacks)"
	p012_loadavg ""
	p012_binfmt_up
	assert_file "binfmt_misc status after unloading" "$p012_mnt/status" enabled
	p012_binfmt_down
	assert_eq "no callback for binfmt_misc after unloading" "" "$(p012_callbacks)"
}
