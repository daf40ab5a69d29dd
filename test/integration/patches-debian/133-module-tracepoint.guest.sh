# shellcheck shell=sh
# 133-module-tracepoint: DCCP messages over the loopback through the
# patched dccp_sendmsg() (/lib/kpng/133.prog), whose tracepoint
# dccp_probe the livepatch leaves off: the event, enabled in tracefs,
# records the messages of the original function only.  The modules are
# at /lib/modules/dccp/.
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p133_trace=/sys/kernel/tracing
p133_event=$p133_trace/events/dccp/dccp_probe/enable
p133_control=/proc/dynamic_debug/control

# p133_events WHEN: one message with the event on; how many events it
# recorded in $p133_n.
p133_events() {
	echo >"$p133_trace/trace"
	echo 1 >"$p133_event"
	p133_out=$(/lib/kpng/133.prog)
	echo 0 >"$p133_event"
	assert_eq "$1: the message" ping "$p133_out"
	p133_n=$(grep -c "dccp_probe:" "$p133_trace/trace" || :)
}

# p133_messages: how many messages of the patched function dmesg holds.
p133_messages() {
	dmesg | grep -c "kpng-livepatch: dccp_sendmsg 4\$" || :
}

setup() {
	mount -t tracefs nodev "$p133_trace"
	run "loopback up" ip link set lo up
	for m in dccp dccp_ipv4; do
		run "insmod $m" insmod "/lib/modules/dccp/$m.ko"
	done
}

workload() {
	while :; do
		/lib/kpng/133.prog
	done
}

before_load() {
	p133_events "before loading"
	[ "$p133_n" -gt 0 ] || fail "no dccp_probe event before loading"
	ok "$p133_n dccp_probe events before loading"
}

after_load() {
	echo 'func dccp_sendmsg +p' >"$p133_control"
	before=$(p133_messages)
	p133_events "while patched"
	assert_eq "dccp_probe events from the patched function" 0 "$p133_n"
	after=$(p133_messages)
	echo 'func dccp_sendmsg -p' >"$p133_control"
	[ "$after" -gt "$before" ] ||
		fail "no message of the patched function in dmesg ($before, then $after)"
	ok "$((after - before)) messages of the patched function"
}

after_disable() {
	p133_events "after disabling"
	[ "$p133_n" -gt 0 ] || fail "no dccp_probe event after disabling"
	ok "$p133_n dccp_probe events after disabling"
}

after_unload() {
	p133_events "after unloading"
	[ "$p133_n" -gt 0 ] || fail "no dccp_probe event after unloading"
	ok "$p133_n dccp_probe events after unloading"
}
