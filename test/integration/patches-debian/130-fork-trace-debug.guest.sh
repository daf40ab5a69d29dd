# shellcheck shell=sh
# 130-fork-trace-debug: the sched_process_fork event and the new pr_debug()
# of the patched kernel_clone().  A subshell's fork has a known child pid
# ($!): the event of that fork (tracefs) and the message (dmesg, once
# 'func kernel_clone +p' is written to /proc/dynamic_debug/control) name
# it.  The descriptor is the livepatch's, listed under its module name
# while it is loaded; the original kernel_clone() has none.
# Stage functions for the guest driver; see patches/README.md.
# shellcheck disable=SC2317 # the driver calls the functions

p130_control=/proc/dynamic_debug/control
p130_trace=/sys/kernel/tracing
p130_site="kernel/fork.c:2857 [livepatch_130_fork_trace_debug]kernel_clone =_ \"kpng-livepatch: kernel_clone made %d\\n\""

# p130_fork: fork once; the child's pid in $p130_child.
p130_fork() {
	(:) &
	p130_child=$!
	wait "$p130_child"
}

# p130_event_seen: the sched_process_fork event of one fork, from tracefs.
p130_event_seen() {
	echo >"$p130_trace/trace"
	echo 1 >"$p130_trace/events/sched/sched_process_fork/enable"
	p130_fork
	echo 0 >"$p130_trace/events/sched/sched_process_fork/enable"
	grep -q "sched_process_fork: comm=.* pid=$$ child_comm=.* child_pid=$p130_child\$" \
		"$p130_trace/trace" ||
		fail "no sched_process_fork event for child $p130_child: $(cat "$p130_trace/trace")"
	ok "sched_process_fork event for child $p130_child"
}

# p130_sites: how many descriptors of the control file print our message.
p130_sites() {
	grep -c "kpng-livepatch" "$p130_control" || :
}

setup() {
	mount -t tracefs nodev "$p130_trace"
}

before_load() {
	assert_eq "kpng-livepatch descriptors before loading" 0 "$(p130_sites)"
	p130_event_seen
}

after_load() {
	assert_eq "the livepatch's descriptor" "$p130_site" \
		"$(grep -F "kpng-livepatch" "$p130_control")"
	p130_event_seen
	echo 'func kernel_clone +p' >"$p130_control"
	assert_eq "the descriptor enabled" "${p130_site%%=_*}=p ${p130_site#*=_ }" \
		"$(grep -F "kpng-livepatch" "$p130_control")"
	p130_fork
	dmesg | grep -q "kpng-livepatch: kernel_clone made $p130_child\$" ||
		fail "no message for child $p130_child in dmesg"
	ok "message for child $p130_child in dmesg"
	echo 'func kernel_clone -p' >"$p130_control"
	p130_fork
	if dmesg | grep -q "kpng-livepatch: kernel_clone made $p130_child\$"; then
		fail "a message for child $p130_child with the descriptor disabled"
	fi
	ok "no message for child $p130_child with the descriptor disabled"
}

after_disable() {
	echo 'func kernel_clone +p' >"$p130_control"
	p130_fork
	echo 'func kernel_clone -p' >"$p130_control"
	if dmesg | grep -q "kpng-livepatch: kernel_clone made $p130_child\$"; then
		fail "a message for child $p130_child from the original kernel_clone"
	fi
	ok "no message for child $p130_child from the original kernel_clone"
	p130_event_seen
}

after_unload() {
	assert_eq "kpng-livepatch descriptors after unloading" 0 "$(p130_sites)"
	p130_event_seen
}
