#!/bin/sh
# Guest script (/test.sh) of t0320-debian-ibt: two kpatch-build livepatches
# on Debian's kernel, what its module loader made of their code, and the
# livepatch core's stack walks through it.  From /lib/kpng/env:
#	ORC_KO, ORC_NAME	102-orc-pipe-read's module and patch name
#	IBT_KO, IBT_NAME	101-ibt-cmdline's (built with -R: it stacks
#				on 102 instead of replacing it)
#
#  1. 102 is loaded; a `cat` of a FIFO then sleeps in pipe_read(), the
#     livepatch's copy: /proc/PID/stack unwinds from it (ORC of the
#     module) down to the system call entry.
#  2. 101 is loaded while cat sleeps there: its transition must check
#     cat's stack with the reliable unwinder, which needs ORC for every
#     frame, the module's pipe_read included.  It finishes without cat
#     ever running (its voluntary context switches do not change), long
#     before klp would wake it with a fake signal (after 15 s).
#  3. 101's behaviour, and its code as the module loader left it (read
#     back from /proc/kcore by ktext): ENDBR kept where the address is
#     taken, sealed where objtool listed it, the retpoline, return and
#     static call sites rewritten.
#  4. 101 is disabled (cat's stack walked again) and unloaded.
#  5. 102 is disabled while cat sleeps in its pipe_read: the transition
#     waits for cat (patch_state 1), which leaves only when data arrives;
#     then it finishes and cat sleeps in the kernel's own pipe_read.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. /lib/kpng/lib.sh

fifo=/tmp/kpng-fifo
lp=/sys/kernel/livepatch

# stack PID: the task's kernel stack, one "FUNCTION [MODULE]" a line.
stack() {
	sed -e 's/^\[<[0-9a-f]*>\] //' -e 's/+0x[0-9a-f]*\/0x[0-9a-f]*//' "/proc/$1/stack"
}

# switches PID: how often the task gave up the CPU (went to sleep).
switches() {
	sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$1/status"
}

# wait_asleep_in PID FUNCTION: the task sleeps with FUNCTION on top of its
# stack (within 30 s).
wait_asleep_in() {
	tries=300
	while [ "$(stack "$1" | head -n 1)" != "$2" ]; do
		[ "$tries" -gt 0 ] || fail "pid $1 is not asleep in $2: $(cat "/proc/$1/stack")"
		usleep 100000
		tries=$((tries - 1))
	done
	ok "pid $1 sleeps in $2"
}

assert_file "the kernel is not tainted" /proc/sys/kernel/tainted 0
# What the CPU asks of the module loader.  qemu's TCG "max" CPU is an
# AuthenticAMD family 15 without CET (IBT is built in but not enabled:
# ENDBR is a NOP, an indirect call to a sealed function would not fault,
# hence the byte checks below), not affected by retbleed (no return thunk:
# the loader turns each `jmp __x86_return_thunk` into RET + INT3s, and
# no call depth tracking: .call_sites are left alone), and the default
# spectre_v2 mitigation is plain retpolines (the loader leaves the thunk
# calls of .retpoline_sites as they are; no-orc.guest.sh boots with
# spectre_v2=retpoline,lfence, where it rewrites them).
assert_file "spectre_v2 mitigation" /sys/devices/system/cpu/vulnerabilities/spectre_v2 \
	"Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected"
assert_file "retbleed" /sys/devices/system/cpu/vulnerabilities/retbleed "Not affected"
# PREEMPT_DYNAMIC, voluntary (Debian's default): cond_resched() is
# __cond_resched(); the livepatch core points it at klp_cond_resched()
# during each transition.
assert_eq "cond_resched()'s static call trampoline" "jmp __cond_resched+0x0" \
	"$(ktext insn __SCT__cond_resched)"
assert_file "/proc/cmdline before" /proc/cmdline "$KPNG_CMDLINE"

say "stage: 102 loaded, cat asleep in its pipe_read"
klp_load "$ORC_KO" "$ORC_NAME"
mkfifo "$fifo"
# A writer that stays open (fd 3, not inherited by cat), so cat's open
# does not block and its read sleeps until data, or EOF once fd 3 closes.
exec 3<>"$fifo"
cat "$fifo" >/tmp/kpng-cat.out 3>&- &
cat_pid=$!
wait_asleep_in "$cat_pid" "pipe_read [$ORC_NAME]"
assert_eq "cat's stack, unwound through the livepatch's pipe_read" \
	"pipe_read [$ORC_NAME]
vfs_read
ksys_read
do_syscall_64
entry_SYSCALL_64_after_hwframe" "$(stack "$cat_pid")"
switches=$(switches "$cat_pid")

say "stage: 101 loaded while cat sleeps in 102's code"
run "insmod $IBT_KO" insmod "$IBT_KO"
assert_file "patch $IBT_NAME is enabled" "$lp/$IBT_NAME/enabled" 1
# klp sends fake signals to the tasks it could not switch after 15 s.
wait_for_value "$lp/$IBT_NAME/transition" 0 10
ok "patch $IBT_NAME: transition finished within 10 s"
assert_eq "cat did not run meanwhile (voluntary context switches)" "$switches" \
	"$(switches "$cat_pid")"
