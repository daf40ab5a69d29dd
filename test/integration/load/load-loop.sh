#!/bin/sh
# Guest script (/test.sh) of t0250-livepatch-load: two cumulative
# livepatches (load-A, load-B: /proc/cmdline gets " kpng-load-A" or
# " kpng-load-B", pipe_read() is replaced by both) are enabled, replaced and
# disabled in a loop of $KLP_ROUNDS rounds (load A; load B, which replaces
# A; disable B; unload both) while
#	- one worker per CPU, pinned to it, reads /proc/cmdline as fast as it
#	  can and checks each read is one of the three values the patches
#	  allow (any other stops it, and the test fails);
#	- in round 1, a task sleeps inside pipe_read() (cat of an empty
#	  FIFO), first in the original and then in each livepatch's copy:
#	  each of that round's transitions finishes only once the livepatch
#	  core's fake signal (after 15 s) has moved it; it is stopped after
#	  round 1, so the other rounds run at the workers' pace.
# Every transition must finish within KLP_TIMEOUT; the workers must all be
# alive and have read at the end.  Prints the number of transitions and
# their times (KPNG-SAY lines).  Settings from /lib/kpng/env: KLP_A, KLP_B
# (the modules), KLP_ROUNDS.
# The workers' program is single-quoted on purpose: its variables are its
# own.
# shellcheck disable=SC2016
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. /lib/kpng/lib.sh

A=livepatch_load_A
B=livepatch_load_B
L=/sys/kernel/livepatch
C=$KPNG_CMDLINE
ncpu=$(grep -c '^processor' /proc/cpuinfo)

# centiseconds since boot
cs() {
	sed 's/^\([0-9]*\)\.\([0-9][0-9]\).*/\1\2/' /proc/uptime
}

n_trans=0 t_total=0 t_max=0
# transition WHAT NAME: wait for NAME's transition, then count it.
transition() {
	klp_wait_transition "$2"
	counted "$1"
}

# counted WHAT: a transition done, taking the time since $t0.
counted() {
	t=$(($(cs) - t0))
	n_trans=$((n_trans + 1))
	t_total=$((t_total + t))
	[ "$t" -le "$t_max" ] || t_max=$t
	ok "$1: transition in $((t / 100)).$((t % 100 / 10)) s"
}

# The workers: one per CPU.
rm -f /tmp/kpng-bad /tmp/kpng-reads.*
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
	taskset -c "$cpu" sh -c '
		n=0
		while :; do
			read -r l </proc/cmdline
			case $l in
			"$1" | "$1 kpng-load-A" | "$1 kpng-load-B") ;;
			*) echo "cpu $2: read '\''$l'\''" >/tmp/kpng-bad; exit 1 ;;
			esac
			n=$((n + 1))
			[ $((n % 50)) -ne 0 ] || {
				echo "$n" >"/tmp/kpng-reads.$2.tmp"
				mv "/tmp/kpng-reads.$2.tmp" "/tmp/kpng-reads.$2"
			}
		done' worker "$C" "$cpu" &
	eval "worker_$cpu=$!"
	cpu=$((cpu + 1))
done
ok "$ncpu workers reading /proc/cmdline, one pinned to each CPU"

# The sleeper: blocked reading an empty FIFO, inside pipe_read().
mkfifo /tmp/kpng-fifo
sleep 100000 >/tmp/kpng-fifo &
writer=$!
cat /tmp/kpng-fifo >/dev/null &
sleeper=$!
sleep 1
grep -q pipe_read "/proc/$sleeper/wchan" || grep -q pipe_read "/proc/$sleeper/stack" 2>/dev/null ||
	fail "cat (pid $sleeper) is not asleep in pipe_read: $(cat "/proc/$sleeper/wchan" 2>&1)"
ok "cat (pid $sleeper) sleeps in pipe_read"

round=1
while [ "$round" -le "$KLP_ROUNDS" ]; do
	t0=$(cs)
	insmod "$KLP_A" || fail "round $round: insmod $KLP_A failed"
	transition "round $round: load A" "$A"
	t0=$(cs)
	insmod "$KLP_B" || fail "round $round: insmod $KLP_B failed"
	transition "round $round: B replaces A" "$B"
	wait_for_value "/sys/module/$A/refcnt" 0 "$KLP_TIMEOUT"
	rmmod "$A" || fail "round $round: rmmod $A failed"
	[ ! -e "$L/$A" ] || fail "round $round: $L/$A is still there"
	t0=$(cs)
	klp_disable "$B"
	counted "round $round: B disabled"
	wait_for_value "/sys/module/$B/refcnt" 0 "$KLP_TIMEOUT"
	rmmod "$B" || fail "round $round: rmmod $B failed"
	[ ! -e /tmp/kpng-bad ] || fail "a worker read a wrong value: $(cat /tmp/kpng-bad)"
	if [ "$round" -eq 1 ]; then
		kill -0 "$sleeper" 2>/dev/null || fail "the sleeping cat died"
		kill "$writer" "$sleeper" 2>/dev/null || true
		ok "round 1 done with a task asleep in pipe_read; it is stopped"
	fi
	round=$((round + 1))
done

assert_file "/proc/cmdline unpatched at the end" /proc/cmdline "$C"
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
	pid=
	eval "pid=\$worker_$cpu"
	kill -0 "$pid" 2>/dev/null || fail "the worker of CPU $cpu died: $(cat /tmp/kpng-bad 2>/dev/null)"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	reads=$(cat "/tmp/kpng-reads.$cpu" 2>/dev/null)
	[ "${reads:-0}" -gt 0 ] || fail "the worker of CPU $cpu never read"
	say "CPU $cpu: $reads reads of /proc/cmdline, every one right"
	cpu=$((cpu + 1))
done
say "transitions: $n_trans, total $((t_total / 100)).$((t_total % 100 / 10)) s, longest $((t_max / 100)).$((t_max % 100 / 10)) s"
ok "$KLP_ROUNDS rounds: $n_trans transitions finished, no wrong read"
