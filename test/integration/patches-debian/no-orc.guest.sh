#!/bin/sh
# Guest script (/test.sh) of t0320-debian-ibt, the control of
# ibt-orc.guest.sh's stages 1 and 2: 102-orc-pipe-read's module with its
# ORC tables removed (.orc_unwind, .orc_unwind_ip), the rest unchanged.
# From /lib/kpng/env: ORC_KO (that copy), ORC_NAME, IBT_KO, IBT_NAME.
#
# With no ORC for the livepatch's pipe_read, the unwinder cannot get past
# it: /proc/PID/stack of a `cat` asleep in it ends there, and 101's
# transition cannot check cat's stack reliably, so cat keeps it waiting
# until klp wakes cat with a fake signal (after 15 s of tries, "signaling
# remaining tasks").  This is what ibt-orc.guest.sh's quick transition,
# with cat never woken, rules out.
#
# The kernel command line has spectre_v2=off: the module loader then
# rewrites every .retpoline_sites entry, the livepatch's too, into a plain
# indirect call (in the default mode, ibt-orc.guest.sh's, the thunk call
# stays).
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. /lib/kpng/lib.sh

fifo=/tmp/kpng-fifo
lp=/sys/kernel/livepatch

stack() {
	sed -e 's/^\[<[0-9a-f]*>\] //' -e 's/+0x[0-9a-f]*\/0x[0-9a-f]*//' "/proc/$1/stack"
}
switches() {
	sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$1/status"
}
wait_asleep_in() {
	tries=300
	while [ "$(stack "$1" | head -n 1)" != "$2" ]; do
		[ "$tries" -gt 0 ] || fail "pid $1 is not asleep in $2: $(cat "/proc/$1/stack")"
		usleep 100000
		tries=$((tries - 1))
	done
	ok "pid $1 sleeps in $2"
}

assert_file "spectre_v2 mitigation (spectre_v2=off)" \
	/sys/devices/system/cpu/vulnerabilities/spectre_v2 \
	"Vulnerable; STIBP: disabled; PBRSB-eIBRS: Not affected; BHI: Not affected"

say "stage: 102 without ORC loaded, cat asleep in its pipe_read"
klp_load "$ORC_KO" "$ORC_NAME"
mkfifo "$fifo"
exec 3<>"$fifo"
cat "$fifo" >/tmp/kpng-cat.out 3>&- &
cat_pid=$!
wait_asleep_in "$cat_pid" "pipe_read [$ORC_NAME]"
assert_eq "cat's stack ends at the livepatch's pipe_read" "pipe_read [$ORC_NAME]" \
	"$(stack "$cat_pid")"
switches=$(switches "$cat_pid")

say "stage: 101 loaded while cat sleeps in 102's code"
run "insmod $IBT_KO" insmod "$IBT_KO"
sleep 8
assert_file "after 8 s the transition still waits" "$lp/$IBT_NAME/transition" 1
assert_file "for cat, not switched yet" "/proc/$cat_pid/patch_state" 0
assert_eq "cat did not run meanwhile" "$switches" "$(switches "$cat_pid")"
wait_for_value "$lp/$IBT_NAME/transition" 0 30
ok "patch $IBT_NAME: transition finished"
case $(dmesg) in
*"livepatch: signaling remaining tasks"*) ok "klp signalled the remaining tasks" ;;
*) fail "no 'livepatch: signaling remaining tasks' in the kernel log" ;;
esac
[ "$(switches "$cat_pid")" -gt "$switches" ] ||
	fail "cat was not woken (voluntary context switches still $switches)"
ok "cat was woken (voluntary context switches $switches -> $(switches "$cat_pid"))"
assert_file "/proc/cmdline while patched" /proc/cmdline \
	"$KPNG_CMDLINE kpng-ibt len=${#KPNG_CMDLINE}"
assert_eq "cmdline_proc_show+0x34 (.retpoline_sites): call *%rax; nopl (%rax)" "ff d0 0f 1f 00" \
	"$(ktext bytes "$IBT_NAME:cmdline_proc_show+0x34" 5)"

say "stage: both unloaded"
# cat first: asleep in 102's pipe_read again, it would hold up 101's
# disable transition the same way.
exec 3>&-
wait "$cat_pid"
ok "cat saw the end of the FIFO and exited"
klp_disable "$IBT_NAME"
klp_unload "$IBT_NAME"
klp_disable "$ORC_NAME"
klp_unload "$ORC_NAME"
assert_file "/proc/cmdline after unloading" /proc/cmdline "$KPNG_CMDLINE"
