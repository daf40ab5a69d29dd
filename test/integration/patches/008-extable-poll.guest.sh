# shellcheck shell=sh
# 008-extable-poll: poll(2) on a read-only pollfd array faults in
# do_sys_poll() and is fixed up through __ex_table: EFAULT unpatched,
# EILSEQ from the livepatch's copy.  The program is 008-extable-poll.prog.c
# built with `gcc -static`; the driver puts it at $KPNG_PROG (default
# /lib/kpng/008-extable-poll.prog).
# Stage functions for the guest driver; see README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p008_prog=${KPNG_PROG:-/lib/kpng/008-extable-poll.prog}

workload() {
	# Faults in a loop; either errno is right during the transition.
	while "$p008_prog" 1000; do
		:
	done
}

before_load() {
	assert_exists "$p008_prog"
	assert_eq "poll before loading" "writable: 0
read-only: -1 EFAULT" "$("$p008_prog")"
}

after_load() {
	assert_eq "poll while patched" "writable: 0
read-only: -1 EILSEQ" "$("$p008_prog")"
}

after_disable() {
	assert_eq "poll after disabling" "writable: 0
read-only: -1 EFAULT" "$("$p008_prog")"
}

after_unload() {
	assert_eq "poll after unloading" "writable: 0
read-only: -1 EFAULT" "$("$p008_prog")"
}
