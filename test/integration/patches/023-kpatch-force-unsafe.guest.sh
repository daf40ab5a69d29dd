# shellcheck shell=sh
# 023-kpatch-force-unsafe: syslog(SYSLOG_ACTION_CONSOLE_ON) with no
# console level saved leaves the level alone, except the first time while
# the patch is on: the livepatch's own saved_console_loglevel starts at 7,
# so the console level (the first field of /proc/sys/kernel/printk, 1 as
# /init left it) becomes 7, once.  The program is
# 023-kpatch-force-unsafe.prog.c built with `gcc -static`, at $KPNG_PROG
# (default /lib/kpng/023-kpatch-force-unsafe.prog).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p023_prog=${KPNG_PROG:-/lib/kpng/023-kpatch-force-unsafe.prog}

# p023_on WHAT LEVEL: after CONSOLE_ON the console level is LEVEL.
p023_on() {
	run "$1: syslog(SYSLOG_ACTION_CONSOLE_ON)" "$p023_prog"
	assert_eq "$1: the console level" "$2" "$(cut -f 1 /proc/sys/kernel/printk)"
}

setup() {
	mkdir -p /tmp/kpng-023
	cut -f 1 /proc/sys/kernel/printk >/tmp/kpng-023/level
}

before_load() {
	p023_on "before loading" "$(cat /tmp/kpng-023/level)"
}

after_load() {
	p023_on "while patched, first" 7
	run "dmesg -n $(cat /tmp/kpng-023/level)" dmesg -n "$(cat /tmp/kpng-023/level)"
	p023_on "while patched, again" "$(cat /tmp/kpng-023/level)"
}

after_disable() {
	p023_on "after disabling" "$(cat /tmp/kpng-023/level)"
}

after_unload() {
	p023_on "after unloading" "$(cat /tmp/kpng-023/level)"
}