assert_eq "cat still sleeps in 102's pipe_read" "pipe_read [$ORC_NAME]" \
	"$(stack "$cat_pid" | head -n 1)"

say "stage: 101's code as the module loader left it"
assert_file "/proc/cmdline while patched" /proc/cmdline \
	"$KPNG_CMDLINE kpng-ibt len=${#KPNG_CMDLINE}"
m=$IBT_NAME
assert_eq "kpng_ibt_strlen (called indirectly): ENDBR kept" "f3 0f 1e fa" \
	"$(ktext bytes "$m:kpng_ibt_strlen" 4)"
assert_eq "cmdline_proc_show (address in .livepatch.funcs): ENDBR kept" "f3 0f 1e fa" \
	"$(ktext bytes "$m:cmdline_proc_show" 4)"
assert_eq "kpng_ibt_direct (.ibt_endbr_seal): ENDBR sealed (osp nopl (%rax))" "66 0f 1f 00" \
	"$(ktext bytes "$m:kpng_ibt_direct" 4)"
assert_eq "cmdline_proc_show+0x4: __fentry__ call, a NOP for ftrace" "0f 1f 44 00 00" \
	"$(ktext bytes "$m:cmdline_proc_show+0x4" 5)"
assert_eq "cmdline_proc_show+0x14 (.call_sites)" "call __seq_puts+0x0" \
	"$(ktext insn "$m:cmdline_proc_show+0x14")"
# Built as `call __SCT__cond_resched` (the trampoline: the key is not
# exported, so the site's key field names the trampoline and the loader
# looks the key up, static_call_add_module()); inline static calls
# rewrite the site to call the target itself.
assert_eq "cmdline_proc_show+0x19 (.static_call_sites): cond_resched()'s target" \
	"call __cond_resched+0x0" "$(ktext insn "$m:cmdline_proc_show+0x19")"
assert_eq "cmdline_proc_show+0x21 (.call_sites)" "call kpng_ibt_direct+0x0 [$m]" \
	"$(ktext insn "$m:cmdline_proc_show+0x21")"
assert_eq "cmdline_proc_show+0x34 (.retpoline_sites): the thunk call stays" \
	"call __x86_indirect_thunk_rax+0x0" "$(ktext insn "$m:cmdline_proc_show+0x34")"
assert_eq "cmdline_proc_show+0x4e (.return_sites): ret; int3 x 4" "c3 cc cc cc cc" \
	"$(ktext bytes "$m:cmdline_proc_show+0x4e" 5)"
assert_eq "the kernel's cmdline_proc_show+0x4: ftrace's call, the redirection" \
	"call ftrace_trampoline+0x0 [__builtin__ftrace]" "$(ktext insn cmdline_proc_show+0x4)"

say "stage: 101 disabled and unloaded"
klp_disable "$IBT_NAME"
klp_unload "$IBT_NAME"
assert_file "/proc/cmdline after unloading 101" /proc/cmdline "$KPNG_CMDLINE"
assert_eq "the kernel's cmdline_proc_show+0x4: a NOP again" "0f 1f 44 00 00" \
	"$(ktext bytes cmdline_proc_show+0x4 5)"
assert_eq "cat did not run meanwhile" "$switches" "$(switches "$cat_pid")"

say "stage: 102 disabled while cat sleeps in its pipe_read"
echo 0 >"$lp/$ORC_NAME/enabled"
sleep 3
assert_file "after 3 s the transition still waits" "$lp/$ORC_NAME/transition" 1
assert_file "for cat, still patched (in the function being removed)" \
	"/proc/$cat_pid/patch_state" 1
echo kpng >&3
# Once the transition is over the disabled patch is freed, which removes
# its sysfs directory (as in klp_disable).
tries=100
while [ "$(cat "$lp/$ORC_NAME/transition" 2>/dev/null)" = 1 ]; do
	[ "$tries" -gt 0 ] || fail "patch $ORC_NAME: the transition did not finish within 10 s of cat's data"
	usleep 100000
	tries=$((tries - 1))
done
ok "patch $ORC_NAME: transition finished once cat had data"
wait_asleep_in "$cat_pid" "pipe_read"
assert_eq "cat's stack, the kernel's own pipe_read" "pipe_read
vfs_read
ksys_read
do_syscall_64
entry_SYSCALL_64_after_hwframe" "$(stack "$cat_pid")"
assert_file "cat copied the line" /tmp/kpng-cat.out kpng
klp_unload "$ORC_NAME"
exec 3>&-
wait "$cat_pid"
ok "cat saw the end of the FIFO and exited"
assert_file "the kernel's taint: K, E and O" /proc/sys/kernel/tainted \
	$(((1 << 15) | (1 << 13) | (1 << 12)))
